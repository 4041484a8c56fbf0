""":class:`~hcpcs_home.limits.LimitProblem`, defined on first use.

A check builds one only where a line passes a limit, so the class is defined
when :mod:`hcpcs_home.limits` is first asked for it (its module ``__getattr__``)
or a problem is first found: a fresh process checking claims within their
limits never compiles its attrs methods.  It belongs to :mod:`hcpcs_home.limits`,
where it is documented and pickled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from ._values import lazy_methods

if TYPE_CHECKING:
    from decimal import Decimal

__all__ = ["LimitProblem"]


@attrs.frozen(slots=True)
@lazy_methods
class LimitProblem:
    """One limit a line passes.

    :ivar number: the authorization number, or ``None`` for a per-day limit of the code.
    :ivar message: what is passed, with the numbers.
    :ivar max_units: the most units of the line's code the line could bill within
        the limit, where that can be counted.
    """

    number: str | None
    message: str
    max_units: int | Decimal | None = None


LimitProblem.__module__ = "hcpcs_home.limits"
