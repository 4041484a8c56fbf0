"""The plan writer: a rule set's line rules compiled into one function per payer and bill.

Part of the engine behind :mod:`hcpcs_home.policy` (see :mod:`hcpcs_home._engine`).
"""

from __future__ import annotations

import ast
import collections
import functools
import linecache
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from .._memo import keep as _keep
from ..payers import Payer
from .context import (
    _CHART_GIVEN,
    _MOVE,
    _UNSET,
    Context,
    Need,
    _lru_get,
    _lru_put,
    _moving_context,
)
from .predicates import And, Leaf, Not, Or, Predicate, _Junction
from .rules import Finding, Rule, _failed, _is_table
from .vocabulary import ClaimFact, _line_codes

if TYPE_CHECKING:
    from ..claims import Service
    from .rule_sets import RuleSet
    from .tables import TableRule

__all__ = []


#: An active line rule and what is left of its predicate once the header is known.
_Step = tuple["Rule", "bool | Predicate"]


#: A compiled plan: checks each line of a claim, appending findings to the list.
_LineChecker = Callable[["Context", list["Finding"]], None]


#: A plan for one payer and type of bill: the compiled line checker, and the compiled
#: checker of the claim rules left active (each over what is left of its predicate).
_Plan = tuple[_LineChecker, _LineChecker]


class _PlanCache:
    """The compiled plans of one list of rules: by (payer identity, type of bill) and,
    for claims read from files (each with its own equal Payer), by (payer, type of
    bill); see :meth:`RuleSet._plan`.

    Shared by every rule set of the same name and the same :class:`Rule` objects in
    the same order (:meth:`of`), so that ``DEFAULT_RULES.remove("x")`` written inside
    a loop compiles once, not once per claim.  A plan depends on nothing else: the
    rules' predicates are bound when each rule is built.
    """

    __slots__ = ("by_claim_steps", "by_steps", "by_value", "lock", "plans", "rules", "unkept")

    #: Most rule lists whose plans are kept; the least recently made or used goes first.
    SHARED: ClassVar[int] = 64
    #: Most plans kept per rule list (payer and type of bill pairs: hundreds stay
    #: compiled); the least recently used goes first.
    PLANS: ClassVar[int] = 512
    _shared: ClassVar[collections.OrderedDict[tuple[Any, ...], _PlanCache]] = (
        collections.OrderedDict()
    )
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules  # kept, so that no rule's id is reused while the entry stands
        self.plans: collections.OrderedDict[
            tuple[int, str | None, frozenset[Need]], tuple[Payer, _Plan]
        ] = collections.OrderedDict()
        self.by_value: collections.OrderedDict[tuple[Payer, str | None, frozenset[Need]], _Plan] = (
            collections.OrderedDict()
        )
        # The last plan made, not yet in by_value: kept there when another payer object
        # comes, so a process checking one payer's claims never hashes a Payer (whose
        # first hash writes its __hash__ and its unit policy's: _values.lazy_methods).
        self.unkept: tuple[tuple[Payer, str | None, frozenset[Need]], _Plan] | None = None
        self.by_steps: collections.OrderedDict[tuple[Any, ...], _LineChecker] = (
            collections.OrderedDict()
        )
        self.by_claim_steps: collections.OrderedDict[tuple[Any, ...], _LineChecker] = (
            collections.OrderedDict()
        )
        self.lock = threading.Lock()

    def checker(
        self, steps: Sequence[_Step], given: frozenset[Need], compile: Callable[[], _LineChecker]
    ) -> _LineChecker:
        """The compiled line checker of ``steps``, shared by every payer and type of bill
        whose header leaves the same rules active with the same residual predicates
        (65 contract profiles that differ in their names compile once).  Called under
        the cache's lock."""
        return self._reuse(self.by_steps, steps, given, lambda: _line_deferred(steps, compile))

    def claim_checker(
        self, steps: Sequence[_Step], given: frozenset[Need], compile: Callable[[], _LineChecker]
    ) -> _LineChecker:
        """:meth:`checker` for the claim rules' ``steps`` (``compile`` writes
        ``check_claim``), shared the same way, and run as the claim rules read for its
        first :data:`CLAIM_COMPILE_AFTER` claims (see :func:`_claim_deferred`).  Called
        under the cache's lock."""
        table = self.by_claim_steps
        return self._reuse(table, steps, given, lambda: _claim_deferred(steps, compile))

    def _reuse(
        self,
        table: Any,
        steps: Sequence[_Step],
        given: frozenset[Need],
        make: Callable[[], _LineChecker],
    ) -> _LineChecker:
        """The checker ``table`` holds for these steps, else ``make()``'s, kept there."""
        try:
            signature = (given, *((id(rule), test) for rule, test in steps))
            found: _LineChecker | None = _lru_get(table, signature)
        except TypeError:  # a predicate with an unhashable parameter: no sharing
            return make()
        if found is None:
            found = make()
            _lru_put(table, signature, found, self.PLANS)
        return found

    @classmethod
    def of(cls, name: str, rules: tuple[Rule, ...]) -> _PlanCache:
        """The cache of these rule objects under this name, made on first request."""
        key = (name, *map(id, rules))
        with cls._shared_lock:
            found = cls._shared.get(key)
            if found is None:
                found = cls._shared[key] = cls(rules)
                if len(cls._shared) > cls.SHARED:
                    cls._shared.popitem(last=False)
            else:
                cls._shared.move_to_end(key)
            return found


#: How many claims a plan checks by interpreting its steps before it is compiled (#21):
#: writing and compiling a plan costs as much as checking a few dozen claims with it,
#: more than a fresh process's whole first check, so a process that checks a few claims
#: of a payer never pays for it, and a batch pays once, within its first claims (as the
#: JSON readers' :data:`hcpcs_home._build.COMPILE_AFTER`).
COMPILE_AFTER = 8


def _line_deferred(steps: Sequence[_Step], compile: Callable[[], _LineChecker]) -> _LineChecker:
    """The line rules' checker of ``steps``: interpreted for its first
    :data:`COMPILE_AFTER` claims, then the function ``compile`` writes (see
    :func:`_deferred`).  Both give the same findings in the same order: the interpreter
    moves its context with the compiled loop's own code (:data:`_MOVE`) and tests each
    step as the compiled ``if`` does."""
    interpreted = _interpreted(steps)

    def interpret(header: Context, out: list[Finding]) -> None:
        _interpret(header, out, interpreted)

    return _deferred(interpret, compile, lambda: COMPILE_AFTER)


#: How many claims the claim rules of a plan are tested one by one, as they read, before
#: they are written and compiled into one function (#21): compiling costs as much as
#: checking a few dozen claims, so a process that checks a few claims never pays for it.
CLAIM_COMPILE_AFTER = 8


def _claim_deferred(steps: Sequence[_Step], compile: Callable[[], _LineChecker]) -> _LineChecker:
    """The claim rules' checker of ``steps``: each step tested on the header in order
    (the rule in effect on the statement's first day, then its residual test) for the
    first :data:`CLAIM_COMPILE_AFTER` claims, then the function ``compile`` writes, which
    tests the same steps in the same order with its predicates inlined.  Both give the
    same findings, a step that raises being its rule's error finding."""

    def interpret(header: Context, out: list[Finding]) -> None:
        day = header.claim.statement_from
        for rule, test in steps:
            try:
                if rule.applies_on(day) and (isinstance(test, bool) or test(header)):
                    out.append(rule._finding(header))
            except Exception as exc:
                out.append(_failed(rule, header, exc))

    return _deferred(interpret, compile, lambda: CLAIM_COMPILE_AFTER)


def _deferred(
    interpret: _LineChecker, compile: Callable[[], _LineChecker], after: Callable[[], int]
) -> _LineChecker:
    """A checker that runs ``interpret`` for its first ``after()`` claims, then the
    function ``compile`` gives (compiled once, whichever thread asks first) from then on.
    ``checker.compile()`` compiles at once and returns the compiled function.  (``after``
    is asked per claim, so a test can change the module's constant.)"""
    compiled: _LineChecker | None = None
    count = 0
    lock = threading.Lock()

    def compile_now() -> _LineChecker:
        nonlocal compiled
        with lock:
            if compiled is None:
                compiled = compile()
        return compiled

    def checker(header: Context, out: list[Finding]) -> None:
        nonlocal count
        if compiled is not None:
            return compiled(header, out)
        if count < after():
            count += 1
            return interpret(header, out)
        return compile_now()(header, out)

    checker.compile = compile_now  # type: ignore[attr-defined]
    return checker


class _PlanWriter:
    """Writes the active line rules of a plan as the source of one function.

    Leaves become calls of their functions, bound under generated names
    (``_p0``, ``_p1``...: never a name taken from a rule, a payer or a
    predicate, so no such text can break the source); ``&``, ``|`` and ``~``
    become ``and``, ``or`` and ``not``, so a rule costs no call of its own.
    Each rule runs in its own ``try``: a rule that raises becomes the
    :func:`_failed` finding of that line, as in :meth:`Rule.evaluate`.
    Findings are built only when a rule fires.  The source is registered with
    :mod:`linecache` under a unique file name, so tracebacks show its lines
    (attrs' ``_make.py`` does the same).
    """

    _counter = 0
    _counter_lock = threading.Lock()

    def __init__(
        self,
        rules: RuleSet | None,
        header: Context | None,
        given: frozenset[Need] = _CHART_GIVEN,
        *,
        title: str = "",
        slots: dict[int, int] | None = None,
    ) -> None:
        if rules is not None and header is not None:
            title = (
                f"Line rules of {rules.name!r} for {header.payer.name} ({header.payer.id}), "
                f"type of bill {header.claim.type_of_bill or 'none (837P)'}, "
                f"given {', '.join(sorted(n.value for n in given))}"
            )
        self.title = title
        # Writing a line's body (see :class:`_Dispatch`): each claim fact's place in the
        # claim's list of facts the dispatcher passes, by the fact's identity.
        self.slots = slots
        self.namespace: dict[str, Any] = {
            "_moving_context": _moving_context,
            "_failed": _failed,
            "_U": _UNSET,
            "_setf": _setf,
        }
        self.bound: list[str] = []
        self._names: dict[int, str] = {}
        self._leaves: dict[Any, Callable[[Context], bool]] = {}
        self._uses: dict[int, int] = {}
        self._kept: dict[int, str] = {}
        # Per fact (by identity, the fact held so the id stands): its local, its bound name.
        self._facts: dict[int, tuple[str, str, ClaimFact[Any]]] = {}

    def bind(self, prefix: str, value: Any, what: str) -> str:
        """The generated name ``value`` has in the namespace (bound once per object)."""
        name = self._names.get(id(value))
        if name is not None:
            return name
        name = f"_{prefix}{len(self._names)}"
        self.namespace[name] = value
        self._names[id(value)] = name
        if what:
            self.bound.append(f"#   {name} = {_comment(what)}")
        return name

    def terms(self, p: Predicate, joiner: str) -> list[str]:
        """``p`` as Python expressions to be joined by ``joiner`` (``and``/``or``)."""
        # Exact types: a subclass may evaluate differently, so it is called like a leaf.
        if isinstance(p, _Junction) and type(p) in (And, Or):
            word = "and" if type(p) is And else "or"
            if word == joiner:
                return [t for o in p.operands() for t in self.terms(o, joiner)]
            return ["(" + f" {word} ".join(self.terms(p, word)) + ")"]
        if isinstance(p, Not) and type(p) is Not:
            (inner,) = self.terms(p.operand, "not")
            return [f"not {inner}"]
        fn = self._function(p)
        written = getattr(fn, "__inline__", None)
        if written is not None:  # an expression the library wrote: in place, no call
            expression, values = written
            names = {
                k: self.claim_fact(v, f"{p}: {k}")
                if isinstance(v, ClaimFact)
                else self.bind("v", v, f"{p}: {k}")
                for k, v in values.items()
            }
            written_out = _LINE_FACT.sub(r"_\1", expression.format(**names))
            if self.slots is not None:  # a line's body: its line is one
                written_out = _with_line(written_out)
            return [f"({written_out})"]
        call = f"{self.bind('p', fn, str(p))}(ctx)"
        if self._uses.get(id(fn), 0) < 2:
            return [call]
        # A test several rules of the line ask: asked once per line, the answer kept.
        kept = self._kept.setdefault(id(fn), f"_t{len(self._kept)}")
        return [f"({kept} if {kept} is not _U else ({kept} := {call}))"]

    def claim_fact(self, fact: ClaimFact[Any], what: str) -> str:
        """The expression of ``fact`` in the loop: a local of the generated function,
        worked out by the first line that reads it, kept for the claim's other lines."""
        # Its ``of``, not its ``compute``: the fact is kept in the claim memo as well, so
        # rules that read it outside the loop (claim rules, fixers) share the one value.
        # Bound once per fact (each read of ``fact.of`` is a new method object).
        found = self._facts.get(id(fact))
        if found is None:
            compute = self.bind("f", fact.of, f"{what} (once per claim)")
            found = self._facts[id(fact)] = (f"_c{len(self._facts)}", compute, fact)
        kept, compute, _ = found
        if self.slots is not None:  # a line's body: the claim's facts come in a list
            i = self.slots[id(fact)]
            return f"(_cf[{i}] if _cf[{i}] is not _U else _setf(_cf, {i}, {compute}, ctx))"
        return f"({kept} if {kept} is not _U else ({kept} := {compute}(ctx)))"

    def _function(self, p: Predicate) -> Callable[[Context], bool]:
        # Equal leaves of one factory are one function: bind it once.
        return self._leaves.setdefault((p._factory, p._key()), p._fn) if type(p) is Leaf else p._fn

    def _count(self, p: Predicate) -> None:
        """Count how many places of the plan call each test (see :meth:`terms`)."""
        if isinstance(p, _Junction) and type(p) in (And, Or):
            for o in p.operands():
                self._count(o)
        elif isinstance(p, Not) and type(p) is Not:
            self._count(p.operand)
        else:
            fn = self._function(p)
            if getattr(fn, "__inline__", None) is None:
                self._uses[id(fn)] = self._uses.get(id(fn), 0) + 1

    def tables(self, steps: Sequence[_Step]) -> list[list[_Step] | _Step]:
        """``steps`` in order, each run of at least :attr:`TABLE_RUN` rules whose
        predicates are :func:`keyed` by the line's code gathered into one list: a
        table the checker looks the line's code up in, so its cost does not grow with
        its rows.  Shorter runs stay one ``if`` each (a lookup would cost more)."""
        out: list[list[_Step] | _Step] = []
        run: list[_Step] = []
        for step in [*steps, None]:
            test = None if step is None else step[1]
            if test is not None and not isinstance(test, bool) and _line_codes(test) is not None:
                run.append(step)  # type: ignore[arg-type]
                continue
            if len(run) >= self.TABLE_RUN:
                out.append(run)
            else:
                out.extend(run)
            run = []
            if step is not None:
                out.append(step)
        return out

    #: The fewest consecutive code-keyed rules written as a table.
    TABLE_RUN: ClassVar[int] = 8

    def table(self, run: list[_Step], body: list[str]) -> None:
        """Write a run of code-keyed rules as one lookup of the line's code."""
        by_code: dict[str, list[tuple[Rule, Callable[[Context], bool]]]] = {}
        for rule, test in run:
            assert not isinstance(test, bool)
            codes = _line_codes(test)
            assert codes is not None
            for code in codes:
                by_code.setdefault(code, []).append((rule, test._fn))
        table = {code: tuple(found) for code, found in by_code.items()}
        name = self.bind("k", table, "")
        ids = [rule.id for rule, _ in run]
        body.append(
            f"        # a table of {len(run)} rules keyed by code ({len(table)} codes): "
            f"{_comment(ids[0])} ... {_comment(ids[-1])}"
        )
        body.append(f"        _hit = {name}.get(_line.code)")
        body.append("        if _hit is not None:")
        body.append("            for _rule, _test in _hit:")
        body.append("                try:")
        body.append("                    if _rule.applies_on(_line.date) and _test(ctx):")
        body.append("                        out.append(_rule._finding(ctx))")
        body.append("                except Exception as exc:")
        body.append("                    out.append(_failed(_rule, ctx, exc))")

    def table_rule(self, rule: TableRule, body: list[str]) -> None:
        """Write a :class:`TableRule` as one lookup of the line's code in its rows (each
        row's payers, dates and predicate are tested on the line: nothing per row is
        settled or written per plan, so a plan costs the same whatever its rows)."""
        name = self.bind("k", rule.when.by_code, f"table {rule.id}")  # type: ignore[attr-defined]
        body.append(f"        # {_comment(rule.id)}: {_comment(str(rule.when))}")
        body.append(f"        _hit = {name}.get(_line.code)")
        body.append("        if _hit is not None:")
        body.append("            for _rule in _hit:")
        body.append("                try:")
        body.append("                    if (")
        body.append("                        _rule.applies_to(ctx.payer)")
        body.append("                        and _rule.applies_on(_line.date)")
        body.append("                        and _rule.when._fn(ctx)")
        body.append("                    ):")
        body.append("                        out.append(_rule._finding(ctx))")
        body.append("                except Exception as exc:")
        body.append("                    out.append(_failed(_rule, ctx, exc))")

    def write(self, steps: Sequence[_Step], *, claim: bool = False) -> tuple[str, dict[str, Any]]:
        """The source of ``check_lines(header, out)`` and its namespace; with ``claim``,
        of ``check_claim(header, out)``, the claim rules' ``steps`` tested once on the
        header (no line: the line's locals are ``None`` and no services, as the
        header's context holds them; dates are the statement's first day, as
        :meth:`Rule.applies_on` is asked of claim rules)."""
        body: list[str] = []
        dated = False
        # A line's body holds the rules of its code only: no table to look the code up in.
        whole = claim or self.slots is not None
        parts: list[list[_Step] | _Step] = list(steps) if whole else self.tables(steps)
        for part in parts:
            if isinstance(part, tuple) and not isinstance(part[1], bool):
                self._count(part[1])
        for part in parts:
            if isinstance(part, list):
                self.table(part, body)
                continue
            rule, test = part
            if _is_table(rule):
                self.table_rule(rule, body)
                continue
            name = self.bind("r", rule, f"rule {rule.id}")
            conditions: list[str] = []
            if rule.effective_from is not None:
                conditions.append(f"{self.bind('d', rule.effective_from, '')} <= date")
            if rule.effective_through is not None:
                conditions.append(f"date <= {self.bind('d', rule.effective_through, '')}")
            dated = dated or bool(conditions)
            if test is not True:
                assert not isinstance(test, bool)
                conditions += self.terms(test, "and")
            body.append(f"        # {_comment(rule.id)}: {_comment(str(rule.when))}")
            body.append("        try:")
            fire = f"out.append({name}._finding(ctx))"
            if not conditions:
                body.append(f"            {fire}")
            else:
                body.append("            if (")
                body.extend(f"                {c} and" for c in conditions[:-1])
                body.append(f"                {conditions[-1]}")
                body.append("            ):")
                body.append(f"                {fire}")
            body.append("        except Exception as exc:")
            body.append(f"            out.append(_failed({name}, ctx, exc))")
        if claim:
            return self._claim_source(steps, body, dated), self.namespace
        if self.slots is not None:
            return self._body_source(steps, body, dated), self.namespace
        head = self._head(
            f"{_comment(self.title)}: {len(steps)} active.", "check_lines(header, out)"
        )
        if not steps:
            head.append("    pass")
        else:
            if self._facts:
                head.append(f"    {' = '.join(f[0] for f in self._facts.values())} = _U")
            head.append(_MOVE.rstrip("\n"))
            if dated:
                head.append("        date = _line.date")
            if self._kept:
                head.append(f"        {' = '.join(self._kept.values())} = _U")
        return "\n".join([*head, *body, ""]), self.namespace

    def _head(self, comment: str, signature: str) -> list[str]:
        """The first lines of a generated function: its comment, the names bound in its
        namespace, and its ``def``."""
        bound = ["# Bound names:", *self.bound] if self.bound else []
        return [f"# {comment}", *bound, "", "", f"def {signature}:"]

    def _body_source(self, steps: Sequence[_Step], body: list[str], dated: bool) -> str:
        """The source of ``check_line``, one line's rules left once its code settled
        theirs (see :class:`_Dispatch`), around ``body`` (written as for the loop, one
        level less indented)."""
        head = self._head(
            f"{_comment(self.title)}, for a line of some codes: {len(steps)} active.",
            "check_line(ctx, out, _line, _code, _services, _cf)",
        )
        if not steps:
            head.append("    pass")
            return "\n".join([*head, ""])
        if dated:
            head.append("    date = _line.date")
        if self._kept:
            head.append(f"    {' = '.join(self._kept.values())} = _U")
        return "\n".join([*head, *(line[4:] for line in body), ""])

    def _claim_source(self, steps: Sequence[_Step], body: list[str], dated: bool) -> str:
        """The source of ``check_claim`` around ``body`` (the rules, written as for the
        line loop, one level less indented)."""
        head = self._head(
            f"{_comment(self.title.replace('Line rules', 'Claim rules'))}: {len(steps)} active.",
            "check_claim(header, out)",
        )
        if not steps:
            head.append("    pass")
            return "\n".join([*head, ""])
        if self._facts:
            head.append(f"    {' = '.join(f[0] for f in self._facts.values())} = _U")
        head += ["    ctx = header", "    _line = _code = None", "    _services = ()"]
        if dated:
            head.append("    date = ctx.claim.statement_from")
        if self._kept:
            head.append(f"    {' = '.join(self._kept.values())} = _U")
        return "\n".join([*head, *(line[4:] for line in body), ""])

    def compile(self, steps: Sequence[_Step], *, claim: bool = False) -> Any:
        """The function :meth:`write` writes, compiled, its source kept for tracebacks."""
        source, namespace = self.write(steps, claim=claim)
        if claim:
            return _load(source, namespace, "claim rules", "check_claim")
        if self.slots is not None:
            return _load(source, namespace, "code rules", "check_line")
        return _load(source, namespace, "line rules", "check_lines")


def _load(source: str, namespace: dict[str, Any], kind: str, name: str) -> Any:
    """The function ``name`` that ``source`` defines, compiled and run in ``namespace``,
    its source kept in :mod:`linecache` (under ``<hcpcs_home KIND N>``) for tracebacks
    while the function lives."""
    with _PlanWriter._counter_lock:
        _PlanWriter._counter += 1
        filename = f"<hcpcs_home {kind} {_PlanWriter._counter}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(code, namespace)
    found = namespace[name]
    # The source stays readable for tracebacks while the function lives, no longer:
    # a process that loads rule sets for years does not keep every one's source.
    weakref.finalize(found, linecache.cache.pop, filename, None)
    return found


#: The name the moving context's code (:data:`_MOVE`) gives "not worked out yet".
_U = _UNSET


def _interpret(header: Context, out: list[Finding], _steps: Any) -> None:
    """The interpreter of a plan's steps: the compiled checker's loop, each step tested in
    order (:func:`_line_rules`) as :meth:`_PlanWriter.write` writes it.

    Its loop begins with :data:`_MOVE` as written (a test holds them to it), so the
    context moves exactly as in the compiled checker; written here rather than compiled
    from that text, it is read from the bytecode cache, not compiled by every process.
    """
    if not _steps:
        return
    _services: tuple[Service, ...]
    ctx, _lines, _by_id, _codes, _lookup = _moving_context(header)
    for _i, _line in enumerate(_lines):
        ctx.line = _line
        ctx.index = _i
        ctx._memo = None
        ctx.expected = _U
        _k = _line.code
        ctx.code = _code = _codes[_k] if _k in _codes else _lookup(_k)
        _ids = _line.service_ids
        if len(_ids) == 1:
            _s = _by_id.get(_ids[0])
            if _s is None:
                ctx.services = _services = ()
                ctx.minutes = None
            else:
                ctx.services = _services = (_s,)
                ctx.minutes = _s.minutes
        else:
            ctx.services = _services = tuple([_by_id[_k] for _k in _ids if _k in _by_id])
            ctx.minutes = _U if _services else None
        _line_rules(ctx, out, _steps)


def _line_rules(ctx: Context, out: list[Finding], steps: Sequence[Any]) -> None:
    """Test the line rules ``steps`` on the context's line, in order, as the compiled
    checker does: per step the rule, its residual test's function (``None`` where it
    was settled as holding) and a :class:`TableRule`'s rows by code (``None`` for
    other rules).  A rule that raises is its :func:`_failed` finding."""
    line = ctx.line
    assert line is not None
    date = line.date
    for rule, fn, rows in steps:
        if rows is not None:
            hit = rows.get(line.code)
            if hit is not None:
                for row in hit:
                    try:
                        if row.applies_to(ctx.payer) and row.applies_on(date) and row.when._fn(ctx):
                            out.append(row._finding(ctx))
                    except Exception as exc:
                        out.append(_failed(row, ctx, exc))
            continue
        try:
            if rule.applies_on(date) and (fn is None or fn(ctx)):
                out.append(rule._finding(ctx))
        except Exception as exc:
            out.append(_failed(rule, ctx, exc))


def _interpreted(steps: Sequence[_Step]) -> tuple[Any, ...]:
    """``steps`` as :func:`_line_rules` reads them."""
    return tuple(
        (
            rule,
            None if test is True else test._fn,  # type: ignore[union-attr]
            rule.when.by_code if _is_table(rule) else None,  # type: ignore[attr-defined]
        )
        for rule, test in steps
    )


#: What an inline expression reads of the line, kept in locals of the generated loop.
_LINE_FACT = re.compile(r"\bctx\.(code|line|services)\b")


class _LineGiven(ast.NodeTransformer):
    """Fold an expression written for a line's body, where ``_line`` is a line, never
    ``None``: ``_line is not None`` is true and ``_line is None`` false, and each
    ``and``, ``or``, ``not`` and conditional they settle gives the value it would give
    (an operand dropped only where its value could not be the result)."""

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        if (
            isinstance(node.left, ast.Name)
            and node.left.id == "_line"
            and len(node.ops) == 1
            and isinstance(node.ops[0], (ast.Is, ast.IsNot))
            and isinstance(node.comparators[0], ast.Constant)
            and node.comparators[0].value is None
        ):
            return ast.Constant(isinstance(node.ops[0], ast.IsNot))
        return self.generic_visit(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and _known(node.operand):
            return ast.Constant(not node.operand.value)  # type: ignore[attr-defined]
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        if _known(node.test):
            return node.body if node.test.value else node.orelse  # type: ignore[attr-defined]
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        settles = isinstance(node.op, ast.Or)  # the value that ends an ``or``
        values: list[ast.expr] = []
        for value in node.values:
            if _known(value) and bool(value.value) is settles:  # type: ignore[attr-defined]
                values.append(value)  # it ends the operation: the result, if reached
                break
            if _known(value) and value is not node.values[-1]:
                continue  # ``True and x`` is ``x``, ``False or x`` is ``x``
            values.append(value)
        return values[0] if len(values) == 1 else ast.BoolOp(node.op, values)


def _known(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is bool


@functools.lru_cache(maxsize=1024)  # bodies of many codes share their expressions
def _with_line(expression: str) -> str:
    """``expression``, written for a line's body, folded where it asks whether there is
    a line (:class:`_LineGiven`)."""
    if "_line is" not in expression:
        return expression
    tree = _LineGiven().visit(ast.parse(expression, mode="eval"))
    return ast.unparse(ast.fix_missing_locations(tree))


def _comment(text: str) -> str:
    """``text`` on one line of plain ASCII, safe in a comment of generated source."""
    return ascii(" ".join(str(text).split()))[1:-1]


# --- the rules left for each line code -------------------------------------------------

#: Most line codes a compiled plan keeps settled per payer, type of bill and catalog
#: (codes read from files can be anything); the one settled first goes first.
CODES_KEPT = 1024


def _setf(facts: list[Any], i: int, of: Callable[[Context], Any], ctx: Context) -> Any:
    """The claim fact ``of`` gives for ``ctx``, kept at ``facts[i]`` for the claim's next
    lines (a line's body reads the claim's facts from the list its dispatcher passes)."""
    found = facts[i] = of(ctx)
    return found


#: Runs the rules left for a line: ``(ctx, out, line, code entry, services, facts)``.
_BodyFn = Callable[[Context, list[Finding], Any, Any, Any, list[Any]], None]


class _Body:
    """The line rules left for the lines of a code once its code-level parts are settled
    (shared by every code, payer and bill they settle alike): tested one by one for
    its first :data:`COMPILE_AFTER` lines (a process compiles the bodies of the codes
    it sees often, not of every code it sees once), then written and compiled into
    one function, which :attr:`run` is from then on."""

    __slots__ = ("compiled", "lock", "make", "run", "steps", "uses")

    def __init__(self, steps: Sequence[_Step], make: Callable[[], _BodyFn]) -> None:
        self.steps = _interpreted(steps)
        self.make = make
        self.uses = 0
        self.lock = threading.Lock()
        self.compiled: _BodyFn | None = None
        self.run: _BodyFn = self.interpret

    def interpret(
        self,
        ctx: Context,
        out: list[Finding],
        line: Any,
        code: Any,
        services: Any,
        facts: list[Any],
    ) -> None:
        """Test the steps on the line (:func:`_line_rules`), or, past the first lines,
        compile them and run the compiled function."""
        self.uses += 1
        if self.uses <= COMPILE_AFTER:
            return _line_rules(ctx, out, self.steps)
        return self.compile()(ctx, out, line, code, services, facts)

    def compile(self) -> _BodyFn:
        """The compiled function (compiled once, whichever thread asks first)."""
        with self.lock:
            if self.compiled is None:
                self.compiled = self.run = self.make()
        return self.compiled


def _leading_codes(test: bool | Predicate) -> frozenset[str] | None:
    """The codes a step's test can hold for where its first test is :func:`keyed`
    (tested first, so for any other code the rule neither fires nor raises)."""
    if type(test) is And:
        test = next(test.operands())
    if type(test) is Leaf:
        found: frozenset[str] | None = getattr(test._fn, "__line_codes__", None)
        return found
    return None


def _claim_facts(steps: Sequence[_Step]) -> list[ClaimFact[Any]]:
    """The claim facts the steps' written tests read (:func:`inline` values), in order."""
    found: dict[int, ClaimFact[Any]] = {}

    def visit(p: Predicate) -> None:
        if isinstance(p, _Junction):
            for o in p.operands():
                visit(o)
        elif isinstance(p, Not):
            visit(p.operand)
        else:
            written = getattr(p._fn, "__inline__", None)
            for value in () if written is None else written[1].values():
                if isinstance(value, ClaimFact):
                    found.setdefault(id(value), value)

    for rule, test in steps:
        if _is_table(rule):  # its rows are written as rules of their own
            for row in rule.rows:
                visit(row.when)
        elif not isinstance(test, bool):
            visit(test)
    return list(found.values())


class _Dispatch:
    """A plan's compiled line checker: each line runs only the rules left for its code.

    The parts of the plan's tests that the line's code settles (``code_level``
    predicates: the code's catalog entry, what the payer accepts, requires or
    allows of it; :meth:`Predicate._settle_code`) are worked out once per code, for
    each payer, type of bill and catalog the plan checks claims of, and the rules
    they leave are one :class:`_Body`, shared by the codes that leave the same.  A
    line then costs a lookup of its code and the rules that read the line itself.
    Nothing that reads the line's date, units, modifiers or services is settled by
    its code, so the findings are those of the whole plan, in its order.  A
    :class:`TableRule` leaves its rows of the code for the payer, each written as a
    rule of its own (what its lookup would test, in its order).
    """

    __slots__ = (
        "__weakref__",
        "bodies",
        "headers",
        "keyed",
        "lock",
        "plain",
        "slots",
        "steps",
        "title",
    )

    def __init__(self, steps: Sequence[_Step], title: str) -> None:
        self.steps = tuple(steps)
        self.title = title
        keyed: dict[str, list[int]] = {}
        plain: list[int] = []
        for i, (rule, test) in enumerate(self.steps):
            if _is_table(rule):
                codes: Any = rule.when.by_code  # type: ignore[attr-defined]
            else:
                codes = _leading_codes(test)
            if codes is None:
                plain.append(i)
            for code in codes or ():
                keyed.setdefault(code, []).append(i)
        self.plain, self.keyed = tuple(plain), keyed
        self.slots = {id(f): i for i, f in enumerate(_claim_facts(self.steps))}
        self.bodies: collections.OrderedDict[tuple[Any, ...], _Body] = collections.OrderedDict()
        #: By (payer identity, type of bill, catalog identity): the payer and the catalog
        #: (held, so that neither id is reused while the entry stands) and the bodies
        #: of its codes.
        self.headers: collections.OrderedDict[
            tuple[int, str | None, int], tuple[Payer, Any, dict[str, _Body]]
        ] = collections.OrderedDict()
        self.lock = threading.Lock()

    def bodies_of(self, header: Context) -> dict[str, _Body]:
        """The bodies of the codes settled for the claim's payer, type of bill and
        catalog (a new, empty memo for a new one)."""
        payer, catalog = header.payer, header.catalog
        key = (id(payer), header.claim.type_of_bill, id(catalog))
        found: tuple[Payer, Any, dict[str, _Body]] | None = _lru_get(self.headers, key)
        if found is not None and found[0] is payer and found[1] is catalog:
            return found[2]
        bodies: dict[str, _Body] = {}
        with self.lock:
            _lru_put(self.headers, key, (payer, catalog, bodies), _PlanCache.PLANS)
        return bodies

    def settle(self, ctx: Context, bodies: dict[str, _Body]) -> _Body:
        """The body of the rules left for the line's code, kept in ``bodies``."""
        line = ctx.line
        assert line is not None
        code = line.code
        keyed = self.keyed.get(code)
        order = self.plain if keyed is None else sorted((*self.plain, *keyed))
        left: list[_Step] = []
        for i in order:
            rule, test = self.steps[i]
            if _is_table(rule):  # its rows of this code for this payer, each a rule here
                for row in rule.when.by_code.get(code, ()):  # type: ignore[attr-defined]
                    if row.applies_to(ctx.payer):
                        part = row.when._settle_code(ctx)
                        if part is not False:
                            left.append((row, part))
                continue
            if not isinstance(test, bool):
                test = test._settle_code(ctx)
                if test is False:
                    continue
            left.append((rule, test))
        body = self.body(left)
        _keep(bodies, code, body, CODES_KEPT)
        return body

    def body(self, steps: list[_Step]) -> _Body:
        """The body of ``steps``, shared by every code that leaves the same."""
        try:
            signature = tuple((id(rule), test) for rule, test in steps)
            found: _Body | None = _lru_get(self.bodies, signature)
        except TypeError:  # a predicate with an unhashable parameter: no sharing
            return self.make(steps)
        if found is None:
            found = self.make(steps)
            with self.lock:
                _lru_put(self.bodies, signature, found, _PlanCache.PLANS)
        return found

    def make(self, steps: list[_Step]) -> _Body:
        slots, title = self.slots, self.title
        return _Body(
            steps, lambda: _PlanWriter(None, None, title=title, slots=slots).compile(steps)
        )

    def compile(self) -> _LineChecker:
        """The plan's ``check_lines(header, out)``: the line loop, each line's code
        looked up in the bodies settled for the claim's header."""
        lines = [
            f"# {_comment(self.title)}: {len(self.steps)} active; each line runs the rules left",
            "# for its code (_settle works them out once per code).",
            "",
            "",
            "def check_lines(header, out):",
        ]
        if not self.steps:
            lines.append("    pass")
        else:
            lines += [
                f"    _cf = [_U] * {len(self.slots)}",
                "    _bodies = _bodies_of(header)",
                _MOVE.rstrip("\n"),
                "        _b = _bodies.get(_k)",
                "        if _b is None:",
                "            _b = _settle(ctx, _bodies)",
                "        _b.run(ctx, out, _line, _code, _services, _cf)",
            ]
        namespace = {
            "_moving_context": _moving_context,
            "_U": _UNSET,
            "_bodies_of": self.bodies_of,
            "_settle": self.settle,
        }
        return _load("\n".join([*lines, ""]), namespace, "line rules", "check_lines")  # type: ignore[no-any-return]
