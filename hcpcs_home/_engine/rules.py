"""Rules, findings and reports.

Part of the engine behind :mod:`hcpcs_home.policy` (see :mod:`hcpcs_home._engine`).
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeGuard

import attrs

from .._trusted import maker
from .._values import lazy_methods
from ..claims import Claim
from ..errors import InvalidFieldError
from ..payers import Payer
from .context import Context, Need, gives
from .predicates import Predicate
from .vocabulary import Fix, _clip, _format_fields, _short

if TYPE_CHECKING:
    from .explanation import Explanation
    from .tables import TableRule

__all__ = ["Finding", "PayerAction", "Report", "Rule", "Scope", "Severity"]


class Severity(str, enum.Enum):
    """How bad a finding is.  Only ``ERROR`` makes a report not :attr:`~Report.ok`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class PayerAction(str, enum.Enum):
    """What the payer does with a claim that has the problem a rule finds.

    A rule's severity follows from it (:attr:`severity`): a claim the payer
    returns, rejects or denies is an error; a fact with no payment consequence
    is information; where no payer action is published the finding is a
    warning, and the rule says so.
    """

    RETURN_TO_PROVIDER = "return to provider"
    """The claim goes back to the provider to correct (Medicare's RTP, with a reason code)."""
    REJECT = "reject"
    """The claim or line is rejected before adjudication (front-end edit, CWF reject)."""
    DENY = "deny"
    """The line or claim is denied (not paid; appeal rights apply)."""
    PAYMENT_REDUCED = "payment reduced"
    """Paid less (a late notice's non-covered days, a LUPA); a warning: the claim still pays."""
    INFORMATIONAL = "informational"
    """No action on the claim: a fact the biller should know."""
    NOT_PUBLISHED = "no published payer action"
    """No public document says what the payer does; the finding is a warning."""

    @property
    def severity(self) -> Severity:
        """The severity a finding of this action has."""
        return _ACTION_SEVERITY[self]


_ACTION_SEVERITY = {
    PayerAction.RETURN_TO_PROVIDER: Severity.ERROR,
    PayerAction.REJECT: Severity.ERROR,
    PayerAction.DENY: Severity.ERROR,
    PayerAction.PAYMENT_REDUCED: Severity.WARNING,
    PayerAction.INFORMATIONAL: Severity.INFO,
    PayerAction.NOT_PUBLISHED: Severity.WARNING,
}


class Scope(str, enum.Enum):
    """Whether a rule is evaluated once per line or once per claim."""

    LINE = "line"
    CLAIM = "claim"


def _action(value: object) -> PayerAction | None:
    if value is None:
        return None
    try:
        return PayerAction(value)
    except ValueError:
        choices = ", ".join(repr(a.value) for a in PayerAction)
        raise InvalidFieldError("action", value, f"must be one of {choices}") from None


def _severity(value: object) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise InvalidFieldError("severity", value, "must be error, warning or info") from None


def _rule_id(value: object) -> str:
    # Letters, digits and "-" only: what is left without the dashes is alphanumeric
    # (or empty); str methods, not a test per character (160 rules are built at import).
    if (
        not isinstance(value, str)
        or not value
        or len(value) > 100
        or not value.isascii()
        or not (value.replace("-", "").isalnum() or value.strip("-") == "")
    ):
        raise InvalidFieldError("id", value, "must be a non-empty kebab-case ASCII id")
    return value


#: The longest message template a rule may carry.
_MAX_MESSAGE = 2_000


@functools.lru_cache(maxsize=1024)
def _template_fields(template: str) -> tuple[tuple[str, str | None, str | None], ...]:
    """The ``(name, format spec, conversion)`` of each placeholder of ``template``.

    Kept per template: a rule's message is read by its converter and its placeholder
    check, and again for each :func:`attrs.evolve` of the rule (the default rules get
    their payer action that way), so the default rules parse each message once.

    :raises ValueError: ``template`` is not a format string.
    """
    return tuple(
        (name, spec, conversion)
        for _text, name, spec, conversion in _format_fields(template)
        if name is not None
    )


@functools.lru_cache(maxsize=1024)
def _template_names(template: str) -> tuple[str, ...]:
    """The placeholder names of ``template``, in order (a name named twice, twice)."""
    return tuple(name for name, _spec, _conversion in _template_fields(template))


#: The value types a written message is remembered by: equal values of these types are
#: written as the same text (``Decimal("1.5")`` and ``Decimal("1.50")`` are not).
_PLAIN = frozenset({str, int})


@functools.lru_cache(maxsize=4096)
def _filled(template: str, names: tuple[str, ...], values: tuple[str | int, ...]) -> str:
    """``template`` with each placeholder in ``names`` filled with its value: a check's
    findings repeat a few messages thousands of times, each written once."""
    return template.format_map(dict(zip(names, values, strict=True)))


def _message(value: object) -> str:
    """A message template: text with ``{name}`` placeholders and nothing else.

    Attribute and index lookups (``{payer.__class__}``), conversions and format
    specs (``{code:>100000000}``) are refused: a template comes from rule files
    people write, and it must neither reach into objects nor allocate at will.
    """
    if not isinstance(value, str):
        raise InvalidFieldError("message", value, "must be text")
    if len(value) > _MAX_MESSAGE:
        raise InvalidFieldError("message", _short(value), f"is over {_MAX_MESSAGE} characters")
    try:
        parts = _template_fields(value)
    except ValueError as exc:
        raise InvalidFieldError("message", value, f"is not a message template: {exc}") from None
    for name, spec, conversion in parts:
        if name is None:
            continue
        if not (name.isascii() and name.isidentifier()) or spec or conversion:
            raise InvalidFieldError(
                "message", value, f"placeholder {{{name}}} must be a plain {{name}}"
            )
    return value


def _fix(value: object) -> Fix | None:
    if value is None or isinstance(value, Fix):
        return value
    raise InvalidFieldError(
        "fix", value, "must be a Fix from a vocabulary (Vocabulary.fix(name)) or None"
    )


def _needs(value: object) -> frozenset[Need]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidFieldError("needs", value, "must be a set of Need values")
    out: set[Need] = set()
    for v in value:
        try:
            out.add(Need(v))
        except ValueError:
            names = ", ".join(n.value for n in Need)
            raise InvalidFieldError("needs", v, f"is not one of {names}") from None
    return frozenset(out)


def _payers(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidFieldError("payers", value, "must be a list of payer ids or kinds")
    out = frozenset(value)
    if not all(isinstance(v, str) and v for v in out):
        raise InvalidFieldError("payers", sorted(map(str, out)), "must be non-empty texts")
    return out


@attrs.frozen(slots=True)
@lazy_methods
class Rule:
    """One check: a predicate that holds when something is wrong, and what to say.

    :ivar id: stable kebab-case id (``"units-mismatch"``).
    :ivar severity: error, warning or info.
    :ivar message: the finding's message; ``{name}`` placeholders are filled
        from the line (``code``, ``units``, ``date``, ``line``, ``revenue_code``,
        ``modifiers``, ``payer``, ``type_of_bill``) and from the fixer's facts.
    :ivar source: the public document the rule comes from (manual chapter and
        section, transmittal, payer manual; URL where there is one).
    :ivar when: the predicate; the rule fires where it holds.
    :ivar fix: the fixer proposing the correction (:meth:`Vocabulary.fix`), or ``None``.
    :ivar field: the field the finding points at: of the line (``"units"``), of the
        service behind it (``"license_number"``) or, for a claim rule, the claim's
        header element (``"type_of_bill"``, ``"value_codes"``).
    :ivar scope: per line or per claim.
    :ivar effective_from: first date of service the rule applies to.
    :ivar effective_through: last date of service it applies to.
    :ivar payers: the payer ids or payer kinds (``"medicare"``, ``"medicaid"``) the
        rule is for; empty for every payer.  The one way a rule is scoped to payers.
    :ivar description: what the rule checks, in words, for the rule reference.
    :ivar advice: how a biller fixes a finding, in words.
    :ivar example: an example of what the rule catches, for the rule reference.
    :ivar needs: what the rule must be given beyond its line (:class:`Need`): a check
        runs it only where that was given, so a rule of the chart (``Need.CHART``)
        never judges a claim that carries no chart, and a rule that reads the claim
        header (``Need.HEADER``) never judges a visit checked on its own.
    :ivar action: what the payer does with such a claim (:class:`PayerAction`), where
        recorded; the shipped rules' severity is :attr:`PayerAction.severity` of it.
    :ivar action_source: the public document that says what the payer does (or that
        no action is published).
    :ivar action_from: the first date of service the payer takes ``action``; a finding
        on an earlier date is a warning (value code 85: required from 2019-01-01, returned
        only from 2024-10-01, CR 13543).
    """

    id: str = attrs.field(converter=_rule_id)
    severity: Severity = attrs.field(converter=_severity)
    message: str = attrs.field(converter=_message)
    source: str
    when: Predicate = attrs.field(validator=attrs.validators.instance_of(Predicate))
    fix: Fix | None = attrs.field(default=None, converter=_fix)
    field: str | None = None
    scope: Scope = attrs.field(default=Scope.LINE, converter=Scope)
    effective_from: _dt.date | None = None
    effective_through: _dt.date | None = attrs.field(default=None)
    payers: frozenset[str] = attrs.field(default=frozenset(), converter=_payers)
    description: str = ""
    advice: str = ""
    example: str = ""
    needs: frozenset[Need] = attrs.field(default=frozenset(), converter=_needs)
    action: PayerAction | None = attrs.field(default=None, converter=_action)
    action_source: str = ""
    action_from: _dt.date | None = None

    #: Whether the rule is a :class:`TableRule` (see :func:`_is_table`).
    _table: ClassVar[bool] = False

    @message.validator
    def _check_placeholders(self, attribute: attrs.Attribute[Any], value: str) -> None:
        # A rule with a fixer may also name the fixer's facts, which it does not declare.
        if self.fix is not None:
            return
        known = _CLAIM_FACTS if self.scope is Scope.CLAIM else _LINE_FACTS
        for name, _spec, _conversion in _template_fields(value):
            if name not in known:
                raise InvalidFieldError(
                    "message",
                    value,
                    f"names {{{name}}}, which a finding cannot fill; "
                    f"use {', '.join('{' + k + '}' for k in sorted(known))}",
                )

    @effective_through.validator
    def _check_range(self, attribute: attrs.Attribute[Any], value: _dt.date | None) -> None:
        if value is not None and self.effective_from is not None and value < self.effective_from:
            raise InvalidFieldError(
                "effective_through", value, f"is before effective_from={self.effective_from}"
            )

    def applies_on(self, day: _dt.date) -> bool:
        """Whether the rule is in effect for a date of service."""
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_through is None or day <= self.effective_through
        )

    def applies_to(self, payer: Payer) -> bool:
        """Whether the rule is for ``payer`` (by its id or its kind)."""
        return not self.payers or payer.id in self.payers or payer.kind.value in self.payers

    def evaluate(self, ctx: Context) -> Finding | None:
        """The finding for ``ctx``, or ``None`` when the rule does not fire."""
        if (
            not self.applies_to(ctx.payer)
            or not self.applies_on(ctx.date)
            or not self.needs <= gives(ctx.claim, ctx.history)
        ):
            return None
        if not self.when._fn(ctx):
            return None
        return self._finding(ctx)

    def _finding(self, ctx: Context) -> Finding:
        # Lazy: the message, suggestion and fix are worked out from the context the
        # first time one is read (Finding._resolve), as the explanation is.
        severity = self.severity
        if self.action_from is not None and ctx.date < self.action_from:
            severity = Severity.WARNING  # required, but the payer takes no action yet
        # Stored as Finding(...) would store them (it has no converter, validator or
        # post-init), without its frozen __setattr__ per field: a check builds thousands.
        return _new_finding(
            self.id,
            severity,
            None,
            ctx.index,
            self.field,
            None,
            (),
            self.source,
            _Explainer(self.when, ctx._kept()),
            self,
        )

    def _written(self, ctx: Context) -> tuple[str, str | None, tuple[tuple[str, str], ...]]:
        """The message, suggestion and fix of this rule's finding for ``ctx``."""
        suggestion: str | None = None
        fix: Mapping[str, str] = {}
        extra: Mapping[str, Any] = {}
        if self.fix is not None:
            suggestion, fix, extra = self.fix.fn(ctx)
        elif self.scope is Scope.CLAIM:
            # A claim rule without a fixer still says how to fix its finding: the rule's
            # advice, written for the biller (a missing header element has one fix).
            suggestion = _advice_of(self.advice)
        # Only the placeholders the message names are worked out: the fixer's facts
        # first, then the line's (or claim's); any other name stays as written.
        fills = _CLAIM_FACT_OF if ctx.line is None else _LINE_FACT_OF
        names = _template_names(self.message)
        values = []
        plain = True
        for name in names:
            if name in extra:
                value = extra[name]
            else:
                fill = fills.get(name)
                value = "{" + name + "}" if fill is None else fill(ctx)
            plain = plain and type(value) in _PLAIN
            values.append(value)
        if plain:
            message = _filled(self.message, names, tuple(values))
        else:
            message = self.message.format_map(dict(zip(names, values, strict=True)))
        return message, suggestion, tuple(sorted(fix.items())) if fix else ()

    def to_data(self) -> dict[str, Any]:
        """The rule as plain JSON data."""
        data: dict[str, Any] = {
            "id": self.id,
            "severity": self.severity.value,
            "message": self.message,
            "source": self.source,
            "when": self.when.to_data(),
            "scope": self.scope.value,
        }
        for name in ("fix", "field", "description", "advice", "example", "action_source"):
            value = getattr(self, name)
            if value:
                data[name] = str(value)
        if self.action is not None:
            data["action"] = self.action.value
        for name in ("effective_from", "effective_through", "action_from"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value.isoformat()
        if self.payers:
            data["payers"] = sorted(self.payers)
        if self.needs:
            data["needs"] = sorted(n.value for n in self.needs)
        return data


def _is_table(rule: Rule) -> TypeGuard[TableRule]:
    """Whether ``rule`` is a :class:`TableRule`, asked without importing the tables
    module: a process whose rule sets hold no table (a check of the default rules)
    never defines the class."""
    return rule._table


def _advice_suggestion(advice: str) -> str | None:
    """A rule's ``advice`` as a finding's suggestion, written as the fixers write theirs:
    ``"Add value code 61."`` is ``"add value code 61"``, ``"None (do this)."`` (no
    automatic fix, a fix in words) is ``"do this"``; empty advice is ``None``.

    >>> _advice_suggestion("Add occurrence code 50 with the OASIS M0090 date.")
    'add occurrence code 50 with the OASIS M0090 date'
    >>> _advice_suggestion("None (correct the date or the period)."), _advice_suggestion("")
    ('correct the date or the period', None)
    """
    text = advice.strip()
    if text.startswith("None (") and text.rstrip(".").endswith(")"):
        text = text[len("None (") :].rstrip(".")[:-1]
    text = text.rstrip(".")
    if text[:1].isupper() and not text[1:2].isupper():  # as the fixers write: "add ...", not "Add"
        text = text[0].lower() + text[1:]
    return text or None


@functools.lru_cache(maxsize=1024)
def _advice_of(advice: str) -> str | None:
    """:func:`_advice_suggestion` of ``advice``, worked out once per advice (the findings
    of a claim rule without a fixer all carry their rule's)."""
    return _advice_suggestion(advice)


#: The placeholders every finding of a line rule can fill (:func:`_line_facts`).
_LINE_FACTS = frozenset(
    ("line", "code", "units", "date", "revenue_code", "modifiers", "payer", "type_of_bill")
)


#: The placeholders every finding of a claim rule can fill.
_CLAIM_FACTS = frozenset(("line", "claim", "payer"))


#: How each placeholder of :data:`_LINE_FACTS` is filled from a line rule's context.
_LINE_FACT_OF: dict[str, Callable[[Context], Any]] = {
    "line": lambda ctx: ctx.index,
    "code": lambda ctx: ctx.line.code,  # type: ignore[union-attr]
    "units": lambda ctx: ctx.line.units,  # type: ignore[union-attr]
    "date": lambda ctx: ctx.line.date.isoformat(),  # type: ignore[union-attr]
    "revenue_code": lambda ctx: ctx.line.revenue_code or "none",  # type: ignore[union-attr]
    "modifiers": lambda ctx: " ".join(ctx.line.modifiers) or "none",  # type: ignore[union-attr]
    "payer": lambda ctx: ctx.payer.name,
    "type_of_bill": lambda ctx: ctx.claim.type_of_bill or "837P",
}
#: How each placeholder of :data:`_CLAIM_FACTS` is filled from a claim rule's context.
_CLAIM_FACT_OF: dict[str, Callable[[Context], Any]] = {
    "line": lambda ctx: "claim",
    "claim": lambda ctx: ctx.claim.id,
    "payer": lambda ctx: ctx.payer.name,
}


class _Explainer:
    """What a finding needs to explain itself later: the predicate and the context.

    A plain slotted object (no container inside it): a batch keeps one per finding.
    """

    __slots__ = ("ctx", "done", "when")

    def __init__(self, when: Predicate, ctx: Context) -> None:
        self.when = when
        self.ctx = ctx
        self.done: Explanation | None = None

    def __call__(self) -> Explanation:
        done = self.done
        if done is None:  # built on first request; two threads at once build equal ones
            done = self.done = self.when.explain(self.context())
        return done

    def context(self) -> Context:
        """The finding's context, with a claim memo to work facts out again in."""
        ctx = self.ctx
        if ctx.claim_memo is None:
            ctx.claim_memo = {}
        return ctx


@attrs.frozen(slots=True, eq=False, repr=False)
class Finding:
    """One problem (or note) a rule found.

    :ivar rule_id: the rule's id.
    :ivar severity: the rule's severity.
    :ivar message: what is wrong, with the line's values filled in.
    :ivar line: the line's index on the claim, or ``None`` for claim findings.
    :ivar field: the field a biller fixes: of the line, of its service, or of the
        claim header (a claim finding's element, such as ``"occurrence_codes"``).
    :ivar suggestion: how to fix it, in words, where the rule knows.
    :ivar fix: the corrected values by field (``(("units", "3"),)``).
    :ivar source: the rule's source.

    A check builds its findings lazily: the message, suggestion and fix are
    worked out the first time one of them is read, and which parts of the
    rule's predicate held only when asked, by :meth:`explain`.  A fixer that
    fails then makes the message say so (``rule could not be evaluated: ...``).
    """

    rule_id: str
    severity: Severity
    _message: str | None = attrs.field(alias="message")
    line: int | None
    field: str | None
    _suggestion: str | None = attrs.field(alias="suggestion")
    _fix: tuple[tuple[str, str], ...] = attrs.field(alias="fix")
    source: str
    _context: Callable[[], Explanation] | Explanation | None = attrs.field(
        default=None, alias="context"
    )
    # The rule whose message, suggestion and fix are still to be written (from the
    # context of the explainer), or None once they are.
    _rule: Rule | None = attrs.field(default=None, alias="rule")

    @property
    def message(self) -> str:
        """What is wrong, with the line's values filled in."""
        if self._rule is not None:
            self._resolve()
        return self._message  # type: ignore[return-value]

    @property
    def suggestion(self) -> str | None:
        """How to fix it, in words, where the rule knows."""
        if self._rule is not None:
            self._resolve()
        return self._suggestion

    @property
    def fix(self) -> tuple[tuple[str, str], ...]:
        """The corrected values by field (``(("units", "3"),)``)."""
        if self._rule is not None:
            self._resolve()
        return self._fix

    def _resolve(self) -> None:
        """Write the message, suggestion and fix (two threads at once write equal ones)."""
        rule, explainer = self._rule, self._context
        if rule is None or not isinstance(explainer, _Explainer):
            return
        try:
            message, suggestion, fix = rule._written(explainer.context())
        except Exception as exc:  # a faulty fixer: said in the message, as for a predicate
            message, suggestion, fix = _failure(exc), None, ()
        _SET_MESSAGE(self, message)  # the slots' own setters: the class is frozen
        _SET_SUGGESTION(self, suggestion)
        _SET_FIX(self, fix)
        _SET_RULE(self, None)

    def _texts(self) -> tuple[str, str | None]:
        """The message and suggestion, as :attr:`message` and :attr:`suggestion` read them,
        written from the rule and context where they are still to be and not kept (nor the
        fix written): for a reader that reads each finding once and lets it go
        (``check_frame``'s findings, never handed out)."""
        rule, explainer = self._rule, self._context
        if rule is None or not isinstance(explainer, _Explainer):
            return self._message, self._suggestion  # type: ignore[return-value]
        try:
            message, suggestion, _fix = rule._written(explainer.context())
        except Exception as exc:  # a faulty fixer: said in the message, as _resolve says it
            return _failure(exc), None
        return message, suggestion

    def _values(self) -> tuple[Any, ...]:
        return (
            self.rule_id,
            self.severity,
            self.message,
            self.line,
            self.field,
            self.suggestion,
            self.fix,
            self.source,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._values())

    def explain(self) -> Explanation:
        """Which parts of the rule's predicate held for this line (built on first call)."""
        from .explanation import Explanation  # defined on the first explanation

        found = self._context
        if isinstance(found, Explanation):
            return found
        if found is None:
            return Explanation(self.rule_id, True)
        return found()

    @property
    def explanation(self) -> Explanation:
        """The same as :meth:`explain`."""
        return self.explain()

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle the explanation itself, not the context it would be built from.
        return (Finding, (*self._values(), self.explain()))

    def __repr__(self) -> str:
        # Short: a report's repr lists its findings, and the source citation and the
        # explanation are a call away (``.source``, ``.explain()``).
        where = "claim" if self.line is None else f"line={self.line}"
        return (
            f"Finding({self.rule_id!r}, {self.severity.value}, {where}, "
            f"field={self.field!r}, message={_clip(self.message, 80)!r})"
        )

    def _repr_html_(self) -> str:
        import html  # on first display only, as for Report

        rows = "".join(
            f"<tr><th style='text-align:left'>{name}</th>"
            f"<td style='text-align:left'>{html.escape(str(value))}</td></tr>"
            for name, value in (
                ("severity", self.severity.value),
                ("rule", self.rule_id),
                ("line", "claim" if self.line is None else self.line + 1),
                ("field", self.field or ""),
                ("message", self.message),
                ("suggestion", self.suggestion or ""),
                ("fix", ", ".join(f"{k}={v}" for k, v in self.fix)),
                ("source", self.source),
            )
        )
        return f"<table>{rows}</table>"

    def __str__(self) -> str:
        where = "claim" if self.line is None else f"line {self.line + 1}"
        text = f"{self.severity.value.upper()} {self.rule_id} [{where}]: {self.message}"
        if self.suggestion:
            text += f"\n    fix: {self.suggestion}"
        return text

    def to_data(self, *, explain: bool = False) -> dict[str, Any]:
        """The finding as plain JSON data (for ``--json`` output and DataFrames);
        with ``explain=True`` also its explanation, as text lines."""
        if self._rule is not None:
            self._resolve()  # the message, suggestion and fix at once, read as stored below
        data: dict[str, Any] = {
            "rule_id": self.rule_id,
            "severity": self.severity._value_,
            "message": self._message,
            "line": self.line,
            "field": self.field,
            "suggestion": self._suggestion,
            "fix": dict(self._fix) if self._fix else {},
            "source": self.source,
        }
        if explain:
            data["explanation"] = list(self.explain().lines())
        return data


#: A finding built from its values, as ``Finding(...)`` builds it (see :meth:`Rule._finding`).
_new_finding = maker(Finding)
#: What :meth:`Finding._resolve` writes, stored through each slot's descriptor.
_SET_MESSAGE, _SET_SUGGESTION, _SET_FIX, _SET_RULE = (
    Finding.__dict__[name].__set__ for name in ("_message", "_suggestion", "_fix", "_rule")
)


def _failure(exc: Exception) -> str:
    return f"rule could not be evaluated: {type(exc).__name__}: {_clip(str(exc), 200)}"


def _failed(rule: Rule, ctx: Context, exc: Exception) -> Finding:
    # A rule that breaks on one line becomes a finding for that line, so one
    # bad line or one faulty custom rule never stops the rest of the claim.
    from .explanation import Explanation

    return Finding(
        rule_id=rule.id,
        severity=Severity.ERROR,
        message=_failure(exc),
        line=ctx.index,
        field=rule.field,
        suggestion=None,
        fix=(),
        source=rule.source,
        context=Explanation(str(rule.when), False),
    )


@attrs.frozen(slots=True)
@lazy_methods
class Report(Sequence[Finding]):
    """The findings of one check of one claim, in line order then rule order.

    :ivar claim: the claim checked.
    :ivar findings: what the rules found.
    """

    claim: Claim
    findings: tuple[Finding, ...]

    _COLUMNS: ClassVar[tuple[str, ...]] = ("severity", "rule", "line", "message", "suggestion")

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __getitem__(self, index: Any) -> Any:
        return self.findings[index]

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The error-severity findings."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The warning-severity findings."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """Whether no error-severity finding was raised."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def rule_ids(self) -> list[str]:
        """The ids of the rules that fired, in finding order, without repeats."""
        return list(dict.fromkeys(f.rule_id for f in self.findings))

    def __str__(self) -> str:
        head = (
            f"claim {self.claim.id or '(no id)'} for {self.claim.payer.name}: "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), "
            f"{len(self.findings) - len(self.errors) - len(self.warnings)} note(s)"
        )
        return "\n".join([head, *(str(f) for f in self.findings)])

    def __repr__(self) -> str:
        # A few hundred characters: the claim and every finding are a call away
        # (``.claim``, ``str(report)``, ``.to_frame()``); the full attrs repr ran to
        # thousands of characters in a notebook.
        notes = len(self.findings) - len(self.errors) - len(self.warnings)
        rules = ", ".join(self.rule_ids()[:5]) + (", ..." if len(self.rule_ids()) > 5 else "")
        return (
            f"<Report claim={_clip(self.claim.id or '', 40)!r}: {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s), {notes} note(s)" + (f" [{rules}]>" if rules else ">")
        )

    def to_frame(self) -> Any:
        """The findings as a pandas DataFrame, one row per finding, with the columns of
        :data:`hcpcs_home.dataframes.FINDING_COLUMNS` (``hcpcs_home[pandas]``).

        For many reports at once (what :func:`check_many` yields, errors
        included) use :func:`hcpcs_home.dataframes.findings_frame`.
        """
        from .. import _frames  # the frame helpers load with the first frame asked for

        return _frames.frame(list(_frames.finding_records([self])), _frames.FINDING_COLUMNS)

    def _repr_html_(self) -> str:
        import html  # on first display only: html loads its entity table, which a check never needs

        head = "".join(f"<th>{c}</th>" for c in self._COLUMNS)
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td style='text-align:left'>{html.escape(str(v))}</td>"
                for v in (
                    f.severity.value,
                    f.rule_id,
                    "claim" if f.line is None else f.line + 1,
                    f.message,
                    f.suggestion or "",
                )
            )
            + "</tr>"
            for f in self.findings
        )
        status = "OK" if self.ok else "NOT OK"
        return (
            f"<table><caption>{html.escape(self.claim.id or 'claim')}: {status}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        )
