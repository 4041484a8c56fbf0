"""A claim history held in memory, indexed like the database one."""

from __future__ import annotations

import bisect
import datetime as _dt
from collections.abc import Iterable, Sequence

from ..claims import Claim
from ..errors import HistoryConflictError, InvalidFieldError
from ..evv import EvvVisit
from ._records import (
    Certification,
    Stay,
    check_range,
    claim_key,
    merge_provider,
    stay_of,
    text,
    workers_of,
)

__all__ = ["MemoryHistory"]


def __dir__() -> list[str]:
    return __all__


class MemoryHistory:
    """A :class:`~hcpcs_home.history.ClaimHistory` in memory: for tests, notebooks,
    and the batch a :func:`~hcpcs_home.policy.check_many` call checks together.

    Claims are indexed by beneficiary, authorization number and worker, so a
    query reads only the claims it asks about.

    >>> from hcpcs_home import Claim, payers
    >>> history = MemoryHistory()
    >>> history.add(Claim(payers.MEDICARE, "2024-03-01", "2024-03-01", id="NOA1",
    ...                   patient_id="M1", type_of_bill="032A", admission_date="2024-03-01"))
    >>> [c.id for c in history.claims("M1", "2024-02-01", "2024-03-31")], len(history)
    (['NOA1'], 1)
    """

    def __init__(self, claims: Iterable[Claim] = ()) -> None:
        self._claims: list[Claim] = []
        self._keys: dict[str, int] = {}
        self._by_beneficiary: dict[str, list[int]] = {}
        self._by_authorization: dict[str, list[int]] = {}
        self._providers: dict[int, str] = {}
        self._by_provider: dict[str, list[int]] = {}
        #: (position, days) of each claim naming a worker: plain tuples of numbers and
        #: dates, which the garbage collector stops tracking (a batch of thousands of
        #: claims holds several per claim: a full collection then walks none of them).
        self._by_worker: dict[str, list[tuple[int, tuple[_dt.date, ...]]]] = {}
        self._visits: dict[str, EvvVisit] = {}
        self._visits_by_worker: dict[str, list[EvvVisit]] = {}
        self._stays: dict[tuple[str, _dt.date, str], Stay] = {}
        self._stays_by_beneficiary: dict[str, list[Stay]] = {}
        self._certifications: dict[str, dict[_dt.date, Certification]] = {}
        for claim in claims:
            self.add(claim)

    # --- writes ---------------------------------------------------------------------

    def add(self, claim: Claim, *, provider: str | None = None) -> None:
        """Store ``claim`` (see :meth:`ClaimHistory.add`)."""
        key = claim_key(claim)
        if provider is not None:
            provider = text("provider", provider)
        found = self._keys.get(key)
        if found is not None:
            if self._claims[found] != claim:
                raise HistoryConflictError(key, "the claim's content differs")
            stored = self._providers.get(found)
            if merge_provider(key, stored, provider) != stored:
                self._set_provider(found, provider)
            return
        seq = self._append(claim, key)
        if provider is not None:
            self._set_provider(seq, provider)

    def _set_provider(self, seq: int, provider: str | None) -> None:
        assert provider is not None
        self._providers[seq] = provider
        held = self._by_provider.setdefault(provider, [])
        if held and held[-1] > seq:  # an earlier claim given its provider: keep the order added
            bisect.insort(held, seq)
        else:
            held.append(seq)

    def _append(self, claim: Claim, key: str | None) -> int:
        """Store ``claim`` at the end, under ``key`` (``None``: a batch's claim, known
        by its position alone); its position."""
        seq = len(self._claims)
        self._claims.append(claim)
        if key is not None:
            self._keys[key] = seq
        if claim.patient_id:
            self._by_beneficiary.setdefault(claim.patient_id, []).append(seq)
        for number in {a.number for a in claim.authorizations}:
            self._by_authorization.setdefault(number, []).append(seq)
        for worker, days in workers_of(claim).items():
            self._by_worker.setdefault(worker, []).append((seq, tuple(days)))
        stay = stay_of(claim, key or f"#{seq}")
        if stay is not None:
            self._stays_by_beneficiary.setdefault(stay.beneficiary, []).append(stay)
        return seq

    def add_visits(self, visits: Iterable[EvvVisit]) -> None:
        """Store EVV visits (see :meth:`ClaimHistory.add_visits`); all or none."""
        if isinstance(visits, (str, bytes)) or not isinstance(visits, Iterable):
            raise InvalidFieldError("visits", visits, "must be an iterable of EvvVisits")
        new: dict[str, EvvVisit] = {}
        for i, visit in enumerate(visits):
            if not isinstance(visit, EvvVisit):
                raise InvalidFieldError(f"visits[{i}]", visit, "must be an EvvVisit")
            known = self._visits.get(visit.id, new.get(visit.id))
            if known is not None and known != visit:
                raise HistoryConflictError(f"visit {visit.id}", "the visit's content differs")
            if known is None:
                new[visit.id] = visit
        for visit in new.values():
            self._visits[visit.id] = visit
            for name in {visit.worker, visit.worker_npi} - {None}:
                assert name is not None
                self._visits_by_worker.setdefault(name, []).append(visit)

    def add_stay(
        self, beneficiary: str, admitted: _dt.date, discharged: _dt.date, kind: str
    ) -> None:
        """Store an inpatient stay (see :meth:`ClaimHistory.add_stay`)."""
        stay = Stay(beneficiary, admitted, discharged, kind)
        key = (stay.beneficiary, stay.admitted, stay.kind)
        known = self._stays.get(key)
        if known is not None:
            if known != stay:
                raise HistoryConflictError(
                    f"stay {stay.beneficiary} {stay.admitted} {stay.kind}",
                    f"discharged {known.discharged}, not {stay.discharged}",
                )
            return
        self._stays[key] = stay
        self._stays_by_beneficiary.setdefault(stay.beneficiary, []).append(stay)

    def add_certification(
        self,
        beneficiary: str,
        period_start: _dt.date,
        *,
        face_to_face: _dt.date | None = None,
    ) -> None:
        """Store a hospice certification (see :meth:`ClaimHistory.add_certification`)."""
        cert = Certification(beneficiary, period_start, face_to_face)
        held = self._certifications.setdefault(cert.beneficiary, {})
        known = held.get(cert.period_start)
        if known is not None and known.face_to_face is not None:
            if cert.face_to_face is not None and cert.face_to_face != known.face_to_face:
                raise HistoryConflictError(
                    f"certification {cert.beneficiary} {cert.period_start}",
                    f"face-to-face {known.face_to_face}, not {cert.face_to_face}",
                )
            return
        held[cert.period_start] = cert

    # --- queries --------------------------------------------------------------------

    def get(self, key: str) -> Claim | None:
        """The claim stored under ``key``, or ``None``."""
        seq = self._keys.get(key)
        return None if seq is None else self._claims[seq]

    def claims(self, beneficiary: str, start: _dt.date, end: _dt.date) -> Sequence[Claim]:
        """The beneficiary's claims overlapping ``start``-``end``, in the order added."""
        beneficiary = text("beneficiary", beneficiary)
        return self._overlapping(self._by_beneficiary.get(beneficiary, ()), start, end)

    def claims_by_authorization(self, number: str) -> Sequence[Claim]:
        """The claims carrying authorization ``number``, in the order added."""
        number = text("number", number)
        return tuple(self._claims[seq] for seq in self._by_authorization.get(number, ()))

    def claims_by_provider(self, provider: str, start: _dt.date, end: _dt.date) -> Sequence[Claim]:
        """The claims added under ``provider`` overlapping ``start``-``end``, in the order
        added."""
        provider = text("provider", provider)
        return self._overlapping(self._by_provider.get(provider, ()), start, end)

    def _overlapping(
        self, seqs: Iterable[int], start: _dt.date, end: _dt.date
    ) -> tuple[Claim, ...]:
        """The claims at ``seqs`` whose statement period overlaps ``start``-``end``."""
        first, last = check_range(start, end)
        out = []
        for seq in seqs:
            c = self._claims[seq]
            if c.statement_from <= last and c.statement_through >= first:
                out.append(c)
        return tuple(out)

    def claims_by_worker(self, worker: str, start: _dt.date, end: _dt.date) -> Sequence[Claim]:
        """The claims naming ``worker`` on a day from ``start`` to ``end``."""
        worker = text("worker", worker)
        first, last = check_range(start, end)
        return tuple(
            self._claims[seq]
            for seq, days in self._by_worker.get(worker, ())
            if any(first <= d <= last for d in days)
        )

    def visits(self, worker: str, start: _dt.date, end: _dt.date) -> Sequence[EvvVisit]:
        """The stored EVV visits of ``worker`` dated ``start`` to ``end``."""
        worker = text("worker", worker)
        first, last = check_range(start, end)
        return tuple(v for v in self._visits_by_worker.get(worker, ()) if first <= v.date <= last)

    def stays(self, beneficiary: str, start: _dt.date, end: _dt.date) -> Sequence[Stay]:
        """The beneficiary's inpatient stays overlapping ``start``-``end``."""
        beneficiary = text("beneficiary", beneficiary)
        first, last = check_range(start, end)
        return tuple(
            s
            for s in self._stays_by_beneficiary.get(beneficiary, ())
            if s.admitted <= last and s.discharged >= first
        )

    def certifications(self, beneficiary: str) -> Sequence[Certification]:
        """The beneficiary's hospice certifications, by period start."""
        beneficiary = text("beneficiary", beneficiary)
        held = self._certifications.get(beneficiary, {})
        return tuple(held[day] for day in sorted(held))

    def __len__(self) -> int:
        return len(self._claims)

    def __repr__(self) -> str:
        return f"MemoryHistory(<{len(self)} claims>)"

    # --- the batch a check_many call checks together -----------------------------

    @classmethod
    def _of_batch(cls, claims: Sequence[Claim]) -> MemoryHistory:
        """A history of a batch: every claim at its position, none refused (a batch may
        hold one claim twice; the rules tell them apart by position)."""
        history = cls()
        for claim in claims:
            history._append(claim, None)
        return history

    def _all(self) -> Sequence[Claim]:
        return self._claims
