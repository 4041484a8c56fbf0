"""Tests for the public API declaration: __all__, __dir__, lazy imports, import cost."""

from __future__ import annotations

import importlib
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import hcpcs_home

MODULES = [
    "bounds",
    "catalog",
    "claims",
    "cli",
    "codes",
    "dask",
    "dataframes",
    "errors",
    "evv",
    "formats",
    "history",
    "hospice",
    "limits",
    "modifiers",
    "payers",
    "payment",
    "pdgm",
    "policy",
    "rif",
    "rules",
    "ub04",
    "x12",
    "x12_files",
    "serialize",
    "strategies",
    "units",
]
DOCS = Path(__file__).resolve().parents[1] / "docs"
#: Modules a check of one claim read from JSON does not import (#21): each loads on the
#: first use that needs it.
LAZY_FOR_A_CHECK = (
    "cattrs",
    "csv",
    "hashlib",
    "hcpcs_home._engine.explanation",
    "hcpcs_home._engine.tables",
    "hcpcs_home._evv_overlap",
    "hcpcs_home._limit_problem",
    "hcpcs_home._span",
    "hcpcs_home.history",
    "hcpcs_home.history._records",
    "hypothesis",
    "sqlite3",
    "string",
)

#: A Medicare home-health claim a first check reads from JSON in the tests below.
FIRST_CLAIM = (
    '{"payer": "medicare", "statement_from": "2024-03-01", '
    '"statement_through": "2024-03-31", "type_of_bill": "0322", "lines": '
    '[{"code": "G0299", "units": 4, "date": "2024-03-04", "revenue_code": "0551"}]}'
)


def after_first_check(code: str) -> str:
    """What ``code`` prints in a fresh process, run after that process's first check
    (``check(claim_from_json(FIRST_CLAIM))``, its report in ``report``)."""
    first = (
        "import sys\n"
        "from hcpcs_home import check\n"
        "from hcpcs_home.serialize import claim_from_json\n"
        f"report = check(claim_from_json({FIRST_CLAIM!r}))\n"
        "assert report.claim.lines\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", first + code], capture_output=True, text=True, check=True
    )
    return done.stdout


class TestAll:
    def test_every_name_resolves(self) -> None:
        """Every name in hcpcs_home.__all__ can be imported from the package."""
        assert [] == [n for n in hcpcs_home.__all__ if not hasattr(hcpcs_home, n)]

    def test_dir_is_all(self) -> None:
        """dir(hcpcs_home) shows the public API and nothing else (tab completion)."""
        assert sorted(hcpcs_home.__all__) == sorted(dir(hcpcs_home))

    @pytest.mark.parametrize("name", MODULES)
    def test_module_all_is_exact(self, name: str) -> None:
        """Each public module's __all__ lists exactly its public, locally defined names."""
        module = importlib.import_module(f"hcpcs_home.{name}")
        defined = {
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and getattr(v, "__module__", None) == module.__name__
            and (callable(v) or isinstance(v, type))
        }
        assert set() == defined - set(module.__all__)
        assert [] == [n for n in module.__all__ if not hasattr(module, n)]
        assert sorted(module.__all__) == sorted(dir(module))

    @pytest.mark.parametrize("name", MODULES)
    def test_module_has_a_docs_page(self, name: str) -> None:
        """Each public module is documented by one automodule directive on a page of its own."""
        pages = [
            p
            for p in DOCS.glob("*.rst")
            if f".. automodule:: hcpcs_home.{name}\n" in p.read_text("utf-8")
        ]
        assert 1 == len(pages)
        others = {
            m
            for m in MODULES
            if m != name and f".. automodule:: hcpcs_home.{m}\n" in pages[0].read_text("utf-8")
        }
        assert set() == others

    def test_unknown_attribute(self) -> None:
        """A misspelt top-level name is an AttributeError naming it."""
        with pytest.raises(AttributeError, match="'lookpu'"):
            hcpcs_home.lookpu  # noqa: B018


class TestImportCost:
    def test_import_is_lazy(self) -> None:
        """import hcpcs_home loads neither attrs classes, cattrs, hypothesis nor data."""
        code = (
            "import sys, hcpcs_home; "
            "print(sorted(m for m in ('cattrs', 'hypothesis', 'hcpcs_home.claims', "
            "'hcpcs_home.policy', 'hcpcs_home.catalog') if m in sys.modules))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "[]\n" == done.stdout

    def test_first_check_is_lean(self) -> None:
        """A fresh process's first check (a claim read from JSON) loads none of what a
        check of one claim does not need: the claim history store (sqlite3, hashlib),
        cattrs, csv, the format maps, the 837 and frame readers, hypothesis (#21)."""
        code = f"print(sorted(m for m in {LAZY_FOR_A_CHECK!r} if m in sys.modules))\n"
        assert "[]\n" == after_first_check(code)

    def test_first_check_compiles_no_equality_or_repr(self) -> None:
        """A first check has attrs write only the value types' ``__init__``: no ``__eq__``,
        ``__hash__`` or ``__repr__`` of the package's classes is compiled (they are written
        on first use: hcpcs_home._values) (#21)."""
        code = (
            "import linecache\n"
            "print(sorted(f'{name} {line[4:12]}' for name, entry in linecache.cache.items()\n"
            "             if name.startswith('<attrs generated') and 'hcpcs_home' in name\n"
            "             for line in entry[2]\n"
            "             if line.startswith(('def __eq__', 'def __hash__', 'def __repr__'))))\n"
        )
        assert "[]\n" == after_first_check(code)

    def test_a_table_rule_unpickles_in_a_fresh_process(self) -> None:
        """TableRule, defined on first use, is found by a pickle loaded in a process
        that has not used it yet (as a worker of a process pool has not), under its
        public name hcpcs_home.policy.TableRule (#21)."""
        from hcpcs_home.policy import Rule, RuleSet, TableRule
        from hcpcs_home.rules import VOCABULARY

        p = VOCABULARY.predicate
        row = Rule(
            "t-row", "error", "{code} row", "payer manual 4.2", p("code_in", codes=["T1019"])
        )
        rules = RuleSet((TableRule("t-table", [row], source="Acme"),), vocabulary=VOCABULARY)
        code = (
            "import pickle, sys\n"
            "rules = pickle.loads(sys.stdin.buffer.read())\n"
            "table = rules.rules[0]\n"
            "print(type(table).__module__, type(table).__qualname__, [r.id for r in rules])\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], input=pickle.dumps(rules), capture_output=True, check=True
        )
        assert b"hcpcs_home.policy TableRule ['t-row']\n" == done.stdout
        assert "hcpcs_home.policy" == TableRule.__module__

    def test_first_check_defines_no_value_it_does_not_build(self) -> None:
        """A first check that finds no table row, limit passed or overlapping worker and
        explains nothing does not define TableRule, LimitProblem, Overlap, Span or
        Explanation: each is defined on first use (#21)."""
        code = (
            "names = [('hcpcs_home.policy', 'TableRule'), ('hcpcs_home._engine', 'TableRule'),\n"
            "         ('hcpcs_home.policy', 'Explanation'),\n"
            "         ('hcpcs_home._engine', 'Explanation'),\n"
            "         ('hcpcs_home.limits', 'LimitProblem'), ('hcpcs_home.evv', 'Overlap'),\n"
            "         ('hcpcs_home.units', 'Span')]\n"
            "print([f'{m}.{n}' for m, n in names if n in vars(sys.modules[m])])\n"
        )
        assert "[]\n" == after_first_check(code)

    def test_values_defined_on_first_use_unpickle_in_a_fresh_process(self) -> None:
        """LimitProblem, Overlap, Span and Explanation, defined on first use, load from a
        pickle in a process that has not used them yet, under their public modules, and
        star imports give them (#21)."""
        import datetime as dt

        from hcpcs_home.evv import Overlap
        from hcpcs_home.limits import LimitProblem
        from hcpcs_home.policy import Explanation
        from hcpcs_home.units import Span

        values = [
            LimitProblem("PA1", "over", 3),
            Overlap(0, "v1", 1, "v2", "W7"),
            Span(dt.datetime(2026, 1, 1, 22), dt.datetime(2026, 1, 2, 6)),
            Explanation("p & q", False, (Explanation("p", True),)),
        ]
        code = (
            "import pickle, sys\n"
            "values = pickle.loads(sys.stdin.buffer.read())\n"
            "print([f'{type(v).__module__}.{type(v).__qualname__}' for v in values])\n"
            "from hcpcs_home.limits import *\n"
            "from hcpcs_home.evv import *\n"
            "from hcpcs_home.policy import *\n"
            "from hcpcs_home.units import *\n"
            "print(values == [LimitProblem('PA1', 'over', 3), Overlap(0, 'v1', 1, 'v2', 'W7'),\n"
            "                 Span.from_clock(__import__('datetime').date(2026, 1, 1), '22:00',\n"
            "                                 '06:00'),\n"
            "                 Explanation('p & q', False, (Explanation('p', True),))])\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            input=pickle.dumps(values),
            capture_output=True,
            check=True,
        )
        assert [
            "['hcpcs_home.limits.LimitProblem', 'hcpcs_home.evv.Overlap', "
            "'hcpcs_home.units.Span', "
            "'hcpcs_home.policy.Explanation']",
            "True",
        ] == done.stdout.decode().splitlines()

    def test_first_check_defines_no_private_attrs_records(self) -> None:
        """The private records of the modules a first check imports are plain slotted
        classes: attrs compiles methods for public values only, and no NamedTuple
        compiles a constructor and its annotations at import (#21)."""
        code = (
            "import attrs\n"
            "mods = [m for n, m in list(sys.modules.items()) if n.startswith('hcpcs_home')]\n"
            "print(sorted(f'{m.__name__}.{k}' for m in mods for k, t in vars(m).items()\n"
            "    if isinstance(t, type) and t.__module__ == m.__name__ and k.startswith('_')\n"
            "    and (attrs.has(t) or (issubclass(t, tuple) and hasattr(t, '_fields')))))\n"
        )
        assert "[]\n" == after_first_check(code)

    def test_first_check_compiles_no_plan(self) -> None:
        """A fresh process's first check interprets its plan: no line checker is written
        and compiled until the plan has checked ``plans.COMPILE_AFTER`` claims (#21)."""
        claim = (
            '{"payer": "bcbs-tx", "statement_from": "2024-03-01", '
            '"statement_through": "2024-03-31", "lines": '
            '[{"code": "S9123", "units": 2, "date": "2024-03-04"}]}'
        )
        code = (
            "import linecache\n"
            "from hcpcs_home import check\n"
            "from hcpcs_home._engine import plans\n"
            "from hcpcs_home.serialize import claim_from_json\n"
            f"claim = claim_from_json({claim!r})\n"
            "def compiled():\n"
            "    return sum(f.startswith('<hcpcs_home line rules ') for f in linecache.cache)\n"
            "first = [check(claim).findings for _ in range(plans.COMPILE_AFTER)]\n"
            "print(compiled())\n"
            "later = [check(claim).findings for _ in range(2)]\n"
            "print(compiled(), all(f == first[0] for f in first + later), len(first[0]))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        lines = done.stdout.splitlines()
        assert "0" == lines[0]
        compiled, same, findings = lines[1].split()
        assert ("1", "True") == (compiled, same)
        assert int(findings) > 0

    def test_version_is_a_literal(self) -> None:
        """__version__ is in the package itself (vendored copies have no metadata)."""
        source = Path(hcpcs_home.__file__).read_text("utf-8")
        assert f'__version__ = "{hcpcs_home.__version__}"' in source
