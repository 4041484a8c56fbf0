"""Seeded fuzzing of every entry point that takes outside input.

Run with ``python benchmarks/fuzz_edges.py [N] [SEED]`` (10,000 inputs and
seed 20261201 by default).  Each input goes to one entry point, chosen in
turn: claim JSON text (the example with random edits, or junk text and
bytes), claim documents with one value replaced by junk, RIF claim files
(CCW's revenue-center rows), loop-2400 X12 text
and single segments, whole 837 files (when x12sdk is installed), rule-set
JSON and the value constructors (``ClaimLine``, ``Service``,
``Authorization``, ``Payer``, ``Span.from_clock``), payer edit files
(``load_edits``), numbers as ``Decimal`` and huge ints (``billable_units``,
``units_for_many``, line units and charges, authorizations), and the
``hcpcs-home`` command line (random options over a JSON-lines batch with
mutated records).  Whatever loads is pushed through ``claim_to_json``,
``ub04.to_csv``, ``x12.service_lines`` and ``check()``.

It prints the number of inputs, the exceptions from outside the library's
hierarchy (with the first input of each kind), the inputs that took over
two seconds of CPU time (CPU, so a busy machine does not inflate the count),
and the records lost: a command-line check of a batch must report every
record it read (one JSON object per non-blank input line, and a summary
counting them), and exit 0, 1 or 2.
An input still running after a minute is a hang: the run stops there and
prints every thread's traceback (``faulthandler``).  Exit status 1 when
anything was found.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import faulthandler
import io
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

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
from hcpcs_home.cli import main as cli_main
from hcpcs_home.edits import load_edits
from hcpcs_home.rif import read_claims
from hcpcs_home.rules import VOCABULARY, default_rules
from hcpcs_home.serialize import claim_from_data, claim_from_json, claim_to_json
from hcpcs_home.units import Span, billable_units, units_for_many

SLOW = 2.0
HANG = 60.0
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXAMPLE = (EXAMPLES / "claim.json").read_text("utf-8")
EDITS = (EXAMPLES / "edits.csv").read_text("utf-8")
BATCH = [line for line in (EXAMPLES / "claims.jsonl").read_text("utf-8").splitlines() if line]
#: Numbers that have cost time or escaped before: huge exponents, NaNs, digits past str().
NUMBERS: list[object] = [
    Decimal("1e300000"),
    Decimal("-1e300000"),
    Decimal("1e-300000"),
    Decimal("1e9999999"),
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("-Infinity"),
    Decimal("-0"),
    Decimal("9" * 5000),
    Decimal("0.001"),
    Decimal("1440.0"),
    Decimal("1441"),
    10**5000,
    -(10**5000),
    2**63,
    1e308,
    float("nan"),
]
#: Command-line options (with their values) the CLI fuzzer draws from.
OPTIONS = [
    ["--json"],
    ["--quiet"],
    ["--format", "jsonl"],
    ["--format", "json"],
    ["--format", "csv"],
    ["--format", "rif"],
    ["--format", "nope"],
    ["--payer", "medicare"],
    ["--payer", "tx-medicaid"],
    ["--payer", "\x00"],
    ["--type-of-bill", "0329"],
    ["--type-of-bill", "9" * 40],
    ["--edits", "/dev/zero"],
    ["--edits", "/nonexistent"],
    ["--rules", "/dev/null"],
    ["--no-default-rules"],
    ["--output", "jsonl"],
    ["--output", "csv"],
    ["--batch"],
    ["-"],
]
RULES = default_rules().to_json(indent=None)
LOOPS = [
    "LX*1~SV2*0551*HC:G0299:GP*150.25*UN*4~DTP*472*D8*20240304~",
    "LX*1~SV1*HC:T1019:U1*40*UN*8*12**1:2~DTP*472*RD8*20240304-20240304~",
]
CLAIM_LOOP = (
    "CLM*HH1*150***32:A:9~DTP*434*RD8*20240301-20240330~HI*BG:54~HI*BH:50:D8:20240228~"
    "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~"
)
NASTY = [
    "1e9999999",
    "-1e-9999999",
    "9" * 40,
    "[" * 200,
    "{" * 200,
    "[" * 100_000 + "]" * 100_000,
    '"',
    "\\",
    "\\u0000",
    "\\ud800",
    "\u2028",
    "\x00",
    "\ud800",
    "\u0663\u0662",
    "\uff11",
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2024-W10-1",
    "NaN",
    "-Infinity",
    "0.001",
    "-0",
    "0",
    "null",
    "true",
    "[]",
    "{}",
    "1_000",
    "24:00",
    "99:99",
    "G0299",
    "0329",
    "1234567893",
]
#: A RIF home-health claim file in CCW's layout: one claim, four revenue-center rows.
RIF = """\
CLM_ID|NCH_CLM_TYPE_CD|CLM_FROM_DT|CLM_THRU_DT|CLM_FAC_TYPE_CD|CLM_SRVC_CLSFCTN_TYPE_CD|CLM_FREQ_CD|\
REV_CNTR|REV_CNTR_DT|HCPCS_CD|HCPCS_1ST_MDFR_CD|REV_CNTR_UNIT_CNT|REV_CNTR_TOT_CHRG_AMT
A1|10|01-Mar-2024|30-Mar-2024|3|2|9|0551|01-Mar-2024|Q5001||1|0.01
A1|10|01-Mar-2024|30-Mar-2024|3|2|9|0551|01-Mar-2024|G0299||4|150.00
A1|10|01-Mar-2024|30-Mar-2024|3|2|9|0421|05-Mar-2024|G0151|GP|3|145.50
A1|10|01-Mar-2024|30-Mar-2024|3|2|9|0001|||||295.51
"""
WORDS = ["LX", "SV1", "SV2", "DTP", "472", "D8", "RD8", "HC", "UN", "DA", "MJ", "*", ":", "~"]


#: How many command-line runs had their records counted (the lost-record check is not vacuous).
COUNTED: collections.Counter[str] = collections.Counter()


class RecordsLost(Exception):
    """A command-line run that did not report every record it read (or exited oddly)."""


class Junk:
    """Random junk values and edits from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def text(self) -> str:
        r = self.rng
        size = r.choice([0, 1, 3, 8, 30])
        pool = r.choice(
            [
                "0123456789",
                "abcXYZ-:./ ",
                "".join(chr(c) for c in range(0, 0x80)),
                "\u0663\u00e9\u2028\u017f\uff11\U0001f600",
            ]
        )
        return "".join(r.choice(pool) for _ in range(size))

    def value(self, depth: int = 0) -> Any:
        r = self.rng
        kind = r.randrange(12 if depth < 2 else 9)
        if kind == 0:
            return None
        if kind == 1:
            return r.choice([True, False])
        if kind == 2:
            return r.choice([0, 1, -1, 96, 1441, 10**7, 10**18, 10**40, -(10**40)])
        if kind == 3:
            return r.choice([0.5, 1.0, float("nan"), float("inf"), 1e308, -0.0])
        if kind in (4, 5):
            return r.choice(NASTY)
        if kind == 6:
            return self.text()
        if kind == 7:
            return r.choice([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2024, 3, 4)])
        if kind == 8:
            return r.choice([dt.datetime(2024, 3, 4, 9, 30), dt.time(23, 59), b"G0299"])
        if kind in (9, 10):
            return [self.value(depth + 1) for _ in range(r.randrange(4))]
        return {self.text(): self.value(depth + 1) for _ in range(r.randrange(3))}

    def mutate(self, text: str, skip: int = 0) -> str:
        r = self.rng
        for _ in range(r.randint(1, 4)):
            at = r.randrange(skip, len(text) + 1)
            cut = r.choice([0, 0, 1, 3, 12])
            insert = r.choice([r.choice(NASTY), self.text(), r.choice(list(',:[]{}"0*~'))])
            text = text[:at] + insert + text[at + cut :]
        return text


def writers(claim: Claim) -> None:
    """A loaded claim through every writer and the checker; library errors are fine."""
    for write in (
        lambda: claim_from_json(claim_to_json(claim)),
        lambda: ub04.to_csv(claim),
        lambda: x12.service_lines(claim),
        lambda: check(claim),
    ):
        with contextlib.suppress(HcpcsError):  # refusing is fine; anything else is a find
            write()


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*prefix, i))
    return found


PATHS = _paths(json.loads(EXAMPLE))[1:]


def _replaced(path: tuple[Any, ...], value: Any) -> Any:
    doc = json.loads(EXAMPLE)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def entry_points(junk: Junk) -> list[tuple[str, Callable[[], tuple[object, Callable[[], object]]]]]:
    """Named makers of one input: each returns (the input, a call that runs it)."""
    r = junk.rng

    def loaded(claim: Claim | None) -> None:
        if claim is not None:
            writers(claim)

    def json_text() -> tuple[object, Callable[[], object]]:
        text = junk.mutate(EXAMPLE)
        return text, lambda: loaded(claim_from_json(text))

    def json_junk() -> tuple[object, Callable[[], object]]:
        text: str | bytes = junk.text()
        if r.random() < 0.3:
            text = bytes(r.randrange(256) for _ in range(r.randrange(40)))
        return text, lambda: loaded(claim_from_json(text))

    def json_field() -> tuple[object, Callable[[], object]]:
        path, value = r.choice(PATHS), junk.value()
        doc = _replaced(path, value)
        return (path, value), lambda: loaded(claim_from_data(doc))

    def x12_loops() -> tuple[object, Callable[[], object]]:
        text = junk.mutate(r.choice(LOOPS))

        def run() -> None:
            for n, line in enumerate(x12.parse_service_lines(text), start=1):
                x12.service_line(line, n, institutional=line.revenue_code is not None)

        return text, run

    def x12_claim() -> tuple[object, Callable[[], object]]:
        text = junk.mutate(CLAIM_LOOP)
        return text, lambda: loaded(x12.parse_claim(text))

    def x12_segment() -> tuple[object, Callable[[], object]]:
        words = [r.choice([r.choice(WORDS), r.choice(NASTY), junk.text()]) for _ in range(8)]
        text = r.choice("*|").join(words)
        read = r.choice([x12.parse_sv2, x12.parse_sv1])
        return text, lambda: read(text, date="2024-03-04")

    def rules_json() -> tuple[object, Callable[[], object]]:
        text = junk.mutate(RULES)
        return text, lambda: RuleSet.from_json(text, VOCABULARY)

    def constructor() -> tuple[object, Callable[[], object]]:
        value = junk.value()
        makers: list[Callable[[], object]] = [
            lambda: loaded(
                Claim(
                    "medicare",
                    "2024-03-01",
                    "2024-03-31",
                    lines=[ClaimLine("G0299", "2024-03-04", value, revenue_code="0551")],
                    type_of_bill="0329",
                )
            ),
            lambda: ClaimLine("G0299", "2024-03-04", 1, charge=value),
            lambda: ClaimLine(value, "2024-03-04", 1),
            lambda: ClaimLine("G0299", value, 1),
            lambda: Service("G0299", "2024-03-04", start=value, stop="10:00"),
            lambda: Service("G0299", "2024-03-04", rendering_npi=value),
            lambda: Service("G0299", "2024-03-04", diagnoses=value),
            lambda: Authorization(
                "PA1", "p", ["S9123"], value, "visits", "2024-03-01", "2024-03-31"
            ),
            lambda: loaded(Claim(Payer("p", value, "other"), "2024-03-01", "2024-03-02")),
            lambda: Claim("medicare", "2024-03-01", "2024-03-02", type_of_bill=value),
            lambda: Span.from_clock(value, "22:00", "06:00"),
            lambda: Span.from_clock(dt.date(2024, 3, 4), value, "06:00"),
        ]
        make = r.choice(makers)
        return value, make

    folder = tempfile.TemporaryDirectory()  # removed when the run ends
    rif_file = Path(folder.name) / "claims.rif"

    def rif_rows() -> tuple[object, Callable[[], object]]:
        text = junk.mutate(RIF)

        def run() -> None:
            assert folder  # keeps the folder alive while inputs use it
            rif_file.write_text(text, encoding="utf-8", errors="surrogatepass")
            for found in read_claims(rif_file):
                if isinstance(found, Claim):
                    writers(found)

        return text, run

    edits_file = Path(folder.name) / "edits.csv"

    def edit_file() -> tuple[object, Callable[[], object]]:
        text = junk.mutate(EDITS, skip=r.choice([0, len(EDITS.splitlines()[0]) + 1]))

        def run() -> None:
            assert folder
            edits_file.write_text(text, encoding="utf-8", errors="surrogatepass")
            load_edits(edits_file)

        return text[:80], run

    def numbers() -> tuple[object, Callable[[], object]]:
        value = r.choice(NUMBERS) if r.random() < 0.7 else junk.value()
        makers: list[Callable[[], object]] = [
            lambda: billable_units(r.choice(["G0299", "T1019", "S9124", "T1020"]), value),
            lambda: units_for_many("G0152", [8, value]),
            lambda: ClaimLine("G0299", "2024-03-04", value),
            lambda: ClaimLine("G0299", "2024-03-04", 1, charge=value),
            lambda: Authorization(
                "PA1", "p", ["S9123"], value, "units", "2024-03-01", "2024-03-31", per_day=value
            ),
            lambda: Service("G0299", "2024-03-04", minutes=value),
        ]
        return type(value).__name__, r.choice(makers)

    batch_file = Path(folder.name) / "batch.jsonl"

    def cli() -> tuple[object, Callable[[], object]]:
        records = [
            junk.mutate(line) if r.random() < 0.4 else line
            for line in r.sample(BATCH, r.randint(1, len(BATCH)))
        ]
        records = [" ".join(rec.split("\n")) for rec in records]  # one record a line
        argv = ["check", "--json"] if r.random() < 0.6 else ["check"]
        for _ in range(r.choice([0, 0, 1, 2])):
            argv += r.choice(OPTIONS)
        argv.append(str(batch_file))

        def run() -> None:
            assert folder
            batch_file.write_text("\n".join(records) + "\n", "utf-8", errors="surrogatepass")
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stderr(io.StringIO()):  # argparse's usage errors
                status = cli_main(argv, stdout=out, stdin=io.BytesIO(), stderr=err)
            if status not in (0, 1, 2):
                raise RecordsLost(f"exit status {status}")
            plain = "--json" in argv and not {"--format", "--output", "--batch", "-"} & set(argv)
            if status != 2 and plain:
                COUNTED["command-line batches counted"] += 1
                lines = batch_file.read_bytes().split(b"\n")
                read = sum(1 for line in lines if line.strip())
                reported = len(out.getvalue().splitlines())
                if reported != read or f"{read} record(s) read" not in err.getvalue():
                    raise RecordsLost(f"{read} records read, {reported} reported")

        return argv[1:-1], run

    makers = [
        ("claim JSON text", json_text),
        ("RIF rows", rif_rows),
        ("claim JSON junk", json_junk),
        ("claim JSON field", json_field),
        ("X12 loops", x12_loops),
        ("X12 claim", x12_claim),
        ("X12 segment", x12_segment),
        ("rule-set JSON", rules_json),
        ("constructor", constructor),
        ("edit file", edit_file),
        ("numbers", numbers),
        ("command line", cli),
    ]
    try:
        from x12sdk.generate import generate_837i, generate_837p

        from hcpcs_home.x12_files import read_837

        files = [generate_837i(seed=5, claims=1), generate_837p(seed=5, claims=1)]

        def x12_file() -> tuple[object, Callable[[], object]]:
            text = junk.mutate(r.choice(files), skip=106)
            return text[:60], lambda: read_837(text, payer="medicare")

        makers.append(("837 file", x12_file))
    except ImportError:
        print("x12sdk not installed: 837 files not fuzzed", file=sys.stderr)
    return makers


def main(n: int, seed: int) -> int:
    junk = Junk(random.Random(seed))
    makers = entry_points(junk)
    writers(claim_from_json(EXAMPLE))  # first use loads the catalog and rules: not an input
    per_kind: collections.Counter[str] = collections.Counter()
    accepted: collections.Counter[str] = collections.Counter()
    foreign: dict[tuple[str, str], tuple[int, str]] = {}
    foreign_count = 0
    slow: list[tuple[str, float, str]] = []
    lost: list[tuple[str, str]] = []
    started_all = time.perf_counter()
    for i in range(n):
        name, make = makers[i % len(makers)]
        shown, run = make()
        per_kind[name] += 1
        faulthandler.dump_traceback_later(HANG, exit=True)
        started = time.process_time()
        try:
            run()
            accepted[name] += 1
        except HcpcsError:
            pass
        except RecordsLost as exc:
            lost.append((name, f"{exc!s:.100} <- {shown!r:.100}"))
        except Exception as exc:  # what this script exists to find
            foreign_count += 1
            foreign.setdefault((name, type(exc).__name__), (i, f"{exc!s:.100} <- {shown!r:.100}"))
        finally:
            elapsed = time.process_time() - started
            faulthandler.cancel_dump_traceback_later()
        if elapsed > SLOW:
            slow.append((name, elapsed, f"{shown!r:.100}"))
    total = time.perf_counter() - started_all
    print(f"seed {seed}: {n:,} inputs in {total:.1f} s, Python {sys.version.split()[0]}")
    print("  per entry point (accepted/inputs): ", end="")
    print(", ".join(f"{kind} {accepted[kind]:,}/{count:,}" for kind, count in per_kind.items()))
    print(f"exceptions outside the hierarchy: {foreign_count}")
    for (name, kind), (i, example) in sorted(foreign.items()):
        print(f"  {name}: {kind} (first at input {i}): {example}")
    print(f"inputs over {SLOW:.0f} s (CPU): {len(slow)}")
    for name, elapsed, example in slow:
        print(f"  {name}: {elapsed:.1f} s: {example}")
    counted = COUNTED["command-line batches counted"]
    print(f"records lost: {len(lost)} (in {counted} command-line batches counted)")
    for name, example in lost[:10]:
        print(f"  {name}: {example}")
    return 1 if foreign or slow or lost else 0


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20261201
    sys.exit(main(count, seed))
