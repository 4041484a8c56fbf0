"""The ``hcpcs-home`` command (also ``python -m hcpcs_home``).

``check FILE...`` reads claims in the documented JSON format (a claim object,
a list of them, or JSON lines, one claim per line, for files ending in
``.jsonl``), prints the findings for people or, with ``--json``, one JSON
object per claim for programs, and exits 1 when any error-severity finding
(or unreadable claim) exists, 0 otherwise.  ``lookup CODE`` shows a code,
``units CODE MINUTES`` counts units, ``rules`` lists the default rules.

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
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from .errors import HcpcsError

__all__ = ["main"]


def __dir__() -> list[str]:
    return __all__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hcpcs-home",
        description="Check home-health, home-care and hospice HCPCS claims before submission.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="check claims in JSON or JSON-lines files")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument("--json", action="store_true", help="one JSON object per claim")
    check.add_argument("--rules", type=Path, help="a rule set saved with RuleSet.to_json()")
    check.add_argument(
        "--quiet", action="store_true", help="print only claims with findings (people output)"
    )

    lookup = sub.add_parser("lookup", help="show a code from the catalog")
    lookup.add_argument("code")
    lookup.add_argument("--on", type=_dt.date.fromisoformat, help="date of service YYYY-MM-DD")
    lookup.add_argument("--json", action="store_true")

    units = sub.add_parser("units", help="billable units for documented minutes")
    units.add_argument("code")
    units.add_argument("minutes", type=int)
    units.add_argument("--payer", default=None, help="a payer profile id whose unit policy to use")

    sub.add_parser("rules", help="list the default rules")
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out = stdout or sys.stdout
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args, out)
        if args.command == "lookup":
            return _lookup(args, out)
        if args.command == "units":
            return _units(args, out)
        return _rules(out)
    except HcpcsError as exc:
        print(f"hcpcs-home: {exc}", file=sys.stderr)
        return 2


def _read_claims(path: Path) -> Iterator[tuple[str, Any]]:
    """(label, Claim or HcpcsError) for every claim in a file."""
    from .errors import InvalidFieldError
    from .serialize import claim_from_data, claims_from_json_lines

    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        yield str(path), InvalidFieldError("file", str(path), f"cannot be read: {exc}")
        return
    if path.suffix == ".jsonl":
        for i, item in enumerate(claims_from_json_lines(text.splitlines()), start=1):
            yield f"{path}:{i}", item
        return
    try:
        data = json.loads(text)
    except ValueError as exc:
        yield str(path), InvalidFieldError("$", str(path), f"is not valid JSON: {exc}")
        return
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        label = f"{path}[{i}]" if isinstance(data, list) else str(path)
        try:
            yield label, claim_from_data(item)
        except HcpcsError as exc:
            yield label, exc


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from .policy import RuleSet, check

    rules = None
    if args.rules is not None:
        rules = RuleSet.from_json(args.rules.read_text("utf-8"))
    failed = False
    for path in args.files:
        for label, item in _read_claims(path):
            if isinstance(item, HcpcsError):
                failed = True
                if args.json:
                    print(json.dumps({"source": label, "error": str(item)}), file=out)
                else:
                    print(f"{label}: cannot read claim: {item}", file=out)
                continue
            report = check(item, rules)
            failed = failed or not report.ok
            if args.json:
                print(
                    json.dumps(
                        {
                            "source": label,
                            "claim": item.id,
                            "ok": report.ok,
                            "findings": [f.to_data() for f in report],
                        }
                    ),
                    file=out,
                )
            elif report.findings or not args.quiet:
                print(f"{label}: {report}", file=out)
    return 1 if failed else 0


def _lookup(args: argparse.Namespace, out: TextIO) -> int:
    from .catalog import lookup

    code = lookup(args.code, on=args.on)
    summary = code.summary()
    if args.json:
        print(json.dumps(summary), file=out)
        return 0
    print(str(code), file=out)
    print(
        f"  unit: {summary['unit']}; discipline: {summary['discipline']}; "
        f"credentials: {summary['credentials'] or 'payer-defined'}; "
        f"revenue codes: {summary['revenue codes'] or 'payer-specific'}",
        file=out,
    )
    ended = f"; terminated {summary['terminated']}" if summary["terminated"] else ""
    replaced = f" (use {summary['replaced by']})" if summary["replaced by"] else ""
    print(
        f"  Medicare: {summary['Medicare']}; effective {summary['effective']}{ended}{replaced}",
        file=out,
    )
    return 0


def _units(args: argparse.Namespace, out: TextIO) -> int:
    from .payers import payer_profile
    from .units import billable_units

    policy = payer_profile(args.payer).unit_policy if args.payer else None
    print(billable_units(args.code, args.minutes, policy=policy), file=out)
    return 0


def _rules(out: TextIO) -> int:
    from .rules import DEFAULT_RULES

    for rule in DEFAULT_RULES:
        print(f"{rule.id:28} {rule.severity.value:8} {rule.source}", file=out)
    return 0
