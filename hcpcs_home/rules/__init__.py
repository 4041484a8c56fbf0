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
import importlib
import threading
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import attrs

from .._engine import PayerAction, Rule, RuleSet, Vocabulary
from .._tables import read_table
from .._trusted import maker

if TYPE_CHECKING:
    from pathlib import Path

    from ..claims import Claim

    # The family modules, imported by __getattr__ on first use (as ``rules.hospice``).
    from . import (
        claim as claim,
    )
    from . import (
        codes as codes,
    )
    from . import (
        documentation as documentation,
    )
    from . import (
        edits as edits,
    )
    from . import (
        history as history,
    )
    from . import (
        history_notices as history_notices,
    )
    from . import (
        history_visits as history_visits,
    )
    from . import (
        home_care as home_care,
    )
    from . import (
        hospice as hospice,
    )
    from . import (
        medicare_hh as medicare_hh,
    )
    from . import (
        modifiers as modifiers,
    )
    from . import (
        therapy as therapy,
    )
    from . import (
        time as time,
    )

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


#: The family modules' names, in the order their rules are reported.
_FAMILY_NAMES = (
    "codes",
    "modifiers",
    "documentation",
    "time",
    "therapy",
    "claim",
    "home_care",
    "hospice",
    "medicare_hh",
    "edits",
    "history",
    "history_visits",
    "history_notices",
)

#: The families a check may leave unbuilt where none of their rules can fire, and what
#: each needs to: the bill classes (:attr:`Claim.bill_class
#: <hcpcs_home.claims.Claim.bill_class>`) its rules ask for, ``None`` for any; and
#: whether every rule of it needs a history (``Need.HISTORY``, given only by a check with
#: ``history=``).  A fresh process's first check of a home-care claim then builds no
#: therapy, hospice or history rules.  A test settles every rule of these families against
#: every shipped payer and bill class outside what is said here: none is active.
_NEEDED_FOR: dict[str, tuple[frozenset[str] | None, bool]] = {
    "therapy": (frozenset({"32", "34", "81", "82"}), False),
    "hospice": (frozenset({"81", "82"}), False),
    "edits": (frozenset(), False),  # no rules of its own: its predicates build load_edits'
    "history": (None, True),
    "history_visits": (None, True),
    "history_notices": (None, True),
}

#: FAMILIES, VOCABULARY and DEFAULT_RULES are built on first use (PEP 562, below), each
#: once: the lock makes two threads asking at once get the same object.
_LOCK = threading.RLock()

FAMILIES: tuple[ModuleType, ...]
"""The family modules, in the order their rules are reported."""

VOCABULARY: Vocabulary
"""Every predicate and fixer of the shipped families (what saved rule sets name)."""

DEFAULT_RULES: RuleSet
"""The default rule set, every family's rules in the order of :data:`FAMILIES`."""


def __getattr__(name: str) -> Any:
    if name in _FAMILY_NAMES:  # a family module, as ``rules.hospice`` was before it was lazy
        return importlib.import_module(f"{__name__}.{name}")
    found = globals().get(name)  # built: asked through _default_set
    if found is not None:
        return found
    build = _FIRST_USE.get(name)
    if build is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _LOCK:
        found = globals().get(name)
        if found is None:
            found = globals()[name] = build()
    return found


def _default_set() -> RuleSet:
    """:data:`DEFAULT_RULES` (a function's globals do not reach the module's ``__getattr__``)."""
    found: RuleSet = __getattr__("DEFAULT_RULES")
    return found


def _default_vocabulary() -> Vocabulary:
    """:data:`VOCABULARY`, as :func:`_default_set` gives :data:`DEFAULT_RULES`."""
    found: Vocabulary = __getattr__("VOCABULARY")
    return found


def _family(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def _vocabulary(names: tuple[str, ...] = _FAMILY_NAMES) -> Vocabulary:
    vocab: Vocabulary = _family("_common").VOCABULARY
    for name in names:
        vocab = vocab | _family(name).VOCABULARY
    return vocab


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
        _with_action(rule, actions.get(rule.id))
        for name in _FAMILY_NAMES
        for rule in _family(name).RULES
    )
    return RuleSet(rules=rules, name="hcpcs_home default", vocabulary=_default_vocabulary())


#: Each family's rules with their payer actions, by family name, built once (under _LOCK):
#: DEFAULT_RULES and the rule sets of :func:`_for_claim` share them.
_ACTED: dict[str, tuple[Rule, ...]] = {}


def _acted(name: str) -> tuple[Rule, ...]:
    found = _ACTED.get(name)
    if found is None:
        if not _ACTIONS:  # rule_actions.tsv read once
            _ACTIONS.update(payer_actions())
        found = _ACTED[name] = tuple(
            _with_action(rule, _ACTIONS.get(rule.id)) for rule in _family(name).RULES
        )
    return found


_ACTIONS: dict[str, tuple[PayerAction, _dt.date | None, str]] = {}


def _rules_of(names: tuple[str, ...]) -> tuple[Rule, ...]:
    with _LOCK:
        return tuple(rule for name in names for rule in _acted(name))


def _default_of(names: tuple[str, ...]) -> RuleSet:
    """The default rule set of the families ``names`` (all of them: :data:`DEFAULT_RULES`)."""
    return RuleSet(_rules_of(names), name="hcpcs_home default", vocabulary=_vocabulary(names))


#: The rule set :func:`_for_claim` gives, by bill class and whether a history is given.
_BY_CLAIM: dict[tuple[str | None, bool], RuleSet] = {}


def _needed(name: str, bill_class: str | None, with_history: bool) -> bool:
    """Whether a rule of the family ``name`` can fire on a claim of ``bill_class``."""
    if name not in _NEEDED_FOR:
        return True
    classes, needs_history = _NEEDED_FOR[name]
    return (classes is None or bill_class in classes) and (with_history or not needs_history)


def _for_claim(claim: Claim, with_history: bool) -> RuleSet:
    """The rule set a default check of ``claim`` runs: :data:`DEFAULT_RULES` without the
    families of :data:`_NEEDED_FOR` that cannot fire on its type of bill (or without a
    history): the same findings, in the same order, as every other rule is settled
    inactive for such a claim's header (the test of :data:`_NEEDED_FOR`)."""
    key = (claim.bill_class, with_history)
    found = _BY_CLAIM.get(key)  # one lookup a check: at most 101 bill classes, twice
    if found is None:
        with _LOCK:
            names = tuple(n for n in _FAMILY_NAMES if _needed(n, key[0], with_history))
            found = _PARTIAL.get(names)  # the same families for many bill classes: one set
            if found is None:
                found = _PARTIAL[names] = _default_of(names)
            _BY_CLAIM[key] = found
    return found


#: The rule sets of :func:`_for_claim`, by the families they hold (where every family
#: with rules is, the rules of DEFAULT_RULES, and so its compiled plans: see _PlanCache).
_PARTIAL: dict[tuple[str, ...], RuleSet] = {}


_FIRST_USE: dict[str, Callable[[], Any]] = {
    "FAMILIES": lambda: tuple(map(_family, _FAMILY_NAMES)),
    "VOCABULARY": _vocabulary,
    "DEFAULT_RULES": lambda: _default_of(_FAMILY_NAMES),
}


def reference() -> str:
    """The rule reference of :data:`DEFAULT_RULES` as reStructuredText, by family:
    what ``docs/rules.rst`` shows, written from the rules so it cannot drift."""
    families = {
        rule.id: (module.__name__.rsplit(".", 1)[1], (module.__doc__ or "").split("\n")[0])
        for module in map(_family, _FAMILY_NAMES)
        for rule in module.RULES
    }
    from ._reference import reference_rst  # the docs' writer: a check never needs it

    return reference_rst(_default_set(), families)


def family_of(rule_id: str) -> str:
    """The short name of the family module that holds ``rule_id`` (``"time"``).

    :raises KeyError: no shipped rule has that id.
    """
    for family in map(_family, _FAMILY_NAMES):
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
    return RuleSet.from_json(source, _default_vocabulary() if vocabulary is None else vocabulary)
