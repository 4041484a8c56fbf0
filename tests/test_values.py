"""The equality, hashing and repr the value types have from hcpcs_home._values (written on
first use) answer as the methods attrs writes for each class would."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_trusted import VALUES as TRUSTED_VALUES

import hcpcs_home
from hcpcs_home import _values
from hcpcs_home import strategies as hst
from hcpcs_home.rules import DEFAULT_RULES, VOCABULARY

VALUES = st.one_of(
    TRUSTED_VALUES,
    hst.codes(),
    hst.payers().map(lambda payer: payer.unit_policy),
    st.sampled_from(DEFAULT_RULES.rules),
)

_twins: dict[type, type] = {}


def twin(value: Any) -> Any:
    """``value`` as an instance of a class attrs writes every method of: the same name
    and the same fields (each with its own eq, hash and repr settings), as stored."""
    cls = type(value)
    made = _twins.get(cls)
    if made is None:
        made = attrs.make_class(
            cls.__name__,
            {
                a.name: attrs.field(eq=a.eq, hash=a.hash, repr=a.repr, init=a.init)
                for a in attrs.fields(cls)
            },
            frozen=True,
            slots=True,
        )
        made.__qualname__ = cls.__qualname__
        _twins[cls] = made
    copy = object.__new__(made)
    for a in attrs.fields(cls):
        object.__setattr__(copy, a.name, getattr(value, a.name))
    return copy


def _from_values(method: object) -> bool:
    return getattr(method, "__module__", None) == "hcpcs_home._values"


def lazy_classes() -> list[type]:
    """Every class of the package given its methods by hcpcs_home._values."""
    found = []
    for info in pkgutil.walk_packages(hcpcs_home.__path__, "hcpcs_home."):
        if info.name.endswith(("_hypothesis_plugin", "dask")):
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # pragma: no cover  # an optional dependency is missing
            continue
        for value in vars(module).values():
            if isinstance(value, type) and _from_values(value.__dict__.get("__eq__")):
                found.append(value)
    return found


class TestLazyMethods:
    @given(VALUES)
    def test_repr_is_the_one_attrs_writes(self, value: Any) -> None:
        """repr names the class and every shown field with its repr, as attrs writes it."""
        assert repr(twin(value)) == repr(value)

    @given(VALUES, VALUES)
    def test_equality_is_the_one_attrs_writes(self, a: Any, b: Any) -> None:
        """Two values are equal, or not, exactly when attrs' methods say so."""
        assert (twin(a) == twin(b)) == (a == b)
        assert (twin(a) != twin(b)) == (a != b)

    @given(VALUES)
    def test_a_copy_is_equal_and_hashes_alike(self, value: Any) -> None:
        """A value rebuilt from its own fields is equal to it and has the same hash."""
        copy = attrs.evolve(value)
        assert value == copy
        assert not value != copy  # noqa: SIM202  # __ne__ itself is what is tested
        assert hash(value) == hash(copy)

    @given(VALUES)
    def test_other_types_are_not_compared(self, value: Any) -> None:
        """Comparing with another type is left to it (NotImplemented), so it is unequal."""
        assert value.__eq__(twin(value)) is NotImplemented
        assert value != twin(value)
        assert value != object()

    def test_fields_left_out_of_equality_are_left_out(self) -> None:
        """A rule set's vocabulary takes no part in equality, repr or hashing (eq=False)."""
        other = attrs.evolve(DEFAULT_RULES, vocabulary=VOCABULARY | VOCABULARY)
        assert DEFAULT_RULES == other
        assert hash(DEFAULT_RULES) == hash(other)
        assert "vocabulary" not in repr(DEFAULT_RULES)

    def test_a_cycle_is_written_as_dots(self) -> None:
        """A value reached again inside its own repr is written ``...``, as attrs does."""

        @attrs.frozen(slots=True)
        @_values.lazy_methods
        class Box:
            items: list[Any]

        box = Box([])
        box.items.append(box)
        assert "Box(items=[...])" == repr(box)

    def test_a_plain_subclass_answers_alike(self) -> None:
        """A subclass attrs does not decorate is written its own methods on first use, once,
        and answers as its base does (a value is equal only to one of its very class)."""

        @attrs.frozen(slots=True)
        @_values.lazy_methods
        class Base:
            x: int

        class Sub(Base):
            __slots__ = ()

        assert "Sub(x=1)" == repr(Sub(1))
        assert {"__eq__", "__hash__", "__repr__"} <= set(vars(Sub))
        assert Sub(1) == Sub(1) and Sub(1) != Base(1) and Base(1) == Base(1)
        assert hash(Sub(1)) == hash(Sub(1))
        written = vars(Sub)["__repr__"]
        assert "Sub(x=2)" == repr(Sub(2))
        assert written is vars(Sub)["__repr__"]

    def test_a_class_with_its_own_equality_is_refused(self) -> None:
        """A class that writes its own __eq__ or __hash__ is refused."""

        class Own:
            def __eq__(self, other: object) -> bool:
                return True

        with pytest.raises(TypeError, match="defines __eq__ itself"):
            _values.lazy_methods(Own)

    def test_the_value_types_share_them(self) -> None:
        """The nouns a check builds have their methods from hcpcs_home._values."""
        names = {cls.__qualname__ for cls in lazy_classes()}
        assert {"Claim", "ClaimLine", "Service", "Payer", "Code", "Modifier", "Rule"} <= names
