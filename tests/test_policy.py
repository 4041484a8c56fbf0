"""The machinery of :mod:`hcpcs_home.policy`: predicates, rules, rule sets, reports.

What the default rules find is tested in ``test_rules.py``; here the rules are
small made-up ones, so each test shows one behaviour of the engine.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import Claim, ClaimLine, Service, check, check_many, payers
from hcpcs_home.errors import HcpcsError, InvalidFieldError, RuleSetLoadError, UnknownCodeError
from hcpcs_home.policy import (
    Context,
    Explanation,
    Finding,
    Leaf,
    Not,
    Predicate,
    Report,
    Rule,
    RuleSet,
    Scope,
    Severity,
    predicate_names,
)
from hcpcs_home.rules import DEFAULT_RULES, VOCABULARY


def _explodes_on(code: str) -> Any:
    """Raises on lines of ``code`` (a faulty custom predicate, for these tests)."""

    def test(ctx: Context) -> bool:
        if ctx.line is not None and ctx.line.code == code:
            raise ZeroDivisionError("custom predicate bug")
        return True

    return test


def _units_fixer(ctx: Context) -> tuple[str | None, dict[str, str], dict[str, Any]]:
    return "bill 1 unit", {"units": "1"}, {"limit": 1}


#: The default vocabulary and this module's made-up entries: what its rules are built from.
TEST_VOCAB = VOCABULARY.with_predicate("test_explodes_on", _explodes_on).with_fixer(
    "test-units-fixer", _units_fixer
)
predicate = TEST_VOCAB.predicate

S_CODE = predicate("code_prefix", prefix="S")
ACCEPTED = predicate("payer_accepts_code")
KNOWN = predicate("code_known")
LINKED = predicate("service_linked")


def medicare_claim(*lines: ClaimLine, **kwargs: Any) -> Claim:
    """A Medicare 0329 claim for March 2024."""
    kwargs.setdefault("type_of_bill", "0329")
    return Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", lines=lines, **kwargs)


S9124_LINE = ClaimLine("S9124", "2024-03-04", 8, revenue_code="0552")
G0299_LINE = ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551")


def ctx_of(line: ClaimLine) -> Context:
    """The context of ``line`` on a Medicare claim."""
    return Context.for_line(medicare_claim(line), 0)


def rule(rule_id: str = "test-rule", when: Predicate = S_CODE, **kwargs: Any) -> Rule:
    """A small error rule."""
    fields: dict[str, Any] = {
        "severity": "error",
        "message": "{code} on line {line}",
        "source": "test",
    }
    if type(kwargs.get("fix")) is str:
        kwargs["fix"] = TEST_VOCAB.fix(kwargs["fix"])
    return Rule(rule_id, when=when, **{**fields, **kwargs})


def leaf_names(p: Predicate) -> Iterator[str]:
    """The names of the registered predicates a tree is made of."""
    if isinstance(p, Leaf):
        yield p.name
    elif isinstance(p, Not):
        yield from leaf_names(p.operand)
    else:
        for part in p.operands():  # type: ignore[attr-defined]
            yield from leaf_names(part)


class TestCombinators:
    def test_and_or_not_evaluate(self) -> None:
        """``&``, ``|`` and ``~`` combine predicates by boolean logic."""
        ctx = ctx_of(S9124_LINE)
        assert (True, False, True, False) == (
            (S_CODE & ~ACCEPTED)(ctx),
            (S_CODE & ACCEPTED)(ctx),
            (ACCEPTED | S_CODE)(ctx),
            (~S_CODE | ACCEPTED)(ctx),
        )

    def test_double_negation_is_the_operand(self) -> None:
        """``~~p`` is ``p`` itself, not a copy."""
        assert S_CODE is ~~S_CODE

    def test_combining_does_not_copy(self) -> None:
        """A combined tree holds its operands by reference."""
        both = S_CODE & ACCEPTED
        assert (S_CODE, ACCEPTED) == (both.left, both.right)  # type: ignore[attr-defined]
        assert both.left is S_CODE  # type: ignore[attr-defined]

    def test_and_short_circuits(self) -> None:
        """``&`` does not evaluate its right operand when the left fails."""
        guarded = predicate("code_prefix", prefix="T") & predicate("test_explodes_on", code="S9124")
        assert False is guarded(ctx_of(S9124_LINE))

    def test_or_short_circuits(self) -> None:
        """``|`` does not evaluate its right operand when the left holds."""
        guarded = S_CODE | predicate("test_explodes_on", code="S9124")
        assert True is guarded(ctx_of(S9124_LINE))

    def test_matches_is_calling(self) -> None:
        """``matches(ctx)`` is the same as calling the predicate."""
        ctx = ctx_of(G0299_LINE)
        assert (S_CODE(ctx), ACCEPTED(ctx)) == (S_CODE.matches(ctx), ACCEPTED.matches(ctx))

    def test_filter_is_lazy(self) -> None:
        """``filter`` yields matching contexts one at a time, on demand."""
        seen: list[int] = []

        def contexts() -> Iterator[Context]:
            for i, ln in enumerate([S9124_LINE, G0299_LINE, S9124_LINE]):
                seen.append(i)
                yield ctx_of(ln)

        it = S_CODE.filter(contexts())
        assert [] == seen
        assert "S9124" == next(it).line.code  # type: ignore[union-attr]
        assert [0] == seen
        assert [2] == [c.index + 2 for c in it if c.index is not None]

    def test_combining_with_a_non_predicate_is_refused(self) -> None:
        """Only predicates combine; anything else names the field."""
        with pytest.raises(InvalidFieldError) as info:
            S_CODE & True  # type: ignore[operator]
        assert "predicate" == info.value.field

    def test_predicates_are_immutable(self) -> None:
        """Setting an attribute on a built predicate fails."""
        with pytest.raises(AttributeError):
            S_CODE.name = "other"  # type: ignore[attr-defined]

    def test_equal_predicates_hash_equal(self) -> None:
        """Equal trees are equal and hash alike, whatever the parameter order."""
        a = predicate("code_in", codes=["S9123", "S9124"]) & KNOWN
        b = predicate("code_in", codes=("S9123", "S9124")) & KNOWN
        assert (a, hash(a)) == (b, hash(b))
        assert a != (KNOWN & predicate("code_in", codes=["S9123", "S9124"]))

    def test_grouping_of_the_same_operator_does_not_matter(self) -> None:
        """``a & (b & c)`` equals ``(a & b) & c``, as their text and JSON do."""
        assert S_CODE & (ACCEPTED & KNOWN) == (S_CODE & ACCEPTED) & KNOWN
        assert S_CODE | (ACCEPTED | KNOWN) == (S_CODE | ACCEPTED) | KNOWN
        assert S_CODE & ACCEPTED != S_CODE | ACCEPTED

    def test_unknown_predicate_name(self) -> None:
        """An unregistered name raises RuleSetLoadError."""
        with pytest.raises(RuleSetLoadError, match="unknown predicate name 'no_such'"):
            predicate("no_such")

    @pytest.mark.parametrize(
        ("name", "params"),
        [
            ("code_prefix", {"prefix": ""}),
            ("code_prefix", {}),
            ("code_known", {"extra": 1}),
            ("code_unit", {"units": ["fortnight"]}),
            ("bill_class", {"classes": "34"}),
            ("code_in", {"codes": "S9123"}),
            ("payer_flag", {"flag": "accepts_bribes"}),
        ],
    )
    def test_bad_parameters(self, name: str, params: dict[str, Any]) -> None:
        """Bad parameters raise RuleSetLoadError, whatever the factory raised."""
        with pytest.raises(RuleSetLoadError, match=f"bad parameters for '{name}'"):
            predicate(name, **params)

    def test_predicate_names_lists_the_builtins(self) -> None:
        """Every predicate the default rules use is registered, and sorted."""
        names = predicate_names()
        used = {name for r in DEFAULT_RULES for name in leaf_names(r.when)}
        assert sorted(names) == names
        assert set() == used - set(names)


class TestStr:
    @pytest.mark.parametrize(
        ("tree", "text"),
        [
            (S_CODE, "code_prefix(prefix='S')"),
            (~ACCEPTED, "~payer_accepts_code"),
            (S_CODE & ~ACCEPTED, "code_prefix(prefix='S') & ~payer_accepts_code"),
            (
                S_CODE & ACCEPTED & KNOWN,
                "code_prefix(prefix='S') & payer_accepts_code & code_known",
            ),
            (
                S_CODE & (ACCEPTED | KNOWN),
                "code_prefix(prefix='S') & (payer_accepts_code | code_known)",
            ),
            (
                (S_CODE & ACCEPTED) | KNOWN,
                "(code_prefix(prefix='S') & payer_accepts_code) | code_known",
            ),
            (~(ACCEPTED | KNOWN), "~(payer_accepts_code | code_known)"),
            (~(ACCEPTED & KNOWN), "~(payer_accepts_code & code_known)"),
            (predicate("code_in", codes=["S9123"]), "code_in(codes=['S9123'])"),
        ],
    )
    def test_text(self, tree: Predicate, text: str) -> None:
        """``str()`` flattens chains of one operator and brackets every mixed group."""
        assert text == str(tree)

    def test_repr_wraps_the_text(self) -> None:
        """``repr()`` shows the same text."""
        assert "<Predicate ~payer_accepts_code>" == repr(~ACCEPTED)

    def test_default_rules_print_the_same_each_time(self) -> None:
        """Rule text is stable across rebuilds of the default set (audit logs)."""
        from hcpcs_home.rules import default_rules

        assert [str(r.when) for r in DEFAULT_RULES] == [str(r.when) for r in default_rules()]


class TestExplain:
    def test_tree_of_checks(self) -> None:
        """``explain`` marks every node held or not, without short-circuit."""
        tree = (S_CODE & ~ACCEPTED) | predicate("code_prefix", prefix="T")
        assert (
            "✓ (code_prefix(prefix='S') & ~payer_accepts_code) | code_prefix(prefix='T')\n"
            "  ✓ code_prefix(prefix='S') & ~payer_accepts_code\n"
            "    ✓ code_prefix(prefix='S')\n"
            "    ✓ ~payer_accepts_code\n"
            "      ✗ payer_accepts_code\n"
            "  ✗ code_prefix(prefix='T')"
        ) == str(tree.explain(ctx_of(S9124_LINE)))

    def test_explanation_agrees_with_evaluation(self) -> None:
        """The root of an explanation holds exactly when the predicate does."""
        for ln in (S9124_LINE, G0299_LINE):
            ctx = ctx_of(ln)
            for r in DEFAULT_RULES:
                if r.scope is Scope.LINE:
                    assert r.when(ctx) == r.when.explain(ctx).held, r.id

    def test_findings_carry_their_explanation(self) -> None:
        """A finding explains which parts of its rule held."""
        finding = check(medicare_claim(S9124_LINE), RuleSet([rule(when=S_CODE & ~ACCEPTED)]))[0]
        assert ["✓ code_prefix(prefix='S') & ~payer_accepts_code"] == list(
            finding.explanation.lines()
        )[:1]
        assert (
            Explanation("payer_accepts_code", False) == finding.explanation.children[1].children[0]
        )


class TestRule:
    def test_message_is_filled_from_the_line(self) -> None:
        """``{code}``, ``{line}`` and the fixer's facts fill the message."""
        r = rule(message="{code} x{units} on {date} ({limit}, {unknown})", fix="test-units-fixer")
        finding = check(medicare_claim(G0299_LINE, S9124_LINE), RuleSet([r]))[0]
        assert "S9124 x8 on 2024-03-04 (1, {unknown})" == finding.message
        assert ("bill 1 unit", (("units", "1"),), 1) == (
            finding.suggestion,
            finding.fix,
            finding.line,
        )

    def test_messages_remembered_only_by_exact_text(self) -> None:
        """A message is remembered by the text and whole numbers it was written from:
        equal values written differently (``Decimal("1.50")``, ``Decimal("1.5")``) each
        get their own text, and repeated checks write the same message."""
        r = rule(message="{code} x{units} on line {line}")
        texts = [
            check(medicare_claim(attrs.evolve(S9124_LINE, units=units)), RuleSet([r]))[0].message
            for units in (Decimal("1.50"), Decimal("1.5"), 8, 8)
        ]
        assert ["S9124 x1.50 on line 0", "S9124 x1.5 on line 0"] + 2 * ["S9124 x8 on line 0"] == (
            texts
        )

    def test_bad_ids_and_severities_are_refused(self) -> None:
        """Ids are kebab-case and severities one of three."""
        with pytest.raises(InvalidFieldError, match="id"):
            rule("not an id")
        with pytest.raises(InvalidFieldError, match="severity"):
            rule(severity="fatal")

    @given(st.text(alphabet="ab-9_ é.Z", max_size=12))
    def test_an_id_is_ascii_letters_digits_and_dashes(self, rule_id: str) -> None:
        """A rule id is accepted exactly when it is non-empty ASCII of letters, digits and
        dashes, character by character (#21 checks it with str methods)."""
        wanted = (
            bool(rule_id) and rule_id.isascii() and all(c.isalnum() or c == "-" for c in rule_id)
        )
        try:
            made = rule(rule_id)
        except InvalidFieldError as exc:
            assert not wanted
            assert "id" == exc.field
        else:
            assert wanted
            assert rule_id == made.id

    @pytest.mark.parametrize(
        "message", ["{payer.__class__}", "{code:>100000000}", "{code!r}", "{0}", "{code"]
    )
    def test_a_message_names_plain_placeholders_only(self, message: str) -> None:
        """A template reaching into objects, formatting or not a template is refused, the
        same for a new rule and for a rule changed with attrs.evolve."""
        with pytest.raises(InvalidFieldError, match="message"):
            rule(message=message)
        with pytest.raises(InvalidFieldError, match="message"):
            attrs.evolve(rule(), message=message)
        assert "{code} x{units}" == attrs.evolve(rule(), message="{code} x{units}").message

    @pytest.mark.parametrize(
        ("day", "applies"),
        [("2019-12-31", False), ("2020-01-01", True), ("2020-06-30", True), ("2020-07-01", False)],
    )
    def test_effective_dates_are_inclusive(self, day: str, applies: bool) -> None:
        """A rule applies from its first through its last date of service, both included."""
        r = rule(effective_from=dt.date(2020, 1, 1), effective_through=dt.date(2020, 6, 30))
        ln = ClaimLine("S9124", day, 8, revenue_code="0552")
        c = Claim(payers.MEDICARE, day, day, lines=[ln])
        assert (applies, applies) == (
            r.applies_on(dt.date.fromisoformat(day)),
            bool(check(c, RuleSet([r]))),
        )

    def test_open_ended_dates(self) -> None:
        """Without dates a rule always applies."""
        assert rule().applies_on(dt.date(1900, 1, 1)) and rule().applies_on(dt.date(2100, 1, 1))

    def test_claim_rules_use_the_statement_start(self) -> None:
        """A claim-scope rule is dated by the first day of the statement period."""
        r = rule(
            when=KNOWN | ~KNOWN,
            scope="claim",
            effective_from=dt.date(2024, 3, 1),
            message="claim {claim} for {payer}",
        )
        findings = check(medicare_claim(S9124_LINE), RuleSet([r]))
        assert [(None, "test-rule")] == [(f.line, f.rule_id) for f in findings]
        assert "claim" == str(findings[0]).split("[")[1].split("]")[0]
        early = Claim(payers.MEDICARE, "2024-02-29", "2024-03-31", lines=[S9124_LINE])
        assert () == check(early, RuleSet([r])).findings


class TestFailingRule:
    def test_one_bad_line_does_not_stop_the_others(self) -> None:
        """A custom rule raising on one line is a finding there; other lines and rules run."""
        broken = rule("broken", when=predicate("test_explodes_on", code="S9124"))
        fine = rule("fine", when=KNOWN)
        c = medicare_claim(G0299_LINE, S9124_LINE, G0299_LINE)
        found = [(f.rule_id, f.line) for f in check(c, RuleSet([broken, fine]))]
        assert [
            ("broken", 0),
            ("fine", 0),
            ("broken", 1),
            ("fine", 1),
            ("broken", 2),
            ("fine", 2),
        ] == found

    def test_the_failure_is_an_error_naming_the_exception(self) -> None:
        """The failure becomes an error finding that says what was raised."""
        broken = rule("broken", when=predicate("test_explodes_on", code="S9124"), field="code")
        finding = check(medicare_claim(S9124_LINE), RuleSet([broken]))[0]
        assert (
            Severity.ERROR,
            "rule could not be evaluated: ZeroDivisionError: custom predicate bug",
            "code",
            False,
        ) == (finding.severity, finding.message, finding.field, finding.explanation.held)

    def test_a_failing_fixer_is_contained_too(self) -> None:
        """A fixer that raises is reported like a failing predicate."""

        def _broken(ctx: Context) -> Any:
            raise KeyError("no table")

        r = rule(fix=TEST_VOCAB.with_fixer("test-broken-fixer", _broken).fix("test-broken-fixer"))
        report = check(
            medicare_claim(S9124_LINE, G0299_LINE), RuleSet([r, rule("other", when=KNOWN)])
        )
        assert ["test-rule", "other", "other"] == [f.rule_id for f in report]
        assert "rule could not be evaluated: KeyError" in report[0].message

    def test_texts_read_once_are_the_findings_own(self) -> None:
        """A finding's message and suggestion written for one read (``_texts``, as
        check_frame reads them) are what reading the finding gives, for a failing fixer,
        a working one and a rule with none, before and after the finding writes its own."""
        from hcpcs_home import dataframes as hd

        def _broken(ctx: Context) -> Any:
            raise KeyError("no table")

        r = rule(fix=TEST_VOCAB.with_fixer("test-broken-fixer", _broken).fix("test-broken-fixer"))
        claim = medicare_claim(S9124_LINE, G0299_LINE)
        reports = [check(claim, RuleSet([r, rule("other", when=KNOWN)]))]
        reports += [check(c) for c in hd.claims_from_frame(hd.synthetic_timesheet(60)).claims]
        findings = [f for report in reports for f in report]
        assert len({f.rule_id for f in findings}) > 5
        texts = [f._texts() for f in findings]  # before the findings write theirs
        assert (
            texts == [(f.message, f.suggestion) for f in findings] == [f._texts() for f in findings]
        )
        assert texts[0][0].startswith("rule could not be evaluated: KeyError")


class TestRuleSet:
    def test_ids_are_unique(self) -> None:
        """Two rules with one id are refused with the index."""
        with pytest.raises(InvalidFieldError) as info:
            RuleSet([rule(), rule()])
        assert "rules[1].id" == info.value.field

    def test_only_rules(self) -> None:
        """Anything but a Rule is refused."""
        with pytest.raises(InvalidFieldError, match=r"rules\[0\]"):
            RuleSet(["unknown-code"])  # type: ignore[list-item]

    def test_add_remove_replace_return_new_sets(self) -> None:
        """Changes give new sets and leave the original as it was."""
        base = RuleSet([rule("a"), rule("b")])
        assert ["a", "b", "c"] == [r.id for r in base.add(rule("c"))]
        assert ["b"] == [r.id for r in base.remove("a")]
        assert "new" == base.replace(rule("a", message="new"))["a"].message
        assert ["a", "b"] == [r.id for r in base]

    @pytest.mark.parametrize("change", ["remove", "replace", "getitem"])
    def test_missing_ids_raise_key_error(self, change: str) -> None:
        """Removing, replacing or getting an absent id raises KeyError."""
        base = RuleSet([rule("a")])
        with pytest.raises(KeyError):
            if change == "remove":
                base.remove("zzz")
            elif change == "replace":
                base.replace(rule("zzz"))
            else:
                base["zzz"]

    def test_membership_and_length(self) -> None:
        """A rule set knows its ids and size."""
        assert ("a" in RuleSet([rule("a")]), "b" in RuleSet([rule("a")]), 1) == (
            True,
            False,
            len(RuleSet([rule("a")])),
        )

    def test_line_findings_come_before_claim_findings(self) -> None:
        """Findings run line by line in rule order, then claim rules."""
        rs = RuleSet(
            [
                rule("whole", when=KNOWN | ~KNOWN, scope="claim", message="claim {claim}"),
                rule("per-line", when=KNOWN),
            ]
        )
        report = check(medicare_claim(G0299_LINE, S9124_LINE), rs)
        assert [("per-line", 0), ("per-line", 1), ("whole", None)] == [
            (f.rule_id, f.line) for f in report
        ]


class TestJson:
    def test_default_rules_round_trip(self) -> None:
        """The default set saves to JSON and loads back equal."""
        assert DEFAULT_RULES == RuleSet.from_json(DEFAULT_RULES.to_json(), TEST_VOCAB)

    def test_round_trip_keeps_every_field(self) -> None:
        """Dates, scope, fix and field survive the trip."""
        r = rule(
            when=~(S_CODE & (ACCEPTED | predicate("code_in", codes=["S9123"]))),
            fix="test-units-fixer",
            field="units",
            scope="claim",
            effective_from=dt.date(2020, 1, 1),
            effective_through=dt.date(2020, 12, 31),
        )
        loaded = RuleSet.from_json(RuleSet([r], name="mine").to_json(), TEST_VOCAB)
        assert (RuleSet([r], name="mine"), str(r.when)) == (loaded, str(loaded["test-rule"].when))

    def test_right_nested_trees_round_trip(self) -> None:
        """A right-nested ``a & (b & c)`` loads back equal (JSON flattens it)."""
        rs = RuleSet(
            [rule(when=S_CODE & (ACCEPTED & KNOWN)), rule("o", when=S_CODE | (ACCEPTED | KNOWN))]
        )
        assert rs == RuleSet.from_json(rs.to_json(), TEST_VOCAB)

    def test_loaded_rules_check_the_same(self) -> None:
        """A loaded rule set finds what the original finds."""
        c = medicare_claim(S9124_LINE, G0299_LINE)
        loaded = RuleSet.from_json(DEFAULT_RULES.to_json(), TEST_VOCAB)
        assert [f.to_data() for f in check(c)] == [f.to_data() for f in check(c, loaded)]

    def test_json_shape(self) -> None:
        """Leaves are names or ``{name, args}``; trees are ``all``/``any``/``not``."""
        data = json.loads(RuleSet([rule(when=S_CODE & ~ACCEPTED)], name="n").to_json())
        assert {
            "format": 1,
            "name": "n",
            "rules": [
                {
                    "id": "test-rule",
                    "severity": "error",
                    "message": "{code} on line {line}",
                    "source": "test",
                    "scope": "line",
                    "when": {
                        "all": [
                            {"name": "code_prefix", "args": {"prefix": "S"}},
                            {"not": "payer_accepts_code"},
                        ]
                    },
                }
            ],
        } == data

    @staticmethod
    def load(when: Any, **extra: Any) -> RuleSet:
        item = {"id": "x", "severity": "error", "message": "m", "source": "s", "when": when}
        return RuleSet.from_data({"rules": [{**item, **extra}]}, TEST_VOCAB)

    @pytest.mark.parametrize(
        ("when", "path", "reason"),
        [
            ("no_such", "$.rules[0].when", "unknown predicate name 'no_such'"),
            (
                {"all": ["code_known", "nope"]},
                "$.rules[0].when.all[1]",
                "unknown predicate name 'nope'",
            ),
            (
                {"not": {"any": ["code_known", {"name": "gone"}]}},
                "$.rules[0].when.not.any[1]",
                "'gone'",
            ),
            ({"name": "code_prefix", "args": {"prefix": ""}}, "$.rules[0].when", "bad parameters"),
            (
                {"name": "code_unit", "args": {"units": ["fortnight"]}},
                "$.rules[0].when",
                "fortnight",
            ),
            ({"name": "code_known", "args": []}, "$.rules[0].when.args", "must be an object"),
            ({"all": []}, "$.rules[0].when", "is not a predicate"),
            (None, "$.rules[0].when", "is not a predicate"),
            (3, "$.rules[0].when", "is not a predicate"),
        ],
    )
    def test_bad_predicates_name_their_path(self, when: Any, path: str, reason: str) -> None:
        """A bad or unknown predicate raises RuleSetLoadError with the path to it."""
        with pytest.raises(RuleSetLoadError) as info:
            self.load(when)
        assert path == info.value.path
        assert reason in info.value.reason

    @pytest.mark.parametrize(
        ("extra", "path"),
        [
            ({"fix": "no-such-fixer"}, "$.rules[0].fix"),
            ({"colour": "red"}, "$.rules[0]"),
            ({"severity": "fatal"}, "$.rules[0]"),
            ({"scope": "galaxy"}, "$.rules[0]"),
            ({"id": "has spaces"}, "$.rules[0]"),
            ({"message": 5}, "$.rules[0].message"),
            ({"effective_from": "March"}, "$.rules[0].effective_from"),
        ],
    )
    def test_bad_rules_name_their_path(self, extra: dict[str, Any], path: str) -> None:
        """A bad rule field raises RuleSetLoadError with the rule's path."""
        with pytest.raises(RuleSetLoadError) as info:
            self.load("code_known", **extra)
        assert path == info.value.path

    @pytest.mark.parametrize(
        ("text", "path"),
        [
            ("{", "$"),
            ("[]", "$"),
            ('{"rules": {}}', "$"),
            ('{"rules": [5]}', "$.rules[0]"),
            (
                '{"rules": [{"id": "a", "severity": "error", "message": "m", "source": "s", '
                '"when": "code_known"}, {"id": "a", "severity": "error", "message": "m", '
                '"source": "s", "when": "code_known"}]}',
                "$.rules",
            ),
        ],
    )
    def test_bad_documents(self, text: str, path: str) -> None:
        """Malformed JSON and malformed documents raise RuleSetLoadError with a path."""
        with pytest.raises(RuleSetLoadError) as info:
            RuleSet.from_json(text, TEST_VOCAB)
        assert path == info.value.path

    def test_load_error_is_a_value_error(self) -> None:
        """RuleSetLoadError refines ValueError and HcpcsError."""
        with pytest.raises(ValueError):
            self.load("nope")
        assert issubclass(RuleSetLoadError, HcpcsError)


class TestReport:
    def report(self) -> Report:
        """Two errors and a warning on a two-line claim."""
        rs = RuleSet(
            [
                rule("is-s", when=S_CODE),
                rule("is-known", when=KNOWN, severity="warning", message="<b>{code}</b> & co"),
            ]
        )
        return check(medicare_claim(S9124_LINE, G0299_LINE, id="PCN-1"), rs)

    def test_errors_warnings_ok(self) -> None:
        """``errors`` and ``warnings`` split the findings; ``ok`` means no error."""
        report = self.report()
        assert (1, 2, False) == (len(report.errors), len(report.warnings), report.ok)
        assert ["is-s", "is-known"] == report.rule_ids()

    def test_warnings_alone_are_ok(self) -> None:
        """Warnings and notes do not make a report not ok."""
        rs = RuleSet([rule(severity="warning"), rule("note", severity="info", when=KNOWN)])
        report = check(medicare_claim(S9124_LINE), rs)
        assert (True, 2) == (report.ok, len(report))

    def test_empty_report(self) -> None:
        """A claim nothing fires on gives an empty, ok report."""
        report = check(medicare_claim(G0299_LINE), RuleSet([rule()]))
        assert (
            True,
            (),
            [],
            "claim (no id) for Original Medicare: 0 error(s), 0 warning(s), 0 note(s)",
        ) == (
            report.ok,
            report.errors,
            list(report),
            str(report),
        )

    def test_str(self) -> None:
        """``str()`` gives a head line and one line per finding, with fixes indented."""
        report = check(
            medicare_claim(S9124_LINE, id="PCN-1"), RuleSet([rule(fix="test-units-fixer")])
        )
        assert (
            "claim PCN-1 for Original Medicare: 1 error(s), 0 warning(s), 0 note(s)\n"
            "ERROR test-rule [line 1]: S9124 on line 0\n"
            "    fix: bill 1 unit"
        ) == str(report)

    def test_sequence(self) -> None:
        """A report is a sequence of its findings."""
        report = self.report()
        assert (report.findings[1], list(report.findings[:1])) == (report[1], list(report[:1]))

    def test_html_escapes_and_tabulates(self) -> None:
        """``_repr_html_`` is a table with escaped text and the ok status."""
        page = self.report()._repr_html_()
        assert page.startswith("<table><caption>PCN-1: NOT OK</caption>")
        assert "&lt;b&gt;G0299&lt;/b&gt; &amp; co" in page
        assert "<b>" not in page
        assert 3 == page.count("<tr><td")
        assert (
            "<th>severity</th><th>rule</th><th>line</th><th>message</th><th>suggestion</th>" in page
        )

    def test_finding_to_data(self) -> None:
        """A finding becomes plain JSON data."""
        finding = check(
            medicare_claim(S9124_LINE), RuleSet([rule(fix="test-units-fixer", field="units")])
        )[0]
        data = finding.to_data()
        assert json.loads(json.dumps(data)) == data
        assert {"units": "1"} == data["fix"]
        assert ("error", 0, "units") == (data["severity"], data["line"], data["field"])

    def test_findings_are_values(self) -> None:
        """Findings compare by value and are immutable."""
        a = check(medicare_claim(S9124_LINE), RuleSet([rule()]))[0]
        b = check(medicare_claim(S9124_LINE), RuleSet([rule()]))[0]
        assert a == b
        with pytest.raises(AttributeError):
            a.message = "changed"  # type: ignore[misc]
        assert isinstance(a, Finding)


class TestCheck:
    def test_default_rules(self) -> None:
        """Without a rule set, ``check`` uses the default rules."""
        assert (
            check(medicare_claim(S9124_LINE)).rule_ids()
            == DEFAULT_RULES.check(medicare_claim(S9124_LINE)).rule_ids()
        )

    @pytest.mark.parametrize("junk", [None, "", object(), "€", 10**30, float("nan"), [S9124_LINE]])
    def test_only_claims(self, junk: Any) -> None:
        """Anything but a Claim is refused naming the argument."""
        with pytest.raises(InvalidFieldError) as info:
            check(junk)
        assert "claim" == info.value.field

    def test_services_are_found_by_id(self) -> None:
        """A line's context holds the services it points at, in the line's order."""
        a = Service("G0299", "2024-03-04", minutes=30, id="a")
        b = Service("G0299", "2024-03-04", minutes=20, id="b")
        c = medicare_claim(
            ClaimLine("G0299", "2024-03-04", 3, "0551", service_ids=["b", "a"]), services=[a, b]
        )
        assert (b, a) == Context.for_line(c, 0).services


class TestCheckMany:
    def test_is_lazy(self) -> None:
        """``check_many`` checks a claim only when its report is asked for."""
        pulled: list[int] = []

        def claims() -> Iterator[Claim]:
            for i in range(3):
                pulled.append(i)
                yield medicare_claim(S9124_LINE, id=f"c{i}")

        reports = check_many(claims(), RuleSet([rule()]))
        assert [] == pulled
        first = next(reports)
        assert ([0], "c0") == (pulled, first.claim.id)  # type: ignore[union-attr]

    def test_errors_pass_through_in_place(self) -> None:
        """Errors among the claims are yielded unchanged, in order."""
        bad = UnknownCodeError("S9130")
        out = list(
            check_many(
                [medicare_claim(S9124_LINE), bad, medicare_claim(G0299_LINE)], RuleSet([rule()])
            )
        )
        assert bad is out[1]
        assert [False, True] == [r.ok for r in (out[0], out[2])]  # type: ignore[union-attr]

    def test_non_claims_are_refused_when_reached(self) -> None:
        """A non-claim, non-error item raises when the iteration reaches it."""
        reports = check_many([medicare_claim(G0299_LINE), "junk"], RuleSet([rule()]))  # type: ignore[list-item]
        assert next(reports).ok  # type: ignore[union-attr]
        with pytest.raises(InvalidFieldError):
            next(reports)


class TestRuleDates:
    def test_range_must_not_be_reversed(self) -> None:
        """A rule whose effective range ends before it starts is refused, also when loaded."""
        import datetime as dt

        from hcpcs_home import InvalidFieldError, RuleSetLoadError
        from hcpcs_home.policy import Rule, RuleSet, predicate

        with pytest.raises(InvalidFieldError, match="effective_through="):
            Rule(
                "x",
                "error",
                "m",
                "s",
                predicate("code_known"),
                effective_from=dt.date(2020, 1, 1),
                effective_through=dt.date(2019, 1, 1),
            )
        text = (
            '{"rules": [{"id": "x", "severity": "error", "message": "m", "source": "s", '
            '"when": "code_known", "effective_from": "2020-01-01", '
            '"effective_through": "2019-01-01"}]}'
        )
        with pytest.raises(RuleSetLoadError, match=r"\$\.rules\[0\]"):
            RuleSet.from_json(text, TEST_VOCAB)
