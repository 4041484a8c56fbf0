"""Value types built from fields already converted and checked: the readers' trusted path.

A value type's ``__init__`` converts each field, then validates, then runs
``__attrs_post_init__``.  A reader that has already done that work for a
field (the one-pass JSON reader of :mod:`hcpcs_home._build`, a frame reader
that checked a whole column at once) would pay for it twice through
``__init__``.  :func:`maker` gives, once per class, a function that takes
every field's final value, in field order, and only stores them: no
converter, no validator, no post-init.  Its caller owns the guarantee that
the object is the one ``cls(...)`` would build from the same input (tests
hold each caller to it); anything it cannot vouch for goes through
``cls(...)``.  :func:`checked` is the same store for a caller that has
converted each value but leaves the checks across fields to the class: it
also derives a field whose default comes from the instance (given
:data:`DERIVED`), then runs the validators and ``__attrs_post_init__``.

The function is generated source, one store per field through the slot's own
descriptor (the cheapest way to fill a frozen slotted instance), compiled
under a file name registered with :mod:`linecache` so tracebacks show it, as
attrs does for the methods it writes.  It is made once per class and kept:
the classes are the program's, so the cache is bounded by the program.
"""

from __future__ import annotations

import linecache
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["DERIVED", "checked", "maker"]

T = TypeVar("T")

_made: dict[tuple[type, bool], Callable[..., Any]] = {}
_lock = threading.Lock()

#: Passed to a :func:`checked` maker for a field whose default attrs derives from the
#: instance (a service's ``id``): the maker derives it, as ``__init__`` would.
DERIVED: Any = attrs.NOTHING


def maker(cls: type[T]) -> Callable[..., T]:
    """``make(*values)``: a ``cls`` holding ``values``, one per field in field order, as given.

    Nothing is converted or checked and ``__attrs_post_init__`` does not run:
    only for values the caller has already converted and validated as
    ``cls.__init__`` would.

    :raises TypeError: ``cls`` is not a slotted attrs class.
    """
    return _maker(cls, False)


def checked(cls: type[T]) -> Callable[..., T]:
    """``make(*values)``: a ``cls`` holding ``values`` (already converted, one per field
    in field order), with the class's checks across fields made.

    No converter runs; a field given :data:`DERIVED` whose default is derived from
    the instance is derived and converted as ``__init__`` does it; then the
    validators and ``__attrs_post_init__`` run, in ``__init__``'s order.  The result
    equals ``cls(...)`` of the same values, or the same error is raised.

    :raises TypeError: ``cls`` is not a slotted attrs class.
    """
    return _maker(cls, True)


def _maker(cls: type[T], checks: bool) -> Callable[..., T]:
    found = _made.get((cls, checks))
    if found is None:
        with _lock:  # written once, however many threads read their first value
            found = _made.get((cls, checks))
            if found is None:
                found = _made[cls, checks] = _write(cls, checks)
    return found


def _write(cls: type[Any], checks: bool = False) -> Callable[..., Any]:
    if not attrs.has(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls!r} is not a slotted attrs class")
    names = [a.name for a in attrs.fields(cls)]
    slots = {s for k in cls.__mro__ for s in k.__dict__.get("__slots__", ())}
    hidden = slots - set(names) - {"__weakref__"}
    if hidden:  # a cached hash, say: __init__ sets more than the fields
        raise TypeError(f"{cls.__name__} has slots besides its fields: {sorted(hidden)}")
    # The slot descriptors are bound under generated names (_s0, _s1...), never the
    # field names, so no field name can shadow the function's own globals.
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    params = [f"v{i}" for i in range(len(names))]
    lines = [f"def make_{cls.__name__}({', '.join(params)}):", "    self = _new(_cls)"]
    fields = attrs.fields(cls)
    for i, name in enumerate(names):
        namespace[f"_s{i}"] = _slot(cls, name).__set__
        default = fields[i].default
        if checks and isinstance(default, attrs.Factory) and default.takes_self:  # type: ignore[arg-type]
            namespace[f"_derive{i}"] = default.factory
            namespace[f"_convert{i}"] = fields[i].converter or _same
            namespace["_DERIVED"] = DERIVED
            lines.append(f"    if v{i} is _DERIVED:")
            lines.append(f"        v{i} = _convert{i}(_derive{i}(self))")
        lines.append(f"    _s{i}(self, v{i})")
    for i, a in enumerate(fields if checks else ()):
        if a.validator is not None:
            namespace[f"_validate{i}"], namespace[f"_field{i}"] = a.validator, a
            lines.append(f"    _validate{i}(self, _field{i}, v{i})")
    if checks and getattr(cls, "__attrs_post_init__", None) is not None:
        namespace["_post_init"] = cls.__attrs_post_init__  # type: ignore[attr-defined]
        lines.append("    _post_init(self)")
    lines.append("    return self")
    source = "\n".join(lines) + "\n"
    kind = "checked" if checks else "trusted"
    filename = f"<hcpcs_home {kind} {cls.__module__}.{cls.__qualname__}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(code, namespace)
    make: Callable[..., Any] = namespace[f"make_{cls.__name__}"]
    return make


def _slot(cls: type[Any], name: str) -> Any:
    """The member descriptor that stores ``name`` on instances of ``cls``."""
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if found is not None and type(found).__name__ == "member_descriptor":
            return found
    raise TypeError(f"{cls.__name__}.{name} is not a slot")  # pragma: no cover  # attrs makes it


def _same(value: Any) -> Any:
    return value
