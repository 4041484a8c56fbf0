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

The function is generated source, compiled under a file name registered with
:mod:`linecache` so tracebacks show it, as attrs does for the methods it
writes.  It is made once per class and kept: the classes are the program's,
so the cache is bounded by the program.

A frozen class refuses ``self.x = v`` (its ``__setattr__`` raises), so a
store through the slot's descriptor costs a call per field.  The function
instead fills an instance of the class's *store twin*
(:func:`store_twin`): a subclass adding no slot and no behaviour except the
plain ``object.__setattr__``, so each ``self.x = v`` is the interpreter's own
slot store; once every field is stored, the instance's ``__class__`` is set
to the class itself (the layouts are the same, which Python checks).  The
value given back is an instance of ``cls`` and nothing else; the twin never
leaves the function.  For 19 fields that is about a third of the cost of 19
descriptor calls.
"""

from __future__ import annotations

import linecache
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["DERIVED", "checked", "maker", "store_twin"]

T = TypeVar("T")

_made: dict[tuple[type, bool], Callable[..., Any]] = {}
_lock = threading.RLock()  # store_twin is asked for while a maker is written

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


def store_twin(cls: type[T]) -> type[T]:
    """The subclass of ``cls`` that a maker fills before giving the instance ``cls`` as
    its class: no slot of its own, and ``object.__setattr__`` (so the interpreter stores
    each field straight into its slot).  Made once per class.

    :raises TypeError: ``cls`` is not a slotted attrs class.
    """
    found = _twins.get(cls)
    if found is None:
        with _lock:
            found = _twins.get(cls)
            if found is None:
                _check(cls)
                found = _twins[cls] = type(
                    f"_{cls.__name__}Stores",
                    (cls,),
                    {
                        "__slots__": (),
                        "__setattr__": object.__setattr__,
                        "__delattr__": object.__delattr__,
                        "__module__": cls.__module__,
                        "__qualname__": f"_{cls.__qualname__}Stores",
                        "__doc__": f"Filled by the trusted maker of {cls.__name__}, never seen.",
                    },
                )
    return found


_twins: dict[type, type] = {}


def _check(cls: type[Any]) -> list[str]:
    """The field names of ``cls``, a slotted attrs class whose slots are its fields."""
    if not attrs.has(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls!r} is not a slotted attrs class")
    names = [a.name for a in attrs.fields(cls)]
    slots = {s for k in cls.__mro__ for s in k.__dict__.get("__slots__", ())}
    hidden = slots - set(names) - {"__weakref__"}
    if hidden:  # a cached hash, say: __init__ sets more than the fields
        raise TypeError(f"{cls.__name__} has slots besides its fields: {sorted(hidden)}")
    return names


def _write(cls: type[Any], checks: bool = False) -> Callable[..., Any]:
    names = _check(cls)
    fields = attrs.fields(cls)
    derives = checks and any(
        isinstance(a.default, attrs.Factory) and a.default.takes_self  # type: ignore[arg-type]
        for a in fields
    )
    # Generated names only (_s0, _twin...), never the field names, so no field name can
    # shadow the function's own globals.
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    params = [f"v{i}" for i in range(len(names))]
    lines = [f"def make_{cls.__name__}({', '.join(params)}):"]
    if derives:
        # A default derived from the instance sees the fields stored before it, on an
        # instance of the class itself, as in __init__: stored through the descriptors.
        lines.append("    self = _new(_cls)")
        for i, name in enumerate(names):
            namespace[f"_s{i}"] = _slot(cls, name).__set__
            default = fields[i].default
            if isinstance(default, attrs.Factory) and default.takes_self:  # type: ignore[arg-type]
                namespace[f"_derive{i}"] = default.factory
                namespace[f"_convert{i}"] = fields[i].converter or _same
                namespace["_DERIVED"] = DERIVED
                lines.append(f"    if v{i} is _DERIVED:")
                lines.append(f"        v{i} = _convert{i}(_derive{i}(self))")
            lines.append(f"    _s{i}(self, v{i})")
    else:
        namespace["_twin"] = store_twin(cls)
        lines.append("    self = _new(_twin)")
        lines += [f"    self.{name} = v{i}" for i, name in enumerate(names)]
        lines.append("    self.__class__ = _cls")
    for i, a in enumerate(fields if checks else ()):
        if a.validator is not None:
            namespace[f"_validate{i}"], namespace[f"_field{i}"] = a.validator, a
            lines.append(f"    _validate{i}(self, _field{i}, v{i})")
    if checks and getattr(cls, "__attrs_post_init__", None) is not None:
        namespace["_post_init"] = cls.__attrs_post_init__
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
