"""UB-04 (CMS-1450) service-line rows as CSV, for printing or a spreadsheet.

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
import io
from collections.abc import Iterable
from typing import TextIO

from .claims import Claim
from .errors import InvalidFieldError

__all__ = ["CLAIM_COLUMN", "to_csv", "write_csv"]


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
