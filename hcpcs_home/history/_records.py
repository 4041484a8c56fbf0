"""What a claim history holds besides claims, the identity of a claim, and the
:class:`ClaimHistory` protocol every store implements."""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

from .. import _fields as f
from .. import bounds as lim
from .._values import lazy_methods
from ..claims import Claim
from ..errors import HistoryConflictError, InvalidFieldError, InvalidTimeError
from ..evv import EvvVisit

__all__ = ["INPATIENT_BILL_CLASSES", "Certification", "ClaimHistory", "Stay", "claim_key"]


def __dir__() -> list[str]:
    return __all__


#: Type-of-bill classes (UB-04 FL4 digits 2-3) of inpatient claims: a claim of one of
#: these added with ``add`` is also an inpatient stay (hospital inpatient 11, swing
#: bed 18, skilled nursing inpatient 21; NUBC type of bill codes as listed in CMS
#: Pub. 100-04 ch. 25 §75.1, form locator 4).
INPATIENT_BILL_CLASSES: dict[str, str] = {"11": "hospital", "18": "swing-bed", "21": "snf"}


def _check_discharged(instance: Stay, attribute: attrs.Attribute[Any], value: _dt.date) -> None:
    if value < instance.admitted:
        raise InvalidTimeError("discharged", value, f"is before admitted={instance.admitted}")


def _nonempty(instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if not value:
        raise InvalidFieldError(attribute.name, value, "must not be empty")


@attrs.frozen(slots=True)
@lazy_methods
class Stay:
    """An inpatient stay (hospital, skilled nursing facility...) of a beneficiary.

    :ivar beneficiary: the beneficiary or member id (as on the claims' ``patient_id``).
    :ivar admitted: the day of admission.
    :ivar discharged: the day of discharge (the admission day for a one-day stay).
    :ivar kind: what kind of stay (``"hospital"``, ``"snf"``, ...: free text, as the
        backend names it).
    :ivar source: the claim key of the inpatient claim it was read from, or ``""``
        for a stay added with :meth:`ClaimHistory.add_stay`.
    """

    beneficiary: str = attrs.field(converter=f.identifier("beneficiary"), validator=_nonempty)
    admitted: _dt.date = attrs.field(converter=f.date("admitted"))
    discharged: _dt.date = attrs.field(converter=f.date("discharged"), validator=_check_discharged)
    kind: str = attrs.field(converter=f.identifier("kind"), validator=_nonempty)
    source: str = attrs.field(default="", kw_only=True)


@attrs.frozen(slots=True)
@lazy_methods
class Certification:
    """A hospice certification of a benefit period, with the face-to-face encounter
    that recertifies it from the third period on (42 CFR 418.22(a)(4)).

    :ivar beneficiary: the beneficiary id.
    :ivar period_start: the first day of the benefit period it certifies.
    :ivar face_to_face: the day of the face-to-face encounter, or ``None`` when none
        is recorded.
    """

    beneficiary: str = attrs.field(converter=f.identifier("beneficiary"), validator=_nonempty)
    period_start: _dt.date = attrs.field(converter=f.date("period_start"))
    face_to_face: _dt.date | None = attrs.field(
        default=None, converter=f.optional(f.date("face_to_face"))
    )


def claim_key(claim: Claim) -> str:
    """The identity under which a history stores ``claim``.

    A claim with an ``id`` (the patient control number, or the payer's claim number
    where a backend puts it there) is known by its payer, beneficiary, type of bill,
    From date and id: ``"medicare|M1|0329|2024-03-01|PCN7"``.  A claim without an id
    is known by a digest of its content, so adding it again is harmless and a
    different claim can never take its place.

    >>> from hcpcs_home import Claim, payers
    >>> claim_key(Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", id="PCN7",
    ...                 patient_id="M1", type_of_bill="0329"))
    'medicare|M1|0329|2024-03-01|PCN7'
    """
    if not isinstance(claim, Claim):
        raise InvalidFieldError("claim", claim, "must be a Claim")
    if claim.id:
        return "|".join(
            (
                claim.payer.id,
                claim.patient_id or "",
                claim.type_of_bill or "",
                claim.statement_from.isoformat(),
                claim.id,
            )
        )
    from ..serialize import claim_to_json

    digest = hashlib.sha256(claim_to_json(claim, indent=None).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def workers_of(claim: Claim) -> dict[str, set[_dt.date]]:
    """The workers (ids and NPIs) named by the claim's services and EVV visits, with the
    days they worked on it."""
    out: dict[str, set[_dt.date]] = {}
    for s in claim.services:
        for name in (s.rendering_id, s.rendering_npi):
            if name:
                out.setdefault(name, set()).update(s.days())
    for v in claim.evv_visits or ():
        for name in (v.worker, v.worker_npi):
            if name:
                out.setdefault(name, set()).add(v.date)
    return out


def stay_of(claim: Claim, key: str) -> Stay | None:
    """The inpatient stay an inpatient claim (:data:`INPATIENT_BILL_CLASSES`) records."""
    kind = INPATIENT_BILL_CLASSES.get(claim.bill_class or "")
    if kind is None or not claim.patient_id:
        return None
    admitted = claim.admission_date or claim.statement_from
    admitted = min(admitted, claim.statement_from)
    return Stay(claim.patient_id, admitted, claim.statement_through, kind, source=key)


_START = f.date("start")
_END = f.date("end")
_TEXTS: dict[str, Any] = {}
_FIRST_DAY = lim.MIN_DATE
_LAST_DAY = lim.MAX_DATE


def check_range(start: object, end: object) -> tuple[_dt.date, _dt.date]:
    """``start`` and ``end`` as dates, ``end`` not before ``start``."""
    if (
        type(start) is _dt.date
        and type(end) is _dt.date
        and _FIRST_DAY <= start <= end <= _LAST_DAY
    ):
        return start, end  # the usual ask: dates in range (what the converters accept)
    first = _START(start)
    last = _END(end)
    if last < first:
        raise InvalidTimeError("end", last, f"is before start={first.isoformat()}")
    return first, last


def merge_provider(key: str, stored: str | None, given: str | None) -> str | None:
    """The provider a claim stored under ``stored`` has after it is added again with
    ``given`` (a provider is recorded once, never changed).

    :raises HistoryConflictError: the claim is stored under another provider.
    """
    if given is None or given == stored:
        return stored
    if stored is not None:
        raise HistoryConflictError(key, f"the provider differs: stored {stored}, given {given}")
    return given


def text(field: str, value: object) -> str:
    """An identifier argument (beneficiary, worker, authorization number), checked."""
    convert = _TEXTS.get(field)
    if convert is None:
        convert = _TEXTS[field] = f.identifier(field)
    out: str = convert(value)
    if not out:
        raise InvalidFieldError(field, value, "must not be empty")
    return out


@runtime_checkable
class ClaimHistory(Protocol):
    """What the ``history`` rules ask of a store of earlier claims.

    :class:`~hcpcs_home.history.MemoryHistory` and
    ``SqliteHistory`` implement it; a backend can put the
    same checks on its own database by implementing these methods (every query is
    by beneficiary, worker or authorization, and by dates, so a store can answer
    from its indexes without reading every claim).  Queries return what was added,
    in the order it was added.

    Writes never overwrite: adding a record whose identity is already stored with
    different content raises :class:`~hcpcs_home.errors.HistoryConflictError`;
    adding the same record again changes nothing.
    """

    def add(self, claim: Claim, *, provider: str | None = None) -> None:
        """Store a claim (any claim: notices of admission 032A and of election 8XA
        included, each with its acceptance date in ``notice_accepted``).  Inpatient
        claims (``INPATIENT_BILL_CLASSES``) also count as stays.

        ``provider`` names the billing provider the claim was billed under (its CMS
        Certification Number or NPI, as the backend keys its providers: UB-04 FL56 NPI,
        837I loop 2010AA ``NM109``); :meth:`claims_by_provider` finds it by that name.
        A claim stored without one may be given one later by adding it again; a claim
        stored under one provider and added under another is a
        :class:`~hcpcs_home.errors.HistoryConflictError`."""

    def add_visits(self, visits: Iterable[EvvVisit]) -> None:
        """Store EVV visits (from the state's aggregator), known by their ``id``."""

    def add_stay(
        self, beneficiary: str, admitted: _dt.date, discharged: _dt.date, kind: str
    ) -> None:
        """Store an inpatient stay, known by beneficiary, admission day and kind."""

    def add_certification(
        self,
        beneficiary: str,
        period_start: _dt.date,
        *,
        face_to_face: _dt.date | None = None,
    ) -> None:
        """Store a hospice certification of the benefit period starting ``period_start``,
        known by beneficiary and period start; a face-to-face date may be added to one
        stored without it, not changed."""

    def get(self, key: str) -> Claim | None:
        """The claim stored under ``key`` (:func:`claim_key`), or ``None``."""

    def claims(self, beneficiary: str, start: _dt.date, end: _dt.date) -> Sequence[Claim]:
        """The beneficiary's claims whose statement period overlaps ``start``-``end``."""

    def claims_by_authorization(self, number: str) -> Sequence[Claim]:
        """The claims that carry an authorization numbered ``number``."""

    def claims_by_provider(self, provider: str, start: _dt.date, end: _dt.date) -> Sequence[Claim]:
        """The claims added under ``provider`` whose statement period overlaps
        ``start``-``end`` (what a provider's year-to-date totals, such as the hospice
        aggregate cap, are summed from)."""

    def claims_by_worker(self, worker: str, start: _dt.date, end: _dt.date) -> Sequence[Claim]:
        """The claims with a service or EVV visit of ``worker`` (staff id or NPI) on a
        day from ``start`` to ``end``."""

    def visits(self, worker: str, start: _dt.date, end: _dt.date) -> Sequence[EvvVisit]:
        """The stored EVV visits of ``worker`` (id or NPI) dated ``start`` to ``end``."""

    def stays(self, beneficiary: str, start: _dt.date, end: _dt.date) -> Sequence[Stay]:
        """The beneficiary's inpatient stays overlapping ``start``-``end``, from
        :meth:`add_stay` and from inpatient claims."""

    def certifications(self, beneficiary: str) -> Sequence[Certification]:
        """The beneficiary's hospice certifications, by period start."""

    def __len__(self) -> int:
        """The number of claims stored."""
