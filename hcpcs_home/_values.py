"""Equality, hashing and ``repr`` of the package's attrs value types, written on first use.

attrs writes ``__eq__``, ``__hash__``, ``__repr__`` and ``__init__`` of each class
as source and compiles it when the class is defined.  For the value types a
check imports, that compiling is the largest single cost of a fresh process:
about a sixth of its instructions, more than reading all of the library's
bytecode.  Most of it is for methods such a process never calls.
:func:`lazy_methods` gives a class generic ``__eq__``, ``__ne__``, ``__hash__`` and
``__repr__``; attrs sees that the class defines them (its ``auto_detect``) and
writes only ``__init__`` (converters, validators).  The first call of one of
them for a class writes the class its own: ``__eq__`` and ``__hash__`` as attrs
writes them (attribute by attribute, compiled then, for that class only: they
are hot, as dictionary keys), ``__repr__`` a function over its fields.  Everything
else about the class is still attrs: fields, converters, validators,
``attrs.evolve``, ``attrs.asdict``, pickling.

The methods answer as attrs' own:

* ``a == b`` is ``NotImplemented`` unless both are of the very same class, then
  each compared field (``eq=True``) is compared with ``==`` in field order,
  stopping at the first that differs;
* ``hash(a)`` hashes the class and the hashed fields (``hash=True``, or ``eq``
  where ``hash`` is unset), so equal values hash equal;
* ``repr(a)`` is ``Name(field=value!r, ...)`` over the fields with ``repr``
  (a field's own ``repr`` callable where it has one), ``...`` for a value
  already being written higher up the same ``repr`` (a cycle).

A test builds each class's attrs-written twin (``attrs.make_class`` of the same
fields) and holds the two to the same answers.
"""

from __future__ import annotations

import linecache
import threading
from typing import Any, TypeVar

import attrs
from attrs import NOTHING

__all__ = ["lazy_methods"]

T = TypeVar("T", bound=type)


_writing = threading.local()


def _specialise(cls: Any) -> Any:
    """Give ``cls`` its own ``__eq__``, ``__hash__`` and (unless it writes its own)
    ``__repr__`` in place of the generic ones: asked the first time one of them is called
    for the class.  Two threads asking at once write equal ones."""
    fields = attrs.fields(cls)
    for a in fields:
        if a.eq_key is not None:  # pragma: no cover  # no value type uses one
            raise TypeError(f"{cls.__qualname__}.{a.name}: eq keys are not shared")
    eq = [a.name for a in fields if a.eq]
    hashed = [a.name for a in fields if a.hash is True or (a.hash is None and a.eq)]
    shown = tuple((a.name, repr if a.repr is True else a.repr, a.init) for a in fields if a.repr)
    # Equality and hashing are hot (dictionary keys, caches): written as attrs writes them,
    # attribute by attribute, and compiled now, for this class only.  Field names are
    # identifiers (attrs checks), so they can be written into the source as they are.
    source = "\n".join(
        [
            "def __eq__(self, other):",
            "    if other.__class__ is not self.__class__:",
            "        return NotImplemented",
            "    return (" + " and ".join(f"self.{n} == other.{n}" for n in eq) + ")"
            if eq
            else "    return True",
            "def __hash__(self):",
            f"    return hash(({hash(f'{cls.__module__}.{cls.__qualname__}')},"
            + "".join(f" self.{n}," for n in hashed)
            + "))",
        ]
    )
    filename = f"<hcpcs_home values {cls.__module__}.{cls.__qualname__}>"
    namespace: dict[str, Any] = {"__name__": __name__}
    exec(compile(source, filename, "exec"), namespace)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)

    def __repr__(self: Any) -> str:
        try:
            busy: set[int] = _writing.busy
        except AttributeError:
            busy = _writing.busy = set()
        if id(self) in busy:
            return "..."
        busy.add(id(self))
        try:
            parts = ", ".join(
                f"{name}={show(getattr(self, name) if init else getattr(self, name, NOTHING))}"
                for name, show, init in shown
            )
            return f"{self.__class__.__qualname__.rsplit('>.', 1)[-1]}({parts})"
        finally:
            busy.discard(id(self))

    cls.__eq__ = namespace["__eq__"]
    cls.__hash__ = namespace["__hash__"]
    if cls.__repr__ is _first_repr:  # its own or inherited: not a repr the class writes
        cls.__repr__ = __repr__
    return cls


# The generic methods :func:`lazy_methods` gives: each specialises the class and answers.


def _first_eq(self: Any, other: Any) -> Any:
    return _specialise(self.__class__).__eq__(self, other)


def _ne(self: Any, other: Any) -> Any:
    result = self.__eq__(other)
    return result if result is NotImplemented else not result


def _first_hash(self: Any) -> int:
    hashed: int = _specialise(self.__class__).__hash__(self)
    return hashed


def _first_repr(self: Any) -> str:
    written: str = _specialise(self.__class__).__repr__(self)
    return written


def lazy_methods(cls: T) -> T:
    """``cls`` with the generic ``__eq__``, ``__ne__``, ``__hash__`` and ``__repr__``
    (``__repr__`` only where it writes none itself): put it under
    ``@attrs.frozen(...)``, which then writes only ``__init__``.

    :raises TypeError: ``cls`` defines its own equality or hashing.
    """
    own = vars(cls)
    for name in ("__eq__", "__ne__", "__hash__"):
        if name in own:
            raise TypeError(f"{cls.__qualname__} defines {name} itself")
    cls.__eq__ = _first_eq  # type: ignore[assignment]
    cls.__ne__ = _ne  # type: ignore[assignment]
    cls.__hash__ = _first_hash  # type: ignore[assignment]
    if "__repr__" not in own:
        cls.__repr__ = _first_repr  # type: ignore[assignment]
    return cls
