"""Rule sets: checking a claim with them, and saving and loading them as JSON.

Part of the engine behind :mod:`hcpcs_home.policy` (see :mod:`hcpcs_home._engine`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._values import lazy_methods
from ..bounds import MAX_NAME_LENGTH
from ..catalog import Catalog
from ..claims import Claim
from ..errors import HcpcsError, InvalidFieldError, RuleSetLoadError
from ..payers import Payer
from .context import (
    _CHART_GIVEN,
    Batch,
    Context,
    Need,
    _is_history,
    _lru_get,
    _lru_put,
    gives,
    with_history,
)
from .plans import _Dispatch, _Plan, _PlanCache, _PlanWriter, _Step
from .rules import Finding, Report, Rule, Scope, _failed, _is_table
from .vocabulary import _MAX_DEPTH, Vocabulary, _predicate_from_data, _short

if TYPE_CHECKING:
    from .tables import TableRule

__all__ = ["RuleSet"]


def _rule_set_name(value: object) -> None:
    if not isinstance(value, str) or len(value) > MAX_NAME_LENGTH:
        raise InvalidFieldError(
            "name", value, f"must be text of at most {MAX_NAME_LENGTH} characters"
        )


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    rules = tuple(value)
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if not isinstance(rule, Rule):
            raise InvalidFieldError(f"rules[{i}]", rule, "is not a Rule")
        if rule.id in seen:
            raise InvalidFieldError(f"rules[{i}].id", rule.id, "is used twice")
        seen.add(rule.id)
        if _is_table(rule):  # a row's id names its findings: unique too
            for j, row in enumerate(rule.rows):
                if row.id in seen:
                    raise InvalidFieldError(f"rules[{i}].rows[{j}].id", row.id, "is used twice")
                seen.add(row.id)
    return rules


def _table_of(rules: Iterable[Rule], row_id: object) -> TableRule | None:
    """The table holding a row of that id, or ``None``."""
    for rule in rules:
        if _is_table(rule) and rule.row(row_id) is not None:  # type: ignore[arg-type]
            return rule
    return None


@attrs.frozen(slots=True)
@lazy_methods
class RuleSet:
    """An ordered, immutable set of rules with unique ids, and the vocabulary
    their predicates come from.

    :meth:`add`, :meth:`remove` and :meth:`replace` return new rule sets, so a
    payer-specific set is the default set with changes; ``a + b`` adds every
    rule of ``b`` to ``a`` (ids must not repeat):

    >>> from hcpcs_home.rules import DEFAULT_RULES, VOCABULARY
    >>> mine = DEFAULT_RULES.remove("cpt-code-preferred")
    >>> "cpt-code-preferred" in mine, len(DEFAULT_RULES) - len(mine)
    (False, 1)
    >>> RuleSet.from_json(mine.to_json(), VOCABULARY) == mine
    True

    A rule set is a sequence of rules: iterating it gives each rule in order, and
    each row of a :class:`TableRule` in its table's place, and ``len`` counts them
    (what :func:`hcpcs_home.edits.load_edits` adds counts a rule per row).  Its
    ``rules`` are the compact view: a table is one entry there, as it is one
    rule in the compiled plan, one object in the JSON and one lookup per line.
    ``rules[id]`` and ``id in rules`` find a rule, a table or a table's row.

    :ivar rules: the rules as stored, in the order their findings are reported:
        each :class:`TableRule` is one entry (its rows are in its ``rows``).
    :ivar name: a name for people.
    :ivar vocabulary: the predicates and fixers the rules are built from (how
        a saved copy is loaded again); not part of equality.
    """

    rules: tuple[Rule, ...] = attrs.field(default=(), converter=_rules)
    name: str = attrs.field(default="custom", validator=lambda _, __, v: _rule_set_name(v))
    vocabulary: Vocabulary = attrs.field(
        factory=Vocabulary,
        validator=attrs.validators.instance_of(Vocabulary),
        eq=False,
        repr=False,
    )
    # Compiled plans, shared by every rule set of the same name and the same Rule
    # objects (see _PlanCache).  Derived state: no part in equality, hashing, repr
    # or pickling.
    _cache: _PlanCache = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_cache", _PlanCache.of(self.name, self.rules))

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self.rules, "name": self.name, "vocabulary": self.vocabulary}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "rules", state["rules"])
        object.__setattr__(self, "name", state["name"])
        object.__setattr__(self, "vocabulary", state["vocabulary"])
        self.__attrs_post_init__()

    def __iter__(self) -> Iterator[Rule]:
        """Each rule in order, the rows of a :class:`TableRule` in its place (its
        ``rules`` hold the table itself)."""
        for rule in self.rules:
            if _is_table(rule):
                yield from rule.rows
            else:
                yield rule

    def __len__(self) -> int:
        """How many rules iterating gives: a :class:`TableRule` counts its rows."""
        return sum(len(r.rows) if _is_table(r) else 1 for r in self.rules)

    def __contains__(self, rule_id: object) -> bool:
        """Whether a rule, or a row of a :class:`TableRule`, has that id."""
        return (
            any(r.id == rule_id for r in self.rules) or _table_of(self.rules, rule_id) is not None
        )

    def __getitem__(self, rule_id: str) -> Rule:
        """The rule of that id, or the row of that id of a :class:`TableRule`."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        table = _table_of(self.rules, rule_id)
        if table is not None:
            return table.row(rule_id)  # type: ignore[return-value]
        raise KeyError(rule_id)

    def __add__(self, other: RuleSet) -> RuleSet:
        if not isinstance(other, RuleSet):
            return NotImplemented
        return RuleSet(self.rules + other.rules, self.name, self.vocabulary | other.vocabulary)

    def add(self, *rules: Rule) -> RuleSet:
        """A rule set with ``rules`` appended (ids must be new)."""
        return attrs.evolve(self, rules=self.rules + rules)

    def remove(self, *rule_ids: str) -> RuleSet:
        """A rule set without the rules (or table rows) of those ids (each must exist)."""
        for rid in rule_ids:
            if rid not in self:
                raise KeyError(rid)
        kept = [
            r.without(*rule_ids) if _is_table(r) else r for r in self.rules if r.id not in rule_ids
        ]
        return attrs.evolve(self, rules=tuple(kept))

    def replace(self, rule: Rule) -> RuleSet:
        """A rule set with the rule (or table row) of the same id replaced."""
        if rule.id not in self:
            raise KeyError(rule.id)
        if not any(r.id == rule.id for r in self.rules):
            table = _table_of(self.rules, rule.id)
            assert table is not None
            rules = tuple(table.replacing(rule) if r is table else r for r in self.rules)
            return attrs.evolve(self, rules=rules)
        return attrs.evolve(self, rules=tuple(rule if r.id == rule.id else r for r in self.rules))

    def check(
        self,
        claim: Claim,
        *,
        catalog: Catalog | None = None,
        batch: Batch | None = None,
        history: Any = None,
    ) -> Report:
        """Every finding of these rules on ``claim``, codes looked up in ``catalog``
        (the shipped catalog where ``None``); see :func:`hcpcs_home.policy.check`.

        ``batch`` is the :class:`Batch` the claim belongs to, for rules that look
        across claims (:func:`hcpcs_home.policy.check_many` with ``batch=True``);
        alone, a claim is a batch of one.  ``history`` is the
        :class:`~hcpcs_home.history.ClaimHistory` of earlier claims the ``history``
        rules ask (and the cross-claim rules count with), or ``None``.
        """
        if not isinstance(claim, Claim):
            raise InvalidFieldError("claim", claim, "must be a Claim")
        if catalog is not None and not isinstance(catalog, Catalog):
            raise InvalidFieldError("catalog", catalog, "must be a Catalog or None")
        if batch is not None and (not isinstance(batch, Batch) or claim not in batch):
            raise InvalidFieldError("batch", batch, "must be a Batch holding the claim")
        if history is not None and not _is_history(history):
            raise InvalidFieldError("history", history, "must be a ClaimHistory or None")
        return Report(claim, tuple(self._findings(claim, catalog, batch, history=history)))

    def _findings(
        self,
        claim: Claim,
        catalog: Catalog | None,
        batch: Batch | None = None,
        given: frozenset[Need] | None = None,
        history: Any = None,
    ) -> list[Finding]:
        """The findings of the rules whose needs ``given`` holds (what ``claim`` gives,
        :func:`gives`, where ``None``)."""
        header = Context(claim, catalog=catalog, history=history)
        if batch is not None:
            header.claim_memo["batch"] = batch
        if given is None:
            given = gives(claim, history)
        elif history is not None:
            given = with_history(given)
        (check_lines, check_claim), found = self._plan(header, given)
        check_lines(header, found)
        # A claim finding keeps a copy of the header without the facts derived for the
        # check, as a line finding does (Context._kept): reports kept by the thousand
        # stay small.
        header._moving = True
        check_claim(header, found)
        return found

    def _plan(
        self, header: Context, given: frozenset[Need] | None = None
    ) -> tuple[_Plan, list[Finding]]:
        """The line rules left once the claim header (payer, type of bill) and what the
        check gives (``given``, see :class:`Need`) are known, compiled into one
        function, the claim rules left with their residual predicates, and the
        findings of line rules that failed on the header.

        Parts of a rule that read only the header are settled here (a 34X rule on
        a 32X claim, a payer flag that is off, a rule for another payer), once per
        payer and type of bill; what is left of the active rules becomes the
        source of one function that checks every line of a claim (see
        :meth:`_plan_source`).  The function is cached on the rule set, so a batch
        of claims for the same payer pays for settling and compiling once; equal
        payers share it, since header-level predicates read only the payer and the
        type of bill.
        """
        payer, type_of_bill = header.payer, header.claim.type_of_bill
        if given is None:
            given = gives(header.claim)
        key = (id(payer), type_of_bill, given)
        found = _lru_get(self._cache.plans, key)
        if found is not None and found[0] is payer:
            return found[1], []
        with self._cache.lock:
            return self._new_plan(header, key)

    def _new_plan(
        self, header: Context, key: tuple[int, str | None, frozenset[Need]]
    ) -> tuple[_Plan, list[Finding]]:
        payer, type_of_bill, given = header.payer, header.claim.type_of_bill, key[2]
        cache = self._cache
        plan = None
        if cache.unkept is not None:  # another payer object: the last plan kept by value
            (kept_key, kept), cache.unkept = cache.unkept, None
            with contextlib.suppress(TypeError):  # an unhashable payer: no sharing
                _lru_put(cache.by_value, kept_key, kept, cache.PLANS)
        if cache.by_value:
            try:
                plan = _lru_get(cache.by_value, (payer, type_of_bill, given))
            except TypeError:  # a payer with an unhashable field: no sharing
                plan = None
        failed: list[Finding] = []
        if plan is None:
            steps, claim_steps, failed = self._steps(header, given)
            writer = _PlanWriter(self, header, given)
            claim_writer = _PlanWriter(self, header, given)
            plan = (
                cache.checker(steps, given, lambda: _Dispatch(steps, writer.title).compile()),
                cache.claim_checker(
                    claim_steps, given, lambda: claim_writer.compile(claim_steps, claim=True)
                ),
            )
            if failed:  # settled again for the next claim, so it fails there too
                return plan, failed
            cache.unkept = ((payer, type_of_bill, given), plan)  # by value on the next miss
        _lru_put(cache.plans, key, (payer, plan), cache.PLANS)
        return plan, failed

    def _steps(
        self, header: Context, given: frozenset[Need] = _CHART_GIVEN
    ) -> tuple[list[_Step], list[_Step], list[Finding]]:
        """Each active line rule and each active claim rule with its residual predicate
        (``True`` where the header settled it as holding), and the findings of line
        rules whose header parts raised.  A rule whose :attr:`~Rule.needs` ``given``
        lacks is not active (a claim rule needs the header)."""
        steps: list[_Step] = []
        claim_steps: list[_Step] = []
        failed: list[Finding] = []
        for rule in self.rules:
            if not rule.applies_to(header.payer) or not rule.needs <= given:
                continue
            if rule.scope is Scope.CLAIM:
                if Need.HEADER not in given:
                    continue
                try:
                    part = rule.when._specialize(header)
                except Exception:  # raised again, and reported, when the rule is evaluated
                    part = rule.when
                if part is not False:
                    claim_steps.append((rule, part))
                continue
            try:
                test = rule.when._specialize(header)
            except Exception as exc:
                failed.append(_failed(rule, header, exc))
                continue
            if test is not False:
                steps.append((rule, test))
        return steps, claim_steps, failed

    def _plan_source(
        self,
        payer: Payer | str,
        type_of_bill: str | None = None,
        given: frozenset[Need] = _CHART_GIVEN,
    ) -> str:
        """The Python source a check runs for the line rules of a claim of ``payer``
        (a :class:`~hcpcs_home.payers.Payer` or shipped profile id) and ``type_of_bill``
        that gives its rules ``given`` (a claim with its chart, by default).

        For reading and debugging: every active rule is one ``if`` over the parts of
        its predicate the claim header did not settle.
        """
        day = _dt.date(2000, 1, 1)  # header predicates read only the payer and type of bill
        header = Context(Claim(payer, day, day, type_of_bill=type_of_bill))
        steps, _, _ = self._steps(header, given)
        return _PlanWriter(self, header, given).write(steps)[0]

    def to_data(self) -> dict[str, Any]:
        """The rule set as plain JSON data."""
        return {"format": 1, "name": self.name, "rules": [r.to_data() for r in self.rules]}

    def to_json(self, *, indent: int | None = 2) -> str:
        """The rule set as JSON text, loadable with :meth:`from_json`."""
        return json.dumps(self.to_data(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes, vocabulary: Vocabulary) -> RuleSet:
        """Load a rule set saved by :meth:`to_json`, naming entries of ``vocabulary``.

        :raises RuleSetLoadError: malformed JSON, an unknown predicate or fixer
            name, or a bad rule, with the path of the problem.
        """
        if isinstance(text, (bytes, bytearray)):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RuleSetLoadError("$", f"is not UTF-8: {exc.reason}") from None
        if not isinstance(text, str):
            raise RuleSetLoadError("$", f"must be JSON text, not {type(text).__name__}")
        if _nesting(text) > _MAX_DEPTH * 2 + 8:
            raise RuleSetLoadError("$", f"nests more than {_MAX_DEPTH * 2 + 8} levels deep")
        try:
            data = json.loads(text)
        except (ValueError, TypeError, RecursionError) as exc:
            raise RuleSetLoadError("$", f"is not valid JSON: {exc}") from None
        return cls.from_data(data, vocabulary)

    @classmethod
    def from_data(cls, data: Any, vocabulary: Vocabulary) -> RuleSet:
        """Load a rule set from plain data (see :meth:`to_data`)."""
        if not isinstance(vocabulary, Vocabulary):
            raise InvalidFieldError("vocabulary", vocabulary, "must be a Vocabulary")
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise RuleSetLoadError("$", "must be an object with a 'rules' list")
        rules = [
            _rule_from_data(item, f"$.rules[{i}]", vocabulary)
            for i, item in enumerate(data["rules"])
        ]
        name = data.get("name", "custom")
        if not isinstance(name, str):
            raise RuleSetLoadError("$.name", "must be text")
        try:
            return cls(rules=rules, name=name, vocabulary=vocabulary)
        except HcpcsError as exc:
            raise RuleSetLoadError("$.rules", str(exc)) from None


def _rule_from_data(item: Any, path: str, vocabulary: Vocabulary) -> Rule:
    if not isinstance(item, dict):
        raise RuleSetLoadError(path, "must be an object")
    if "table" in item:
        return _table_from_data(item, path, vocabulary)
    unknown = set(item) - _RULE_KEYS
    if unknown:
        raise RuleSetLoadError(path, f"unknown keys {sorted(map(str, unknown))}")
    fix = item.get("fix")
    try:
        fixer = None if fix is None else vocabulary.fix(fix)
    except RuleSetLoadError as exc:
        raise RuleSetLoadError(f"{path}.fix", exc.reason) from None
    payers = item.get("payers", [])
    if not isinstance(payers, list):
        raise RuleSetLoadError(f"{path}.payers", "must be a list of payer ids or kinds")
    needs = item.get("needs", [])
    if not isinstance(needs, list):
        raise RuleSetLoadError(f"{path}.needs", "must be a list of needs")
    for key in (
        "field",
        "description",
        "advice",
        "example",
        "severity",
        "id",
        "scope",
        "action",
        "action_source",
    ):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise RuleSetLoadError(f"{path}.{key}", "must be text")
    try:
        return Rule(
            id=item.get("id"),
            severity=item.get("severity"),
            message=_str(item, "message", path),
            source=_str(item, "source", path),
            when=_predicate_from_data(item.get("when"), f"{path}.when", vocabulary),
            fix=fixer,
            field=item.get("field"),
            scope=item.get("scope", "line"),
            effective_from=_opt_date(item, "effective_from", path),
            effective_through=_opt_date(item, "effective_through", path),
            payers=payers,
            needs=needs,
            description=item.get("description") or "",
            advice=item.get("advice") or "",
            example=item.get("example") or "",
            action=item.get("action"),
            action_source=item.get("action_source") or "",
            action_from=_opt_date(item, "action_from", path),
        )
    except RuleSetLoadError:
        raise
    except (HcpcsError, ValueError) as exc:
        raise RuleSetLoadError(path, str(exc)) from None


def _table_from_data(item: dict[str, Any], path: str, vocabulary: Vocabulary) -> TableRule:
    """A :class:`TableRule` saved by its ``to_data``: its rows are rules' data."""
    unknown = set(item) - {"id", "table", "source", "description"}
    if unknown:
        raise RuleSetLoadError(path, f"unknown keys {sorted(map(str, unknown))}")
    rows = item["table"]
    if not isinstance(rows, list):
        raise RuleSetLoadError(f"{path}.table", "must be a list of rules")
    for key in ("id", "source", "description"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise RuleSetLoadError(f"{path}.{key}", "must be text")
    parsed = []
    for i, row in enumerate(rows):
        if isinstance(row, dict) and "table" in row:
            raise RuleSetLoadError(f"{path}.table[{i}]", "is a table: a table holds no table")
        parsed.append(_rule_from_data(row, f"{path}.table[{i}]", vocabulary))
    from .tables import TableRule  # defined on the first table: a check without one never is

    try:
        return TableRule(
            item.get("id"),  # type: ignore[arg-type]
            parsed,
            source=item.get("source") or "",
            description=item.get("description") or "",
        )
    except (HcpcsError, ValueError) as exc:
        raise RuleSetLoadError(path, str(exc)) from None


def _nesting(text: str) -> int:
    """The deepest bracket nesting of JSON text, strings skipped (no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


_RULE_KEYS = {
    "id",
    "severity",
    "message",
    "source",
    "when",
    "fix",
    "field",
    "scope",
    "effective_from",
    "effective_through",
    "payers",
    "description",
    "advice",
    "example",
    "needs",
    "action",
    "action_source",
    "action_from",
}


def _str(item: Mapping[str, Any], key: str, path: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise RuleSetLoadError(f"{path}.{key}", "must be text")
    return value


def _opt_date(item: Mapping[str, Any], key: str, path: str) -> _dt.date | None:
    value = item.get(key)
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise RuleSetLoadError(f"{path}.{key}", f"is not an ISO date: {_short(value)}") from None
