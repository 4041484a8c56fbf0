"""The compiled line rules of :mod:`hcpcs_home.policy` against plain predicate evaluation.

:func:`check` settles the claim-header parts of each rule once per payer and type
of bill and compiles what is left of the line rules into one Python function
(:meth:`RuleSet._plan_source` shows it).  Whatever the compiler does, the
findings must be those of the plain definition: every line, every rule in
order, ``rule.applies_on(date) and rule.when(ctx)``, a rule that raises being
an error finding of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import Claim, ClaimLine, Service, check, payers, serialize
from hcpcs_home import strategies as hst
from hcpcs_home._engine import ClaimFact, LineFact, _failed, gives, inline, plans
from hcpcs_home.errors import InvalidFieldError
from hcpcs_home.payers import Payer
from hcpcs_home.policy import Context, Finding, Predicate, Rule, RuleSet, Scope
from hcpcs_home.rules import DEFAULT_RULES, VOCABULARY
from hcpcs_home.rules import claim as claim_rules


def _header_explodes_for(payer_id: str) -> Any:
    """Raises for claims of ``payer_id`` (a faulty header-level custom predicate)."""

    def test(ctx: Context) -> bool:
        if ctx.payer.id == payer_id:
            raise LookupError("header predicate bug")
        return True

    return test


def _line_explodes_on_units(units: int) -> Any:
    """Raises on lines billing ``units`` units (a faulty line predicate)."""

    def test(ctx: Context) -> bool:
        if ctx.line is not None and ctx.line.units == units:
            raise ArithmeticError("line predicate bug")
        return ctx.line is not None and ctx.line.units % 2 == 0

    return test


#: Clock times as services take them: whole minutes, now and then with microseconds
#: (which the clock converter lets through).
_CLOCK = st.times().map(lambda t: t.replace(second=0)) | st.times().map(
    lambda t: t.replace(second=0, microsecond=0)
)

#: The default vocabulary and two faulty custom predicates.
TEST_VOCAB = VOCABULARY.with_predicate(
    "test_header_explodes_for", _header_explodes_for, header_level=True
).with_predicate("test_line_explodes_on_units", _line_explodes_on_units)
p = TEST_VOCAB.predicate


def plain_findings(claim: Claim, rules: RuleSet) -> list[Finding]:
    """The findings of ``rules`` on ``claim`` by the definition, nothing settled or compiled."""
    found: list[Finding] = []
    claim_memo: dict[str, Any] = {}
    header = Context(claim, claim_memo=claim_memo)
    given = gives(claim)
    rules = [rule for rule in rules if rule.needs <= given]
    for rule in rules:
        if rule.scope is Scope.LINE and rule.applies_to(claim.payer):
            try:
                rule.when._specialize(header)
            except Exception as exc:
                found.append(_failed(rule, header, exc))
    failed = {f.rule_id for f in found}
    for index, line in enumerate(claim.lines):
        ctx = Context(claim, line, index, claim_memo)
        for rule in rules:
            if rule.scope is not Scope.LINE or rule.id in failed:
                continue
            if not rule.applies_to(claim.payer):
                continue
            try:
                if rule.applies_on(line.date) and rule.when(ctx):
                    found.append(rule._finding(ctx))
            except Exception as exc:
                found.append(_failed(rule, ctx, exc))
    for rule in rules:
        if rule.scope is Scope.CLAIM:
            try:
                finding = rule.evaluate(header)
            except Exception as exc:
                finding = _failed(rule, header, exc)
            if finding is not None:
                found.append(finding)
    return found


def rule(rule_id: str, when: Predicate, **kwargs: Any) -> Rule:
    # A claim rule's finding has no line code to fill, so its message names the claim.
    claim_wide = kwargs.get("scope") is Scope.CLAIM
    message = "{claim} on line {line}" if claim_wide else "{code} on line {line}"
    return Rule(rule_id, "error", message, "test", when, **kwargs)


#: Small rules exercising each shape the compiler writes: header parts settled
#: either way, ``|`` and ``~`` over mixed parts, effective dates, a rule the header
#: settles as always holding, and predicates that raise on the header or on a line.
MIXED_RULES = RuleSet(
    [
        rule("always-on-34x", p("bill_class", classes=["34"])),
        rule(
            "mixed-or",
            (p("payer_flag", flag="accepts_s_codes") & p("code_prefix", prefix="S"))
            | ~(p("code_known") | p("units_above", limit=3)),
        ),
        rule(
            "nested-not",
            ~(p("payer_flag", flag="applies_kx_threshold") & ~p("service_linked"))
            & p("code_timed"),
            effective_from=dt.date(2021, 1, 1),
            effective_through=dt.date(2024, 6, 30),
        ),
        rule(
            "dated-only",
            p("payer_flag", flag="requires_orders"),
            effective_through=dt.date(2020, 1, 1),
        ),
        rule(
            "header-explodes", p("test_header_explodes_for", payer_id="medicare") & p("code_known")
        ),
        rule("line-explodes", p("code_known") & p("test_line_explodes_on_units", units=2)),
        rule("claim-rule", p("claim_has_visit_lines"), scope=Scope.CLAIM),
        rule("medicaid-only", p("code_prefix", prefix="T"), payers=["medicaid", "bcbs-tx"]),
    ],
    vocabulary=TEST_VOCAB,
)


def _checked_by(rules: RuleSet, claim: Claim, after: int) -> list[Finding]:
    """``check(claim, rules)`` through plans (line and claim rules) compiled at once
    (``after`` 0) or only interpreted (``after`` past any count), on a copy of ``rules``
    of its own name, so that no plan of another test or mode is reused."""
    copy = RuleSet(rules.rules, name=f"{rules.name} after {after}", vocabulary=rules.vocabulary)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plans, "COMPILE_AFTER", after)
        patch.setattr(plans, "CLAIM_COMPILE_AFTER", after)
        return list(check(claim, copy))


#: Both ways a plan checks lines: compiled at once, and interpreted (its first claims).
_MODES = pytest.mark.parametrize("after", [0, 10**9], ids=["compiled", "interpreted"])


class TestCompiledAgreesWithPlainEvaluation:
    @_MODES
    @given(claim=hst.claims())
    def test_default_rules(self, claim: Claim, after: int) -> None:
        """Every finding, explanation included, is the one plain evaluation gives."""
        assert plain_findings(claim, DEFAULT_RULES) == _checked_by(DEFAULT_RULES, claim, after)

    @_MODES
    @given(claim=hst.claims())
    def test_mixed_rules(self, claim: Claim, after: int) -> None:
        """The same for rules of every shape, failing ones included."""
        assert plain_findings(claim, MIXED_RULES) == _checked_by(MIXED_RULES, claim, after)

    def test_a_failing_header_part_is_reported_each_time(self) -> None:
        """A rule whose header part raises is an error finding on each claim, not cached away."""
        claim = Claim(
            payers.MEDICARE,
            "2024-03-01",
            "2024-03-31",
            type_of_bill="0341",
            lines=[ClaimLine("97110", "2024-03-04", 2)],
        )
        for _ in range(2):
            found = [(f.rule_id, f.line) for f in check(claim, MIXED_RULES)]
            assert ("header-explodes", None) == found[0]
            assert ("line-explodes", 0) in found

    @pytest.mark.parametrize("compile_after", [0, 100])
    def test_claim_rules_compiled_as_they_read(
        self, compile_after: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Claim rules run compiled too (#21), after a plan's first claims: either way
        one that raises is its error finding on each claim, dates are the statement's
        first day, header parts are settled, and every finding is the one plain
        evaluation gives."""
        from hcpcs_home._engine import plans

        monkeypatch.setattr(plans, "CLAIM_COMPILE_AFTER", compile_after)

        def claims_over(units: int) -> Any:
            def test(ctx: Context) -> bool:
                if any(line.units == 13 for line in ctx.claim.lines):
                    raise ArithmeticError("claim predicate bug")
                return sum(line.units for line in ctx.claim.lines) > units

            return test

        vocab = TEST_VOCAB.with_predicate("test_claim_units_over", claims_over)
        q = vocab.predicate
        rules = RuleSet(
            [
                rule("claim-over", q("test_claim_units_over", units=3), scope=Scope.CLAIM),
                rule(
                    "claim-dated",
                    q("claim_has_visit_lines") | ~q("test_claim_units_over", units=1),
                    scope=Scope.CLAIM,
                    effective_from=dt.date(2024, 3, 2),
                ),
                rule(
                    "claim-34x",
                    q("bill_class", classes=["34"]) & q("test_claim_units_over", units=0),
                    scope=Scope.CLAIM,
                ),
            ],
            vocabulary=vocab,
        )
        for start, units, bill in [
            ("2024-03-01", 2, "0341"),
            ("2024-03-02", 2, "0341"),
            ("2024-03-02", 5, None),
            ("2024-03-02", 13, "0341"),
        ]:
            claim = Claim(
                payers.MEDICARE,
                start,
                "2024-03-31",
                type_of_bill=bill,
                lines=[ClaimLine("97110", "2024-03-04", units)],
            )
            for _ in range(2):
                assert plain_findings(claim, rules) == list(check(claim, rules))
        found = [f.rule_id for f in check(claim, rules)]
        assert ["claim-over", "claim-dated", "claim-34x"] == found
        failed = check(claim, rules).findings[0]
        assert "claim predicate bug" in failed.message
        early = attrs.evolve(
            claim, statement_from=dt.date(2024, 3, 1), lines=[ClaimLine("97110", "2024-03-04", 1)]
        )
        assert ["claim-34x"] == [f.rule_id for f in check(early, rules)]  # not yet in effect
        later = attrs.evolve(early, statement_from=dt.date(2024, 3, 2))
        assert ["claim-dated", "claim-34x"] == [f.rule_id for f in check(later, rules)]
        for checker in rules._cache.by_claim_steps.values():
            compiled = checker.compile()
            assert compiled.__code__.co_filename.startswith("<hcpcs_home claim rules ")
            assert checker.compile() is compiled


class TestPlanSource:
    def test_the_interpreter_moves_its_context_as_the_compiled_loop_does(self) -> None:
        """The plan interpreter is a function of plans.py (read from the bytecode cache,
        not compiled per process, #21); its loop is the compiled checker's own context
        moving code (_MOVE) verbatim, so the two cannot drift apart."""
        import inspect

        from hcpcs_home._engine import _MOVE

        assert _MOVE in inspect.getsource(plans._interpret)

    def test_default_plan_reads_like_the_rules(self) -> None:
        """One commented ``try``/``if`` per active rule, header parts settled away."""
        source = DEFAULT_RULES._plan_source("medicare", "0329")
        code = [line for line in source.splitlines() if not line.lstrip().startswith("#")]
        assert "def check_lines(header, out):" in code
        assert "        # unknown-code: ~code_known & hcpcs_line" in source
        # Simple tests are written in place; others are calls of bound functions.
        assert "                not (_code is not None) and" in code
        assert "#   _p2 = code_effective" not in source
        assert re.search(r"^#   _p\d+ = hipps_valid$", source, re.M)
        # 34X-only rules are gone on a 32X claim; payer flags and bill classes are settled.
        assert "therapy-modifier-missing" not in source
        assert not any("bill_class" in line or "payer_flag" in line for line in code)
        compile(source, "<plan>", "exec")

    @pytest.mark.parametrize(("payer", "bill"), [("medicare", "0341"), ("bcbs-tx", None)])
    def test_every_active_rule_is_in_the_source(self, payer: str, bill: str | None) -> None:
        source = DEFAULT_RULES._plan_source(payer, bill)
        claim = Claim(payer, "2024-03-01", "2024-03-31", type_of_bill=bill)
        steps, _, failed = DEFAULT_RULES._steps(Context(claim))
        assert not failed
        assert [r.id for r, _ in steps] == [
            line.split()[1].rstrip(":")
            for line in source.splitlines()
            if line.startswith("        # ")
        ]
        assert f"{len(steps)} active" in source.splitlines()[0]

    def test_dates_are_tested_inline(self) -> None:
        source = MIXED_RULES._plan_source("bcbs-tx", "0341")
        assert re.search(r"^ +_d\d+ <= date and\n +date <= _d\d+ and$", source, re.M)

    def test_no_text_of_a_rule_or_payer_reaches_the_code(self) -> None:
        """Payers, rule-set names and predicates with odd characters cannot break the source."""
        odd = Payer("odd-payer", "Odd payer", "commercial")
        # Whatever the value types let in, the generated source must not depend on it.
        object.__setattr__(odd, "name", "Odd \x00 \udcff payer\n\u2028")
        vocab = TEST_VOCAB.with_predicate("units_x", lambda: lambda ctx: ctx.line.units > 1)
        rules = RuleSet([rule("odd-rule", vocab.predicate("units_x"))], name="x\x00\n'\"")
        claim = Claim(odd, "2024-03-01", "2024-03-31", lines=[ClaimLine("S9123", "2024-03-04", 2)])
        assert ["odd-rule"] == [f.rule_id for f in check(claim, rules)]
        assert "\x00" not in rules._plan_source(odd)


class TestFacts:
    @given(hst.services())
    def test_interval_in_microseconds_is_the_interval(self, service: Service) -> None:
        """The overlap check's integer intervals order and compare like the datetimes."""
        interval = service.interval()
        if interval is None:
            assert claim_rules._interval_us(service) is None
        else:
            base, us = dt.datetime.min, dt.timedelta(microseconds=1)
            assert ((interval[0] - base) // us, (interval[1] - base) // us) == (
                claim_rules._interval_us(service)
            )

    @given(
        st.lists(
            st.builds(
                Service,
                code=st.just("S9123"),
                date=st.dates(dt.date(2024, 3, 1), dt.date(2024, 3, 4)),
                start=_CLOCK,
                stop=_CLOCK,
                full_day=st.booleans(),
                rendering_id=st.sampled_from(["W1", "W2", None]),
            )
            | st.builds(
                Service,
                code=st.just("S9123"),
                date=st.dates(dt.date(2024, 3, 1), dt.date(2024, 3, 4)),
                minutes=st.integers(0, 600),
                rendering_id=st.just("W1"),
            ),
            max_size=8,
            unique_by=lambda s: s.id,
        )
    )
    def test_overlaps_are_every_pair_that_overlaps(self, services: list[Service]) -> None:
        """The services the overlap fact names are exactly those whose interval shares a
        minute with another of the same person's (compared pair by pair), each paired
        with one it overlaps."""
        claim = Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-31", services=services)
        found = claim_rules._overlapping_services(Context(claim))
        spans = {  # a zero-minute service occupies no time
            s.id: (s.rendering_id, s.interval())
            for s in services
            if s.start is not None and s.minutes
        }

        def overlap(a: str, b: str) -> bool:
            (who_a, (a0, a1)), (who_b, (b0, b1)) = spans[a], spans[b]
            return who_a is not None and who_a == who_b and a0 < b1 and b0 < a1

        expected = {a for a in spans for b in spans if a != b and overlap(a, b)}
        assert expected == set(found)
        assert all(overlap(a, b) for a, b in found.items())

    def test_a_part_minute_past_midnight_overlaps_the_next_day(self) -> None:
        """A visit to 00:00:00.5 overlaps the same worker's next visit from 00:00."""
        late = Service(
            "S9123",
            "2024-03-04",
            start=dt.time(23, 0, 0, 500000),
            stop=dt.time(0, 0, 0, 500000),
            rendering_id="W1",
        )
        early = Service("S9123", "2024-03-05", start="00:00", stop="00:30", rendering_id="W1")
        claim = Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-31", services=[late, early])
        assert {late.id, early.id} == set(claim_rules._overlapping_services(Context(claim)))


class TestCodeTables:
    """Runs of rules keyed by the line's code are checked as one table lookup."""

    def rules(self, n: int) -> RuleSet:
        made = [
            rule(f"cap-{i}", p("code_in", codes=[f"Z{i:04d}"]) & p("units_above", limit=i))
            for i in range(n)
        ]
        return RuleSet(made, vocabulary=TEST_VOCAB)

    def test_a_long_run_is_one_lookup(self) -> None:
        """Thousands of single-code rules make a plan of one lookup, not one ``if`` each."""
        source = self.rules(3_000)._plan_source("bcbs-tx")
        assert "a table of 3000 rules keyed by code (3000 codes)" in source
        assert len(source.splitlines()) < 60

    def test_a_short_run_stays_inline(self) -> None:
        """A few keyed rules are written one ``if`` each (a lookup would cost more)."""
        source = self.rules(3)._plan_source("bcbs-tx")
        assert "table" not in source
        assert 3 == source.count("out.append(_r")

    @pytest.mark.parametrize("n", [3, 300])
    def test_the_table_finds_what_the_rules_find(self, n: int) -> None:
        """Clean and broken lines give the same findings, in rule order, either way."""
        rules = self.rules(n)
        lines = [ClaimLine("Z0002", "2024-03-04", 2), ClaimLine("Z0002", "2024-03-05", 3)]
        lines += [ClaimLine("Z0001", "2024-03-06", 2), ClaimLine("G0299", "2024-03-06", 9)]
        claim = Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-31", lines=lines)
        expected = [
            (i, r.id)
            for i in range(len(lines))
            for r in rules
            if r.evaluate(Context.for_line(claim, i))
        ]
        assert [(1, "cap-2"), (2, "cap-1")] == expected
        assert expected == [(f.line, f.rule_id) for f in check(claim, rules)]

    @given(
        caps=st.lists(
            st.tuples(
                st.lists(st.sampled_from(["Z0001", "Z0002", "Z0003", "T1019"]), min_size=1),
                st.integers(0, 6),
            ),
            min_size=1,
            max_size=30,
        ),
        lines=st.lists(
            st.tuples(
                st.sampled_from(["Z0001", "Z0002", "Z0003", "T1019", "G0299"]), st.integers(1, 9)
            ),
            max_size=8,
        ),
    )
    def test_a_table_finds_what_each_rule_finds(
        self, caps: list[tuple[list[str], int]], lines: list[tuple[str, int]]
    ) -> None:
        """Whatever the rules and lines, checking code-keyed rules as a table finds
        exactly what evaluating each rule on each line finds, in the same order."""
        rules = RuleSet(
            [
                rule(f"cap-{i}", p("code_in", codes=codes) & p("units_above", limit=limit))
                for i, (codes, limit) in enumerate(caps)
            ],
            vocabulary=TEST_VOCAB,
        )
        claim = Claim(
            payers.BCBS_TEXAS,
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine(code, "2024-03-04", units) for code, units in lines],
        )
        expected = [
            (i, r.id)
            for i in range(len(lines))
            for r in rules
            if r.evaluate(Context.for_line(claim, i))
        ]
        assert expected == [(f.line, f.rule_id) for f in check(claim, rules)]

    def test_a_rule_that_raises_in_a_table_is_a_finding(self) -> None:
        """A keyed rule that fails on a line becomes that line's error finding."""
        boom = TEST_VOCAB.with_predicate("boom", lambda: lambda ctx: 1 // 0 > 0)
        made = [
            rule(f"cap-{i}", p("code_in", codes=[f"Z{i:04d}"]) & boom.predicate("boom"))
            for i in range(20)
        ]
        rules = RuleSet(made, vocabulary=boom)
        claim = Claim(
            payers.BCBS_TEXAS,
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine("Z0007", "2024-03-04", 1)],
        )
        (found,) = check(claim, rules)
        assert ("cap-7", 0) == (found.rule_id, found.line)
        assert found.message.startswith("rule could not be evaluated: ZeroDivisionError")


class TestPlanCache:
    def test_equal_payers_share_one_compiled_plan(self) -> None:
        """Claims read from JSON data each carry their own, equal Payer: one plan serves them
        all (claim_from_json shares one Payer between equal texts; claim_from_data does not)."""
        rules = RuleSet(DEFAULT_RULES.rules, name="equal payers")
        text = serialize.claim_to_json(
            Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", type_of_bill="0329")
        )
        first, second = (serialize.claim_from_data(json.loads(text)) for _ in range(2))
        assert first.payer is not second.payer
        plans = [rules._plan(Context(c))[0] for c in (first, second, first)]
        assert plans[0] is plans[1] is plans[2]
        assert 1 == len(rules._cache.by_value)
        assert 2 == len(rules._cache.plans)

    def test_one_payer_object_is_kept_by_identity_alone(self) -> None:
        """The first plan is kept by the payer's identity alone, so a process checking one
        payer's claims never hashes a Payer (its first hash writes its ``__hash__``):
        kept by value, as before, when another payer object comes, and found by value
        for an equal one (test_equal_payers_share_one_compiled_plan)."""
        rules = RuleSet(DEFAULT_RULES.rules, name="one payer object")
        claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", type_of_bill="0329")
        plan = rules._plan(Context(claim))[0]
        assert 0 == len(rules._cache.by_value)
        assert rules._cache.unkept is not None
        assert (claim.payer, plan) == (rules._cache.unkept[0][0], rules._cache.unkept[1])
        other = Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-31")
        rules._plan(Context(other))
        assert [(claim.payer, "0329")] == [k[:2] for k in rules._cache.by_value]
        assert [plan] == list(rules._cache.by_value.values())
        assert rules._cache.unkept is not None and rules._cache.unkept[0][0] is other.payer

    def test_a_rule_set_rebuilt_for_each_claim_compiles_once(self) -> None:
        """``DEFAULT_RULES.remove(...)`` written inside a loop gives rule sets of the same
        Rule objects: they share one plan cache instead of compiling for every claim."""
        first = DEFAULT_RULES.remove("cpt-code-preferred")
        again = DEFAULT_RULES.remove("cpt-code-preferred")
        assert first._cache is again._cache
        claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", type_of_bill="0329")
        assert first._plan(Context(claim))[0] is again._plan(Context(claim))[0]
        assert first._cache is not DEFAULT_RULES._cache
        renamed = RuleSet(first.rules, name="another name", vocabulary=first.vocabulary)
        assert renamed._cache is not first._cache

    def test_a_replaced_rule_gets_its_own_plan(self) -> None:
        """A rule set with one rule replaced by an edited copy never runs the old plan."""
        claim = Claim(
            payers.BCBS_TEXAS,
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine("S9123", "2024-03-04", 2)],
        )
        rules = RuleSet([rule("s-code", p("code_prefix", prefix="S"))], vocabulary=TEST_VOCAB)
        assert ["s-code"] == [f.rule_id for f in check(claim, rules)]
        edited = rules.replace(rule("s-code", p("code_prefix", prefix="T")))
        assert [] == list(check(claim, edited))
        assert ["s-code"] == [f.rule_id for f in check(claim, rules)]

    def test_least_recently_used_rule_list_goes_first(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Past the bound, the rule list used least recently loses its plans; one in use
        keeps them."""
        import collections

        from hcpcs_home._engine import _PlanCache

        monkeypatch.setattr(_PlanCache, "SHARED", 2)
        monkeypatch.setattr(_PlanCache, "_shared", collections.OrderedDict())
        a = DEFAULT_RULES.remove("kx-modifier")
        b = DEFAULT_RULES.remove("assistant-modifier")
        assert a._cache is DEFAULT_RULES.remove("kx-modifier")._cache  # a used again
        DEFAULT_RULES.remove("unknown-code")  # a third list: b, least recent, goes
        assert a._cache is DEFAULT_RULES.remove("kx-modifier")._cache
        assert b._cache is not DEFAULT_RULES.remove("assistant-modifier")._cache
        assert 2 == len(_PlanCache._shared)

    def test_hundreds_of_payers_stay_compiled(self) -> None:
        """Claims cycling over 65 payers (one past the old bound of 64, which cleared
        the cache whole) compile 65 plans once, then every claim finds its plan."""
        from hcpcs_home._engine import _PlanCache

        rules = RuleSet(DEFAULT_RULES.rules, name="many payers")
        many = [Payer(f"payer-{i}", f"Payer {i}", "commercial") for i in range(65)]
        claims = [Claim(p, "2024-03-01", "2024-03-31") for p in many]
        first = [rules._plan(Context(c))[0] for c in claims]
        again = [rules._plan(Context(c))[0] for c in claims * 2]
        assert all(a is b for a, b in zip(first * 2, again, strict=True))
        assert 65 == len(rules._cache.plans) <= _PlanCache.PLANS

    def test_payers_whose_headers_settle_alike_share_one_checker(self) -> None:
        """Payers that differ only in name leave the same rules: one compiled checker
        serves them; a header that changes the active rules gets its own."""
        rules = RuleSet(DEFAULT_RULES.rules, name="shared checkers")
        alike = [Payer(f"payer-{i}", f"Payer {i}", "commercial") for i in range(5)]
        plans = [rules._plan(Context(Claim(p, "2024-03-01", "2024-03-31")))[0] for p in alike]
        assert 1 == len({id(plan[0]) for plan in plans})
        other = Claim(alike[0], "2024-03-01", "2024-03-31", type_of_bill="0341")
        assert len(rules._steps(Context(other))[0]) != len(
            rules._steps(Context(Claim(alike[0], "2024-03-01", "2024-03-31")))[0]
        )
        different = rules._plan(Context(other))[0]
        assert different[0] is not plans[0][0]
        assert 2 == len(rules._cache.by_steps)
        # The claim rules' checkers are shared the same way (#21): one for the five.
        assert 1 == len({id(plan[1]) for plan in plans})

    def test_least_recently_used_plan_goes_first(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Past the bound, the payer used least recently loses its plan; the others
        keep theirs (the cache is never emptied whole)."""
        from hcpcs_home._engine import _PlanCache

        monkeypatch.setattr(_PlanCache, "PLANS", 2)
        rules = RuleSet(DEFAULT_RULES.rules, name="two plans")
        a, b, c = (
            Claim(Payer(f"p-{n}", n, "commercial"), "2024-03-01", "2024-03-31") for n in "abc"
        )
        plan_a = rules._plan(Context(a))[0]
        rules._plan(Context(b))
        assert plan_a is rules._plan(Context(a))[0]  # a used again: b is least recent
        rules._plan(Context(c))
        assert plan_a is rules._plan(Context(a))[0]
        assert {id(a.payer), id(c.payer)} == {k[0] for k in rules._cache.plans}

    def test_generated_source_goes_with_its_checker(self) -> None:
        """The source kept for tracebacks is dropped when its compiled checker is: a
        process loading rule sets for years does not keep every one's source."""
        import gc
        import linecache

        rules = RuleSet(DEFAULT_RULES.rules, name="short-lived")
        claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", type_of_bill="0329")
        (check_lines, _), _ = rules._plan(Context(claim))
        filename = check_lines.compile().__code__.co_filename  # type: ignore[attr-defined]
        assert filename in linecache.cache
        del check_lines, rules
        from hcpcs_home._engine import _PlanCache

        _PlanCache._shared.pop(next(k for k in _PlanCache._shared if k[0] == "short-lived"))
        gc.collect()
        assert filename not in linecache.cache

    def test_a_rule_set_name_must_be_text(self) -> None:
        """A name that is not text is the library's error, not a TypeError from a cache."""
        with pytest.raises(InvalidFieldError, match="name"):
            RuleSet(DEFAULT_RULES.rules, name=["x"])  # type: ignore[arg-type]

    def test_pickled_rule_set_checks_the_same(self) -> None:
        """A rule set sent to another process (Dask) finds what the original finds."""
        import pickle

        claim = Claim(
            payers.BCBS_TEXAS,
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine("S9123", "2024-03-04", 2)],
        )
        copy = pickle.loads(pickle.dumps(DEFAULT_RULES))
        assert list(check(claim, DEFAULT_RULES)) == list(check(claim, copy))


class TestGeneratedSource:
    def test_tracebacks_show_the_generated_lines(self) -> None:
        """The compiled checker's source is in linecache under its own file name, so a
        traceback through it shows real lines."""
        import linecache

        claim = Claim("medicare", "2024-03-01", "2024-03-31", type_of_bill="0329")
        (check_lines, _), _ = DEFAULT_RULES._plan(Context(claim))
        code = check_lines.compile().__code__  # type: ignore[attr-defined]
        assert code.co_filename.startswith("<hcpcs_home line rules ")
        assert (
            "def check_lines(header, out):"
            == linecache.getline(code.co_filename, code.co_firstlineno).strip()
        )


class TestPlansCompileAfterTheirFirstClaims:
    """A plan interprets its line rules for its first ``plans.COMPILE_AFTER`` claims and
    only then writes and compiles them, once (#21): a process checking a few claims of a
    payer never pays for compiling."""

    @staticmethod
    def compiled() -> set[str]:
        import linecache

        return {f for f in linecache.cache if f.startswith("<hcpcs_home line rules ")}

    def test_first_claims_compile_nothing_then_one_plan(self) -> None:
        """Nothing is compiled for the first claims; the next claim compiles its plan,
        and the claims after it compile nothing more; findings stay the same."""
        rules = RuleSet(DEFAULT_RULES.rules, name="compiled after its first claims")
        claim = Claim(
            payers.BCBS_TEXAS,
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine("S9123", "2024-03-04", 2), ClaimLine("T1019", "2024-03-05", 40)],
        )
        before = self.compiled()
        first = [list(check(claim, rules)) for _ in range(plans.COMPILE_AFTER)]
        assert before == self.compiled()
        assert first[0]
        later = [list(check(claim, rules)) for _ in range(3)]
        assert 1 == len(self.compiled() - before)
        assert all(found == first[0] for found in first + later)

    def test_compile_compiles_at_once(self) -> None:
        """``check_lines.compile()`` gives the compiled checker, the same one each time."""
        rules = RuleSet(DEFAULT_RULES.rules, name="compiled when asked")
        claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", type_of_bill="0329")
        (check_lines, _), _ = rules._plan(Context(claim))
        compiled = check_lines.compile()  # type: ignore[attr-defined]
        assert compiled.__name__ == "check_lines" and compiled is not check_lines
        assert compiled is check_lines.compile()  # type: ignore[attr-defined]


class TestClaimFacts:
    """A fact of the whole claim that a line predicate reads is worked out once per claim
    by the compiled checker, and agrees with the predicate's plain test."""

    @pytest.fixture(autouse=True)
    def _compiled_at_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Plans compiled from their first claim (not interpreted first): what is tested."""
        monkeypatch.setattr(plans, "COMPILE_AFTER", 0)

    @staticmethod
    def vocabulary(compute: Any) -> Any:
        fact = ClaimFact(compute)

        def many_lines() -> Any:
            return inline(
                lambda ctx: compute(ctx) > 2 and ctx.line is not None,
                "{count} > 2 and ctx.line is not None",
                count=fact,
            )

        return VOCABULARY.with_predicate("test_many_lines", many_lines)

    def claim(self, n: int) -> Claim:
        lines = [ClaimLine("S9123", f"2024-03-{d:02d}", 1) for d in range(1, n + 1)]
        return Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-31", lines=lines)

    def test_once_per_claim(self) -> None:
        calls: list[int] = []

        def count(ctx: Context) -> int:
            calls.append(1)
            return len(ctx.claim.lines)

        vocab = self.vocabulary(count)
        rules = RuleSet([rule("many", vocab.predicate("test_many_lines"))], vocabulary=vocab)
        assert "_c0" in rules._plan_source("bcbs-tx")
        report = check(self.claim(10), rules)
        assert list(range(10)) == [f.line for f in report]
        assert [1] == calls  # ten lines, one computation
        assert [] == list(check(self.claim(2), rules))  # the next claim has its own fact
        assert [1, 1] == calls

    @pytest.mark.parametrize("value", [None, 0, (), False, "x"])
    def test_any_value_is_kept_once_worked_out(self, value: Any) -> None:
        """A fact whose value is ``None`` or falsy is worked out once per claim all the
        same (the memo tells a fact not yet worked out from any value it holds); a fact
        that raises is asked again at its next read."""
        calls: list[int] = []

        def compute(ctx: Context) -> Any:
            calls.append(1)
            return value

        fact: ClaimFact[Any] = ClaimFact(compute)
        ctx = Context(self.claim(3))
        assert [value, value, value] == [fact.of(ctx) for _ in range(3)]
        assert [1] == calls
        assert value == fact.of(Context(self.claim(3)))  # another claim: its own
        assert [1, 1] == calls

        def broken(ctx: Context) -> int:
            calls.append(2)
            raise LookupError("fact bug")

        failing: ClaimFact[int] = ClaimFact(broken)
        for _ in range(2):
            with pytest.raises(LookupError, match="fact bug"):
                failing.of(ctx)
        assert [1, 1, 2, 2] == calls
        assert failing not in ctx.claim_memo

    def test_a_failing_fact_fails_each_line(self) -> None:
        """A fact that raises is the rule's error finding on every line, as a raising
        predicate is; the claim's other rules still run."""

        def broken(ctx: Context) -> int:
            raise LookupError("fact bug")

        vocab = self.vocabulary(broken)
        rules = RuleSet(
            [
                rule("many", vocab.predicate("test_many_lines")),
                rule("s-code", vocab.predicate("code_prefix", prefix="S")),
            ],
            vocabulary=vocab,
        )
        found = [(f.rule_id, f.line, "fact bug" in f.message) for f in check(self.claim(2), rules)]
        assert [
            ("many", 0, True),
            ("s-code", 0, False),
            ("many", 1, True),
            ("s-code", 1, False),
        ] == found

    def test_shared_with_claim_rules(self) -> None:
        """A fact the compiled line checker reads is kept in the claim memo too: a claim
        rule reading it with ``of`` in the same check does not work it out again."""
        calls: list[int] = []

        def count(ctx: Context) -> int:
            calls.append(1)
            return len(ctx.claim.lines)

        fact: ClaimFact[int] = ClaimFact(count)

        def many_lines() -> Any:
            return inline(
                lambda ctx: fact.of(ctx) > 2 and ctx.line is not None,
                "{count} > 2 and ctx.line is not None",
                count=fact,
            )

        def many_claim() -> Any:
            return lambda ctx: fact.of(ctx) > 2

        vocab = VOCABULARY.with_predicate("test_many_lines", many_lines).with_predicate(
            "test_many_claim", many_claim
        )
        rules = RuleSet(
            [
                rule("many", vocab.predicate("test_many_lines")),
                rule("many-claim", vocab.predicate("test_many_claim"), scope=Scope.CLAIM),
            ],
            vocabulary=vocab,
        )
        found = [(f.rule_id, f.line) for f in check(self.claim(4), rules)]
        assert [("many", i) for i in range(4)] + [("many-claim", None)] == found
        assert [1] == calls

    def test_line_fact_once_per_line(self) -> None:
        """A :class:`LineFact` two rules of a line read is worked out once per line."""
        calls: list[int] = []

        def units(ctx: Context) -> int:
            calls.append(1)
            assert ctx.line is not None
            return int(ctx.line.units)

        fact: LineFact[int] = LineFact(units)
        vocab = VOCABULARY.with_predicate("test_units_over", lambda n: lambda ctx: fact.of(ctx) > n)
        rules = RuleSet(
            [
                rule("over-0", vocab.predicate("test_units_over", n=0)),
                rule("over-5", vocab.predicate("test_units_over", n=5)),
            ],
            vocabulary=vocab,
        )
        found = [(f.rule_id, f.line) for f in check(self.claim(3), rules)]
        assert [("over-0", 0), ("over-0", 1), ("over-0", 2)] == found
        assert [1, 1, 1] == calls

    def test_families_keep_facts_in_typed_homes(self) -> None:
        """No rule family reads or writes the claim or line memo under a free string key:
        each shared fact is a :class:`ClaimFact` or :class:`LineFact` (the history family's
        modules, whose facts are keyed by objects of their own, aside)."""
        from pathlib import Path

        import hcpcs_home.rules as family

        free = re.compile(r"(claim_memo|ctx\.memo)\s*(\[|\.get\b|\.setdefault\b)")
        found = [
            f"{path.name}:{n}"
            for path in sorted(Path(family.__file__).parent.glob("*.py"))
            if not path.name.startswith("history")
            for n, text in enumerate(path.read_text("utf-8").splitlines(), start=1)
            if free.search(text)
        ]
        assert [] == found


class TestEngineLayout:
    def test_no_module_of_the_package_over_1000_lines(self) -> None:
        """No module anywhere in the package is over 1,000 lines (#21)."""
        from pathlib import Path

        import hcpcs_home

        package = Path(hcpcs_home.__file__).parent
        sizes = {
            str(p.relative_to(package)): len(p.read_text("utf-8").splitlines())
            for p in package.rglob("*.py")
        }
        assert "dataframes.py" in sizes and "_engine/plans.py" in sizes
        assert {} == {name: n for name, n in sizes.items() if n > 1000}

    def test_one_concern_per_module_none_over_1000_lines(self) -> None:
        """The engine is a package of one concern per module, none over 1,000 lines,
        and every name stays importable from ``hcpcs_home._engine``."""
        from pathlib import Path

        import hcpcs_home._engine as engine

        package = Path(engine.__file__).parent
        sizes = {p.name: len(p.read_text("utf-8").splitlines()) for p in package.glob("*.py")}
        assert {
            "__init__.py",
            "context.py",
            "predicates.py",
            "explanation.py",
            "vocabulary.py",
            "rules.py",
            "plans.py",
            "tables.py",
            "rule_sets.py",
        } == set(sizes)
        assert [] == [name for name, n in sizes.items() if n > 1000]
        for name in (
            "Context",
            "Rule",
            "RuleSet",
            "Finding",
            "Explanation",
            "TableRule",
            "inline",
            "keyed",
            "_PlanCache",
        ):
            assert hasattr(engine, name)
        assert "hcpcs_home.policy" == engine.RuleSet.__module__
