"""Plain values of the Medicare home-health (PDGM) and hospice benefits.

:mod:`hcpcs_home.pdgm` and :mod:`hcpcs_home.hospice` publish and document them;
the rule modules read them from here at import, so that checking a claim of
another benefit (home care, therapy) imports neither of those modules nor their
classes.
"""

from __future__ import annotations

__all__ = [
    "AT_LEAST_HALF",
    "LEVEL_OF_CARE_CODES",
    "MORE_THAN_HALF",
    "PERIOD_DAYS",
    "TELEHEALTH_CODES",
]

#: Length of a PDGM payment period in days (CR 11081).
PERIOD_DAYS = 30

#: Home-health telecommunications G-codes (CR 12805).
TELEHEALTH_CODES = frozenset({"G0320", "G0321", "G0322"})

#: Revenue codes of the four hospice levels of care (Pub. 100-04 ch. 11 §30.1).
LEVEL_OF_CARE_CODES = frozenset({"0651", "0652", "0655", "0656"})

#: The two readings of a continuous-home-care day's nursing share (NGS: more than
#: half; CGS: at least half), values of :class:`hcpcs_home.hospice.NursingShare`.
MORE_THAN_HALF = "more than half"
AT_LEAST_HALF = "at least half"
