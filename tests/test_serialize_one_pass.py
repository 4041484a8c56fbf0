"""The one-pass JSON reader (hcpcs_home._build) agrees with the reporting pass it speeds up.

The reference is what :func:`~hcpcs_home.serialize.claim_from_json` did before the
one-pass reader: the depth scan, ``json.loads`` and the field-by-field structuring
hooks alone.  Every document, valid or corrupted, must give the same claim or the
same error (type, message and the path of every field).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import (
    Authorization,
    Claim,
    ClaimLine,
    HcpcsError,
    InvalidFieldError,
    Service,
    _build,
    _fields,
    serialize,
)
from hcpcs_home import strategies as hst
from hcpcs_home.bounds import MAX_JSON_DEPTH, check_json_depth
from hcpcs_home.payers import Payer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

_REFERENCE = serialize._Hooks(one_pass=False)


@pytest.fixture(autouse=True, scope="module")
def _compiled_readers() -> Iterator[None]:
    """The readers these tests make are compiled from the first object on (a process
    compiles a type's reader after ``_build.COMPILE_AFTER`` objects of it): what the
    tests below hold equal to the reporting pass is the compiled reader, except in
    :class:`TestFirstObjects`, which reads through ``__init__`` (#21)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_build, "COMPILE_AFTER", 0)
        yield


def reference(text: str) -> Claim:
    """claim_from_json as it was: depth scan, parse, then the reporting hooks alone."""
    check_json_depth(text, field="$")
    try:
        data = json.loads(text)
    except ValueError as exc:
        preview = serialize._preview(text)
        raise InvalidFieldError("$", preview, f"is not valid JSON: {exc}") from None
    claim: Claim = _REFERENCE.structure(data, Claim)
    return claim


def outcome(read: Any, text: Any) -> Any:
    """The claim read (from text, or data), or the error as (type, message, every field's
    path and reason)."""
    try:
        return read(text)
    except HcpcsError as exc:
        errors = getattr(exc, "errors", [exc])
        return type(exc), str(exc), [(type(e), e.field, e.reason) for e in errors]


def as_data(claim: Claim) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(serialize.claim_to_json(claim))
    return data


#: The fields format 2 added: a version 1 document has none of them.
V2_CLAIM_FIELDS = (
    "admission_date",
    "point_of_origin",
    "patient_status",
    "condition_codes",
    "occurrence_codes",
    "occurrence_spans",
    "value_codes",
    "notice_accepted",
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """Claim documents as writers send them: format 2, format 1, no format key; the payer
    as a full object or, for shipped profiles, by its id."""
    claim = draw(hst.claims())
    data = as_data(claim)
    shape = draw(st.sampled_from(["format 2", "format 1", "no format"]))
    if shape == "format 1":
        data["format"] = 1
        for name in V2_CLAIM_FIELDS:
            data.pop(name)
        for line in data["lines"]:
            line.pop("through")
    elif shape == "no format":
        del data["format"]
    if draw(st.booleans()) and claim.payer == serialize.payer_profile(claim.payer.id):
        data["payer"] = claim.payer.id
    return data


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (keys of objects, indexes of lists)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += paths(item, (*prefix, i))
    return found


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    data = json.loads(json.dumps(data))
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()

#: Values a broken export puts where a field should be: wrong types, near misses,
#: the leaves each field takes elsewhere, nesting.
JUNK = st.one_of(
    st.just(_DELETE),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False),
    st.sampled_from(
        [
            "",
            " ",
            "G0299",
            "g0299 ",
            "1FC21",
            "2024-03-04",
            "2024-02-30",
            "1899-12-31",
            "09:00",
            "24:00",
            "0552",
            "552",
            "GN",
            "gn, gp",
            "1e9999999",
            "12.345",
            "-1",
            "0329",
            "0\u0663\u06629",
            "RN",
            "home",
            "medicare",
            "s1",
            "\x00",
            "x" * 90,
            "1234567893",
        ]
    ),
    st.text(max_size=6),
    st.lists(st.sampled_from(["GN", "s1", "G0299", "", "x", "2024-03-04"]), max_size=5),
    st.lists(st.lists(st.integers(0, 3), max_size=2), max_size=2),
    st.dictionaries(st.sampled_from(["code", "GN", "x"]), st.integers(0, 3), max_size=2),
)


class TestAgreesWithTheReportingPass:
    """The one-pass reader is a shortcut: it never changes what a document means."""

    @given(hst.claims())
    def test_claims_round_trip(self, claim: Claim) -> None:
        """claim_from_json(claim_to_json(c)) == c, and the one-pass builder alone gives it."""
        text = serialize.claim_to_json(claim)
        assert claim == serialize.claim_from_json(text)
        assert claim == serialize._one_pass()[Claim](json.loads(text))

    @given(documents(), st.data())
    def test_one_corrupted_value(self, document: dict[str, Any], data: st.DataObject) -> None:
        """A claim with one value replaced by junk reads (or fails) exactly as before."""
        path = data.draw(st.sampled_from(paths(document)), label="path")
        junk = data.draw(JUNK, label="junk")
        text = json.dumps(replaced(document, path, junk), ensure_ascii=False)
        assert outcome(reference, text) == outcome(serialize.claim_from_json, text)
        assert outcome(lambda t: _REFERENCE.structure(json.loads(t), Claim), text) == outcome(
            lambda t: serialize.claim_from_data(json.loads(t)), text
        )

    @given(documents(), st.data())
    def test_several_corrupted_values(self, document: dict[str, Any], data: st.DataObject) -> None:
        """Several bad values are each reported with their path, as before."""
        places = data.draw(st.lists(st.sampled_from(paths(document)), max_size=4, unique=True))
        for path in places:
            try:
                document = replaced(document, path, data.draw(JUNK))
            except (KeyError, IndexError, TypeError):  # an earlier change removed the place
                continue
        text = json.dumps(document, ensure_ascii=False)
        assert outcome(reference, text) == outcome(serialize.claim_from_json, text)

    @given(documents())
    def test_every_shape_of_document(self, document: dict[str, Any]) -> None:
        """Format 1, format 2 and payer ids read the same claim through both."""
        text = json.dumps(document, ensure_ascii=False)
        assert reference(text) == serialize.claim_from_json(text)

    def test_example_file(self) -> None:
        """The shipped example reads the same through both."""
        text = (EXAMPLES / "claim.json").read_text("utf-8")
        assert reference(text) == serialize.claim_from_json(text)


class TestOnePassIsTaken:
    def test_valid_claim_needs_neither_scan_nor_reporting_pass(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A valid document is read without the depth scan or the reporting pass."""
        text = (EXAMPLES / "claim.json").read_text("utf-8")

        def never(*args: object, **kwargs: object) -> None:
            raise AssertionError("the slow path ran on a valid document")

        monkeypatch.setattr(serialize, "check_json_depth", never)
        monkeypatch.setattr(serialize, "claim_from_data", never)
        assert serialize.claim_from_json(text).lines

    def test_payer_objects_are_shared_by_equal_text(self) -> None:
        """Two claims with the same payer object in their text share one Payer."""
        claim = Claim(
            serialize.payer_profile("medicare"), "2024-03-01", "2024-03-31", type_of_bill="0329"
        )
        text = serialize.claim_to_json(claim)
        first, second = serialize.claim_from_json(text), serialize.claim_from_json(text)
        assert first.payer is second.payer
        assert first == second == claim

    def test_payers_read_in_turn_stay_remembered(self) -> None:
        """More payer objects than fit a cleared-when-full table, read in turn, are each built
        once: the least recently read is forgotten first, never all at once."""
        medicare = serialize.payer_profile("medicare")
        texts = [
            serialize.claim_to_json(
                Claim(attrs.evolve(medicare, name=f"Plan {i}"), "2024-03-01", "2024-03-31")
            )
            for i in range(65)
        ]
        first = [serialize.claim_from_json(t).payer for t in texts]
        again = [serialize.claim_from_json(t).payer for t in texts]
        assert all(a is b for a, b in zip(first, again, strict=True))
        assert [f"Plan {i}" for i in range(65)] == [p.name for p in again]

    def test_true_and_one_are_different_payers(self) -> None:
        """A payer remembered with a flag true is not what a document with 1 there reads."""
        data = as_data(Claim("medicare", "2024-03-01", "2024-03-31"))
        data["payer"]["name"] = "Flags"
        assert serialize.claim_from_json(json.dumps(data)).payer.accepts_s_codes is False
        data["payer"]["accepts_s_codes"] = 0
        with pytest.raises(InvalidFieldError, match="accepts_s_codes"):
            serialize.claim_from_json(json.dumps(data))


class TestRememberedValues:
    def test_a_refused_value_is_refused_every_time(self) -> None:
        """Only converted values are remembered: a bad one raises its own error again."""
        read = _build.Reader(ClaimLine.__attrs_attrs__.units.converter)
        for _ in range(2):
            with pytest.raises(InvalidFieldError, match="must not be negative"):
                read("-1")
        assert "-1" not in read.remembered

    def test_equal_values_of_other_types_are_not_confused(self) -> None:
        """true and 1 are equal in Python; a payer's flag must still be a boolean."""
        data = as_data(Claim("medicare", "2024-03-01", "2024-03-31"))
        data["payer"] = as_data(Claim("medicare", "2024-03-01", "2024-03-31"))["payer"]
        data["payer"]["accepts_s_codes"] = True
        assert serialize.claim_from_json(json.dumps(data)).payer.accepts_s_codes is True
        data["payer"]["accepts_s_codes"] = 1
        with pytest.raises(InvalidFieldError, match="accepts_s_codes"):
            serialize.claim_from_json(json.dumps(data))

    def test_a_table_holds_what_its_reader_read(self) -> None:
        """A field's table holds only what its reader converted: a value not there is read
        and remembered (the compiled reader calls the reader when its subscript misses); a
        refused one raises its error and is not kept."""
        read = _build.Reader(ClaimLine.__attrs_attrs__.date.converter)
        assert type(read.remembered) is dict  # a subclass would slow every subscript
        assert "2024-03-01" not in read.remembered
        assert date(2024, 3, 1) == read("2024-03-01")
        assert date(2024, 3, 1) == read.remembered["2024-03-01"]
        assert read("2024-03-01") is read.remembered["2024-03-01"]
        with pytest.raises(InvalidFieldError, match="date"):
            read("2024-02-30")
        assert "2024-02-30" not in read.remembered

    def test_a_list_table_holds_tuples(self) -> None:
        """A list field's table is looked up by the tuple of a list's items; a miss
        converts the list, as the field's converter takes it."""
        read = _build.Reader(ClaimLine.__attrs_attrs__.modifiers.converter)
        assert ("GP",) == read(["gp"])
        assert ("GP",) == read.remembered[("gp",)]
        assert ("GP",) == read(["gp"])

    @pytest.mark.parametrize(
        ("field", "values"),
        [
            ("units", [1, True, 1.0, "1", 1, True]),
            ("code", ["G0299", 1, True, ["G0299"], "G0299", 1]),
            ("modifiers", [["GP"], [True], [["GP"]], [1], ["GP"], "GP", [], [None]]),
            ("revenue_code", [None, "0551", 551, None, False, "0551"]),
        ],
    )
    def test_equal_values_of_other_types_in_turn(self, field: str, values: list[Any]) -> None:
        """Values equal in Python but of other JSON types (1, true, 1.0; a list and its
        items), read one after another in the same field of a compiled reader, each read
        or refused as the reporting pass does it."""
        claim = Claim(
            "medicare",
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine("G0299", "2024-03-04", 1, revenue_code="0551")],
            type_of_bill="0329",
        )
        for value in values:
            data = as_data(claim)
            data["lines"][0][field] = value
            text = json.dumps(data)
            assert outcome(reference, text) == outcome(serialize.claim_from_json, text), value

    def test_python_tuples_where_lists_belong(self) -> None:
        """claim_from_data takes Python data: a tuple is not a JSON list, and the
        one-pass reader leaves it to the reporting pass, as before."""
        claim = Claim(
            "medicare",
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine("G0299", "2024-03-04", 1, modifiers=["GP"])],
        )
        data = as_data(claim)
        for _ in range(3):
            serialize.claim_from_data(data)
        data["lines"][0]["modifiers"] = ("GP",)
        data["lines"][0]["code"] = ("G0299",)
        expected = outcome(lambda d: _REFERENCE.structure(d, Claim), data)
        assert expected == outcome(serialize.claim_from_data, data)

    def test_memory_is_bounded(self) -> None:
        """A field remembers at most so many values, and no long text."""
        read = _build.Reader(Service.__attrs_attrs__.id.converter)
        for i in range(3 * _build._REMEMBERED):
            read(f"s{i}")
        assert len(read.remembered) <= _build._REMEMBERED
        long = " " * 200 + "s1"
        assert "s1" == read(long)
        assert long not in read.remembered

    def test_values_that_never_repeat_are_not_kept(self) -> None:
        """A field whose values are new for most objects (ids) stops remembering them, and
        reads and refuses exactly as before."""
        built = [0]
        read = _build.Reader(Service.__attrs_attrs__.id.converter, built)
        for i in range(2 * _build._REMEMBERED + 1):
            built[0] += 1
            assert f"s{i}" == read(f" s{i} ")
        assert not read.repeats
        assert {} == read.remembered
        assert "s1" == read(" s1 ")
        with pytest.raises(InvalidFieldError, match="control character"):
            read("s\x00")
        with pytest.raises(_build.Unusual):
            read({"id": "s1"})

    def test_values_that_repeat_stay_kept(self) -> None:
        """A field whose objects mostly repeat earlier values (dates) keeps remembering."""
        built = [0]
        read = _build.Reader(ClaimLine.__attrs_attrs__.date.converter, built)
        days = [f"2024-{m:02}-{d:02}" for m in range(1, 13) for d in range(1, 29)]
        for i in range(8 * _build._REMEMBERED):
            built[0] += 1
            read(days[i % 10] if i % 4 else f"{1900 + i % 200}-{days[i % len(days)][5:]}")
        assert read.repeats
        assert read.remembered


class TestDepth:
    def _with_modifiers(self, modifiers: Any) -> str:
        data = as_data(Claim("medicare", "2024-03-01", "2024-03-31"))
        data["lines"] = [{"code": "G0299", "date": "2024-03-04", "units": 1}]
        data["lines"][0]["modifiers"] = modifiers
        return json.dumps(data)

    def test_deep_values_the_converters_would_skip_are_refused(self) -> None:
        """Nesting past the bound is refused even where a converter would not look."""
        deep: Any = 1
        for _ in range(MAX_JSON_DEPTH):
            deep = [deep]
        text = self._with_modifiers({"GN": deep})
        with pytest.raises(InvalidFieldError, match=f"nests deeper than {MAX_JSON_DEPTH}"):
            serialize.claim_from_json(text)
        assert outcome(reference, text) == outcome(serialize.claim_from_json, text)

    def test_shallow_unusual_shapes_read_as_before(self) -> None:
        """A shape the one-pass reader leaves alone is read by the reporting pass, as before."""
        text = self._with_modifiers({"GN": [1]})
        assert ("GN",) == serialize.claim_from_json(text).lines[0].modifiers
        assert reference(text) == serialize.claim_from_json(text)

    def test_parser_recursion_is_the_depth_error(self) -> None:
        """Text deeper than the parser recurses is refused with the depth error."""
        with pytest.raises(InvalidFieldError, match="nests deeper"):
            serialize.claim_from_json("[" * 100_000 + "]" * 100_000)
        with pytest.raises(InvalidFieldError, match="nests deeper"):
            serialize.claim_from_json('{"lines": ' + "[" * 100_000)

    @pytest.mark.parametrize("levels", [990, 500_000])
    def test_deep_text_is_refused_before_parsing_on_a_small_stack(self, levels: int) -> None:
        """A web server's worker thread (128 KiB of stack, as on musl) or a raised
        recursion limit: deep text is refused by the scan before the parser recurses,
        not left to crash the process."""
        code = textwrap.dedent(
            f"""
            import sys, threading
            from hcpcs_home.errors import InvalidFieldError
            from hcpcs_home.serialize import claim_from_json
            sys.setrecursionlimit(1_000_000)
            threading.stack_size(128 * 1024)
            found = []
            def read():
                try:
                    claim_from_json("[" * {levels} + "]" * {levels})
                except InvalidFieldError as exc:
                    found.append(str(exc))
            thread = threading.Thread(target=read)
            thread.start()
            thread.join()
            print(found)
            """
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
        assert 0 == done.returncode, done.stderr[-500:]
        assert f"nests deeper than {MAX_JSON_DEPTH} levels" in done.stdout


class TestValidatorsDisabled:
    def test_the_class_decides_as_before(self) -> None:
        """With attrs validators switched off, the document reads as cls(**data) reads it."""
        data = as_data(Claim("medicare", "2024-03-01", "2024-03-31"))
        data["lines"] = [{"code": "", "date": "2024-03-04", "units": 1}]  # no revenue code
        text = json.dumps(data)
        with pytest.raises(InvalidFieldError, match="code"):
            serialize.claim_from_json(text)
        with attrs.validators.disabled():
            assert outcome(reference, text) == outcome(serialize.claim_from_json, text)


class TestBuiltDirectly:
    @given(hst.claims(payer=hst.payers()))
    def test_each_type_matches_its_init(self, claim: Claim) -> None:
        """Each type built without __init__ equals, and hashes like, cls(**data)."""
        builders = serialize._one_pass()
        data = as_data(claim)
        parts: list[tuple[type, dict[str, Any]]] = [(Payer, data["payer"])]
        for name, (inner, is_list) in serialize._NESTED[Claim].items():
            if is_list:
                parts += [(inner, item) for item in data[name] or ()]  # null: not given
        for cls, part in parts:
            nested = {
                key: _REFERENCE.structure(value, serialize._NESTED[cls][key][0])
                for key, value in part.items()
                if key in serialize._NESTED.get(cls, {})
            }
            expected = cls(**{**part, **nested})
            built = builders[cls](part)
            assert expected == built
            assert hash(expected) == hash(built)
        assert claim == builders[Claim](data)
        assert hash(claim) == hash(builders[Claim](data))


def shuffled(value: Any, rng: Any) -> Any:
    """The same JSON value with the keys of every object in another order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: shuffled(value[k], rng) for k in keys}
    if isinstance(value, list):
        return [shuffled(v, rng) for v in value]
    return value


class TestEveryFieldAtOnce:
    """An object holding every field (what the library writes) has its values taken in one
    call; any other object is read field by field, to the same result."""

    def test_validators_disabled_with_every_field(self) -> None:
        """The quick path also leaves a class with validators switched off to its __init__."""
        data = as_data(Claim("medicare", "2024-03-01", "2024-03-31"))
        line = as_data(
            Claim(
                "medicare",
                "2024-03-01",
                "2024-03-31",
                lines=[ClaimLine("", "2024-03-04", 1, revenue_code="0270")],
            )
        )["lines"][0]
        line["revenue_code"] = None  # a revenue-only line without its revenue code
        data["lines"] = [line]
        text = json.dumps(data)
        with pytest.raises(InvalidFieldError, match="code"):
            serialize.claim_from_json(text)
        with attrs.validators.disabled():
            assert outcome(reference, text) == outcome(serialize.claim_from_json, text)

    @given(documents(), st.randoms(use_true_random=False))
    def test_key_order_does_not_matter(self, document: dict[str, Any], rng: Any) -> None:
        """Keys in any order read the same claim."""
        text = json.dumps(shuffled(document, rng), ensure_ascii=False)
        assert reference(text) == serialize.claim_from_json(text)

    @given(documents(), st.data())
    def test_an_unknown_key(self, document: dict[str, Any], data: st.DataObject) -> None:
        """An object with every field and one key more is refused as before."""
        objects = [document, *document["lines"], *document["services"]]
        target = data.draw(st.sampled_from(objects))
        target[data.draw(st.sampled_from(["extra", "Code", "format"]))] = None
        text = json.dumps(document, ensure_ascii=False)
        assert outcome(reference, text) == outcome(serialize.claim_from_json, text)

    @given(hst.claims())
    def test_written_documents_take_the_quick_path(self, claim: Claim) -> None:
        """A document as claim_to_json writes it never needs the field-by-field path."""
        builders = serialize._one_pass()

        def never(data: Any) -> None:
            raise AssertionError(f"read field by field: {data!r}")

        for build in builders.values():
            compiled = getattr(build, "compile", None)
            if compiled is not None and "build_any" in compiled().__globals__:
                compiled().__globals__["build_any"] = never
        data = json.loads(serialize.claim_to_json(claim))
        if type(data["payer"]) is str:  # pragma: no cover  # the writer writes objects
            return
        assert claim == builders[Claim](data)


#: Every field whose converter the one-pass reader skips for plain text.
_TEXT_FIELDS = [
    (cls, a)
    for cls in serialize._TYPES
    for a in attrs.fields(cls)
    if _fields.text_shape(a.converter) is not None
]


class TestPlainTextInline:
    """For text its converter would take as it is, the one-pass reader takes it without the
    call: the converter must give exactly that."""

    def test_the_fields_are_found(self) -> None:
        """Ids and names of the claim's parts are read inline."""
        names = {(cls.__name__, a.name) for cls, a in _TEXT_FIELDS}
        assert {("Service", "id"), ("Service", "license_number"), ("ClaimLine", "service_ids")} <= (
            names
        )
        assert ("ClaimLine", "date") not in names

    @given(st.sampled_from(_TEXT_FIELDS), st.text(max_size=100), st.booleans())
    def test_the_converter_gives_what_is_taken(
        self, field: tuple[type, attrs.Attribute[Any]], text: str, in_list: bool
    ) -> None:
        """A str of at most the limit that is printable converts to its stripped self."""
        _, a = field
        shape = _fields.text_shape(a.converter)
        assert shape is not None
        kind, limit = shape
        assert a.converter is not None
        if not (len(text) <= limit and text.isprintable()):
            return
        if kind == "items":
            assert (text.strip(),) == a.converter([text])
            assert () == a.converter([])
        else:
            assert text.strip() == a.converter(text)
            if kind == "optional":
                assert a.converter(None) is None

    @given(hst.claims(), st.sampled_from([" s1 ", "s\u200b1", "s\x001", "x" * 81, "\u00a0s1"]))
    def test_other_text_goes_to_the_converter(self, claim: Claim, text: str) -> None:
        """Text with spaces around, unprintable or too long reads (or fails) as before."""
        data = as_data(claim)
        for part in [data, *data["lines"], *data["services"]]:
            if "patient_id" in part:
                part["patient_id"] = text
            if "license_number" in part:
                part["license_number"] = text
        document = json.dumps(data, ensure_ascii=False)
        assert outcome(reference, document) == outcome(serialize.claim_from_json, document)


class TestListsOfParts:
    """A claim's lists of lines, services, authorizations and EVV visits are taken as the
    tuple their converter would give, without the call (#21)."""

    def test_the_fields_are_found(self) -> None:
        """Each list field whose converter only checks its items' class is found."""
        found = {
            a.name
            for a in attrs.fields(Claim)
            if (shape := _fields.items_of(a.converter)) is not None
        }
        # The header's coded lists declare it (_fields.declare_items): they keep instances.
        header = {"occurrence_codes", "occurrence_spans", "value_codes"}
        assert {"lines", "services", "authorizations", *header} == found
        for name in found:
            converter = attrs.fields_dict(Claim)[name].converter
            shape = _fields.items_of(converter)
            assert shape is not None
            cls, most = shape
            assert cls is serialize._NESTED[Claim][name][0]
            made = object.__new__(cls)
            assert (made, made) == converter([made, made])  # type: ignore[misc]
            with pytest.raises(InvalidFieldError):
                converter([made] * (most + 1))  # type: ignore[misc]

    def test_other_converters_are_not(self) -> None:
        assert _fields.items_of(attrs.fields_dict(Claim)["evv_visits"].converter) is None
        assert _fields.items_of(attrs.fields_dict(Claim)["condition_codes"].converter) is None
        assert _fields.items_of(len) is None
        with pytest.raises(TypeError):
            _build.many(lambda item: item, final=len)

    def test_final_readers_of_a_claim(self) -> None:
        """The payer, the header's coded lists and EVV visits (``null`` or a list) are
        taken as read: their converters keep what the readers give."""
        compiled = serialize._one_pass()[Claim].compile()  # type: ignore[attr-defined]
        namespace = compiled.__globals__
        for i, field in enumerate(attrs.fields(Claim)):
            read = namespace.get(f"_r{i}")
            if field.name in serialize._NESTED[Claim]:
                assert field.converter is getattr(read, _build.FINAL, None), field.name

    def test_more_items_than_the_converter_takes(self) -> None:
        """The reader gives the converter's tuple, and leaves a list longer than the
        converter takes to the reporting pass (which refuses it)."""
        bounded = _fields.tuple_of(_fields.instance_of(ClaimLine, "lines"), "lines", 2)
        read = _build.many(lambda item: item, final=bounded)
        assert bounded is getattr(read, _build.FINAL)
        one = ClaimLine("G0299", "2024-03-04", 1)
        assert (one, one) == read([one, one]) == bounded([one, one])
        assert () == read([]) == bounded([])  # an empty list, without building anything
        assert getattr(read, _build.EMPTY) == read([])  # what a compiled reader writes for it
        with pytest.raises(_build.Unusual):
            read([one] * 3)
        with pytest.raises(InvalidFieldError):
            bounded([one] * 3)
        with pytest.raises(_build.Unusual):
            read((one,))  # only what JSON gives


class TestFirstObjects:
    """A type's first objects are read through its ``__init__``; its reader is compiled
    only once ``_build.COMPILE_AFTER`` objects of it were read (#21).  Either way the
    document means the same."""

    @staticmethod
    def read(build: Any, after: int, text: str) -> Any:
        """What claim_from_json gives with ``build`` as its one-pass reader: its claim, or
        where it refuses the document (any exception), the reporting pass's outcome."""
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_build, "COMPILE_AFTER", after)
            try:
                return build(json.loads(text))
            except Exception:
                return outcome(reference, text)

    @given(documents(), st.data())
    def test_through_init_reads_what_the_compiled_reader_reads(
        self, document: dict[str, Any], data: st.DataObject
    ) -> None:
        """A document, as written or with one value replaced by junk, reads as the reporting
        pass reads it, through ``__init__`` as through the compiled reader."""
        if data.draw(st.booleans(), label="corrupt"):
            path = data.draw(st.sampled_from(paths(document)), label="path")
            document = replaced(document, path, data.draw(JUNK, label="junk"))
        text = json.dumps(document, ensure_ascii=False)
        first = self.read(serialize._one_pass()[Claim], 10**9, text)
        compiled = self.read(serialize._one_pass()[Claim], 0, text)
        assert outcome(reference, text) == first == compiled

    def test_a_written_claim_is_read_without_the_reporting_pass(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The shipped example is read through ``__init__`` before anything is compiled,
        and neither the depth scan nor the reporting pass runs."""
        text = (EXAMPLES / "claim.json").read_text("utf-8")

        def never(*args: object, **kwargs: object) -> None:
            raise AssertionError("the slow path ran on a valid document")

        monkeypatch.setattr(_build, "COMPILE_AFTER", 10**9)
        monkeypatch.setattr(_build, "compiled_builder", never)
        monkeypatch.setattr(serialize, "_from_text", None)
        monkeypatch.setattr(serialize, "check_json_depth", never)
        monkeypatch.setattr(serialize, "claim_from_data", never)
        assert reference(text) == serialize.claim_from_json(text)

    def test_compiled_after_enough_objects(self) -> None:
        """Past ``COMPILE_AFTER`` objects of a type its reader is compiled, once; a fresh
        process reading one claim compiles none."""
        code = textwrap.dedent(
            f"""
            import linecache
            from hcpcs_home import serialize, _build
            text = open({str(EXAMPLES / "claim.json")!r}, encoding="utf-8").read()
            def compiled():
                return sorted(f for f in linecache.cache if "one-pass reader" in f)
            serialize.claim_from_json(text)
            print(len(compiled()))
            for _ in range(_build.COMPILE_AFTER + 1):
                serialize.claim_from_json(text)
            names = compiled()
            print(any("claims.Claim " in f for f in names), len(names) == len(set(names)))
            """
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "0\nTrue True\n" == done.stdout


#: A service's clock times, minutes and full-day flag as documents hold them: spans that
#: agree, disagree, cross midnight, run a whole day, or miss a clock time.
_SERVICE_TIMES = st.tuples(
    st.sampled_from([None, "00:00", "07:00", "08:15", "22:00"]),
    st.sampled_from([None, "00:00", "07:00", "15:00", "24:00", "06:00"]),
    st.sampled_from([None, 0, 75, 480, 1440]),
    st.booleans(),
)


class TestPostInitLookedUp:
    """A service's post-init (its minutes from its clock times) is looked up by the
    values it reads instead of called (``serialize._POST_INITS``): the service, or the
    error, is the one ``Service(**data)`` gives (#21)."""

    @staticmethod
    def service(times: tuple[Any, Any, Any, bool]) -> dict[str, Any]:
        start, stop, minutes, full_day = times
        return {
            **as_data(
                Claim(
                    "medicare",
                    "2024-03-01",
                    "2024-03-31",
                    services=[Service("G0299", "2024-03-04", minutes=30, id="s1")],
                )
            )["services"][0],
            "start": start,
            "stop": stop,
            "minutes": minutes,
            "full_day": full_day,
        }

    @given(st.lists(_SERVICE_TIMES, min_size=1, max_size=6))
    def test_as_init_gives_it(self, documents: list[tuple[Any, Any, Any, bool]]) -> None:
        """Each service (each read twice: worked out, then looked up) is what its
        ``__init__`` gives, or fails with the same error."""
        read = serialize._one_pass()[Service].compile()  # type: ignore[attr-defined]
        assert "_post_init" not in read.__code__.co_names  # looked up, not called
        for times in documents * 2:
            data = self.service(times)
            assert outcome(lambda d: Service(**d), data) == outcome(read, data), times

    def test_minutes_filled_in_and_remembered(self) -> None:
        """Clock times without minutes give the span, remembered by the values read;
        errors are not remembered."""
        read = serialize._one_pass()[Service].compile()  # type: ignore[attr-defined]
        post = read.__globals__["_post"]
        assert 600 == read(self.service(("22:00", "08:00", None, False))).minutes
        assert 600 in post.results.values()
        for _ in range(2):
            with pytest.raises(HcpcsError, match="does not match"):
                read(self.service(("22:00", "08:00", 30, False)))
        assert len(post.results) == 1

    def test_results_are_bounded(self) -> None:
        post = _build.PostInit("minutes", ("minutes",), lambda minutes: minutes)
        for i in range(3 * _build._POST_REMEMBERED):
            assert i == post((i,))
        assert len(post.results) <= _build._POST_REMEMBERED
        assert (3 * _build._POST_REMEMBERED - 1,) in post.results  # the most recent stay


@pytest.mark.parametrize("field", ["per_day", "minutes_per_unit"])
def test_optional_counts_in_turn(field: str) -> None:
    """An optional count (``null`` looked up among the texts, ints among the ints) reads
    each value, of whatever JSON type, as the reporting pass does (#21)."""
    claim = Claim(
        "medicare",
        "2024-03-01",
        "2024-03-31",
        authorizations=[
            Authorization("PA1", "medicare", ["G0299"], 40, "units", "2024-03-01", "2024-03-31")
        ],
    )
    values: list[Any] = [None, 3, None, True, 3.0, "3", [], {}, None, 0, -1, None, 3]
    for value in values:
        data = as_data(claim)
        data["authorizations"][0][field] = value
        text = json.dumps(data)
        assert outcome(reference, text) == outcome(serialize.claim_from_json, text), value


@pytest.mark.parametrize("field", ["full_day", "orders_on_file", "notes_on_file"])
def test_flags_in_turn(field: str) -> None:
    """A flag whose converter keeps true and false is taken as it is (no lookup); any other
    JSON value reads, or is refused, as the reporting pass does it (#21)."""
    claim = Claim(
        "medicare",
        "2024-03-01",
        "2024-03-31",
        services=[Service("G0299", "2024-03-04", minutes=30, id="s1")],
    )
    values: list[Any] = [True, 1, False, 0, None, "true", 1.0, [], {}, True, False]
    for value in values:
        data = as_data(claim)
        data["services"][0][field] = value
        text = json.dumps(data)
        assert outcome(reference, text) == outcome(serialize.claim_from_json, text), value
    read = serialize._one_pass()[Service].compile()  # type: ignore[attr-defined]
    for flag in (True, False):
        data = {**as_data(claim)["services"][0], field: flag}
        assert Service(**data) == read(data)
        assert getattr(read(data), field) is flag
    index = [a.name for a in attrs.fields(Service)].index(field)
    assert not read.__globals__[f"_b{index}"]  # taken as they are, never looked up
