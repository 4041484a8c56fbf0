"""The arguments :func:`~hcpcs_home.payment.price` and the provider-wide functions share:
a wage index given as a number, a table or a file, and the rate years."""

from __future__ import annotations

import os
import re
from decimal import Decimal

from ..errors import InvalidFieldError
from .rates import Rates, shipped_rates
from .wage_index import WageIndex, load_wage_index, wage_index_value

__all__ = ["rates_arg", "wage_index_arg"]


def __dir__() -> list[str]:
    return __all__


def wage_index_arg(value: object) -> Decimal | WageIndex | None:
    """A wage index argument as a number or a :class:`WageIndex` (a path is read)."""
    if value is None or isinstance(value, WageIndex):
        return value
    if isinstance(value, os.PathLike) or (isinstance(value, str) and not _numeric(value)):
        return load_wage_index(value)
    return wage_index_value(value)


def _numeric(text: str) -> bool:
    """Whether ``text`` reads as a number (then it is a wage index, not a file name)."""
    return re.fullmatch(r"\s*[-+]?(\d+\.?\d*|\.\d+)\s*", text) is not None


def rates_arg(value: object) -> Rates:
    """The rate years to price with: the shipped ones where ``None``."""
    if value is None:
        return shipped_rates()
    if not isinstance(value, Rates):
        raise InvalidFieldError("rates", value, "must be Rates (None for the shipped rate rows)")
    return value
