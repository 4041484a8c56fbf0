"""UB-04 (CMS-1450) service-line rows and header boxes as CSV, for printing or a spreadsheet.

The rows themselves are :meth:`ClaimLine.ub04_row
<hcpcs_home.claims.ClaimLine.ub04_row>` and :meth:`Claim.ub04_rows
<hcpcs_home.claims.Claim.ub04_rows>`: form locators FL42 (revenue code), FL44
(HCPCS and modifiers), FL45 (service date, ``MMDDYY``), FL46 (units) and FL47
(total charge), with the ``0001`` total line last.  Form-locator contents:
the CGS home-health billing pages (cgsmedicare.com/hhh, reason code 38107
education) and NGS's home-health billing articles (ngsmedicare.com); FL47's
content is UNCONFIRMED (no public source found).  This
module only writes them out, with a leading ``claim`` column (the claim's id)
so that many claims share one file.

>>> from hcpcs_home import Claim, ClaimLine, payers, ub04
>>> claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", type_of_bill="0329",
...               id="PCN1", lines=[ClaimLine("G0299", "2024-03-04", 4,
...                                           revenue_code="0551", charge="150")])
>>> print(ub04.to_csv(claim), end="")
claim,FL42 rev,FL44 HCPCS/mods,FL45 date,FL46 units,FL47 charge
PCN1,0551,G0299,030424,4,150.00
PCN1,0001,TOTAL,,,150.00
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import TextIO

from .claims import Claim
from .errors import InvalidFieldError

__all__ = [
    "CLAIM_COLUMN",
    "HEADER_COLUMNS",
    "header_row",
    "header_to_csv",
    "to_csv",
    "write_csv",
    "write_header_csv",
]


def __dir__() -> list[str]:
    return __all__


CLAIM_COLUMN = "claim"
"""Name of the leading column that holds each row's claim id."""


def _claims(claims: Claim | Iterable[Claim]) -> Iterable[Claim]:
    if isinstance(claims, Claim):
        return (claims,)
    if isinstance(claims, (str, bytes)) or not isinstance(claims, Iterable):
        raise InvalidFieldError("claims", claims, "must be a Claim or an iterable of claims")
    return claims


def write_csv(claims: Claim | Iterable[Claim], file: TextIO, *, total: bool = True) -> int:
    """Write the FL42-FL47 rows of one claim or many to ``file``; return the rows written.

    ``total=False`` leaves out each claim's ``0001`` total line.  Open
    ``file`` with ``newline=""``, as ``csv`` asks.
    """
    writer: csv.DictWriter[str] | None = None
    count = 0
    for i, claim in enumerate(_claims(claims)):
        if not isinstance(claim, Claim):
            raise InvalidFieldError(f"claims[{i}]", claim, "must be a Claim")
        rows = claim.ub04_rows()
        if not total:
            rows = rows[:-1]
        if writer is None:
            fields = [CLAIM_COLUMN, *claim.ub04_rows()[-1]]
            writer = csv.DictWriter(file, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
        for row in rows:
            writer.writerow({CLAIM_COLUMN: claim.id, **row})
            count += 1
    return count


def to_csv(claims: Claim | Iterable[Claim], *, total: bool = True) -> str:
    """The FL42-FL47 rows of one claim or many as CSV text (see :func:`write_csv`)."""
    out = io.StringIO()
    write_csv(claims, out, total=total)
    return out.getvalue()


# --- the header: FL12-FL41 ------------------------------------------------------------

#: Room on the form: FL18-28 hold 11 condition codes; FL31-34 lines a and b hold 8
#: occurrence codes; FL35-36 lines a and b hold 4 spans; FL39-41 lines a-d hold 12 value
#: codes (CMS-1450 form; Pub. 100-04 ch. 25 §75).
_CONDITIONS = tuple(f"FL{n}" for n in range(18, 29))
_OCCURRENCES = tuple(f"FL{n}{r}" for n in range(31, 35) for r in "ab")
_SPANS = tuple(f"FL{n}{r}" for n in (35, 36) for r in "ab")
_VALUES = tuple(f"FL{n}{r}" for r in "abcd" for n in (39, 40, 41))

HEADER_COLUMNS: tuple[str, ...] = (
    "FL12 admission",
    "FL15 origin",
    "FL17 status",
    *_CONDITIONS,
    *(f"{fl} {part}" for fl in _OCCURRENCES for part in ("code", "date")),
    *(f"{fl} {part}" for fl in _SPANS for part in ("code", "from", "through")),
    *(f"{fl} {part}" for fl in _VALUES for part in ("code", "amount")),
)
"""The columns of :func:`header_row`, in form order: FL12, FL15, FL17, the condition
codes FL18-28, occurrence codes and dates FL31a-34b, spans FL35a-36b and value codes
and amounts FL39a-41d (rows a-d across FL39, FL40, FL41)."""


def _mmddyy(day: _dt.date | None) -> str:
    return "" if day is None else day.strftime("%m%d%y")


def _fit(name: str, items: tuple[object, ...], room: int) -> None:
    if len(items) > room:
        raise InvalidFieldError(
            name, len(items), f"do not fit on the UB-04: it has room for {room}"
        )


def header_row(claim: Claim) -> dict[str, str]:
    """The claim's UB-04 header as printed text, column by :data:`HEADER_COLUMNS`.

    Dates are ``MMDDYY``; value amounts have two decimals (a CBSA of 16974 prints
    as ``16974.00``, as the form is keyed).  Unused boxes are ``""``.

    >>> from hcpcs_home import Claim, payers
    >>> row = header_row(Claim(payers.MEDICARE, "2024-03-01", "2024-03-30",
    ...                        type_of_bill="0329", admission_date="2024-01-31",
    ...                        patient_status="30", condition_codes=["47"],
    ...                        occurrence_codes=[("50", "2024-02-27")],
    ...                        value_codes=[("61", "16974"), ("85", "17031")]))
    >>> {k: v for k, v in row.items() if v}  # doctest: +NORMALIZE_WHITESPACE
    {'FL12 admission': '013124', 'FL17 status': '30', 'FL18': '47',
     'FL31a code': '50', 'FL31a date': '022724', 'FL39a code': '61',
     'FL39a amount': '16974.00', 'FL40a code': '85', 'FL40a amount': '17031.00'}

    :raises InvalidFieldError: more codes of a kind than the form has boxes for
        (the 837I takes up to 24; send those electronically).
    """
    if not isinstance(claim, Claim):
        raise InvalidFieldError("claim", claim, "must be a Claim")
    _fit("condition_codes", claim.condition_codes, len(_CONDITIONS))
    _fit("occurrence_codes", claim.occurrence_codes, len(_OCCURRENCES))
    _fit("occurrence_spans", claim.occurrence_spans, len(_SPANS))
    _fit("value_codes", claim.value_codes, len(_VALUES))
    row = dict.fromkeys(HEADER_COLUMNS, "")
    row["FL12 admission"] = _mmddyy(claim.admission_date)
    row["FL15 origin"] = claim.point_of_origin or ""
    row["FL17 status"] = claim.patient_status or ""
    for fl, code in zip(_CONDITIONS, claim.condition_codes, strict=False):
        row[fl] = code
    for fl, occ in zip(_OCCURRENCES, claim.occurrence_codes, strict=False):
        row[f"{fl} code"], row[f"{fl} date"] = occ.code, _mmddyy(occ.date)
    for fl, span in zip(_SPANS, claim.occurrence_spans, strict=False):
        row[f"{fl} code"] = span.code
        row[f"{fl} from"], row[f"{fl} through"] = _mmddyy(span.start), _mmddyy(span.through)
    for fl, value in zip(_VALUES, claim.value_codes, strict=False):
        row[f"{fl} code"] = value.code
        row[f"{fl} amount"] = f"{value.amount.quantize(Decimal('0.01')):f}"
    return row


def write_header_csv(claims: Claim | Iterable[Claim], file: TextIO) -> int:
    """Write one header row (:func:`header_row`) per claim to ``file``; return the rows."""
    writer = csv.DictWriter(file, fieldnames=[CLAIM_COLUMN, *HEADER_COLUMNS], lineterminator="\n")
    writer.writeheader()
    count = 0
    for i, claim in enumerate(_claims(claims)):
        if not isinstance(claim, Claim):
            raise InvalidFieldError(f"claims[{i}]", claim, "must be a Claim")
        writer.writerow({CLAIM_COLUMN: claim.id, **header_row(claim)})
        count += 1
    return count


def header_to_csv(claims: Claim | Iterable[Claim]) -> str:
    """The header rows of one claim or many as CSV text (see :func:`write_header_csv`)."""
    out = io.StringIO()
    write_header_csv(claims, out)
    return out.getvalue()
