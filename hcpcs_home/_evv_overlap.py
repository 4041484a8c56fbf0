""":class:`~hcpcs_home.evv.Overlap`, defined on first use.

A check builds one only where a worker is documented in two visits at once, so
the class is defined when :mod:`hcpcs_home.evv` is first asked for it (its
module ``__getattr__``) or an overlap is first found: a fresh process checking
claims without one never compiles its attrs methods.  It belongs to
:mod:`hcpcs_home.evv`, where it is documented and pickled.
"""

from __future__ import annotations

import attrs

from ._values import lazy_methods

__all__ = ["Overlap"]


@attrs.frozen(slots=True)
@lazy_methods
class Overlap:
    """One worker documented in two visits at once.

    :ivar claim: the index of the claim (in the batch) whose visit overlaps.
    :ivar visit: that visit's id.
    :ivar other_claim: the index of the claim holding the other visit.
    :ivar other_visit: the other visit's id.
    :ivar worker: the worker (id or NPI) both visits name.
    """

    claim: int
    visit: str
    other_claim: int
    other_visit: str
    worker: str


Overlap.__module__ = "hcpcs_home.evv"
