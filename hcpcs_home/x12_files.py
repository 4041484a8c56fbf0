"""Whole 837I and 837P files, read and written with x12sdk (``hcpcs_home[x12sdk]``).

Parsing an interchange (ISA to IEA, the HL hierarchy, the payer and patient
loops) is `x12sdk <https://pypi.org/project/x12sdk/>`_'s job, the maintained
pydantic-2 successor of linuxforhealth-x12.  This module turns each claim
x12sdk reads into a :class:`~hcpcs_home.claims.Claim`, and puts checked or
corrected claims back into the file they came from.  The service lines go
through this library's own :mod:`hcpcs_home.x12` parser and renderer, so
loop 2400 is mapped in one place only.

What is mapped (everything else in the file is left to x12sdk and kept as is):

==================  =========================================================
Claim field         837 source
==================  =========================================================
``id``              CLM01, patient control number
``type_of_bill``    837I: CLM05, facility type code (CLM05-1) and claim
                    frequency (CLM05-3): ``32:A:9`` is ``0329``; ``None`` on
                    an 837P
``statement_from``  837I: loop 2300 ``DTP*434`` (``RD8`` range or ``D8`` day);
``statement_…``     837P: the first and last line dates (an 837P has no
                    statement period)
``lines``           loop 2400: ``LX``, ``SV2``/``SV1``, ``DTP*472`` through
                    :func:`hcpcs_home.x12.parse_service_lines`; an 837I line
                    without ``DTP*472`` takes the statement date when the
                    period is one day
header (837I)       loop 2300 through :func:`hcpcs_home.x12.parse_claim`:
                    ``admission_date`` (``DTP*435``), ``point_of_origin``
                    and ``patient_status`` (``CL1``), condition, occurrence,
                    span and value codes (``HI*BG``/``BH``/``BI``/``BE``),
                    ``notice_accepted`` (the ``NTE*UPI*NOTICE ACCEPTED``
                    note :func:`hcpcs_home.x12.claim_segments` writes)
``prior_auth``      each line's: ``REF*G1`` (prior authorization number),
                    the line's own loop-2400 ``REF*G1`` (837P), else the
                    claim's loop-2300 ``REF*G1``; written in loop 2300 on an
                    837I (its lines must share one number) and on an 837P
                    whose lines share one (X12 RFI 2459), else in each 837P
                    line's loop
``total_charge``    CLM02; x12sdk refuses a file whose CLM02 differs from
                    the sum of its lines, so a claim read has none
``patient_id``      NM109 of loop 2010BA, the subscriber's member id (for a
                    dependent patient, the subscriber's id)
``payer``           not read: the caller passes a
                    :class:`~hcpcs_home.payers.Payer` or profile id, because
                    matching NM1*PR names to payer profiles is guesswork
==================  =========================================================

The envelope is checked before x12sdk reads it: a missing ``SE``, ``GE`` or
``IEA`` is an error naming that segment (x12sdk would read a transaction
without its ``SE`` as no claims at all), and the claims read must number the
file's ``CLM`` segments.

x12sdk is imported when a function runs, never when this module is imported;
without it those functions raise :class:`ImportError` naming the extra.
Importing x12sdk calls ``dotenv.load_dotenv()``: it reads a ``.env`` file,
searched upwards from x12sdk's install directory (from the current directory
in a REPL, a notebook or under a debugger or coverage tracer), into
``os.environ`` without overriding variables already set.

**Unconfirmed.** The CLM05 and ``DTP*434`` readings (facility code, ``A``
qualifier, frequency; ``RD8`` statement dates) are from memory of the
005010X223A3 guide, not from the guide, like the loop-2400 values listed in
:mod:`hcpcs_home.x12`.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import typing
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from ._read import read_at_most
from .bounds import MAX_DOCUMENT_BYTES
from .claims import Claim
from .errors import HcpcsError, InvalidClaimError, InvalidFieldError
from .payers import Payer
from .x12 import (
    DELIMITERS,
    Delimiters,
    _claim_prior_auth,
    _prior_auth_of,
    _prior_auth_segment,
    _split,
    _with_claim_prior_auth,
    claim_segments,
    parse_claim,
    parse_service_lines,
    service_line,
    sv1,
    sv2,
    x12_decimal,
)

__all__ = ["claim_from_x12sdk", "delimiters_of", "read_837", "update_837"]


def __dir__() -> list[str]:
    return __all__


_INSTITUTIONAL = "005010X223A3"
_PROFESSIONAL = "005010X222A2"
_ISA_LENGTH = 106


def _x12sdk() -> Any:
    """The x12sdk modules this module uses, imported on first use."""
    try:
        import x12sdk.io
        import x12sdk.support
        from x12sdk.v5010.x12_837_005010X222A2 import loops as professional
        from x12sdk.v5010.x12_837_005010X223A3 import loops as institutional
    except ImportError as exc:
        raise ImportError(
            "hcpcs_home.x12_files needs x12sdk: pip install 'hcpcs_home[x12sdk]'"
        ) from exc
    return x12sdk.io, x12sdk.support, institutional, professional


# --- the source and its delimiters -----------------------------------------------


def _text(source: str | os.PathLike[str]) -> str:
    """The X12 text of ``source``: a path, or the interchange itself (starting ``ISA``)."""
    if isinstance(source, str) and source.lstrip().startswith("ISA"):
        return source.lstrip()
    if isinstance(source, (str, os.PathLike)):
        where = str(source) if len(str(source)) <= 200 else str(source)[:200] + "..."
        try:
            data = read_at_most(source, MAX_DOCUMENT_BYTES)
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
            raise InvalidFieldError("source", where, f"cannot be read ({exc})") from None
        if len(data) > MAX_DOCUMENT_BYTES:
            raise InvalidFieldError("source", where, f"is over {MAX_DOCUMENT_BYTES:,} bytes")
        try:
            return data.decode("utf-8").lstrip()
        except UnicodeDecodeError as exc:
            raise InvalidFieldError("source", where, f"is not UTF-8 text ({exc})") from None
    raise InvalidFieldError("source", source, "must be X12 text or a path")


def delimiters_of(text: str) -> Delimiters:
    """The separators an interchange's fixed-length ``ISA`` segment declares.

    The element separator is the character after ``ISA``, the component
    separator is ISA-16 and the segment terminator follows it.

    >>> isa = ("ISA*00*          *00*          *30*SENDER         *30*RECEIVER       "
    ...        "*240301*1200*^*00501*000000001*0*T*>~")
    >>> delimiters_of(isa)
    Delimiters(element='*', component='>', segment='~')
    """
    if not isinstance(text, str) or not text.startswith("ISA") or len(text) < _ISA_LENGTH:
        raise InvalidFieldError(
            "ISA",
            text[:_ISA_LENGTH] if isinstance(text, str) else text,
            "is not a 106-character ISA segment",
        )
    return Delimiters(element=text[3], component=text[104], segment=text[105])


def _x12sdk_delimiters(d: Delimiters) -> Any:
    """x12sdk's form of ``d``; loop 2400 has no repeating element, so ISA-11 does not matter."""
    from x12sdk.models import X12Delimiters

    return X12Delimiters(
        element_separator=d.element,
        repetition_separator="^",
        segment_terminator=d.segment,
        component_separator=d.component,
    )


def _transactions(text: str) -> list[Any]:
    io, _, _, _ = _x12sdk()
    try:
        with io.X12ModelReader(text) as reader:
            return list(reader.models())
    except Exception as exc:  # x12sdk raises ValueError, pydantic errors, its own
        raise InvalidFieldError(
            "source", type(exc).__name__, f"x12sdk cannot parse it: {exc}"
        ) from exc


def _kind(transaction: Any) -> str:
    st = transaction.header.st_segment
    reference = getattr(st, "implementation_convention_reference", None)
    if st.transaction_set_identifier_code != "837" or reference not in (
        _INSTITUTIONAL,
        _PROFESSIONAL,
    ):
        raise InvalidFieldError(
            "ST",
            f"{st.transaction_set_identifier_code}/{reference}",
            f"is not an 837I ({_INSTITUTIONAL}) or 837P ({_PROFESSIONAL}) transaction",
        )
    return str(reference)


# --- reading -----------------------------------------------------------------------


def read_837(source: str | os.PathLike[str], *, payer: Payer | str) -> list[Claim]:
    """Every claim of an 837I or 837P interchange, in file order, for ``payer``.

    ``source`` is a path or the X12 text itself.  x12sdk parses the
    interchange (every ``ST`` must be an 837I or 837P); each of its claims
    becomes a :class:`~hcpcs_home.claims.Claim` through
    :func:`claim_from_x12sdk`.  Problems in several claims are reported at
    once, each error's field prefixed with its claim
    (``CLM*PCN01/LX*2/SV2-03``).

    :raises ImportError: x12sdk is not installed.
    :raises InvalidFieldError: x12sdk cannot parse the file, or one problem.
    :raises InvalidClaimError: several problems.
    """
    text = _text(source)
    d = delimiters_of(text)
    submitted_count = _check_envelope(text, d)
    transactions = _transactions(text)
    claims: list[Claim] = []
    problems: list[HcpcsError] = []
    seen = 0
    for transaction in transactions:
        institutional = _kind(transaction) == _INSTITUTIONAL
        for submitted in transaction.claims():
            seen += 1
            try:
                claims.append(
                    _claim(submitted, payer=payer, institutional=institutional, delimiters=d)
                )
            except (InvalidFieldError, InvalidClaimError) as exc:
                problems.extend(_prefixed(f"CLM*{submitted.patient_control_number}", exc))
    if seen != submitted_count:
        # Records in = claims or errors out: a claim x12sdk did not hand over is an error.
        problems.append(
            InvalidFieldError(
                "CLM", submitted_count, f"segments in the file, but {seen} claims were read"
            )
        )
    if problems:
        if len(problems) == 1:
            raise problems[0]
        raise InvalidClaimError("invalid 837 claims", problems)
    return claims


#: The envelope's pairs, innermost last: each opener must be closed before its parent is.
_ENVELOPE = (("ISA", "IEA"), ("GS", "GE"), ("ST", "SE"))


def _check_envelope(text: str, d: Delimiters) -> int:
    """The number of ``CLM`` segments, once every ``ISA``/``GS``/``ST`` is closed in order.

    x12sdk reads a transaction whose ``SE`` is missing as no transaction at
    all (its claims vanish without an error), so the envelope is checked here
    first, naming the missing segment and where its opener is.

    :raises InvalidFieldError: a missing ``SE``, ``GE`` or ``IEA`` (or a closer
        without its opener), named by the segment and its position.
    """
    openers = {o: c for o, c in _ENVELOPE}
    closers = {c: o for o, c in _ENVELOPE}
    depth = {o: i for i, (o, _) in enumerate(_ENVELOPE)}
    stack: list[tuple[str, int]] = []
    claims = 0
    number = 0
    for raw in text.split(d.segment):
        segment = raw.strip()
        if not segment:
            continue
        number += 1
        tag = segment.split(d.element, 1)[0]
        if tag == "CLM":
            claims += 1
        elif tag in openers:
            while stack and depth[stack[-1][0]] >= depth[tag]:
                opener, at = stack.pop()
                raise _missing(openers[opener], opener, at, f"before the {tag} at segment {number}")
            if len(stack) != depth[tag]:
                parent = _ENVELOPE[len(stack)][0]
                raise InvalidFieldError(
                    tag, number, f"(segment {number}) is outside any {parent} envelope"
                )
            stack.append((tag, number))
        elif tag in closers:
            if not stack or stack[-1][0] != closers[tag]:
                if stack and closers[tag] in (o for o, _ in stack):
                    opener, at = stack[-1]
                    raise _missing(openers[opener], opener, at, f"before the {tag} at {number}")
                raise InvalidFieldError(tag, number, f"(segment {number}) closes no {closers[tag]}")
            stack.pop()
    if stack:
        opener, at = stack[-1]
        raise _missing(openers[opener], opener, at, "before the end of the file")
    return claims


def _missing(closer: str, opener: str, at: int, where: str) -> InvalidFieldError:
    return InvalidFieldError(
        closer, None, f"is missing: the {opener} at segment {at} is not closed {where}"
    )


def _prefixed(where: str, exc: HcpcsError) -> list[HcpcsError]:
    if isinstance(exc, InvalidClaimError):
        return [e for inner in exc.errors for e in _prefixed(where, inner)]
    if isinstance(exc, InvalidFieldError):
        return [type(exc)(f"{where}/{exc.field}", exc.value, exc.reason)]
    return [exc]


def claim_from_x12sdk(
    submitted: Any,
    *,
    payer: Payer | str,
    delimiters: Delimiters = DELIMITERS,
) -> Claim:
    """The :class:`~hcpcs_home.claims.Claim` of one claim x12sdk read from an 837.

    ``submitted`` is a record from x12sdk's ``claims()`` on an 837I or 837P
    transaction model; ``delimiters`` are the file's (see
    :func:`delimiters_of`), because x12sdk keeps composite elements such as
    CLM05 and SV2-02 as the text between element separators.  Use this to
    pick a payer per claim, for instance from ``submitted.payer_name``.
    """
    loop = getattr(submitted, "claim", None)
    if loop is None or not hasattr(loop, "clm_segment"):
        raise InvalidFieldError("submitted", submitted, "is not an x12sdk 837 claim record")
    institutional = hasattr(loop, "cl1_segment")
    return _claim(submitted, payer=payer, institutional=institutional, delimiters=delimiters)


def _claim(
    submitted: Any, *, payer: Payer | str, institutional: bool, delimiters: Delimiters
) -> Claim:
    d = delimiters
    loop = submitted.claim
    clm = loop.clm_segment
    period: tuple[_dt.date, _dt.date] | None = None
    type_of_bill = None
    if institutional:
        type_of_bill = _type_of_bill(clm.health_care_service_location_information, d)
        period = _statement_dates(loop.dtp_segment)
        # The header (CLM, DTP*434/435, CL1, NTE, HI) and the lines through the one
        # loop-2300 reader, x12.parse_claim: what claim_segments writes, read back.
        claim = parse_claim(
            _header_text(loop, d) + _loops_text(loop, period, d), payer=payer, delimiters=d
        )
        return attrs.evolve(claim, patient_id=submitted.member_id or None)
    lines = parse_service_lines(_loops_text(loop, period, d), delimiters=d)
    # The claim's REF*G1 (loop 2300) stands for every line without its own.
    lines = _with_claim_prior_auth(lines, _prior_auth_of(_split(_header_text(loop, d), d), d))
    if period is None:
        if not lines:
            raise InvalidFieldError("LX", None, "an 837P claim needs a service line")
        days = sorted(line.date for line in lines)
        period = (days[0], days[-1])
    return Claim(
        payer=payer,
        statement_from=period[0],
        statement_through=period[1],
        lines=lines,
        type_of_bill=type_of_bill,
        id=clm.patient_control_number,
        patient_id=submitted.member_id or None,
        evv_visits=None,  # an 837 carries none: not given (Claim.has_evv)
    )


def _type_of_bill(clm05: object, d: Delimiters) -> str:
    parts = clm05.split(d.component) if isinstance(clm05, str) else []
    if len(parts) != 3 or parts[1] != "A":
        raise InvalidFieldError("CLM05", clm05, "must be facility code, 'A' and frequency (32:A:9)")
    if not re.fullmatch(r"[0-9]{2}", parts[0]) or not re.fullmatch(r"[0-9A-Za-z]", parts[2]):
        raise InvalidFieldError("CLM05", clm05, "is not a facility code and frequency")
    return "0" + parts[0] + parts[2].upper()


def _statement_dates(dtps: Iterable[Any]) -> tuple[_dt.date, _dt.date]:
    found = [s for s in dtps or () if s.date_time_qualifier == "434"]
    if len(found) != 1:
        raise InvalidFieldError("DTP*434", len(found), "must appear once (statement dates)")
    value = found[0].date_time_period
    if isinstance(value, _dt.datetime):
        return value.date(), value.date()
    if isinstance(value, _dt.date):
        return value, value
    try:
        days = str(value).split("-")
        if len(days) != 2 or not all(re.fullmatch(r"[0-9]{8}", day) for day in days):
            raise ValueError(value)
        first, last = (_dt.datetime.strptime(day, "%Y%m%d").date() for day in days)
    except ValueError:
        raise InvalidFieldError("DTP*434", value, "is not a CCYYMMDD-CCYYMMDD range") from None
    return first, last


#: Loop 2300's sub-loops, left out of the header text: parties (2310A-F) and other
#: payers (2320) are not read, and their DTP/REF segments are not the claim's.
_SUBLOOPS = (
    "loop_2310a",
    "loop_2310b",
    "loop_2310c",
    "loop_2310d",
    "loop_2310e",
    "loop_2310f",
    "loop_2320",
    "loop_2400",
)


def _header_text(loop: Any, d: Delimiters) -> str:
    """Loop 2300's own segments (no sub-loops) as text in the file's delimiters."""
    fields = type(loop).model_fields
    header = loop.model_copy(update={name: None for name in _SUBLOOPS if name in fields})
    return str(header.x12(use_new_lines=False, custom_delimiters=_x12sdk_delimiters(d)))


def _loops_text(loop: Any, period: tuple[_dt.date, _dt.date] | None, d: Delimiters) -> str:
    """Loop 2400 as text in the file's delimiters, each loop given its date.

    An 837I line may leave out ``DTP*472`` (x12sdk's own generator does);
    when the statement period is one day, that day is the line's date.
    """
    if not loop.loop_2400:
        return ""
    custom = _x12sdk_delimiters(d)
    out: list[str] = []
    for line in loop.loop_2400:
        text = line.x12(use_new_lines=False, custom_delimiters=custom)
        if not _has_service_date(line) and period is not None and period[0] == period[1]:
            text += d.element.join(("DTP", "472", "D8", period[0].strftime("%Y%m%d"))) + d.segment
        out.append(text)
    return "".join(out)


def _has_service_date(line: Any) -> bool:
    dtp = line.dtp_segment
    dtps = dtp if isinstance(dtp, list) else [dtp] if dtp is not None else []
    return any(s.date_time_qualifier == "472" for s in dtps)


# --- writing -----------------------------------------------------------------------


def update_837(
    source: str | os.PathLike[str],
    claims: Iterable[Claim],
    *,
    path: str | os.PathLike[str] | None = None,
) -> str:
    """The 837 of ``source`` with ``claims`` written into the claims of the same id.

    Each :class:`~hcpcs_home.claims.Claim` replaces, in the file's claim whose
    CLM01 is its ``id``: CLM01, CLM02 (its ``total_charge``, else the line sum), on an
    837I CLM05-1 and CLM05-3 (the type of bill) and ``DTP*434`` (written as an
    ``RD8`` range) and the header segments :func:`hcpcs_home.x12.claim_segments`
    writes (``DTP*435``, CL1-02/03 where the claim has them, the notice note, the
    condition, occurrence, span and value code ``HI`` segments; the file's other
    ``DTP``, ``NTE`` and ``HI`` segments are kept), and each loop 2400's ``LX``,
    ``SV2``/``SV1`` elements 1 to 5 (837I) or 1 to 4 (837P) and ``DTP*472``, rendered by
    :mod:`hcpcs_home.x12`, and the lines' prior authorization numbers as
    ``REF*G1`` (loop 2300 on an 837I, or on an 837P whose lines share one; else
    each 837P line's loop 2400), in place of the file's.  Lines are paired with
    the file's loops by position, so a line keeps the other segments of its
    loop (other ``REF``, ``NTE``, loops 2410-2440) and, on an 837P, its place of service and
    diagnosis pointers; a line past the file's last loop gets a bare loop
    (837P: with the first line's place of service and pointers).  Claims the
    file has but ``claims`` lacks are left as they are.

    The result is built and validated by x12sdk (``SE01`` is recounted)
    and serialised with its models' ``x12()`` inside the file's own ISA/GS
    envelope, one segment a line; it is also written to ``path`` when given.
    Nothing the :class:`~hcpcs_home.claims.Claim` does not hold (payer,
    patient, diagnoses, ``patient_id``) is changed.

    :raises InvalidFieldError: a claim's id is not in the file, an id is given
        twice, or the file's separators are not ``*``, ``:``, ``^`` and ``~``
        (x12sdk writes composite elements with those whatever the file declared).
    """
    text = _text(source)
    d = delimiters_of(text)
    if (d.element, d.component, d.segment, text[82]) != ("*", ":", "~", "^"):
        raise InvalidFieldError(
            "ISA",
            (d.element, d.component, text[82], d.segment),
            "must use x12sdk's separators * : ^ ~ to be written back",
        )
    wanted: dict[str, Claim] = {}
    for i, given in enumerate(claims):
        if not isinstance(given, Claim):
            raise InvalidFieldError(f"claims[{i}]", given, "must be a Claim")
        if given.id in wanted:
            raise InvalidFieldError(f"claims[{i}].id", given.id, "is given twice")
        wanted[given.id] = given
    transactions = _transactions(text)
    done: set[str] = set()
    for transaction in transactions:
        institutional = _kind(transaction) == _INSTITUTIONAL
        for submitted in transaction.claims():
            claim = wanted.get(submitted.patient_control_number)
            if claim is None:
                continue
            try:
                _write_claim(submitted.claim, claim, institutional)
            except InvalidFieldError as exc:
                raise _prefixed(f"CLM*{claim.id}", exc)[0] from None
            except ValueError as exc:  # pydantic's ValidationError: x12sdk's own checks
                raise InvalidFieldError(
                    f"CLM*{claim.id}", type(exc).__name__, f"x12sdk rejects it: {exc}"
                ) from exc
            done.add(claim.id)
    missing = [cid for cid in wanted if cid not in done]
    if missing:
        raise InvalidFieldError("claims", missing[0], "names no claim (CLM01) in the file")
    out = _in_envelope(text, [_recounted(t) for t in transactions], d)
    _transactions(out)  # x12sdk validates the whole result: SE01, HL links, every segment
    if path is not None:
        Path(path).write_text(out)
    return out


def _recounted(transaction: Any) -> Any:
    _, support, _, _ = _x12sdk()
    se = transaction.footer.se_segment
    se.transaction_segment_count = support.count_segments(transaction.__dict__)
    return transaction


def _fields(model: Any) -> dict[str, Any]:
    """A model's fields as they stand (sub-models as instances, which pydantic keeps as is).

    ``model_dump()`` would not do: x12sdk's date validators reject the
    :class:`datetime.date` values its own models dump.
    """
    return {name: getattr(model, name) for name in type(model).model_fields}


def _write_claim(loop: Any, claim: Claim, institutional: bool) -> None:
    _, _, i_loops, p_loops = _x12sdk()
    clm = loop.clm_segment
    update: dict[str, Any] = {
        "patient_control_number": claim.id,
        # CLM02 as x12sdk balances it: the claim's own total, else every SV2-03/SV1-02.
        "total_claim_charge_amount": Decimal(
            x12_decimal(
                claim.total_charge
                if claim.total_charge is not None
                else sum((line.charge for line in claim.lines), Decimal("0"))
            )
        ),
    }
    if institutional:
        if claim.type_of_bill is None:
            raise InvalidFieldError("type_of_bill", None, f"is required on 837I claim {claim.id!r}")
        old = str(clm.health_care_service_location_information or "").split(":")
        qualifier = old[1] if len(old) == 3 and old[1] else "A"
        tob = claim.type_of_bill
        update["health_care_service_location_information"] = f"{tob[1:3]}:{qualifier}:{tob[3]}"
        period = f"{claim.statement_from:%Y%m%d}-{claim.statement_through:%Y%m%d}"
        dtp_cls = _segment_class(type(loop).model_fields["dtp_segment"].annotation)
        statement = dtp_cls.model_validate(
            {
                "date_time_qualifier": "434",
                "date_time_period_format_qualifier": "RD8",
                "date_time_period": period,
            }
        )
        loop.dtp_segment = [
            statement,
            *(s for s in loop.dtp_segment if s.date_time_qualifier != "434"),
        ]
        _write_header(loop, claim)
    else:
        shared = {line.prior_auth for line in claim.lines}
        if len(shared) == 1 and None not in shared:
            # Every 837P line has the same number: the claim's REF*G1, sent once in loop
            # 2300 and not repeated on the lines (X12 RFI 2459).
            _write_claim_prior_auth(loop, shared.pop())
            claim = attrs.evolve(
                claim, lines=[attrs.evolve(li, prior_auth=None) for li in claim.lines]
            )
        else:
            _write_claim_prior_auth(loop, None)
    loop.clm_segment = type(clm).model_validate({**_fields(clm), **update})
    loop_cls = i_loops.Loop2400 if institutional else p_loops.Loop2400
    old_loops = list(loop.loop_2400 or [])
    loop.loop_2400 = [
        _line_loop(
            loop_cls,
            line,
            n,
            old_loops[n - 1] if n <= len(old_loops) else None,
            old_loops[0] if old_loops else None,
            institutional,
        )
        for n, line in enumerate(claim.lines, start=1)
    ]


#: The HI qualifiers of the header codes this library writes (condition, occurrence,
#: span, value); other HI segments (diagnoses, procedures) are the file's and kept.
_HEADER_HI = ("BG", "BH", "BI", "BE")


def _write_header(loop: Any, claim: Claim) -> None:
    """Loop 2300's header segments from ``claim``, as :func:`hcpcs_home.x12.claim_segments`
    renders them: ``DTP*435``, CL1-02 and CL1-03 (where the claim has them; CL1-01, the
    admission type, is the file's), the notice note and the condition, occurrence, span
    and value code ``HI`` segments.  The file's other segments are kept."""
    loop_cls = type(loop)
    ours = claim_segments(attrs.evolve(claim, lines=()), separator="\n").split("\n")
    dtp = [s for s in ours if s.startswith("DTP*435*")]
    loop.dtp_segment = [
        *(s for s in loop.dtp_segment if s.date_time_qualifier != "435"),
        *(
            _segment_class(loop_cls.model_fields["dtp_segment"].annotation).model_validate(
                _record(loop_cls, "dtp_segment", s, 3)
            )
            for s in dtp
        ),
    ]
    _write_claim_prior_auth(loop, _claim_prior_auth(claim))  # an 837I's one place for it
    cl1 = loop.cl1_segment
    if cl1 is not None:
        changes = {
            "admission_source_code": claim.point_of_origin,
            "patient_status_code": claim.patient_status,
        }
        loop.cl1_segment = type(cl1).model_validate(
            {**_fields(cl1), **{k: v for k, v in changes.items() if v is not None}}
        )
    nte_cls = _segment_class(loop_cls.model_fields["nte_segment"].annotation)
    notes = [n for n in loop.nte_segment or () if not str(n.description or "").startswith(_NOTICE)]
    notes += [
        nte_cls.model_validate(_record(loop_cls, "nte_segment", s, 2))
        for s in ours
        if s.startswith("NTE*")
    ]
    loop.nte_segment = notes or None
    hi_cls = _segment_class(loop_cls.model_fields["hi_segment"].annotation)
    kept = [h for h in loop.hi_segment or () if _hi_qualifier(h) not in _HEADER_HI]
    loop.hi_segment = kept + [
        hi_cls.model_validate(
            {
                k: None if v is None else v.split(DELIMITERS.component)
                for k, v in _record(loop_cls, "hi_segment", s, 12).items()
            }
        )
        for s in ours
        if s.startswith("HI*")
    ]


def _is_prior_auth(ref: Any) -> bool:
    """Whether an x12sdk REF segment is a prior authorization number (REF01 ``G1``)."""
    return bool(ref.reference_identification_qualifier == "G1")


def _write_claim_prior_auth(loop: Any, number: str | None) -> None:
    """Loop 2300's ``REF*G1`` set to ``number`` (removed for ``None``); other REFs kept."""
    kept = [r for r in loop.ref_segment or () if not _is_prior_auth(r)]
    if number is not None:
        record = _record(type(loop), "ref_segment", _prior_auth_segment(number, DELIMITERS), 2)
        kept.append(
            _segment_class(type(loop).model_fields["ref_segment"].annotation).model_validate(record)
        )
    loop.ref_segment = kept or None


def _hi_qualifier(segment: Any) -> str:
    """The code-list qualifier of an x12sdk HI segment (its first composite's first part)."""
    first = segment.health_care_code_1
    if isinstance(first, (list, tuple)):
        return str(first[0]) if first else ""
    return str(first or "").split(DELIMITERS.component)[0]


_NOTICE = "NOTICE ACCEPTED"


def _segment_class(annotation: Any) -> Any:
    """The x12sdk segment model inside a loop field's annotation (``Optional[List[X]]``)."""
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return annotation
    for arg in typing.get_args(annotation):
        found = _segment_class(arg)
        if found is not None:
            return found
    return None


def _record(loop_cls: Any, field: str, segment: str, owned: int) -> dict[str, Any]:
    """The first ``owned`` elements of ``segment`` as x12sdk field values, by position.

    This is how x12sdk's own parser fills a segment model (element *n* is the
    model's *n*-th field), so the layout stays :mod:`hcpcs_home.x12`'s.
    """
    names = [
        n
        for n in _segment_class(loop_cls.model_fields[field].annotation).model_fields
        if n != "delimiters"
    ]
    parts = segment.rstrip(DELIMITERS.segment).split(DELIMITERS.element)
    parts += [""] * (owned + 1 - len(parts))
    return {
        name: (value or None)
        for name, value in zip(names[1 : owned + 1], parts[1 : owned + 1], strict=True)
    }


def _line_loop(
    loop_cls: Any, line: Any, number: int, old: Any, first: Any, institutional: bool
) -> Any:
    lx, body, dtp, *refs = service_line(line, number, institutional=institutional).split("\n")
    kept = _fields(old) if old is not None else {}
    sv = "sv2_segment" if institutional else "sv1_segment"
    base = _fields(kept[sv]) if sv in kept else {}
    if not institutional and old is None and first is not None:
        base = {
            k: v
            for k, v in _fields(first.sv1_segment).items()
            if k in ("place_of_service_code", "composite_diagnosis_code_pointer")
        }
    if not institutional:
        pointers = str(base.get("composite_diagnosis_code_pointer") or "")
        pos = base.get("place_of_service_code")
        # Re-render through sv1() so the kept SV1-05/07 are checked like ours.
        sv1(
            line,
            place_of_service=pos,
            diagnosis_pointers=[int(p) for p in pointers.split(":") if re.fullmatch("[0-9]+", p)],
        )
    else:
        sv2(line)
    data = {
        **kept,
        "lx_segment": _record(loop_cls, "lx_segment", lx, 1),
        sv: {**base, **_record(loop_cls, sv, body, 5 if institutional else 4)},
    }
    if not institutional:
        # The line's REF*G1 replaces the file's; its other REFs (6R, 9F...) are kept.
        ref_cls = _segment_class(loop_cls.model_fields["ref_segment"].annotation)
        others = [r for r in kept.get("ref_segment") or () if not _is_prior_auth(r)]
        mine = [ref_cls.model_validate(_record(loop_cls, "ref_segment", r, 2)) for r in refs]
        data["ref_segment"] = others + mine or None
    date = _record(loop_cls, "dtp_segment", dtp, 3)
    if institutional:
        data["dtp_segment"] = date
    else:
        others = [s for s in kept.get("dtp_segment") or [] if s.date_time_qualifier != "472"]
        data["dtp_segment"] = [date, *others]
    return loop_cls.model_validate(data)


def _in_envelope(text: str, transactions: list[Any], d: Delimiters) -> str:
    """``text``'s envelope segments around the transactions' ``x12()``, one segment a line."""
    out: list[str] = []
    queue = iter(transactions)
    inside = False
    for raw in text.split(d.segment):
        segment = raw.strip()
        if not segment:
            continue
        tag = segment.split(d.element, 1)[0]
        if tag == "ST":
            inside = True
            out.append(next(queue).x12(use_new_lines=True))
        elif tag == "SE":
            inside = False
        elif not inside:
            out.append(segment + d.segment)
    return "\n".join(out)
