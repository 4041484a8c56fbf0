"""The rules: every rule the library ships, one module per family.

A family module (:mod:`~hcpcs_home.rules.codes`, :mod:`~hcpcs_home.rules.time`,
:mod:`~hcpcs_home.rules.therapy`, :mod:`~hcpcs_home.rules.documentation`,
:mod:`~hcpcs_home.rules.claim`, :mod:`~hcpcs_home.rules.home_care`,
:mod:`~hcpcs_home.rules.edits` ...) holds its
predicates, fixers and :class:`~hcpcs_home.policy.Rule` values together, each
with its public source, and exposes two names:

* ``VOCABULARY``: a :class:`~hcpcs_home.policy.Vocabulary` of its named
  predicates and fixers (the general ones are in ``_common``);
* ``RULES``: its rules, in the order their findings are reported.

:data:`DEFAULT_RULES` is every family's ``RULES`` in the order of
:data:`FAMILIES`, and :data:`VOCABULARY` the union of their vocabularies.
Adding a rule to a family is one edit of that module (and its test): the
rule then appears in :func:`hcpcs_home.policy.check`, in the generated rule
reference (``docs/rules.rst``) and in ``hcpcs-home rules``.  A new family is a
new module plus its name in :data:`FAMILIES`.

>>> from hcpcs_home.rules import DEFAULT_RULES
>>> print(DEFAULT_RULES["payer-code-not-accepted"].when)
code_known & ~payer_accepts_code
>>> len(DEFAULT_RULES) >= 28
True
"""

from __future__ import annotations

import datetime as _dt
from types import ModuleType
from typing import TYPE_CHECKING

import attrs

from .._engine import PayerAction, Rule, RuleSet, Vocabulary
from .._tables import read_table
from .._trusted import maker
from . import (
    _common,
    claim,
    codes,
    documentation,
    edits,
    history,
    history_notices,
    history_visits,
    home_care,
    hospice,
    medicare_hh,
    modifiers,
    therapy,
    time,
)

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "DEFAULT_RULES",
    "FAMILIES",
    "VOCABULARY",
    "default_rules",
    "family_of",
    "load_rules",
    "payer_actions",
    "reference",
]


def __dir__() -> list[str]:
    return __all__


#: The family modules, in the order their rules are reported.
FAMILIES: tuple[ModuleType, ...] = (
    codes,
    modifiers,
    documentation,
    time,
    therapy,
    claim,
    home_care,
    hospice,
    medicare_hh,
    edits,
    history,
    history_visits,
    history_notices,
)


def _vocabulary() -> Vocabulary:
    vocab = _common.VOCABULARY
    for family in FAMILIES:
        vocab = vocab | family.VOCABULARY
    return vocab


VOCABULARY: Vocabulary = _vocabulary()
"""Every predicate and fixer of the shipped families (what saved rule sets name)."""


def payer_actions() -> dict[str, tuple[PayerAction, _dt.date | None, str]]:
    """What the payer does with a claim each default rule finds, by rule id: ``(action,
    first date of service it applies to or None, source)`` from
    ``hcpcs_home/data/rule_actions.tsv``."""
    return {
        row["rule"]: (
            PayerAction(row["action"]),
            _dt.date.fromisoformat(row["from"]) if row["from"] else None,
            row["source"],
        )
        for row in read_table("rule_actions.tsv")
    }


#: Rule's fields in order, and a maker storing them as given (see :func:`_with_action`).
_RULE_FIELDS = tuple(a.name for a in attrs.fields(Rule))
_stored_rule = maker(Rule)


def _with_action(rule: Rule, found: tuple[PayerAction, _dt.date | None, str] | None) -> Rule:
    """``rule`` with its payer action, the severity derived from it.

    The rule's own fields were converted and checked when its family built it, and
    the action's come from :func:`payer_actions` as their final values (no validator
    reads them): the copy stores them as ``attrs.evolve`` would build it, without
    converting and checking every field a second time (83 rules at import).
    """
    if found is None:
        return rule
    action, start, source = found
    if type(rule) is not Rule:  # a subclass may convert or check more: its constructor
        return attrs.evolve(
            rule, severity=action.severity, action=action, action_source=source, action_from=start
        )
    given = {
        "severity": action.severity,
        "action": action,
        "action_source": source,
        "action_from": start,
    }
    return _stored_rule(*[given[n] if n in given else getattr(rule, n) for n in _RULE_FIELDS])


def default_rules() -> RuleSet:
    """Build the default rule set (a new, equal :class:`~hcpcs_home.policy.RuleSet` each call).

    Each rule carries what the payer does with such a claim (``rule_actions.tsv``, see
    :func:`payer_actions`), and its severity is the one that action gives
    (:attr:`~hcpcs_home.policy.PayerAction.severity`).
    """
    actions = payer_actions()
    rules = tuple(
        _with_action(rule, actions.get(rule.id)) for family in FAMILIES for rule in family.RULES
    )
    return RuleSet(rules=rules, name="hcpcs_home default", vocabulary=VOCABULARY)


DEFAULT_RULES: RuleSet = default_rules()
"""The default rule set, every family's rules in the order of :data:`FAMILIES`."""


def reference() -> str:
    """The rule reference of :data:`DEFAULT_RULES` as reStructuredText, by family:
    what ``docs/rules.rst`` shows, written from the rules so it cannot drift."""
    families = {
        rule.id: (module.__name__.rsplit(".", 1)[1], (module.__doc__ or "").split("\n")[0])
        for module in FAMILIES
        for rule in module.RULES
    }
    from ._reference import reference_rst  # the docs' writer: a check never needs it

    return reference_rst(DEFAULT_RULES, families)


def family_of(rule_id: str) -> str:
    """The short name of the family module that holds ``rule_id`` (``"time"``).

    :raises KeyError: no shipped rule has that id.
    """
    for family in FAMILIES:
        if any(rule.id == rule_id for rule in family.RULES):
            return family.__name__.rsplit(".", 1)[1]
    raise KeyError(rule_id)


def load_rules(source: str | bytes | Path, vocabulary: Vocabulary | None = None) -> RuleSet:
    """A rule set saved with :meth:`~hcpcs_home.policy.RuleSet.to_json`, from JSON
    text or a file path, naming entries of ``vocabulary`` (:data:`VOCABULARY`
    where ``None``).

    :raises RuleSetLoadError: the file cannot be read, or what it holds is not a
        rule set of this vocabulary (with the path of the problem).
    """
    # pathlib on the first rule set loaded: checking claims never needs it, and a fresh
    # process pays 2 ms for it (it brings urllib.parse and fnmatch).
    from pathlib import Path

    from .._read import read_at_most
    from ..bounds import MAX_DOCUMENT_BYTES
    from ..errors import RuleSetLoadError

    if isinstance(source, Path):
        try:
            data = read_at_most(source, MAX_DOCUMENT_BYTES)
        except OSError as exc:
            raise RuleSetLoadError(str(source), f"cannot be read: {exc.strerror}") from None
        if len(data) > MAX_DOCUMENT_BYTES:
            raise RuleSetLoadError(str(source), f"is over {MAX_DOCUMENT_BYTES:,} bytes")
        source = data
    return RuleSet.from_json(source, VOCABULARY if vocabulary is None else vocabulary)
