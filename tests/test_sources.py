"""Every source the package and its docs cite is a public document a user can follow.

The library grew from private working notes (four "seed" pages and a folder of
domain notes beside the checkout).  Users cannot read those, so nothing the
repository ships may cite them: a code row, a payer profile, a unit policy, a
doc page, a test's docstring or a benchmark names the public document instead
(CMS manual and section, transmittal, MAC article, state manual, or a
third-party page named as such).  This module is the one exception: it holds
the pattern and the forms it catches.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hcpcs_home import catalog, payers, units

ROOT = Path(__file__).resolve().parents[1]

#: Citations of notes that are not part of the project.  ``seed=7`` (a random
#: seed) is not one; ``seed 002`` is.  The notes' confidence tag ``[seed]`` is
#: lower case; ``[SEED]`` is a command line's random-seed argument.
PRIVATE_NOTE = re.compile(
    r"\bseed\s*0\d\d\b|(?-i:\[seed\])|\bseeds/|domain\s+readme|domain\s+notes|"
    r"readme\s*(?:§|s\.\s*\d|section)|shared/domain|shared/seeds|\.\./shared|/work/shared",
    re.IGNORECASE,
)

_TEXT_SUFFIXES = {".py", ".tsv", ".rst", ".txt", ".md", ".cfg", ".toml", ".json", ".csv"}

#: What is scanned: the package, its docs, tests, benchmarks, tools and examples,
#: and the top-level read-me and changelog.
_SCANNED = (
    "hcpcs_home",
    "docs",
    "tests",
    "benchmarks",
    "tools",
    "examples",
    "README.rst",
    "CHANGELOG.md",
)


def _files() -> list[Path]:
    found = []
    this = Path(__file__).resolve()
    for top in _SCANNED:
        start = ROOT / top
        for path in [start] if start.is_file() else sorted(start.rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if (
                path.is_file()
                and path.suffix in _TEXT_SUFFIXES
                and "/_build/" not in relative
                and path.resolve() != this
            ):
                found.append(path)
    return found


def _citations(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(ROOT).as_posix()
    return [
        f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)!r}"
        for m in PRIVATE_NOTE.finditer(text)
    ]


class TestSources:
    def test_pattern_finds_private_citations(self) -> None:
        """The pattern catches the forms the notes were cited in, and not a random seed."""
        for text in (
            "(seed 002)",
            "domain README §2.4",
            "README §6",
            "README s.6",
            "../shared/domain/README.md",
            "domain notes §3.6",
            "[seed]",
        ):
            assert PRIVATE_NOTE.search(text), text
        for text in (
            "synthetic_timesheet(300, seed=0)",
            "the same seed gives",
            "README.rst",
            "fuzz_edges.py [N] [SEED]",
        ):
            assert not PRIVATE_NOTE.search(text), text

    def test_no_private_note_is_cited(self) -> None:
        """No file of the package, docs, tests, benchmarks or tools cites a private note."""
        files = _files()
        names = {p.relative_to(ROOT).as_posix() for p in files}
        assert {"hcpcs_home/data/codes.tsv", "tests/test_rules.py", "README.rst"} <= names
        assert "tests/test_sources.py" not in names
        assert [] == [hit for path in files for hit in _citations(path)]

    def test_code_sources_are_public(self) -> None:
        """``lookup(code).source`` names public documents for every shipped code."""
        sources = {c.code: c.source for c in catalog.default_catalog().codes()}
        assert sources["S9124"]
        assert {} == {code: s for code, s in sources.items() if PRIVATE_NOTE.search(s)}

    @pytest.mark.parametrize("payer_id", sorted(payers.PROFILES))
    def test_payer_sources_are_public(self, payer_id: str) -> None:
        """A shipped payer profile and its unit policy cite public documents."""
        payer = payers.payer_profile(payer_id)
        assert payer.source
        assert not PRIVATE_NOTE.search(payer.source)
        assert not PRIVATE_NOTE.search(payer.unit_policy.source)

    def test_unit_policy_sources_are_public(self) -> None:
        """The shipped unit policies cite public documents."""
        policies = [v for v in vars(units).values() if isinstance(v, units.UnitPolicy)]
        assert units.MEDICARE in policies
        assert [] == [p.name for p in policies if PRIVATE_NOTE.search(p.source)]
