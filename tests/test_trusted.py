"""The trusted constructor (hcpcs_home._trusted) stores fields as given and builds equal values."""

from __future__ import annotations

import inspect
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import Authorization, Claim, ClaimLine, Occurrence, Service, ValueCode, _trusted
from hcpcs_home import strategies as hst
from hcpcs_home.claims import OccurrenceSpan
from hcpcs_home.errors import InvalidFieldError, InvalidTimeError
from hcpcs_home.evv import EvvVisit
from hcpcs_home.payers import Payer


def fields_of(value: Any) -> list[Any]:
    """The value's fields, in field order, as stored (not copied or converted)."""
    return [getattr(value, a.name) for a in attrs.fields(type(value))]


@attrs.frozen(slots=True, cache_hash=True)
class CachedHash:
    """A value whose hash attrs keeps in a slot beside its fields."""

    x: int


VALUES = st.one_of(
    hst.claims(),
    hst.claim_lines(),
    hst.services(),
    hst.authorizations(),
    hst.occurrences(),
    hst.occurrence_spans(),
    hst.value_codes(),
    hst.evv_visits(),
    hst.payers(),
)


class TestMaker:
    @given(VALUES)
    def test_equal_to_the_value_its_fields_came_from(self, value: Any) -> None:
        """A value made from another's fields equals it, hashes alike and holds the same objects."""
        made = _trusted.maker(type(value))(*fields_of(value))
        assert value == made
        assert hash(value) == hash(made)
        assert all(a is b for a, b in zip(fields_of(value), fields_of(made), strict=True))

    @given(hst.claims())
    def test_nothing_is_converted(self, claim: Claim) -> None:
        """The values are stored as given: text stays text (only __init__ converts it)."""
        values = fields_of(claim)
        values[1] = "2024-03-01"
        made = _trusted.maker(Claim)(*values)
        assert "2024-03-01" == made.statement_from

    def test_nothing_is_validated(self) -> None:
        """No validator or post-init runs: a period that ends before it starts is stored."""
        claim = Claim("medicare", "2024-03-01", "2024-03-30")
        values = fields_of(claim)
        values[1], values[2] = values[2], values[1]
        made = _trusted.maker(Claim)(*values)
        assert made.statement_through < made.statement_from
        with pytest.raises(Exception, match="is before statement_from"):
            Claim(*values)

    def test_made_once_per_class(self) -> None:
        """The same function is given for the same class."""
        assert _trusted.maker(ClaimLine) is _trusted.maker(ClaimLine)
        assert _trusted.maker(ClaimLine) is not _trusted.maker(Service)

    def test_wrong_number_of_values(self) -> None:
        """Every field is required, positionally."""
        with pytest.raises(TypeError):
            _trusted.maker(Occurrence)("50")

    def test_frozen_as_ever(self) -> None:
        """The value made is as frozen as one built by __init__."""
        made = _trusted.maker(ValueCode)(*fields_of(ValueCode("61", "16974")))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            made.code = "85"  # type: ignore[misc]

    @pytest.mark.parametrize("cls", [dict, int, attrs.make_class("Loose", ["a"], slots=False)])
    def test_not_a_slotted_attrs_class(self, cls: type) -> None:
        """Only slotted attrs classes can be made this way."""
        with pytest.raises(TypeError, match="not a slotted attrs class"):
            _trusted.maker(cls)

    def test_hidden_slots_refused(self) -> None:
        """A class whose __init__ fills more than its fields (a cached hash) is refused."""
        with pytest.raises(TypeError, match="_attrs_cached_hash"):
            _trusted.maker(CachedHash)

    def test_source_is_readable(self) -> None:
        """The generated function's source is registered, so tracebacks and inspect show it."""
        source = inspect.getsource(_trusted.maker(Authorization))
        assert source.startswith("def make_Authorization(v0, v1,")
        names = [a.name for a in attrs.fields(Authorization)]
        assert all(f"    self.{name} = v{i}\n" in source for i, name in enumerate(names))

    @pytest.mark.parametrize(
        "cls", [Claim, ClaimLine, Service, Authorization, Occurrence, OccurrenceSpan, EvvVisit]
    )
    def test_made_of_the_class_itself(self, cls: type) -> None:
        """What a maker gives is of the class itself, never its store twin, and weakly
        referable as any instance is."""
        import weakref

        made = _trusted.maker(cls)(*[a.name for a in attrs.fields(cls)])
        assert type(made) is cls
        assert made.__class__ is cls
        assert weakref.ref(made)() is made

    def test_store_twin_is_the_class_with_plain_stores(self) -> None:
        """The twin is a subclass adding no slot, one per class; its instances take stores."""
        twin = _trusted.store_twin(ValueCode)
        assert twin is _trusted.store_twin(ValueCode)
        assert issubclass(twin, ValueCode)
        assert () == twin.__dict__["__slots__"]
        assert ValueCode.__basicsize__ == twin.__basicsize__
        instance = object.__new__(twin)
        instance.code = "61"
        assert "61" == instance.code

    def test_store_twin_refuses_what_maker_refuses(self) -> None:
        """No twin for a class that is not slotted attrs or that hides slots."""
        with pytest.raises(TypeError, match="not a slotted attrs class"):
            _trusted.store_twin(dict)
        with pytest.raises(TypeError, match="_attrs_cached_hash"):
            _trusted.store_twin(CachedHash)

    @pytest.mark.parametrize(
        "cls", [Claim, ClaimLine, Service, Authorization, Occurrence, OccurrenceSpan, EvvVisit]
    )
    def test_every_field_stored(self, cls: type) -> None:
        """Each field is stored in its own slot, in field order."""
        names = [a.name for a in attrs.fields(cls)]
        made = _trusted.maker(cls)(*names)
        assert names == fields_of(made)

    def test_payer(self) -> None:
        """Payers can be made too."""
        from hcpcs_home.payers import MEDICARE

        assert MEDICARE == _trusted.maker(Payer)(*fields_of(MEDICARE))


class TestFindingsMadeByTheCheck:
    def test_finding_has_nothing_for_maker_to_skip(self) -> None:
        """A check builds findings with maker: Finding converts, validates and post-inits
        nothing, so maker(Finding) builds what Finding(...) builds."""
        from hcpcs_home.policy import Finding

        assert all(a.converter is None and a.validator is None for a in attrs.fields(Finding))
        assert not hasattr(Finding, "__attrs_post_init__")

    def test_findings_equal_those_built_by_init(self) -> None:
        """Each finding of a check equals Finding(...) of its own values, message and all."""
        from hcpcs_home import check
        from hcpcs_home.policy import Finding

        claim = Claim(
            "medicare",
            "2024-03-01",
            "2024-03-30",
            type_of_bill="0329",
            lines=[ClaimLine("G0299", "2024-03-04", 0, revenue_code="0551")],
        )
        findings = check(claim).findings
        assert findings
        for found in findings:
            rebuilt = Finding(
                found.rule_id,
                found.severity,
                found.message,
                found.line,
                found.field,
                found.suggestion,
                found.fix,
                found.source,
            )
            assert rebuilt == found
            assert found.explain().held


class TestChecked:
    """``_trusted.checked`` builds from converted values and still runs every cross-field check."""

    @given(hst.claims(payer=hst.payers()))
    def test_each_value_equals_its_init(self, claim: Claim) -> None:
        """A claim, its lines and services rebuilt from their own values equal the originals."""
        for value in (claim, *claim.lines, *claim.services):
            cls = type(value)
            made = _trusted.checked(cls)(*(getattr(value, a.name) for a in attrs.fields(cls)))
            assert value == made
            assert hash(value) == hash(made)

    @given(hst.services())
    def test_a_derived_id_is_derived_as_init_derives_it(self, service: Service) -> None:
        """DERIVED for ``id`` gives the id ``Service(...)`` derives from the same fields."""
        values = {a.name: getattr(service, a.name) for a in attrs.fields(Service)}
        expected = Service(**{**values, "id": _trusted.DERIVED})
        assert expected == _trusted.checked(Service)(*{**values, "id": _trusted.DERIVED}.values())

    def test_post_init_and_validators_still_run(self) -> None:
        """Minutes that disagree with the clock times, and a HIPPS code off 0023, are refused."""
        made = _trusted.checked(Service)
        fields = {
            a.name: getattr(Service("G0299", "2024-03-04", "09:00", "09:50"), a.name)
            for a in attrs.fields(Service)
        }
        with pytest.raises(InvalidTimeError, match="does not match"):
            made(*{**fields, "minutes": 51}.values())
        line = ClaimLine("1FC21", "2024-03-01", 1, revenue_code="0023")
        values = {a.name: getattr(line, a.name) for a in attrs.fields(ClaimLine)}
        with pytest.raises(InvalidFieldError, match="HIPPS"):
            _trusted.checked(ClaimLine)(*{**values, "revenue_code": "0551"}.values())
