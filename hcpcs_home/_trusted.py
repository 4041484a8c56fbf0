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
``cls(...)``.

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

__all__ = ["maker"]

T = TypeVar("T")

_made: dict[type, Callable[..., Any]] = {}
_lock = threading.Lock()


def maker(cls: type[T]) -> Callable[..., T]:
    """``make(*values)``: a ``cls`` holding ``values``, one per field in field order, as given.

    Nothing is converted or checked and ``__attrs_post_init__`` does not run:
    only for values the caller has already converted and validated as
    ``cls.__init__`` would.

    :raises TypeError: ``cls`` is not a slotted attrs class.
    """
    found = _made.get(cls)
    if found is None:
        with _lock:  # written once, however many threads read their first value
            found = _made.get(cls)
            if found is None:
                found = _made[cls] = _write(cls)
    return found


def _write(cls: type[Any]) -> Callable[..., Any]:
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
    for i, name in enumerate(names):
        namespace[f"_s{i}"] = _slot(cls, name).__set__
        lines.append(f"    _s{i}(self, v{i})")
    lines.append("    return self")
    source = "\n".join(lines) + "\n"
    filename = f"<hcpcs_home trusted {cls.__module__}.{cls.__qualname__}>"
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
