"""Fuzzing the entry points that take outside input: only the library's errors, no hangs.

Each test feeds generated or mutated input (claim JSON text and documents,
X12 service-line segments, whole 837 files, rule-set JSON, the value
constructors) and asserts that whatever escapes is an
:class:`~hcpcs_home.errors.HcpcsError`, and that no single input takes more
than two seconds of CPU time (a generous hang guard, not a timing test: the
slowest honest input takes milliseconds; CPU time, so a busy machine does
not trip it).  Input that loads is pushed on through
every writer (JSON, UB-04 CSV, X12) and :func:`~hcpcs_home.check`, because
a value that loads and then breaks a writer is the same bug found later.

RIF claim files (CCW's revenue-center rows) are fuzzed too.  The ``ci``
profile of ``tests/conftest.py`` runs more examples;
``benchmarks/fuzz_edges.py`` is the standalone seeded run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rif import HEADER, clean_rows

from hcpcs_home import (
    Authorization,
    Claim,
    ClaimLine,
    HcpcsError,
    Payer,
    RuleSet,
    Service,
    check,
    ub04,
    x12,
)
from hcpcs_home.rif import RifError, read_claims
from hcpcs_home.rules import VOCABULARY, default_rules
from hcpcs_home.serialize import claim_from_data, claim_from_json, claim_to_json
from hcpcs_home.units import Span

EXAMPLE = (Path(__file__).resolve().parents[1] / "examples" / "claim.json").read_text("utf-8")
HANG_GUARD = 2.0

#: Text that has broken parsers before: huge exponents, deep brackets, other
#: scripts' digits, control characters, lone surrogates, line separators.
NASTY = [
    "1e9999999",
    "-1e-9999999",
    "9" * 40,
    "[" * 200,
    "{" * 200,
    '"',
    "\\",
    "\\u0000",
    "\\ud800",
    "\u2028",
    "\x00",
    "\u0663\u0662",
    "\uff11",
    "9999-12-31",
    "0001-01-01",
    "NaN",
    "-Infinity",
    "0.001",
    "-0",
    "null",
    "true",
    "[]",
    "{}",
    "1_000",
]

junk_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**40), 10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(NASTY),
)
junk_json = st.recursive(
    junk_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@contextmanager
def only_library_errors() -> Iterator[None]:
    """Fail on any exception outside the library's hierarchy, or an input over 2 s.

    Fuzzed input may be valid, so a library error is allowed here (junk tests
    elsewhere assert that specific junk is refused); the error must still be
    usable: a message, and a copy through pickle, as backends need.
    """
    started = time.process_time()
    try:
        yield
    except HcpcsError as exc:
        assert str(exc)
        assert str(exc) == str(pickle.loads(pickle.dumps(exc)))
    elapsed = time.process_time() - started
    assert elapsed < HANG_GUARD, f"one input took {elapsed:.1f} s of CPU"


# Load the catalog, rules and converters once, so no input pays for first use.
check(claim_from_json(EXAMPLE))


def writers(claim: Claim) -> None:
    """Push a loaded claim through every writer and the checker (library errors allowed)."""
    for write in (
        lambda: claim_from_json(claim_to_json(claim)) == claim,
        lambda: ub04.to_csv(claim),
        lambda: x12.service_lines(claim),
        lambda: check(claim),
    ):
        with only_library_errors():
            write()


def mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with each (position, length deleted, inserted text) edit applied in turn."""
    for at, cut, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + cut :]
    return text


edits = st.lists(
    st.tuples(
        st.integers(0, 10**6),
        st.integers(0, 12),
        st.sampled_from(NASTY) | st.text(max_size=6) | st.sampled_from(list(',:[]{}"0')),
    ),
    min_size=1,
    max_size=4,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*prefix, i))
    return found


DOCUMENT = json.loads(EXAMPLE)
PATHS = _paths(DOCUMENT)[1:]


def replaced(path: tuple[Any, ...], value: Any) -> Any:
    """A copy of the example document with the value at ``path`` replaced."""
    doc = json.loads(EXAMPLE)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


class TestClaimJson:
    @given(edits)
    def test_mutated_example(self, changes: list[tuple[int, int, str]]) -> None:
        """The example claim's text with random edits loads or is refused, never crashes."""
        claim = None
        with only_library_errors():
            claim = claim_from_json(mutate(EXAMPLE, changes))
        if claim is not None:
            writers(claim)

    @given(st.sampled_from(PATHS), junk_json)
    def test_one_field_replaced(self, path: tuple[Any, ...], value: Any) -> None:
        """Any one value of the example replaced by junk loads or is refused, never crashes."""
        claim = None
        with only_library_errors():
            claim = claim_from_data(replaced(path, value))
        if claim is not None:
            writers(claim)

    @given(st.text() | st.binary())
    def test_junk_text(self, text: str | bytes) -> None:
        """Arbitrary text and bytes are refused with the library's errors."""
        with only_library_errors():
            claim_from_json(text)


SV2_LOOP = "LX*1~SV2*0551*HC:G0299:GP*150.25*UN*4~DTP*472*D8*20240304~"
SV1_LOOP = "LX*1~SV1*HC:T1019:U1*40*UN*8*12**1:2~DTP*472*RD8*20240304-20240304~"
CLAIM_LOOP = (
    "CLM*HH1*150***32:A:9~DTP*434*RD8*20240301-20240330~HI*BG:54~HI*BH:50:D8:20240228~"
    "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~"
)
segment_parts = st.lists(
    st.sampled_from(["LX", "SV1", "SV2", "DTP", "472", "D8", "RD8", "HC", "UN", "DA", "MJ"])
    | st.sampled_from(NASTY)
    | st.text(alphabet="0123456789.-*:~ AZ", max_size=12),
    max_size=12,
)


class TestX12:
    @given(st.sampled_from([SV2_LOOP, SV1_LOOP]), edits)
    def test_mutated_loops(self, loop: str, changes: list[tuple[int, int, str]]) -> None:
        """Mutated loop-2400 text parses or is refused; what parses writes back."""
        lines: list[ClaimLine] = []
        with only_library_errors():
            lines = x12.parse_service_lines(mutate(loop, changes))
        for number, line in enumerate(lines, start=1):
            with only_library_errors():
                x12.service_line(line, number, institutional=line.revenue_code is not None)

    @given(edits)
    def test_mutated_claim(self, changes: list[tuple[int, int, str]]) -> None:
        """A mutated 837I claim loop (loop 2300 and its lines) reads or is refused."""
        claim = None
        with only_library_errors():
            claim = x12.parse_claim(mutate(CLAIM_LOOP, changes))
        if claim is not None:
            writers(claim)

    @given(segment_parts, st.sampled_from(["*", "|"]))
    def test_segments_from_parts(self, parts: list[str], element: str) -> None:
        """Segments assembled from X12 words and junk never crash the segment readers."""
        text = element.join(parts)
        for read in (
            lambda: x12.parse_sv2(text, date="2024-03-04"),
            lambda: x12.parse_sv1(text, date="2024-03-04"),
            lambda: x12.parse_service_line(text),
        ):
            with only_library_errors():
                read()


class TestRead837:
    @settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
    @given(edits)
    def test_mutated_file(self, changes: list[tuple[int, int, str]]) -> None:
        """A generated 837I with random edits reads or is refused with the library's errors."""
        generate = pytest.importorskip("x12sdk.generate")
        from hcpcs_home.x12_files import read_837

        text = generate.generate_837i(seed=5, claims=1)
        with only_library_errors():
            read_837(mutate(text, [(at + 106, cut, s) for at, cut, s in changes]), payer="medicare")


def _rif_text() -> str:
    """The clean RIF rows of ``test_rif`` as pipe-delimited text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, delimiter="|", lineterminator="\n")
    writer.writeheader()
    writer.writerows(clean_rows())
    return out.getvalue()


RIF_TEXT = _rif_text()


class TestRif:
    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(edits)
    def test_mutated_rows(self, changes: list[tuple[int, int, str]]) -> None:
        """A RIF file with random edits yields claims and RifErrors, never a crash."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "claims.rif"
            path.write_text(mutate(RIF_TEXT, changes), "utf-8", errors="surrogatepass")
            found: list[object] = []
            with only_library_errors():
                found = list(read_claims(path))
        for item in found:
            assert isinstance(item, (Claim, RifError))
            if isinstance(item, Claim):
                writers(item)


RULES_JSON = default_rules().to_json(indent=None)


class TestRuleSetJson:
    @given(edits)
    def test_mutated_rules(self, changes: list[tuple[int, int, str]]) -> None:
        """The default rules' JSON with random edits loads or is refused."""
        with only_library_errors():
            RuleSet.from_json(mutate(RULES_JSON, changes), VOCABULARY)


anything = junk_json | st.dates() | st.datetimes() | st.decimals() | st.times()


class TestConstructors:
    @given(st.fixed_dictionaries({}, optional={n: anything for n in ("code", "date", "units")}))
    def test_claim_line(self, kwargs: dict[str, Any]) -> None:
        """ClaimLine with junk arguments is built or refused with the library's errors."""
        args = {"code": "G0299", "date": "2024-03-04", "units": 1, **kwargs}
        for extra in ({}, {"revenue_code": kwargs.get("units")}, {"charge": kwargs.get("date")}):
            with only_library_errors():
                ClaimLine(**{**args, **extra})

    @given(st.sampled_from(["start", "stop", "minutes", "rendering_npi", "diagnoses"]), anything)
    def test_service(self, field: str, value: Any) -> None:
        """Service with one junk argument is built or refused with the library's errors."""
        with only_library_errors():
            Service("G0299", "2024-03-04", **{field: value})

    @given(st.sampled_from(["units", "basis", "start", "used", "codes"]), anything)
    def test_authorization(self, field: str, value: Any) -> None:
        """Authorization with one junk argument is built or refused."""
        args: dict[str, Any] = {
            "number": "PA1",
            "payer": "p",
            "codes": ["S9123"],
            "units": 10,
            "basis": "units",
            "start": "2024-03-01",
            "end": "2024-03-31",
        }
        with only_library_errors():
            Authorization(**{**args, field: value})

    @given(st.sampled_from(["id", "name", "kind", "source"]), anything)
    def test_payer(self, field: str, value: Any) -> None:
        """Payer with one junk argument is built or refused; a built one checks a claim."""
        payer = None
        with only_library_errors():
            payer = Payer(**{"id": "p", "name": "P", "kind": "other", field: value})
        if payer is not None:
            writers(Claim(payer, "2024-03-01", "2024-03-02"))

    @given(st.dates(), anything, anything)
    def test_span_from_clock(self, day: dt.date, start: Any, stop: Any) -> None:
        """Span.from_clock on any date and junk times is built or refused (no OverflowError)."""
        for times in ((start, stop), ("22:00", "06:00")):
            with only_library_errors():
                Span.from_clock(day, *times)

    @given(anything)
    def test_decimal_fields(self, value: Any) -> None:
        """Units and charges from anything are converted within bounds or refused."""
        builders: list[Callable[[], object]] = [
            lambda: ClaimLine("G0299", "2024-03-04", value),
            lambda: ClaimLine("G0299", "2024-03-04", 1, charge=value),
        ]
        for build in builders:
            line = None
            with only_library_errors():
                line = build()
            if isinstance(line, ClaimLine):
                assert isinstance(line.units, (int, Decimal)) and line.units >= 0
