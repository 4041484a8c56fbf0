"""The ``hcpcs-home price`` subcommand: the expected payment of each claim read.

It reads the same input formats as ``check`` and exits the same way: 0 every
claim priced, 1 a claim not priced or a record unreadable, 2 nothing read (or
a usage problem: a rate, case-mix, wage-index or fee-schedule file that cannot
be read is one, before any claim is priced).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from decimal import Decimal
from types import ModuleType
from typing import Any, TextIO


def add_parser(sub: Any, formats: Mapping[str, str]) -> None:
    """Add ``price`` to the subcommands ``sub``."""
    price = sub.add_parser(
        "price",
        help="the expected payment of claims in files or standard input",
        description="Price claims (Medicare home health and hospice, fee schedules) and print "
        "each record's payment, or why it is not priced, as soon as it is read.",
    )
    price.add_argument("files", nargs="+", metavar="FILE", help="as for check")
    price.add_argument("--format", choices=sorted(formats), help="as for check")
    price.add_argument("--payer", metavar="ID", help="as for check")
    price.add_argument("--type-of-bill", metavar="TOB", help="as for check")
    price.add_argument("--json", action="store_true", help="print one JSON object per record")
    price.add_argument(
        "--rates",
        action="append",
        default=[],
        metavar="FILE",
        help="rate rows in a shipped table's layout (hh_rates, hh_visit_rates, hospice_rates) "
        "added to the shipped ones; may be repeated",
    )
    price.add_argument(
        "--fee-schedule", metavar="FILE", help="a fee-schedule file (hcpcs_home.payment)"
    )
    price.add_argument(
        "--case-mix", metavar="FILE", help="CMS's PDGM case-mix weights and LUPA thresholds"
    )
    price.add_argument(
        "--wage-index",
        metavar="FILE|NUMBER",
        help="CMS's CBSA wage-index file (looked up by value code 61), or one wage index",
    )


def _summary(tally: Any) -> str:
    return (
        f"{tally.records} record(s) read: {tally.checked - tally.with_errors} claim(s) priced, "
        f"{tally.with_errors} not priced, {tally.unreadable} unreadable"
    )


def _options(args: argparse.Namespace) -> dict[str, Any]:
    from .payment import CaseMix, FeeSchedule, load_rates
    from .payment._args import wage_index_arg as wage_index

    options: dict[str, Any] = {}
    if args.rates:
        options["rates"] = load_rates(*args.rates)
    if args.fee_schedule:
        options["fee_schedule"] = FeeSchedule.of(args.fee_schedule)
    if args.case_mix:
        options["case_mix"] = CaseMix.of(args.case_mix)
    if args.wage_index:
        options["wage_index"] = wage_index(args.wage_index)
    return options


def run(args: argparse.Namespace, io: Any, cli: ModuleType) -> int:
    """Price every record of the inputs, printing each payment as it is priced.

    ``cli`` is :mod:`hcpcs_home.cli`, whose input reading and output helpers
    ``check`` uses too (passed in, so this module does not import it back).
    """
    from .payment import price

    inputs = cli._open_inputs(args.files, args.format)
    options = _options(args)
    if args.payer is not None:
        from .payers import payer_profile

        payer_profile(args.payer)
    tally = cli._Tally()
    write = _write_json if args.json else _write_text
    try:
        for record in cli._all_records(inputs, cli._readers(args), io):
            tally.records += 1
            payment = None
            if record.claim is None:
                tally.unreadable += 1
            else:
                payment = price(record.claim, **options)
                tally.checked += 1
                tally.with_errors += not payment.priced
            write(io.out, record, payment, cli._printable)
            io.out.flush()
    except BrokenPipeError:
        cli._quiet_closed_stdout(io.out)
        print(f"hcpcs-home: output closed; {_summary(tally)}", file=io.err)
        return int(cli.EXIT_ERRORS if tally.failed else cli.EXIT_OK)
    except KeyboardInterrupt:
        print(f"hcpcs-home: interrupted; {_summary(tally)}", file=io.err)
        return int(cli._INTERRUPTED)
    print(f"hcpcs-home: {_summary(tally)}", file=io.err)
    if tally.records == 0:
        print("hcpcs-home: nothing was priced", file=io.err)
        return int(cli.EXIT_USAGE)
    return int(cli.EXIT_ERRORS if tally.failed else cli.EXIT_OK)


def _write_text(out: TextIO, record: Any, payment: Any, printable: Any) -> None:
    if payment is None:
        text = f"{record.label}: cannot read claim: {record.problem}"
    elif payment.priced:
        lines = [f"{part.what}: {part.amount}" for part in payment.parts]
        text = f"{record.label}: {payment.amount} ({payment.benefit})"
        text += "".join(f"\n  {line}" for line in lines)
    else:
        text = f"{record.label}: not priced: {payment.reason}"
    print(printable(text, out), file=out)


def _write_json(out: TextIO, record: Any, payment: Any, printable: Any) -> None:
    data: dict[str, Any] = {"file": record.file, "line": record.line, "record": record.number}
    if payment is None:
        data.update(ok=False, error={"message": record.problem, "field": record.field})
    else:
        data.update(ok=payment.priced, payment=payment.to_data())
    print(json.dumps(data, default=_plain), file=out)


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)
