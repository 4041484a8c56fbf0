"""The ``hcpcs-home`` command (also ``python -m hcpcs_home``).

``check FILE...`` reads claims (JSON lines line by line, a whole JSON
document, ``-`` for standard input), prints each claim's report as soon as it
is checked (for people, or as data with ``--output json|jsonl|csv``; ``--json``
is ``--output jsonl``) and a summary line on standard error.  ``lookup CODE`` shows a code,
``units CODE MINUTES`` counts units, ``rules`` lists the default rules.
``check --history DB`` checks claims against a claim history (and ``--record``
adds them to it); ``history init DB`` creates a claim history, ``history add DB
FILE`` stores claims in it.
``catalog load FILE`` installs the CMS HCPCS release in a CMS file (TXT or
XLSX) as the code set every later command and
:func:`~hcpcs_home.catalog.default_catalog` use; ``catalog show`` names the
release in use.

Exit status: 0 when everything was checked and no claim has an
error-severity finding; 1 when a claim has one or a record could not be
read; 2 when nothing was checked (a usage problem, a file or rules file that
cannot be read, an empty input).

>>> main(["units", "G0152", "38"])
3
0
>>> main(["lookup", "s9124"])
S9124 (HCPCS Level II): Nursing care, in the home; by licensed practical nurse, per hour
  unit: hour; discipline: skilled nursing; credentials: LPN; revenue codes: 0552
  Medicare: does not accept; effective 2000-01-01
0
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, TextIO

import attrs

from . import __version__
from .errors import HcpcsError

if TYPE_CHECKING:
    from ._claim_files import Record

    _Reader = Callable[[IO[bytes], str], Iterator[Record]]

__all__ = ["EXIT_ERRORS", "EXIT_OK", "EXIT_USAGE", "FORMATS", "OUTPUTS", "main"]


def __dir__() -> list[str]:
    return __all__


EXIT_OK = 0
"""Everything was checked and no claim has an error-severity finding."""

EXIT_ERRORS = 1
"""A claim has an error-severity finding, or a record could not be read."""

EXIT_USAGE = 2
"""Nothing was checked (a usage problem, a file that cannot be opened, or no records)."""

FORMATS: dict[str, str] = {
    "jsonl": "JSON lines, one claim object per line, read line by line",
    "json": "one JSON document: a claim object or a list of them, read whole",
    "csv": "a timesheet, one service per row, grouped into claims by claim_id, read whole",
    "rif": "a CMS research (RIF) home-health or hospice claim file, read claim by claim",
}
"""The input formats of ``check --format``, with what each holds."""

_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command ended by Ctrl-C
_BY_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}
_STDIN = "-"


class _UsageError(Exception):
    """A problem with the command line or its inputs found before anything was checked."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hcpcs-home",
        description="Check home-health, home-care and hospice HCPCS claims before submission.",
        epilog="Exit status: 0 checked and no errors, 1 errors found, 2 nothing checked.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="print the version"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser(
        "check",
        help="check claims in files or standard input",
        description="Check claims and print each record's report as soon as it is read.",
    )
    check.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a claims file, or - for standard input (JSON lines unless --format says)",
    )
    check.add_argument(
        "--format",
        choices=sorted(FORMATS),
        help="the input format (default: from each file's extension: "
        + ", ".join(f"{s} {f}" for s, f in _BY_SUFFIX.items())
        + ")",
    )
    check.add_argument(
        "--payer",
        metavar="ID",
        help="csv: the payer profile id for rows without a payer column (e.g. bcbs-tx); "
        "rif: the payer profile of the claims (default medicare)",
    )
    check.add_argument(
        "--type-of-bill",
        metavar="TOB",
        help="csv: the type of bill for rows without a type_of_bill column (e.g. 0329)",
    )
    check.add_argument(
        "--output",
        choices=sorted(OUTPUTS),
        default="text",
        help="how reports are printed: "
        + "; ".join(f"{name} {what}" for name, what in OUTPUTS.items())
        + " (default text)",
    )
    check.add_argument(
        "--json",
        action="store_const",
        dest="output",
        const="jsonl",
        help="the same as --output jsonl (the schema is in the documentation)",
    )
    check.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="FILE",
        help="add the rules of a rule set saved with RuleSet.to_json() to the defaults "
        "(a rule with a default rule's id replaces it); may be repeated",
    )
    check.add_argument(
        "--edits",
        action="append",
        default=[],
        metavar="FILE",
        help="add the rules of a payer edit file (CSV, or TSV for .tsv files: one edit per "
        "row, columns in the hcpcs_home.edits documentation); may be repeated",
    )
    check.add_argument(
        "--no-default-rules",
        action="store_true",
        help="check with the --rules files' rules only, not the default rules",
    )
    check.add_argument(
        "--batch",
        action="store_true",
        help="check all the claims together, so rules that look across claims (one worker "
        "in two patients' visits, an authorization used on several claims) see them all; "
        "reads every input before the first report",
    )
    check.add_argument(
        "--quiet",
        action="store_true",
        help="print only claims with findings and unreadable records (people output)",
    )
    check.add_argument(
        "--history",
        metavar="DB",
        help="check against the claim history in DB (made with 'history init'); read only, "
        "unless --record",
    )
    check.add_argument(
        "--record",
        action="store_true",
        help="with --history: add each checked claim to the history after its check",
    )

    history = sub.add_parser(
        "history",
        help="create a claim history or add claims to it",
        description="A claim history is a SQLite database of earlier claims that "
        "'check --history' checks claims against.",
    )
    history_sub = history.add_subparsers(
        dest="history_command", required=True, metavar="ACTION", help="init or add"
    )
    init = history_sub.add_parser("init", help="create a claim history (or open and migrate one)")
    init.add_argument("db", metavar="DB", help="the database file")
    add = history_sub.add_parser(
        "add", help="store the claims of a file; every record stored, or each refusal named"
    )
    add.add_argument("db", metavar="DB", help="the database file (made with 'history init')")
    add.add_argument("file", metavar="FILE", help="a claims file, or - for standard input")
    add.add_argument("--format", choices=sorted(FORMATS), help="the input format")
    add.add_argument("--payer", metavar="ID", help="as for check")
    add.add_argument("--type-of-bill", metavar="TOB", help="as for check")
    add.add_argument(
        "--provider",
        metavar="ID",
        help="the billing provider (CCN or NPI) the claims were billed under, for the "
        "provider's year-to-date totals (the hospice aggregate cap)",
    )

    from ._price_cli import add_parser as add_price

    add_price(sub, FORMATS)

    lookup = sub.add_parser("lookup", help="show a code from the catalog")
    lookup.add_argument("code", metavar="CODE", help="a HCPCS or CPT code, e.g. S9124")
    lookup.add_argument(
        "--on", type=_dt.date.fromisoformat, help="a date of service YYYY-MM-DD to check"
    )
    lookup.add_argument("--json", action="store_true", help="print the code as a JSON object")

    units = sub.add_parser("units", help="billable units for documented minutes")
    units.add_argument("code", metavar="CODE", help="a time-based HCPCS or CPT code")
    units.add_argument("minutes", type=int, metavar="MINUTES", help="documented minutes")
    units.add_argument("--payer", default=None, help="a payer profile id whose unit policy to use")
    units.add_argument("--json", action="store_true", help="print the count as a JSON object")

    rules = sub.add_parser(
        "rules", help="list the default rules", description="List the default rules."
    )
    rules.add_argument("--json", action="store_true", help="print one JSON object per rule")

    catalog = sub.add_parser(
        "catalog",
        help="load or show the CMS HCPCS release the checks use",
        description="Load a CMS HCPCS Level II file as the code set in use, or show it.",
    )
    actions = catalog.add_subparsers(
        dest="action", required=True, metavar="ACTION", help="load or show"
    )
    load = actions.add_parser(
        "load",
        help="install the release in a CMS HCPCS TXT or XLSX file",
        description=(
            "Read a CMS HCPCS Level II alpha-numeric file (the fixed-width TXT or the XLSX "
            "workbook from cms.gov's Alpha-Numeric HCPCS page), check every record, and "
            "install its release in the data folder ($HCPCS_HOME_DATA, or the user's data "
            "folder) as the code set every later command uses."
        ),
    )
    load.add_argument("file", metavar="FILE", help="the CMS file, e.g. HCPC2026_JAN_ANWEB.xlsx")
    load.add_argument(
        "--published", type=_dt.date.fromisoformat, help="CMS's publication date YYYY-MM-DD"
    )
    actions.add_parser("show", help="name the release in use and where it is read from")
    return parser


@attrs.define
class _Streams:
    out: TextIO
    err: TextIO
    stdin: IO[bytes]


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    *,
    stdin: IO[bytes] | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line and return its exit status (:data:`EXIT_OK` and the others).

    ``stdout``, ``stderr`` and ``stdin`` (a binary stream) default to the
    process's own.  A closed standard output (``hcpcs-home check ... | head``)
    stops the command quietly.
    """
    io = _Streams(stdout or sys.stdout, stderr or sys.stderr, stdin or sys.stdin.buffer)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _run(args, io)
    except BrokenPipeError:  # lookup, units or rules into a closed pipe
        _quiet_closed_stdout(io.out)
        return EXIT_OK
    except (_UsageError, HcpcsError) as exc:
        print(f"hcpcs-home: {exc}", file=io.err)
        return EXIT_USAGE


def _quiet_closed_stdout(out: TextIO) -> None:
    """Point the closed standard output at devnull, so exiting does not flush into it again.

    What the Python documentation recommends for SIGPIPE ("Note on SIGPIPE"
    in the signal module documentation).
    """
    if out is sys.stdout:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _run(args: argparse.Namespace, io: _Streams) -> int:
    if args.command == "check":
        return _check(args, io)
    if args.command == "history":
        return _history(args, io)
    if args.command == "price":
        from ._price_cli import run as price

        return price(args, io, sys.modules[__name__])
    if args.command == "lookup":
        return _lookup(args, io.out)
    if args.command == "units":
        return _units(args, io.out)
    if args.command == "catalog":
        return _catalog(args, io.out)
    return _rules(args, io.out)


# --- check ---------------------------------------------------------------------


def _format_of(name: str, chosen: str | None) -> str:
    if chosen is not None:
        return chosen
    if name == _STDIN:
        return "jsonl"
    suffix = os.path.splitext(name)[1].lower()
    found = _BY_SUFFIX.get(suffix)
    if found in (None, "csv") and _looks_like_rif(name):
        return "rif"  # CCW ships RIF extracts as .csv or .txt, '|'-separated
    if found is None:
        raise _UsageError(
            f"{name}: cannot tell the format from the extension {suffix or '(none)'!r}; "
            f"use --format ({', '.join(sorted(FORMATS))})"
        )
    return found


def _looks_like_rif(name: str) -> bool:
    """Whether the file's first line is a RIF header (``CLM_ID`` and ``REV_CNTR`` columns)."""
    from ._claim_files import looks_like_rif

    try:
        with open(name, "rb") as stream:
            first = stream.readline(65_536)
    except OSError:
        return False  # reported when the file is opened
    return looks_like_rif(first.decode("utf-8", "replace"))


def _open_inputs(names: Sequence[str], chosen: str | None) -> list[tuple[str, str]]:
    """(name, format) per input, each file checked to open before anything is read."""
    if list(names).count(_STDIN) > 1:
        raise _UsageError("standard input (-) can be read only once")
    if chosen == "rif" and _STDIN in names:
        raise _UsageError("--format rif reads files, not standard input (-)")
    inputs = []
    for name in names:
        fmt = _format_of(name, chosen)
        if name != _STDIN:
            try:
                with open(name, "rb"):
                    pass
            except OSError as exc:
                raise _UsageError(f"{name}: {exc.strerror or exc}") from None
        inputs.append((name, fmt))
    return inputs


def _readers(args: argparse.Namespace) -> dict[str, _Reader]:
    """The reader of each format, with the options that apply to it."""
    # Imported here: --help, --version, lookup and units need no claim reading.
    from ._claim_files import json_document, json_lines, rif_claims, timesheet_csv

    def csv(stream: IO[bytes], file: str) -> Iterator[Record]:
        return timesheet_csv(stream, file, payer=args.payer, type_of_bill=args.type_of_bill)

    def rif(stream: IO[bytes], file: str) -> Iterator[Record]:
        return rif_claims(file, payer=args.payer)  # read_claims opens the file by its name

    return {"jsonl": json_lines, "json": json_document, "csv": csv, "rif": rif}


def _records(name: str, reader: _Reader, stdin: IO[bytes]) -> Iterator[Record]:
    """The file's records; a file failing part-way ends with a record saying so."""
    from ._claim_files import Record

    if name == _STDIN:
        yield from reader(stdin, "<stdin>")
        return
    last = Record(name, 1, 0)
    try:
        with open(name, "rb") as stream:
            for last in reader(stream, name):
                yield last
    except OSError as exc:  # gone since it was opened, or a disk or network error
        problem = f"cannot be read: {exc.strerror or exc}"
        yield Record(name, last.line, last.number + 1, problem=problem)


def _rule_set(args: argparse.Namespace) -> Any:
    """The rules to check with (``None`` for the defaults), or :class:`_UsageError`."""
    from .edits import load_edits
    from .errors import RuleSetLoadError
    from .policy import RuleSet
    from .rules import VOCABULARY

    if args.no_default_rules and not (args.rules or args.edits):
        raise _UsageError("--no-default-rules needs at least one --rules or --edits FILE")
    if not (args.rules or args.edits):
        return None
    if args.no_default_rules:
        rules = RuleSet()
    else:
        from .rules import DEFAULT_RULES

        rules = DEFAULT_RULES
    for name in args.rules:
        try:
            with open(name, "rb") as stream:
                loaded = RuleSet.from_json(_read_rules_text(stream, name), VOCABULARY)
        except OSError as exc:
            raise _UsageError(f"rules file {name}: {exc.strerror or exc}") from None
        except (RuleSetLoadError, ValueError, OverflowError) as exc:
            raise _UsageError(f"rules file {name}: {exc}") from None
        for rule in loaded.rules:  # a table as one rule: replaced or added whole
            rules = rules.replace(rule) if rule.id in rules else rules.add(rule)
    for name in args.edits:
        try:
            rules = load_edits(name, base=rules)
        except RuleSetLoadError as exc:
            raise _UsageError(f"edits file {exc}") from None
    return rules


def _read_rules_text(stream: IO[bytes], name: str) -> bytes:
    from ._claim_files import read_bounded

    return read_bounded(stream, name)


@attrs.define
class _Tally:
    """What a check run has read, for the summary line and the exit status."""

    records: int = 0
    checked: int = 0
    with_errors: int = 0
    unreadable: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.with_errors or self.unreadable)

    def __str__(self) -> str:
        return (
            f"{self.records} record(s) read: {self.checked} claim(s) checked, "
            f"{self.with_errors} with errors, {self.unreadable} unreadable"
        )


def _open_history(name: str, *, create: bool) -> Any:
    """The claim history in ``name``; it must exist unless ``create``."""
    from .history import SqliteHistory

    if not create and not os.path.isfile(name):
        raise _UsageError(f"{name}: no claim history there (create one with 'history init')")
    return SqliteHistory(name)


def _check(args: argparse.Namespace, io: _Streams) -> int:
    if args.record and args.history is None:
        raise _UsageError("--record needs --history DB")
    inputs = _open_inputs(args.files, args.format)
    rules = _rule_set(args)
    history = None if args.history is None else _open_history(args.history, create=False)
    args.history_store = history
    if args.payer is not None:  # an unknown profile is a usage error, not bad rows
        from .payers import payer_profile

        payer_profile(args.payer)
    tally = _Tally()
    try:
        _check_inputs(inputs, rules, args, io, tally)
        io.out.flush()
    except BrokenPipeError:
        _quiet_closed_stdout(io.out)
        print(f"hcpcs-home: output closed; {tally}", file=io.err)
        return EXIT_ERRORS if tally.failed else EXIT_OK
    except KeyboardInterrupt:  # Ctrl-C: what was read so far, no traceback
        print(f"hcpcs-home: interrupted; {tally}", file=io.err)
        return _INTERRUPTED
    print(f"hcpcs-home: {tally}", file=io.err)
    if tally.records == 0:
        print("hcpcs-home: nothing was checked", file=io.err)
        return EXIT_USAGE
    return EXIT_ERRORS if tally.failed else EXIT_OK


def _check_inputs(
    inputs: Sequence[tuple[str, str]],
    rules: Any,
    args: argparse.Namespace,
    io: _Streams,
    tally: _Tally,
) -> None:
    """Check every record, printing each report as soon as its record is checked."""
    writer = _WRITERS[args.output](io.out, args.quiet)
    records = _all_records(inputs, _readers(args), io)
    history = args.history_store
    for record, report in _reports(records, rules, args.batch, history, args.record):
        tally.records += 1
        if report is None:
            tally.unreadable += 1
        else:
            tally.checked += 1
            tally.with_errors += not report.ok
        writer.write(record, report)
        io.out.flush()
    writer.close()


def _all_records(
    inputs: Sequence[tuple[str, str]], readers: dict[str, _Reader], io: _Streams
) -> Iterator[Record]:
    """Every input's records in turn, saying on stderr which inputs held none."""
    for name, fmt in inputs:
        empty = True
        for record in _records(name, readers[fmt], io.stdin):
            empty = False
            yield record
        if empty:
            shown = "standard input" if name == _STDIN else name
            print(f"hcpcs-home: {shown}: no claims in the input", file=io.err)


def _reports(
    records: Iterator[Record],
    rules: Any,
    batch: bool,
    history: Any = None,
    record_claims: bool = False,
) -> Iterator[tuple[Record, Any]]:
    """Each record with its claim's report, or ``None`` (unreadable, or checking failed).

    Claim by claim as they are read, or with ``batch`` all of them first and
    checked together (:func:`~hcpcs_home.policy.check_many` with ``batch=True``),
    against ``history`` where given; with ``record_claims`` each checked claim is
    then added to it (a claim it refuses becomes the record's problem).
    A failure inside the library becomes the record's problem, never a lost record.
    """
    from .policy import check, check_many

    if not batch:
        for record in records:
            if record.claim is None:
                yield record, None
                continue
            try:
                checked: Any = check(record.claim, rules, history=history)
            except Exception as exc:
                yield attrs.evolve(record, problem=_internal(exc)), None
                continue
            yield _recorded(record, checked, history if record_claims else None)
        return
    held = list(records)
    reports = check_many(
        [r.claim for r in held if r.claim is not None], rules, batch=True, history=history
    )
    failed: str | None = None
    for record in held:
        report = None
        if record.claim is not None and failed is None:
            try:
                report = next(reports)
            except Exception as exc:  # the batch cannot go on; its later claims say why
                failed = _internal(exc)
        if record.claim is not None and report is None:
            record = attrs.evolve(record, problem=failed)
            yield record, report
        elif report is not None:
            yield _recorded(record, report, history if record_claims else None)
        else:
            yield record, report


def _recorded(record: Record, report: Any, history: Any) -> tuple[Record, Any]:
    """The record and its report, its claim added to ``history`` first where given; a
    claim the history refuses is the record's problem (the report is not printed)."""
    if history is not None:
        try:
            history.add(report.claim)
        except HcpcsError as exc:
            return attrs.evolve(record, problem=f"checked, but not recorded: {exc}"), None
    return record, report


def _internal(exc: Exception) -> str:
    return f"internal error {type(exc).__name__} while checking the claim; please report it"


def _record_data(record: Record, report: Any) -> dict[str, Any]:
    """A record's report as plain data: where the record is (``file``, ``line``,
    ``record``), then the claim's id, ``ok`` and its findings as
    :meth:`~hcpcs_home.policy.Finding.to_data` gives them, or ``ok`` false and the
    ``error`` that kept the record from being checked.  Every data output of
    ``check`` is written from this one serialization (the schema is in the
    documentation)."""
    data: dict[str, Any] = {"file": record.file, "line": record.line, "record": record.number}
    if report is None:
        data.update(ok=False, error={"message": record.problem, "field": record.field})
    else:
        data.update(
            claim=report.claim.id, ok=report.ok, findings=[f.to_data() for f in report.findings]
        )
    return data


class _TextWriter:
    """Each record's report for people (``--quiet``: only those with findings)."""

    def __init__(self, out: TextIO, quiet: bool) -> None:
        self.out, self.quiet = out, quiet

    def write(self, record: Record, report: Any) -> None:
        if report is None:
            text = f"{record.label}: cannot read claim: {record.problem}"
        elif report.findings or not self.quiet:
            text = f"{record.label}: {report}"
        else:
            return
        print(_printable(text, self.out), file=self.out)

    def close(self) -> None:
        pass


class _JsonLinesWriter(_TextWriter):
    """One JSON object per record and line (:func:`_record_data`)."""

    def write(self, record: Record, report: Any) -> None:
        print(json.dumps(_record_data(record, report)), file=self.out)


class _JsonWriter(_TextWriter):
    """One JSON document: the list of every record's object, written as they come."""

    def __init__(self, out: TextIO, quiet: bool) -> None:
        super().__init__(out, quiet)
        self.opened = False

    def write(self, record: Record, report: Any) -> None:
        self.out.write(",\n" if self.opened else "[\n")
        self.opened = True
        self.out.write(json.dumps(_record_data(record, report)))

    def close(self) -> None:
        self.out.write("\n]\n" if self.opened else "[]\n")


class _CsvWriter(_TextWriter):
    """One CSV row per finding (a record without findings, or unreadable, is one row
    with those columns empty): the record's place, then the finding's data."""

    #: The columns: the record's (``file_line`` is its ``line``), then a finding's.
    COLUMNS = (
        "file",
        "file_line",
        "record",
        "claim",
        "ok",
        "error",
        "error_field",
        "rule_id",
        "severity",
        "message",
        "line",
        "field",
        "suggestion",
        "fix",
        "source",
    )

    def __init__(self, out: TextIO, quiet: bool) -> None:
        import csv

        super().__init__(out, quiet)
        self.rows = csv.writer(out, lineterminator="\n")
        self.rows.writerow(self.COLUMNS)

    def write(self, record: Record, report: Any) -> None:
        data = _record_data(record, report)
        error = data.get("error") or {}
        place = [
            data["file"],
            data["line"],
            data["record"],
            data.get("claim", ""),
            "true" if data["ok"] else "false",
            error.get("message", ""),
            error.get("field", ""),
        ]
        findings = data.get("findings") or [{}]
        for f in findings:
            fix = "; ".join(f"{k}={v}" for k, v in (f.get("fix") or {}).items())
            cells = [f.get(c) for c in self.COLUMNS[7:]]
            cells[self.COLUMNS.index("fix") - 7] = fix
            self.rows.writerow(place + ["" if c is None else c for c in cells])


#: The outputs of ``check`` by name, and what each prints.
OUTPUTS = {
    "text": "a report for people per record",
    "jsonl": "one JSON object per record and line",
    "json": "one JSON document listing every record's object",
    "csv": "one CSV row per finding (a row per record without findings)",
}
_WRITERS: dict[str, type[_TextWriter]] = {
    "text": _TextWriter,
    "jsonl": _JsonLinesWriter,
    "json": _JsonWriter,
    "csv": _CsvWriter,
}


def _printable(text: str, out: TextIO) -> str:
    """``text`` with what ``out`` cannot encode (a lone surrogate a claim held) escaped."""
    if text.isascii():
        return text
    encoding = getattr(out, "encoding", None) or "utf-8"
    return text.encode(encoding, "backslashreplace").decode(encoding)


# --- history -------------------------------------------------------------------


def _history(args: argparse.Namespace, io: _Streams) -> int:
    if args.history_command == "init":
        with _open_history(args.db, create=True) as store:
            print(
                f"{args.db}: claim history, schema version {store.schema_version}, "
                f"{len(store)} claim(s)",
                file=io.out,
            )
        return EXIT_OK
    provider = None
    if args.provider is not None:
        from .history._records import text

        provider = text("provider", args.provider)
    ((name, fmt),) = _open_inputs([args.file], args.format)
    args.batch = False
    readers = _readers(args)
    stored = known = refused = read = 0
    with _open_history(args.db, create=False) as store:
        for record in _all_records([(name, fmt)], readers, io):
            read += 1
            problem = record.problem
            if record.claim is not None:
                try:
                    grew = store.add_many([record.claim], provider=provider)
                except HcpcsError as exc:
                    problem = str(exc)
                else:
                    stored += grew
                    known += not grew
                    continue
            refused += 1
            print(_printable(f"{record.label}: not stored: {problem}", io.out), file=io.out)
    print(
        f"hcpcs-home: {read} record(s) read: {stored} stored, {known} already stored, "
        f"{refused} refused",
        file=io.err,
    )
    if read == 0:
        return EXIT_USAGE
    return EXIT_ERRORS if refused else EXIT_OK


# --- lookup, units, rules ------------------------------------------------------


def _lookup(args: argparse.Namespace, out: TextIO) -> int:
    from .catalog import lookup

    code = lookup(args.code, on=args.on)
    summary = code.summary()
    if args.json:
        print(json.dumps(code.to_data()), file=out)
        return EXIT_OK
    print(str(code), file=out)
    if code.curated:
        print(
            f"  unit: {summary['unit']}; discipline: {summary['discipline']}; "
            f"credentials: {summary['credentials'] or 'payer-defined'}; "
            f"revenue codes: {summary['revenue codes'] or 'payer-specific'}",
            file=out,
        )
    else:  # only the CMS file's facts: saying more would present a guess as the catalog's
        print(
            f"  not curated: known from the CMS release only; unit from the CMS descriptor: "
            f"{summary['unit']}; discipline, credentials and revenue codes not reviewed; "
            f"units not checked\n  source: {code.source}",
            file=out,
        )
    ended = f"; terminated {summary['terminated']}" if summary["terminated"] else ""
    replaced = f" (use {summary['replaced by']})" if summary["replaced by"] else ""
    print(
        f"  Medicare: {summary['Medicare']}; effective {summary['effective']}{ended}{replaced}",
        file=out,
    )
    return EXIT_OK


def _units(args: argparse.Namespace, out: TextIO) -> int:
    from .codes import normalize_code
    from .payers import payer_profile
    from .units import billable_units

    payer = payer_profile(args.payer) if args.payer else None
    policy = payer.unit_policy if payer is not None else None
    units = billable_units(args.code, args.minutes, policy=policy)
    if args.json:
        data = {
            "code": normalize_code(args.code),
            "minutes": args.minutes,
            # Fractional units have at most two places (bounds.MAX_UNIT_PLACES): exact as floats.
            "units": units if isinstance(units, int) else float(units),
            "payer": None if payer is None else payer.id,
            "unit_policy": (policy or _default_policy()).name,
        }
        print(json.dumps(data), file=out)
        return EXIT_OK
    print(units, file=out)
    return EXIT_OK


def _catalog(args: argparse.Namespace, out: TextIO) -> int:
    from . import catalog

    if args.action == "load":
        release = catalog.load_release(args.file, published=args.published)
        print(
            f"loaded CMS {release.name}: {len(release.code_ids())} codes, "
            f"{len(release.modifier_ids())} modifiers, {_current(release)}\n"
            f"written to {catalog.data_dir()} (set {catalog.DATA_DIR_ENV} to use another folder)",
            file=out,
        )
        return EXIT_OK
    used = catalog.default_catalog().release
    assert used is not None  # the default catalog always has one
    where = "bundled with hcpcs_home" if used._folder is None else used._folder
    print(
        f"CMS {used.name}: {len(used.code_ids())} codes, "
        f"{len(used.modifier_ids())} modifiers, {_current(used)}\nread from {where}",
        file=out,
    )
    return EXIT_OK


def _current(release: Any) -> str:
    if release.current is None:
        return "current dates not known"
    first, last = release.current
    return f"current for dates of service {first.isoformat()} to {last.isoformat()}"


def _default_policy() -> Any:
    from .units import MEDICARE

    return MEDICARE


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    from .rules import DEFAULT_RULES, family_of

    for rule in DEFAULT_RULES:
        if args.json:
            data = {
                "id": rule.id,
                "severity": rule.severity.value,
                "family": family_of(rule.id),
                "scope": rule.scope.value,
                "field": rule.field,
                "payers": sorted(rule.payers),
                "needs": sorted(n.value for n in rule.needs),
                "effective_from": _iso(rule.effective_from),
                "effective_through": _iso(rule.effective_through),
                "source": rule.source,
                "description": rule.description or None,
            }
            print(json.dumps(data), file=out)
            continue
        print(
            f"{rule.id:28} {rule.severity.value:8} {family_of(rule.id):14} {rule.source}", file=out
        )
    return EXIT_OK


def _iso(day: _dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
