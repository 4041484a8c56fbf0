"""The library's exceptions: one base, :class:`HcpcsError`, and specific leaves.

Every leaf also subclasses the builtin it refines, so ``except LookupError`` or
``except ValueError`` in a host application keeps working.  Each keeps the
offending data as attributes and pickles cleanly (billing backends fan work out
with :mod:`multiprocessing`).

>>> import hcpcs_home
>>> try:
...     hcpcs_home.lookup("S9142")
... except hcpcs_home.UnknownCodeError as exc:
...     print(exc.code, exc.suggestion)
S9142 S9124
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

__all__ = [
    "CodeNotEffectiveError",
    "EditFileError",
    "HcpcsError",
    "HistoryConflictError",
    "HistoryError",
    "HistoryStoreError",
    "InvalidClaimError",
    "InvalidFieldError",
    "InvalidMinutesError",
    "InvalidTimeError",
    "ModifierNotEffectiveError",
    "NotTimedError",
    "RuleSetLoadError",
    "UnknownCodeError",
    "UnknownModifierError",
]


def __dir__() -> list[str]:
    return __all__


class HcpcsError(Exception):
    """Base of every exception this library raises on purpose."""


class UnknownCodeError(HcpcsError, LookupError):
    """A code that is malformed or not in the catalog.

    :ivar code: the value as given (not normalised).
    :ivar suggestion: the nearest known code one edit away, or ``None``.
    """

    def __init__(self, code: object, suggestion: str | None = None) -> None:
        self.code = code
        self.suggestion = suggestion
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        super().__init__(f"unknown HCPCS/CPT code {code!r}{hint}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.suggestion))


class UnknownModifierError(HcpcsError, LookupError):
    """A modifier that is malformed or not in the CMS release.

    :ivar modifier: the value as given (not normalised).
    :ivar suggestions: valid modifiers that say what was probably meant,
        best first: ``("TD", "TE")`` for ``"RN"`` (the credential modifiers of
        the discipline it names), ``("GP",)`` for ``"PG"``; empty when none fit.
    """

    def __init__(self, modifier: object, suggestions: Sequence[str] = ()) -> None:
        self.modifier = modifier
        self.suggestions = tuple(suggestions)
        hint = ""
        if self.suggestions:
            hint = "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(f"unknown HCPCS modifier {modifier!r}{hint}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.modifier, self.suggestions))


class CodeNotEffectiveError(HcpcsError, LookupError):
    """A known code looked up for a date outside its effective dates.

    :ivar code: the normalised code.
    :ivar on: the date asked about.
    :ivar effective: first valid date of the code.
    :ivar terminated: last valid date, or ``None`` while the code is active.
    :ivar replaced_by: codes that replace a terminated code.
    """

    _noun = "code"

    def __init__(
        self,
        code: str,
        on: _dt.date,
        effective: _dt.date,
        terminated: _dt.date | None,
        replaced_by: Sequence[str] = (),
    ) -> None:
        self.code = code
        self.on = on
        self.effective = effective
        self.terminated = terminated
        self.replaced_by = tuple(replaced_by)
        if on < effective:
            why = f"it takes effect on {effective.isoformat()}"
        else:
            assert terminated is not None
            why = f"it was terminated after {terminated.isoformat()}"
            if self.replaced_by:
                why += f"; use {' or '.join(self.replaced_by)}"
        super().__init__(f"{self._noun} {code!r} is not in effect on {on.isoformat()}: {why}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            type(self),
            (self.code, self.on, self.effective, self.terminated, self.replaced_by),
        )


class ModifierNotEffectiveError(CodeNotEffectiveError):
    """A known modifier looked up for a date outside its effective dates.

    Its attributes are :class:`CodeNotEffectiveError`'s; ``code`` holds the modifier.
    """

    _noun = "modifier"


#: Most characters of a value's repr shown in a message (longer ones end with ``...``).
_SHOWN = 80
#: Fields whose values are patient identifiers: never shown in a message.
_PRIVATE_FIELDS = ("patient_id", "member_id", "medicaid_id", "mbi")


def _shown(value: object, field: str = "") -> str:
    """``value`` as a message shows it: its repr up to :data:`_SHOWN` characters;
    a container whose repr is longer by its type and size (a claim document holds
    patient identifiers); a huge int by its digit count (its repr raises past
    4,300 digits); the value of a patient-identifier ``field`` by its length only.

    >>> _shown("G0299"), _shown(["x" * 50] * 3), _shown(10**5000), _shown("1EG4", "$.patient_id")
    ("'G0299'", '<a list of 3 items>', '<an int of about 5001 digits>', '<4 characters, not shown>')
    """
    if field.rsplit(".", 1)[-1] in _PRIVATE_FIELDS and isinstance(value, str):
        return f"<{len(value)} characters, not shown>"
    if type(value) is int and value.bit_length() > 133:  # over 40 digits
        # Counted from the bits: str() of an int costs quadratic time, and raises past
        # 4,300 digits.
        return f"<an int of about {int(value.bit_length() * 0.30103) + 1} digits>"
    try:
        text = repr(value)
    except Exception:  # a broken or unprintable object must not hide the real error
        return f"<{type(value).__name__} object>"
    if len(text) <= _SHOWN:
        return text
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        count = len(value)
        kind = type(value).__name__
        return f"<a {kind} of {count} item{'s' * (count != 1)}>"
    return text[: _SHOWN - 3] + "..."


class InvalidFieldError(HcpcsError, ValueError):
    """A value that cannot be used for a named field or argument.

    The message shows the value briefly (at most 80 characters, a
    long list or object by its size, a patient identifier not at all); the whole
    value stays in ``.value``.

    :ivar field: the argument or field name (a path such as ``$.lines[2].units``
        when raised while building a claim).
    :ivar value: the offending value.
    :ivar reason: what is wrong with it.
    """

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}={_shown(value, field)} {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.value, self.reason))


class InvalidMinutesError(InvalidFieldError):
    """Minutes that are negative, not whole, not a number or absurd for one line."""


class InvalidTimeError(InvalidFieldError):
    """A clock time or date that cannot be read, or a stop that cannot follow its start."""


class NotTimedError(HcpcsError, TypeError):
    """A time-based calculation asked of a code whose unit is not time.

    :ivar code: the code.
    :ivar unit: its billing unit, as text.
    """

    def __init__(self, code: str, unit: str, what: str) -> None:
        self.code = code
        self.unit = unit
        self.what = what
        super().__init__(f"code {code!r} is billed per {unit}: {what}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.unit, self.what))


#: Most problems an :class:`InvalidClaimError`'s message lists (all are in ``.errors``).
_LISTED = 5


class InvalidClaimError(HcpcsError, ValueError):
    """Every problem found while building a value, each with its path; the message
    lists the first five.

    :ivar errors: the individual :class:`HcpcsError` instances, each with a
        ``field`` path such as ``$.lines[2].units`` where one applies.
    """

    def __init__(self, message: str, errors: Sequence[HcpcsError]) -> None:
        self.message = message
        self.errors = tuple(errors)
        lines = [f"{message} ({len(self.errors)} problem{'s' * (len(self.errors) != 1)})"]
        lines += [f"  {e}" for e in self.errors[:_LISTED]]
        if len(self.errors) > _LISTED:
            lines.append(f"  and {len(self.errors) - _LISTED} more (all in .errors)")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.errors))


class RuleSetLoadError(HcpcsError, ValueError):
    """A saved rule set that cannot be loaded (bad JSON, unknown predicate name...).

    :ivar path: where in the document the problem is (``$.rules[3].when``).
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.reason))


class EditFileError(RuleSetLoadError):
    """A payer edit file with bad rows; every problem of the file at once (the
    message lists the first five).

    :ivar problems: ``(row number, column, what is wrong)`` for each problem,
        row numbers counting the header as row 1, as a spreadsheet shows them.
    """

    def __init__(self, path: str, problems: Any) -> None:
        self.problems: tuple[tuple[int, str, str], ...] = tuple(
            (int(r), str(c), str(m)) for r, c, m in problems
        )
        listed = "; ".join(f"row {r}, {c}: {m}" for r, c, m in self.problems[:_LISTED])
        more = len(self.problems) - _LISTED
        reason = f"{len(self.problems)} problem(s): {listed}" + (
            f"; and {more} more (all in .problems)" if more > 0 else ""
        )
        super().__init__(path, reason)
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.problems))


class HistoryError(HcpcsError):
    """A claim history (:mod:`hcpcs_home.history`) that cannot do what was asked."""


class HistoryConflictError(HistoryError, ValueError):
    """A record whose identity is already stored with different content: a history
    never overwrites what it holds.

    :ivar key: the identity (see :func:`hcpcs_home.history.claim_key`).
    :ivar reason: what differs.
    """

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"history already holds {key!r} with different content: {reason}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.key, self.reason))


class HistoryStoreError(HistoryError, OSError):
    """A history store that cannot be opened or used: not a SQLite database, corrupt,
    or written by a newer schema version than this library knows.

    :ivar path: the store's path.
    :ivar reason: what is wrong.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"claim history {path!r}: {reason}")

    def __str__(self) -> str:
        return f"claim history {self.path!r}: {self.reason}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.reason))
