"""Composable, explainable billing rules and :func:`check`.

The model is packaging's ``Marker``: a :class:`Predicate` is an immutable
test over an explicit :class:`Context` (the claim, the payer, one line, the
services that document it and the line's catalog entry), combined with
``&``, ``|`` and ``~`` into a tree that shares its parts and prints the same
way every time.  A :class:`Rule` puts an id, a severity, a message, a source
and an optional fix on a predicate that holds when something is wrong; a
:class:`RuleSet` is an ordered, immutable collection of rules that saves to
and loads from JSON; :func:`check` runs one over a claim and returns a
:class:`Report` of :class:`Finding` values, each of which explains on request
which parts of its predicate held.  Predicates and fixers are named entries of
a :class:`Vocabulary`, a value passed in, never a global registry; the rules
themselves live in :mod:`hcpcs_home.rules`.

>>> from hcpcs_home import policy, payers, Claim, ClaimLine
>>> from hcpcs_home.rules import VOCABULARY
>>> p = VOCABULARY.predicate("code_prefix", prefix="S")
>>> p = p & ~VOCABULARY.predicate("payer_accepts_code")
>>> print(p)
code_prefix(prefix='S') & ~payer_accepts_code
>>> claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", type_of_bill="0329",
...               lines=[ClaimLine("S9124", "2024-03-04", 8, revenue_code="0552")])
>>> ctx = policy.Context.for_line(claim, 0)
>>> p(ctx), (~p)(ctx)
(True, False)
>>> print(p.explain(ctx))
✓ code_prefix(prefix='S') & ~payer_accepts_code
  ✓ code_prefix(prefix='S')
  ✓ ~payer_accepts_code
    ✗ payer_accepts_code
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, overload

import attrs

from . import rules as _rules
from ._engine import (
    _FIRST_USE,
    VISIT_GIVES,
    And,
    Batch,
    Context,
    Finding,
    Fix,
    Leaf,
    Need,
    Not,
    Or,
    PayerAction,
    Predicate,
    Report,
    Rule,
    RuleSet,
    Scope,
    Severity,
    Vocabulary,
)
from ._lazy import first_use
from .catalog import Catalog, default_catalog
from .claims import Claim, ClaimLine, Service
from .errors import HcpcsError, InvalidFieldError
from .payers import Payer

if TYPE_CHECKING:
    from ._engine import Explanation, TableRule
    from .history import ClaimHistory

__all__ = [
    "And",
    "Batch",
    "Context",
    "Explanation",
    "Finding",
    "Fix",
    "Leaf",
    "Need",
    "Not",
    "Or",
    "PayerAction",
    "Predicate",
    "Report",
    "Rule",
    "RuleSet",
    "Scope",
    "Severity",
    "TableRule",
    "Vocabulary",
    "check",
    "check_many",
    "check_visit",
    "predicate",
    "predicate_names",
]


def __dir__() -> list[str]:
    return __all__


# TableRule and Explanation are defined on first use: see hcpcs_home._engine.
__getattr__ = first_use(__name__, _FIRST_USE)


def check(
    claim: Claim,
    rules: RuleSet | None = None,
    *,
    catalog: Catalog | None = None,
    history: ClaimHistory | None = None,
) -> Report:
    """Check a claim with a rule set (:data:`hcpcs_home.rules.DEFAULT_RULES` where
    ``None``), looking codes up in ``catalog`` (the shipped catalog where ``None``;
    a catalog read with :func:`hcpcs_home.catalog.load_cms_file` works too).

    Every line is checked by every rule; a rule that fails on one line
    becomes a finding for that line and the others are still checked.

    ``history`` is a :class:`~hcpcs_home.history.ClaimHistory` of the claims billed
    before (``SqliteHistory``,
    :class:`~hcpcs_home.history.MemoryHistory` or a backend's own): the ``history``
    rules check the claim against it (notice on file, overlapping periods, benefit
    periods...), and the rules that count across claims (authorization usage,
    per-diem days, one worker in two places) count its claims too.  The check only
    reads it.
    """
    if rules is not None and not isinstance(rules, RuleSet):
        raise InvalidFieldError("rules", rules, "must be a RuleSet or None")
    if rules is None:
        # The default rules this claim can fire (all of them for a claim of every kind):
        # a first check of a home-care claim builds no hospice or history rules.
        rules = (
            _rules._for_claim(claim, history is not None)
            if isinstance(claim, Claim)
            else _rules._default_set()  # refused by its check, as before
        )
    return rules.check(claim, catalog=catalog, history=history)


@overload
def check_many(
    claims: Iterable[Claim],
    rules: RuleSet | None = None,
    *,
    catalog: Catalog | None = None,
    batch: bool = False,
    history: ClaimHistory | None = None,
) -> Iterator[Report]: ...


@overload
def check_many(
    claims: Iterable[Claim | HcpcsError],
    rules: RuleSet | None = None,
    *,
    catalog: Catalog | None = None,
    batch: bool = False,
    history: ClaimHistory | None = None,
) -> Iterator[Report | HcpcsError]: ...


def check_many(
    claims: Iterable[Claim | HcpcsError],
    rules: RuleSet | None = None,
    *,
    catalog: Catalog | None = None,
    batch: bool = False,
    history: ClaimHistory | None = None,
) -> Iterator[Report | HcpcsError]:
    """Check many claims lazily, yielding each claim's :class:`Report` in order.

    Items that are already errors (a claim that could not be read, from
    :func:`hcpcs_home.serialize.claims_from_json_lines`) are passed through, so
    a batch keeps every input's result in place.  The types say so: claims
    alone give an iterator of :class:`Report`; claims mixed with errors give
    reports and errors.  :func:`hcpcs_home.dataframes.findings_frame` makes one
    DataFrame of either.

    With ``batch=True`` the claims are read first and checked as one
    :class:`Batch`, held in a temporary :class:`~hcpcs_home.history.MemoryHistory`:
    rules that look across claims (one worker in two patients' visits at once, an
    authorization or a per-diem day used on several claims) see all of them,
    found through its indexes (by beneficiary, authorization and worker), so the
    cost grows in proportion to the number of claims.  Without it each claim is
    checked alone, lazily.  ``history`` is passed to every check (see :func:`check`);
    it is read, never written.
    """
    if rules is not None and not isinstance(rules, RuleSet):
        raise InvalidFieldError("rules", rules, "must be a RuleSet or None")
    if isinstance(claims, (str, bytes, Mapping)) or not isinstance(claims, Iterable):
        raise InvalidFieldError("claims", claims, "must be an iterable of Claims")
    chosen = _rules._default_set() if rules is None else rules
    if not batch:
        for item in claims:
            yield (
                item
                if isinstance(item, HcpcsError)
                else chosen.check(item, catalog=catalog, history=history)
            )
        return
    items = list(claims)
    together = Batch([c for c in items if not isinstance(c, HcpcsError)])
    for item in items:
        if isinstance(item, HcpcsError):
            yield item
        else:
            yield chosen.check(item, catalog=catalog, batch=together, history=history)


def check_visit(
    service: Service,
    payer: Payer | str,
    *,
    line: ClaimLine | None = None,
    type_of_bill: str | None = None,
    rules: RuleSet | None = None,
    catalog: Catalog | None = None,
) -> Report:
    """Check one documented visit on its own, before any claim holds it: what a
    practice-management system asks when the visit is documented.

    ``line`` is the line the visit would be billed as; where ``None`` it is
    :meth:`ClaimLine.from_service <hcpcs_home.claims.ClaimLine.from_service>` of
    the visit for ``payer`` and ``type_of_bill``; a timed visit whose documented
    time bills nothing (none, or under the policy's minimum) gives a line of 0
    units, and the report says why (``time-not-documented``,
    ``below-minimum-time``).
    A line that points at no service is taken to bill this one.

    Only the rules that can judge one visit run: line rules, given the visit's
    chart (``Need.CHART``, see :class:`Need`) and nothing of a claim, so
    claim-scope rules and line rules that need the claim header or its EVV visits
    (``Need.HEADER``, ``Need.EVV``) are not run, and nothing is said about a
    header that does not exist yet.  Rules that read the type of bill read ``type_of_bill``
    (``None``: a professional, 837P, line).  The :class:`Report`'s claim is the
    one-line claim the visit was checked as, its statement period the visit's
    dates.

    :raises InvalidFieldError: ``service`` is not a :class:`~hcpcs_home.claims.Service`,
        ``line`` not a :class:`~hcpcs_home.claims.ClaimLine` or one that points at
        other services, ``payer`` not a payer, a bad type of bill, rule set or catalog.
    :raises UnknownCodeError: without ``line``, the visit's code is not in the catalog.
    :raises HcpcsError: without ``line``, what :meth:`ClaimLine.from_service
        <hcpcs_home.claims.ClaimLine.from_service>` raises for a visit it cannot bill
        alone (G0322 counts days monitored across visits: pass its line).
    """
    if not isinstance(service, Service):
        raise InvalidFieldError("service", service, "must be a Service")
    if rules is not None and not isinstance(rules, RuleSet):
        raise InvalidFieldError("rules", rules, "must be a RuleSet or None")
    if catalog is not None and not isinstance(catalog, Catalog):
        raise InvalidFieldError("catalog", catalog, "must be a Catalog or None")
    # The claim validates the payer and the type of bill; built first, without the
    # line, so that a bad one is refused before a line is worked out for it.
    bare = Claim(payer, service.date, service.date, type_of_bill=type_of_bill)
    if line is None:
        line = _line_for(service, bare, catalog)
    elif not isinstance(line, ClaimLine):
        raise InvalidFieldError("line", line, "must be a ClaimLine or None")
    elif not line.service_ids:
        line = attrs.evolve(line, service_ids=(service.id,))
    elif line.service_ids != (service.id,):
        raise InvalidFieldError(
            "line.service_ids", list(line.service_ids), f"must name the service {service.id!r}"
        )
    last = max(service.days()[-1], line.last_date)
    claim = attrs.evolve(
        bare,
        statement_from=min(service.date, line.date),
        statement_through=last,
        lines=(line,),
        services=(service,),
    )
    chosen = _rules._default_set() if rules is None else rules
    return Report(claim, tuple(chosen._findings(claim, catalog, given=VISIT_GIVES)))


def _line_for(service: Service, bare: Claim, catalog: Catalog | None) -> ClaimLine:
    """The line :meth:`ClaimLine.from_service` gives the visit on ``bare``'s bill; for a
    timed visit whose documented time bills nothing (none, or too little for one unit),
    the line an hour of it would bill, with 0 units, so the rules say what is wrong."""
    try:
        return ClaimLine.from_service(service, payer=bare.payer, type_of_bill=bare.type_of_bill)
    except InvalidFieldError as exc:
        code = (default_catalog() if catalog is None else catalog).get(service.code)
        if exc.field != "service.minutes" or code is None or not code.unit.is_timed:
            raise
        hour = attrs.evolve(service, start=None, stop=None, minutes=60, full_day=False)
        try:
            line = ClaimLine.from_service(hour, payer=bare.payer, type_of_bill=bare.type_of_bill)
        except HcpcsError:
            raise exc from None
        return attrs.evolve(line, units=0)


def predicate(name: str, **params: Any) -> Predicate:
    """The predicate ``name`` of the default vocabulary (:data:`hcpcs_home.rules.VOCABULARY`).

    :raises RuleSetLoadError: no predicate of that name, or bad parameters.
    """
    return _rules._default_vocabulary().predicate(name, **params)


def predicate_names() -> list[str]:
    """The names of the default vocabulary's predicates, sorted."""
    return _rules._default_vocabulary().names()
