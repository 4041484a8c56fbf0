"""Line rules settled once per line code (#21).

A compiled plan works out the parts of its line rules that the line's code settles
(``code_level`` predicates: the code's catalog entry, what the payer accepts,
requires or allows of it) once per code, for each payer, type of bill and catalog,
and runs only the rules they leave.  Whatever it settles, the findings must be
those of the plain definition: nothing that reads the line's date, units,
modifiers or services is settled by its code, and the memo is bounded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given

from hcpcs_home import Claim, ClaimLine, lookup, payers
from hcpcs_home import strategies as hst
from hcpcs_home._engine import And, Leaf, Not, Or, _failed, code_level, gives, plans
from hcpcs_home._engine.plans import _Dispatch
from hcpcs_home.catalog import Catalog, default_catalog
from hcpcs_home.payers import Payer
from hcpcs_home.policy import Context, Predicate, Rule, RuleSet, Scope
from hcpcs_home.rules import DEFAULT_RULES, VOCABULARY


@pytest.fixture(autouse=True)
def _compiled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plans and the rules left for each code compiled from their first claim and line
    (not interpreted first): what is tested."""
    monkeypatch.setattr(plans, "COMPILE_AFTER", 0)


def _explodes_on_units(units: int) -> Any:
    """Raises on lines billing ``units`` units (a faulty line predicate)."""

    def test(ctx: Context) -> bool:
        if ctx.line is not None and ctx.line.units == units:
            raise ArithmeticError("line predicate bug")
        return True

    return test


def _settles_badly() -> Any:
    """A code-level predicate whose settling raises: left to each line."""

    def settle(ctx: Context) -> bool:
        raise LookupError("settle bug")

    return code_level(lambda ctx: ctx.line is not None and ctx.line.units > 1, settle)


VOCAB = VOCABULARY.with_predicate("test_explodes_on_units", _explodes_on_units).with_predicate(
    "test_settles_badly", _settles_badly
)
p = VOCAB.predicate


def rule(rule_id: str, when: Predicate, **kwargs: Any) -> Rule:
    return Rule(rule_id, "error", "{code} on line {line}", "test", when, **kwargs)


def rules_of(name: str, *rules: Rule) -> RuleSet:
    """A rule set of its own name, so no plan of another test is reused."""
    return RuleSet(rules, name=f"code settled: {name}", vocabulary=VOCAB)


def plain(claim: Claim, rules: RuleSet, catalog: Catalog | None = None) -> list[Any]:
    """``(rule id, line, message)`` of the line rules by their definition, nothing settled."""
    memo: dict[Any, Any] = {}
    given_ = gives(claim)
    out: list[Any] = []
    for index, line in enumerate(claim.lines):
        ctx = Context(claim, line, index, memo, catalog=catalog)
        for r in rules:
            if r.scope is not Scope.LINE or not r.applies_to(claim.payer):
                continue
            if not r.needs <= given_:
                continue
            try:
                finding = r._finding(ctx) if r.applies_on(line.date) and r.when(ctx) else None
            except Exception as exc:
                finding = _failed(r, ctx, exc)
            if finding is not None:
                out.append((finding.rule_id, finding.line, finding.message))
    return out


def march(*lines: ClaimLine, payer: Payer = payers.BCBS_TEXAS) -> Claim:
    """A March 2024 claim of ``payer`` billing ``lines``."""
    return Claim(payer, "2024-03-01", "2024-03-31", lines=lines)


def found(claim: Claim, rules: RuleSet, catalog: Catalog | None = None) -> list[Any]:
    """``(rule id, line, message)`` of the line findings of a check."""
    report = rules.check(claim, catalog=catalog)
    return [(f.rule_id, f.line, f.message) for f in report if f.line is not None]


def dispatcher(rules: RuleSet, claim: Claim) -> _Dispatch:
    """The compiled plan's dispatcher for ``claim``'s payer and type of bill."""
    (check_lines, _), _ = rules._plan(Context(claim))
    compiled = check_lines.compile()  # type: ignore[attr-defined]
    owner: _Dispatch = compiled.__globals__["_settle"].__self__
    return owner


class TestNothingReadOfTheLineIsSettled:
    def test_same_code_across_an_effective_date(self) -> None:
        """G0299 billed to Medicare before and after 2016-01-01 (CR 9369): the date is
        the line's, so one settled code gives each line its own answer, whichever
        line of the code is settled first."""
        rules = rules_of("effective", rule("not-effective", p("code_known") & ~p("code_effective")))
        for order in ([("2015-12-28", True), ("2016-01-04", False)], [("2016-01-04", False)]):
            lines = [ClaimLine("G0299", day, 1) for day, _ in order]
            lines += [ClaimLine("G0299", "2015-12-29", 1)]
            claim = Claim(payers.MEDICARE, "2015-12-01", "2016-01-31", lines=lines)
            expected = [i for i, (_, fires) in enumerate(order) if fires] + [len(order)]
            for _ in range(3):  # compiled, then from the settled memo
                assert plain(claim, rules) == found(claim, rules)
                assert expected == [line for _, line, _ in found(claim, rules)]

    def test_units_and_modifiers_are_the_lines(self) -> None:
        """A rule over the code and the line's units fires on the lines of that code
        whose units pass, not on every line of the code."""
        rules = rules_of(
            "units", rule("many", p("code_in", codes=["T1019"]) & p("units_above", limit=4))
        )
        claim = march(*[ClaimLine("T1019", "2024-03-04", u) for u in (8, 2, 5, 4)])
        for _ in range(3):
            assert [0, 2] == [line for _, line, _ in found(claim, rules)]


class TestSettledPerHeader:
    def test_payers_sharing_a_checker_keep_their_own_answers(self) -> None:
        """Two payers whose headers leave the same rules share one compiled checker, but
        not what a code settles: an S code is refused for the one that takes none."""
        rules = rules_of("payers", rule("not-accepted", p("code_known") & ~p("payer_accepts_code")))
        takes = Payer("takes-s", "Takes S", "commercial")
        refuses = Payer("refuses-s", "Refuses S", "commercial", accepts_s_codes=False)
        claims = [
            Claim(payer, "2024-03-01", "2024-03-31", lines=[ClaimLine("S9123", "2024-03-04", 1)])
            for payer in (takes, refuses)
        ]
        first, second = (rules._plan(Context(c))[0][0] for c in claims)
        assert first is second  # one checker: the memo, not the plan, tells them apart
        for _ in range(3):
            assert [] == found(claims[0], rules)
            assert [("not-accepted", 0, "S9123 on line 0")] == found(claims[1], rules)

    def test_same_code_in_another_catalog(self) -> None:
        """A code the catalog lacks is unknown in that catalog only."""
        rules = rules_of("catalogs", rule("unknown", ~p("code_known")))
        small = Catalog([lookup("T1019")])
        claim = march(ClaimLine("S9123", "2024-03-04", 1), ClaimLine("T1019", "2024-03-05", 1))
        for _ in range(3):
            assert [] == found(claim, rules, default_catalog())
            assert [("unknown", 0, "S9123 on line 0")] == found(claim, rules, small)
            assert plain(claim, rules, small) == found(claim, rules, small)

    def test_type_of_bill_is_part_of_the_key(self) -> None:
        """Claims of one payer and two types of bill that leave the same rules do not
        share what their codes settled."""
        rules = rules_of("bills", rule("timed", p("code_timed") & p("units_above", limit=0)))
        claims = [
            Claim(
                payers.MEDICARE,
                "2024-03-01",
                "2024-03-31",
                type_of_bill=bill,
                lines=[ClaimLine("G0299", "2024-03-04", 2), ClaimLine("T1019", "2024-03-05", 1)],
            )
            for bill in ("0329", "0339")
        ]
        for _ in range(2):
            for claim in claims:
                assert plain(claim, rules) == found(claim, rules)
        owner = dispatcher(rules, claims[0])
        assert 2 == len(owner.headers)


class TestTheMemoIsBounded:
    def test_codes_past_the_bound_are_settled_again(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Past :data:`plans.CODES_KEPT` codes the oldest settled goes; findings stay."""
        monkeypatch.setattr(plans, "CODES_KEPT", 2)
        rules = rules_of(
            "bounded",
            rule("s-code", p("code_prefix", prefix="S")),
            rule("many", p("code_in", codes=["T1019", "S9123"]) & p("units_above", limit=1)),
        )
        codes = ["S9123", "T1019", "S9124", "G0299", "S9123", "T1019"]
        claim = march(
            *[ClaimLine(c, f"2024-03-{i + 1:02d}", 1 + i % 2) for i, c in enumerate(codes)]
        )
        expected = plain(claim, rules)
        assert {"s-code", "many"} == {rule_id for rule_id, _, _ in expected}
        for _ in range(3):
            assert expected == found(claim, rules)
        (_, _, bodies), *_ = dispatcher(rules, claim).headers.values()
        assert len(bodies) <= 2

    def test_headers_past_the_bound_are_settled_again(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Past the plan bound, the payer used least recently loses its settled codes;
        cycling more payers than the bound gives the same findings each time."""
        monkeypatch.setattr(plans._PlanCache, "PLANS", 2)
        rules = rules_of("few headers", rule("not-accepted", ~p("payer_accepts_code")))
        many = [
            Payer(f"p-{i}", f"P {i}", "commercial", accepts_s_codes=bool(i % 2)) for i in range(5)
        ]
        claims = [
            Claim(payer, "2024-03-01", "2024-03-31", lines=[ClaimLine("S9123", "2024-03-04", 1)])
            for payer in many
        ]
        for _ in range(3):
            for claim in claims:
                assert plain(claim, rules) == found(claim, rules)
        assert len(dispatcher(rules, claims[0]).headers) <= 2


class TestEvaluationOrderIsKept:
    def test_a_raising_part_before_a_settled_one_still_raises(self) -> None:
        """``a & b`` where ``b`` is settled false by the code: ``a`` is still evaluated
        first, so a line where it raises still gets the rule's error finding."""
        rules = rules_of(
            "order",
            rule(
                "raise-first", p("test_explodes_on_units", units=2) & p("code_prefix", prefix="Z")
            ),
            rule("code-first", p("code_prefix", prefix="Z") & p("test_explodes_on_units", units=2)),
        )
        claim = march(ClaimLine("S9123", "2024-03-04", 2), ClaimLine("S9123", "2024-03-05", 1))
        for _ in range(3):
            got = found(claim, rules)
            assert plain(claim, rules) == got
            assert [("raise-first", 0)] == [(rule_id, line) for rule_id, line, _ in got]
            assert "line predicate bug" in got[0][2]

    def test_a_settle_that_raises_is_left_to_the_line(self) -> None:
        """A code-level part whose settling raises is not settled: each line tests it."""
        rules = rules_of("bad settle", rule("many", p("test_settles_badly")))
        claim = march(*[ClaimLine("S9123", "2024-03-04", u) for u in (2, 1, 3)])
        for _ in range(3):
            assert [0, 2] == [line for _, line, _ in found(claim, rules)]


class TestSettleCode:
    """``Predicate._settle_code``: what a code settles, the rest left as it was."""

    @staticmethod
    def ctx(code: str = "S9123", units: int = 2) -> Context:
        claim = Claim(
            payers.MEDICARE,
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine(code, "2024-03-04", units)],
        )
        return Context.for_line(claim, 0)

    def test_leaves(self) -> None:
        """A code-level leaf is settled; a leaf reading the line is itself."""
        units = p("units_above", limit=1)
        assert True is p("code_prefix", prefix="S")._settle_code(self.ctx())
        assert False is p("code_in", codes=["T1019"])._settle_code(self.ctx())
        assert units is units._settle_code(self.ctx())

    def test_junctions(self) -> None:
        """``&`` and ``|`` drop neutral parts and settle on a deciding one; ``~`` negates."""
        s, t = p("code_prefix", prefix="S"), p("code_prefix", prefix="T")
        units = p("units_above", limit=1)
        assert units is (s & units)._settle_code(self.ctx())
        assert False is (t & units)._settle_code(self.ctx())
        assert isinstance((units | s)._settle_code(self.ctx()), Or)  # units first, then True
        assert True is (s | units)._settle_code(self.ctx())
        assert units is (t | units)._settle_code(self.ctx())
        assert False is (~s)._settle_code(self.ctx())
        assert Not(units) == (~(t | units))._settle_code(self.ctx())

    def test_a_deciding_part_after_an_open_one_keeps_both(self) -> None:
        """``open & settled-false``: the open part is still evaluated first, then the
        whole is false; nothing after them is kept."""
        units, t, s = p("units_above", limit=1), p("code_prefix", prefix="T"), p("code_known")
        left = (units & t & s)._settle_code(self.ctx())
        assert isinstance(left, And)
        assert [units, t] == list(left.operands())
        assert not left(self.ctx())


def _leaves(q: Predicate) -> list[Leaf]:
    if isinstance(q, (And, Or)):
        return [leaf for o in q.operands() for leaf in _leaves(o)]
    if isinstance(q, Not):
        return _leaves(q.operand)
    return [q] if isinstance(q, Leaf) else []


#: The leaves of the default line rules whose tests carry a code-level settle.
_SETTLED = sorted(
    {
        leaf
        for r in DEFAULT_RULES
        if r.scope is Scope.LINE
        for leaf in _leaves(r.when)
        if getattr(leaf._fn, "__code_level__", None) is not None
    },
    key=str,
)


class TestSettlesAgreeWithTheirTests:
    def test_the_default_rules_settle_by_code(self) -> None:
        """The families mark the predicates their codes settle (what the plans use)."""
        names = {leaf.name for leaf in _SETTLED}
        assert {"code_known", "payer_accepts_code", "code_in", "evv_required"} <= names
        assert "units_above" not in names and "time_documented" not in names

    @given(claim=hst.claims())
    def test_where_a_code_settles_the_line_agrees(self, claim: Claim) -> None:
        """On every line, a code-level settle that answers gives what the predicate's
        own test gives on that line (``keyed`` codes included)."""
        memo: dict[Any, Any] = {}
        for index, line in enumerate(claim.lines):
            ctx = Context(claim, line, index, memo)
            for leaf in _SETTLED:
                settled = leaf._settle_code(ctx)
                if isinstance(settled, bool):
                    try:
                        held = bool(leaf(ctx))
                    except Exception:  # a line the predicate cannot judge: reported there
                        continue
                    assert held is settled, (str(leaf), line)


class TestDuplicateLines:
    """The claim fact behind ``duplicate-line`` (worked out once per claim, with a short
    cut for claims where no two lines share a code and a day)."""

    @staticmethod
    def by_definition(claim: Claim) -> dict[int, int]:
        """Each line repeating an earlier one (same code, modifiers and date, sharing a
        service, or both without), and the first it repeats: every pair compared."""
        out: dict[int, int] = {}
        for i, line in enumerate(claim.lines):
            for j, earlier in enumerate(claim.lines[:i]):
                same = (line.code, line.modifiers, line.date) == (
                    earlier.code,
                    earlier.modifiers,
                    earlier.date,
                )
                ids, theirs = set(line.service_ids), set(earlier.service_ids)
                if same and (ids & theirs or not (ids or theirs)):
                    out[i] = j
                    break
        return out

    @given(claim=hst.claims())
    def test_as_defined(self, claim: Claim) -> None:
        """On any claim, the fact is what comparing every pair of lines gives."""
        from hcpcs_home.rules import claim as family

        assert self.by_definition(claim) == family._duplicates(Context.for_claim(claim))

    def test_repeats_found(self) -> None:
        """Two lines of one code on one day for the same service repeat; another day does not."""
        from hcpcs_home.rules import claim as family

        lines = [ClaimLine("T1019", day, 4) for day in ("2024-03-04", "2024-03-05", "2024-03-04")]
        assert {2: 0} == family._duplicates(Context.for_claim(march(*lines)))


class TestFirstVisit:
    @given(claim=hst.claims())
    def test_the_first_in_person_visit_is_pdgms(self, claim: Claim) -> None:
        """The home-health rules' first visit date (from the claim's in-person visit
        lines) is :func:`hcpcs_home.pdgm.first_billable_visit` of the claim."""
        from hcpcs_home import pdgm
        from hcpcs_home.rules import medicare_hh

        expected = pdgm.first_billable_visit(claim)
        assert expected == medicare_hh._FIRST_VISIT.compute(Context.for_claim(claim))

    def test_telehealth_and_site_lines_are_not_visits(self) -> None:
        """Telehealth and site-of-service lines under a visit revenue code never date the
        first visit; the earliest in-person visit line does."""
        from hcpcs_home import pdgm
        from hcpcs_home.rules import medicare_hh

        lines = [
            ClaimLine("G0320", "2024-03-02", 1, revenue_code="0551"),
            ClaimLine("Q5001", "2024-03-03", 1, revenue_code="0551"),
            ClaimLine("G0151", "2024-03-06", 3, revenue_code="0421"),
            ClaimLine("G0299", "2024-03-05", 3, revenue_code="0551"),
        ]
        claim = march(*lines, payer=payers.MEDICARE)
        found = medicare_hh._FIRST_VISIT.compute(Context.for_claim(claim))
        assert dt.date(2024, 3, 5) == found == pdgm.first_billable_visit(claim)
        alone = march(*lines[:2], payer=payers.MEDICARE)
        assert None is medicare_hh._FIRST_VISIT.compute(Context.for_claim(alone))
