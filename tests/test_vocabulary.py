"""The engine's context is explicit: vocabularies are values, catalogs are passed in,
rule text is checked where it is loaded, explanations are built on request.
"""

from __future__ import annotations

import ast
import gc
import json
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import hcpcs_home
from hcpcs_home import Claim, ClaimLine, Service, check, payers, policy
from hcpcs_home.catalog import Catalog, default_catalog, load_cms_file
from hcpcs_home.errors import InvalidFieldError, RuleSetLoadError
from hcpcs_home.policy import Context, Explanation, Rule, RuleSet, Vocabulary
from hcpcs_home.rules import DEFAULT_RULES, VOCABULARY

PACKAGE = Path(hcpcs_home.__file__).resolve().parent


def claim(*lines: ClaimLine, payer: Any = payers.BCBS_TEXAS) -> Claim:
    return Claim(payer, "2024-03-01", "2024-03-31", lines=lines)


def rule(rule_id: str = "r", **kwargs: Any) -> Rule:
    kwargs.setdefault("when", VOCABULARY.predicate("code_prefix", prefix="S"))
    return Rule(rule_id, "error", kwargs.pop("message", "{code}"), "test", **kwargs)


class TestVocabularyIsAValue:
    def test_no_global_registry(self) -> None:
        """There is nothing to register into: policy offers no register functions."""
        assert not hasattr(policy, "register_predicate")
        assert not hasattr(policy, "register_fixer")

    def test_adding_makes_a_new_vocabulary(self) -> None:
        """with_predicate returns a new vocabulary and leaves the old one as it was."""
        mine = VOCABULARY.with_predicate("always", lambda: lambda ctx: True)
        assert "always" in mine.predicates
        assert "always" not in VOCABULARY.predicates
        with pytest.raises(TypeError):
            mine.predicates["other"] = lambda: None  # type: ignore[index]

    @pytest.mark.parametrize("name", ["units²", "two words", "", "1st", "a-b", None, "ünits"])
    def test_predicate_names_are_identifiers(self, name: Any) -> None:
        """A predicate name must be an ASCII identifier, wherever it comes in."""
        with pytest.raises(RuleSetLoadError, match="identifier"):
            Vocabulary().with_predicate(name, lambda: lambda ctx: True)
        with pytest.raises(RuleSetLoadError):
            VOCABULARY.predicate(name)

    @pytest.mark.parametrize("name", ["fix me", "", "-x", "ﬁx", 3])
    def test_fixer_names_are_kebab_case(self, name: Any) -> None:
        """A fixer name is a kebab-case ASCII name."""
        with pytest.raises(RuleSetLoadError, match="kebab-case"):
            Vocabulary().with_fixer(name, lambda ctx: (None, {}, {}))

    def test_joining_refuses_two_meanings_of_one_name(self) -> None:
        """Two vocabularies defining one name differently do not join."""
        a = Vocabulary().with_predicate("x", lambda: lambda ctx: True)
        b = Vocabulary().with_predicate("x", lambda: lambda ctx: False)
        with pytest.raises(InvalidFieldError, match="defined differently"):
            a | b
        assert set(VOCABULARY.predicates) == set((VOCABULARY | VOCABULARY).predicates)

    def test_a_union_is_the_vocabulary_its_entries_make(self) -> None:
        """``a | b`` (stored without checking its names again, #21) equals the vocabulary
        built from the same entries, and is as read-only."""
        a = Vocabulary().with_predicate("x", lambda: lambda ctx: True, header_level=True)
        b = Vocabulary().with_fixer("fix-x", lambda ctx: (None, {}, {}))
        joined = a | b
        assert Vocabulary({**a.predicates}, {**b.fixers}, {"x"}) == joined
        assert VOCABULARY == Vocabulary(
            dict(VOCABULARY.predicates), dict(VOCABULARY.fixers), VOCABULARY.header_level
        )
        with pytest.raises(TypeError):
            joined.predicates["y"] = lambda: lambda ctx: True  # type: ignore[index]
        union = VOCABULARY | Vocabulary()
        assert VOCABULARY == union == pickle.loads(pickle.dumps(union))

    def test_a_string_where_a_list_belongs(self) -> None:
        """``"classes": "34"`` is refused with the path, not read as classes 3 and 4."""
        text = DEFAULT_RULES.to_json(indent=None).replace('"classes": ["34"]', '"classes": "34"', 1)
        assert '"classes": "34"' in text
        with pytest.raises(RuleSetLoadError, match=r"\$\.rules\[\d+\]\.when.*list of texts"):
            RuleSet.from_json(text, VOCABULARY)


class TestRuleText:
    @pytest.mark.parametrize(
        "message",
        [
            "{code:>100000000}",
            "{payer.__class__}",
            "{line[0]}",
            "lone { brace",
            "{code!r}",
            "{0}",
            "{}",
        ],
    )
    def test_unsafe_templates_are_refused(self, message: str) -> None:
        """A message is text with plain ``{name}`` placeholders, nothing more."""
        with pytest.raises(InvalidFieldError):
            rule(message=message)
        data = {"rules": [{**rule().to_data(), "message": message}]}
        with pytest.raises(RuleSetLoadError, match=r"\$\.rules\[0\]"):
            RuleSet.from_data(data, VOCABULARY)

    def test_a_plain_template_fills_in(self) -> None:
        """The placeholders a rule may use are filled."""
        r = rule(message="{code} x{units} on {date} for {payer}")
        (finding,) = check(claim(ClaimLine("S9123", "2024-03-04", 2)), RuleSet([r]))
        assert "S9123 x2 on 2024-03-04 for Blue Cross and Blue Shield of Texas" == (finding.message)

    def test_an_unknown_placeholder_is_refused_when_the_rule_is_made(self) -> None:
        """A placeholder no finding can fill is refused, not shown to the biller as written."""
        with pytest.raises(InvalidFieldError, match=r"names \{nope\}, which a finding"):
            rule(message="{code} {nope}")
        with pytest.raises(InvalidFieldError, match=r"names \{code\}"):
            rule(message="{code}", scope="claim")

    def test_an_unknown_placeholder_in_a_saved_rule_is_a_load_error(self) -> None:
        """A saved rule whose message names an unknown placeholder does not load."""
        data = json.loads(RuleSet([rule(message="{code}")]).to_json())
        data["rules"][0]["message"] = "bad {nope}"
        with pytest.raises(RuleSetLoadError, match=r"\$\.rules\[0\].*\{nope\}"):
            RuleSet.from_json(json.dumps(data), VOCABULARY)

    def test_a_rule_argument_called_name_is_a_load_error(self) -> None:
        """An argument called ``name`` is a bad parameter, not a TypeError."""
        data = json.loads(RuleSet([rule(message="{code}")]).to_json())
        data["rules"][0]["when"] = {"name": "code_in", "args": {"name": "x", "codes": ["G0299"]}}
        with pytest.raises(RuleSetLoadError, match="bad parameters for 'code_in'"):
            RuleSet.from_json(json.dumps(data), VOCABULARY)
        with pytest.raises(RuleSetLoadError, match="bad parameters"):
            VOCABULARY.predicate("code_in", name="x", codes=["G0299"])

    def test_deep_nesting_is_refused_without_recursion_error(self) -> None:
        """A rule file nested thousands deep is the library's error."""
        text = '{"rules": [{"when": ' + '{"not": ' * 5000 + '"code_known"' + "}" * 5000 + "}]}"
        with pytest.raises(RuleSetLoadError, match="nests"):
            RuleSet.from_json(text, VOCABULARY)

    def test_saved_rules_without_the_vocabulary_entry(self) -> None:
        """Loading with a vocabulary that lacks a name the file uses names the path."""
        with pytest.raises(RuleSetLoadError, match=r"\$\.rules\[0\]\.(when|fix): unknown"):
            RuleSet.from_json(DEFAULT_RULES.to_json(), Vocabulary())


class TestPayerScoping:
    def test_a_rule_for_some_payers(self) -> None:
        """A rule scoped by payer id or kind fires for those payers only."""
        scoped = RuleSet([rule(payers=["medicaid", "bcbs-tx"])])
        line = ClaimLine("S9123", "2024-03-04", 2)
        assert ["r"] == check(claim(line), scoped).rule_ids()
        assert ["r"] == check(claim(line, payer=payers.TEXAS_MEDICAID_CSHCN), scoped).rule_ids()
        assert [] == check(claim(line, payer=payers.MEDICARE), scoped).rule_ids()

    def test_payers_must_be_a_list(self) -> None:
        """``payers="medicaid"`` is refused (it would read as seven one-letter ids)."""
        with pytest.raises(InvalidFieldError, match="payers"):
            rule(payers="medicaid")


class TestCatalogIsPassedIn:
    def test_a_smaller_catalog(self) -> None:
        """check() looks codes up in the catalog it is given."""
        line = ClaimLine("S9123", "2024-03-04", 2, revenue_code="0552")
        without = Catalog(c for c in default_catalog().codes() if c.code != "S9123")
        assert "unknown-code" not in check(claim(line)).rule_ids()
        assert "unknown-code" in check(claim(line), catalog=without).rule_ids()
        assert "unknown-code" not in check(claim(line)).rule_ids()  # nothing stuck

    def test_a_catalog_read_from_a_cms_file(self, cms_dir: Path) -> None:
        """A catalog loaded with load_cms_file works with check()."""
        cms = Catalog(load_cms_file(cms_dir / "HCPC2019_CONTR_ANWEB.txt"))
        line = ClaimLine("T2025", "2019-03-04", 1)
        assert "unknown-code" not in check(claim(line), catalog=cms).rule_ids()
        assert (
            "unknown-code"
            in check(claim(ClaimLine("T2099", "2019-03-04", 1)), catalog=cms).rule_ids()
        )

    def test_not_a_catalog(self) -> None:
        """Anything else as the catalog is the library's error."""
        with pytest.raises(InvalidFieldError, match="catalog"):
            check(claim(), catalog={"S9123": None})  # type: ignore[arg-type]


class TestLazyExplanations:
    def test_built_only_when_asked(self) -> None:
        """check() builds no explanation; explain() does, once."""
        calls: list[int] = []

        class Counting(policy.Leaf):
            __slots__ = ()

            def explain(self, ctx: Context) -> Explanation:
                calls.append(1)
                return super().explain(ctx)

        leaf = VOCABULARY.predicate("code_prefix", prefix="S")
        counting = Counting(leaf.name, dict(leaf.params), leaf._fn)
        (finding,) = check(
            claim(ClaimLine("S9123", "2024-03-04", 2)), RuleSet([rule(when=counting)])
        )
        assert [] == calls
        assert finding.explain().held and finding.explain() is finding.explain()
        assert [1] == calls

    def test_each_finding_explains_its_own_line(self) -> None:
        """An explanation asked for after the check is about the finding's line, not the
        last line checked (the check moves one context from line to line)."""
        units = VOCABULARY.predicate("units_above", limit=4)
        rules = RuleSet([rule(when=VOCABULARY.predicate("code_prefix", prefix="S") & ~units)])
        c = claim(ClaimLine("S9123", "2024-03-04", 2), ClaimLine("S9123", "2024-03-05", 9))
        (finding,) = check(c, rules)
        assert 0 == finding.line
        explained = finding.explain()
        assert explained.held
        assert [True, True] == [child.held for child in explained.children]

    def test_a_pickled_finding_keeps_its_explanation(self) -> None:
        """A finding sent to another process carries its explanation, not the claim."""
        (finding,) = check(claim(ClaimLine("S9123", "2024-03-04", 2)), RuleSet([rule()]))
        copy = pickle.loads(pickle.dumps(finding))
        assert finding == copy
        assert str(finding.explain()) == str(copy.explain())

    def test_a_per_day_finding_explains_after_the_check(self) -> None:
        """A rule over facts of the whole claim (a per-diem code twice on one day)
        explains itself later, working the facts out again: the finding does not keep
        them."""
        lines = [ClaimLine("S9129", "2024-03-04", 1), ClaimLine("S9129", "2024-03-04", 1)]
        (finding,) = [f for f in check(claim(*lines)) if f.rule_id == "per-diem-day-exceeded"]
        assert 1 == finding.line
        assert finding.explain().held
        assert "per_diem_day_ok" in str(finding.explain())

    def test_a_frozen_context_copies_every_slot(self) -> None:
        """The copy a finding keeps holds every fact of its line (a slot added to Context
        and forgotten in ``frozen`` would make explanations fail)."""
        c = claim(ClaimLine("S9123", "2024-03-04", 2), ClaimLine("S9124", "2024-03-05", 1))
        (finding,) = [f for f in check(c, RuleSet([rule()])) if f.line == 1]
        kept = finding._context.ctx  # type: ignore[union-attr]
        for name in Context.__slots__:
            assert hasattr(kept, name), name
        assert (1, "S9124", False) == (kept.index, kept.line.code, kept._moving)

    def test_a_predicate_may_keep_a_frozen_context(self) -> None:
        """``Context.frozen()`` (public) gives a context whose claim memo works: a custom
        predicate that keeps one can read the claim's services from it later."""
        kept: list[Context] = []

        def keep() -> Any:
            def test(ctx: Context) -> bool:
                kept.append(ctx.frozen())
                return False

            return test

        vocab = VOCABULARY.with_predicate("test_keep", keep)
        service = Service("S9123", "2024-03-04", minutes=60, id="v1")
        line = ClaimLine("S9123", "2024-03-04", 1, service_ids=["v1"])
        c = Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-31", lines=[line], services=[service])
        check(c, RuleSet([rule(when=vocab.predicate("test_keep"))], vocabulary=vocab))
        assert ["v1"] == list(kept[0].services_by_id())
        assert {} == {k: v for k, v in kept[0].claim_memo.items() if k != "services_by_id"}

    def test_kept_findings_stay_small(self) -> None:
        """A batch keeps its reports: a finding holds a few objects (the finding, a copy
        of its line's context, the explainer and its fix), not the facts the check
        derived for the claim."""
        # Dated within the bundled CMS release, so the claims draw no release-out-of-date note:
        # the line findings are what is measured.
        lines = [ClaimLine("S9129", "2020-11-04", 1), ClaimLine("S9129", "2020-11-04", 1)]
        claims = [
            Claim(payers.BCBS_TEXAS, "2020-11-01", "2020-11-30", lines=lines) for _ in range(200)
        ]
        check(claims[0])  # the plan and the catalog's caches, made once
        gc.collect()
        before = len(gc.get_objects())
        kept = [check(c) for c in claims]
        gc.collect()
        findings = sum(len(r) for r in kept)
        assert findings >= 200
        assert (len(gc.get_objects()) - before) / findings < 6  # 8.5 before it was made small


class TestNoImportCycle:
    def test_the_package_imports_form_no_cycle(self) -> None:
        """Following every import of every module (those inside functions too; not
        those under ``if TYPE_CHECKING:``), no module of the package reaches itself again."""
        graph: dict[str, set[str]] = {}
        for path in PACKAGE.rglob("*.py"):
            module = ".".join(("hcpcs_home", *path.relative_to(PACKAGE).with_suffix("").parts))
            module = module.removesuffix(".__init__")
            is_package = path.name == "__init__.py"
            graph[module] = set()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            typing_only = {
                id(inner)
                for block in ast.walk(tree)
                if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                for inner in ast.walk(block)
            }
            for node in ast.walk(tree):
                if id(node) in typing_only:  # annotations only, never run
                    continue
                if isinstance(node, ast.ImportFrom) and node.level:
                    base = module if is_package else module.rsplit(".", 1)[0]
                    for _ in range(node.level - 1):
                        base = base.rsplit(".", 1)[0]
                    if node.module:  # from .mod import X: mod, and X where it is a module
                        target = f"{base}.{node.module}"
                        graph[module].add(target)
                    else:  # from . import X: the sibling modules X, not the package
                        target = base
                    graph[module].update(f"{target}.{a.name}" for a in node.names)
                elif isinstance(node, ast.Import):
                    graph[module].update(a.name for a in node.names)
        # The package's own __init__ loads names lazily by design (PEP 562); what
        # matters is that the modules below it do not need each other in a loop.
        graph.pop("hcpcs_home", None)
        for deps in graph.values():
            deps.intersection_update(graph)
            deps.discard("hcpcs_home")

        def cycle_from(start: str) -> list[str] | None:
            stack = [(start, [start])]
            seen = set()
            while stack:
                node, path = stack.pop()
                for nxt in graph.get(node, ()):
                    if nxt == start:
                        return [*path, nxt]
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append((nxt, [*path, nxt]))
            return None

        assert [] == [c for m in sorted(graph) if (c := cycle_from(m))]


class TestThreads:
    def test_eight_threads_load_rule_sets_in_a_fresh_process(self) -> None:
        """Loading and using rule sets from 8 threads at once, first thing in a new
        process, never fails."""
        script = textwrap.dedent(
            """
            import threading
            from hcpcs_home.rules import load_rules
            from hcpcs_home.edits import load_edits
            import sys
            text, edits = sys.argv[1], sys.argv[2]
            errors = []
            def work():
                try:
                    from hcpcs_home import Claim, ClaimLine, check, payers
                    rules = load_rules(text)
                    load_edits(edits)
                    c = Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", type_of_bill="0329",
                              lines=[ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551")])
                    check(c, rules)
                except Exception as exc:
                    errors.append(repr(exc))
            threads = [threading.Thread(target=work) for _ in range(8)]
            for t in threads: t.start()
            for t in threads: t.join()
            print(len(errors), errors[:1])
            """
        )
        edits = Path(__file__).resolve().parents[1] / "examples" / "edits.csv"
        for _ in range(3):
            done = subprocess.run(
                [sys.executable, "-c", script, DEFAULT_RULES.to_json(), str(edits)],
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert ("0 []", "") == (done.stdout.strip(), done.stderr)


class TestDuplicateLinesAtScale:
    def test_eight_thousand_same_day_lines(self) -> None:
        """8,000 lines of one code on one day: each that repeats a service is found,
        pointing at the first line of that service (one pass, not a pairwise scan)."""
        services = [Service("T1019", "2024-03-04", minutes=15, id=f"s{i}") for i in range(4000)]
        lines = [
            ClaimLine("T1019", "2024-03-04", 1, service_ids=[f"s{i % 4000}"]) for i in range(8000)
        ]
        c = Claim(
            payers.TEXAS_MEDICAID_CSHCN, "2024-03-01", "2024-03-31", lines=lines, services=services
        )
        only = RuleSet([DEFAULT_RULES["duplicate-line"]])
        found = [(f.line, f.message) for f in check(c, only)]
        assert list(range(4000, 8000)) == [line for line, _ in found]
        assert "line repeats line 1:" in found[0][1]
