"""What a :class:`~hcpcs_home.claims.Claim`'s parts say against each other.

A claim's statement period, its services, authorizations and EVV visits are
checked together once the claim is built: ids used twice, a line naming a
service the claim does not hold, a period ending before it starts.  The claim
tells the usual, consistent case from a few set sizes; this module finds every
problem when that quick test fails, so one error names them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import HcpcsError, InvalidFieldError, InvalidTimeError

if TYPE_CHECKING:
    from .claims import Claim

__all__ = ["problems"]


def problems(claim: Claim) -> list[HcpcsError]:
    """Every clash between ``claim``'s parts, in the order its fields are read."""
    found: list[HcpcsError] = []
    if claim.statement_through < claim.statement_from:
        found.append(
            InvalidTimeError(
                "$.statement_through",
                claim.statement_through,
                f"is before statement_from={claim.statement_from.isoformat()}",
            )
        )
    found += _used_twice("$.services[{}].id", [s.id for s in claim.services])
    found += _used_twice("$.authorizations[{}].number", [a.number for a in claim.authorizations])
    found += _used_twice("$.evv_visits[{}].id", [v.id for v in claim.evv_visits or ()])
    seen = {s.id for s in claim.services}
    for i, line in enumerate(claim.lines):
        for j, sid in enumerate(line.service_ids):
            if sid not in seen:
                found.append(
                    InvalidFieldError(
                        f"$.lines[{i}].service_ids[{j}]", sid, "names no service on the claim"
                    )
                )
    return found


def _used_twice(path: str, keys: list[str]) -> list[HcpcsError]:
    """An error for each key that repeats an earlier one (``path`` takes the index)."""
    seen: set[str] = set()
    found: list[HcpcsError] = []
    for i, key in enumerate(keys):
        if key in seen:
            found.append(InvalidFieldError(path.format(i), key, "is used twice"))
        seen.add(key)
    return found
