"""claim_from_json's reading of the text itself: the JSON scanner called directly, and a
payer object's text read once (#21).

Both are shortcuts: every text must read to the same claim, or fail with the same
error, as ``json.loads`` and the reporting pass give it (``reference``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_serialize_one_pass import outcome, reference

from hcpcs_home import Claim, ClaimLine, InvalidFieldError, Service, _fields, serialize
from hcpcs_home.bounds import MAX_JSON_DEPTH
from hcpcs_home.payers import Payer

MEDICARE = serialize.payer_profile("medicare")


def claim(payer: Payer = MEDICARE, **kwargs: Any) -> Claim:
    visit = Service.from_times("G0299", "2024-03-04", "09:00", "09:50", credential="RN", id="s1")
    line = ClaimLine.from_service(visit, payer=MEDICARE, type_of_bill="0329")
    return Claim(payer, "2024-03-01", "2024-03-31", [line], [visit], type_of_bill="0329", **kwargs)


def text_of(value: Claim, indent: int | None = None) -> str:
    return serialize.claim_to_json(value, indent=indent)


def payer_text(text: str) -> str:
    """The payer object's text in a document that begins with it."""
    head = serialize._PAYER_FIRST.match(text)
    assert head is not None
    _, end = json.JSONDecoder().raw_decode(text, head.end())
    return text[head.end() : end]


class TestScannedDirectly:
    @pytest.mark.parametrize("tail", [" x", ", {}", "}", " 1", "\x00", " \u00a0"])
    def test_trailing_data_is_refused_where_it_starts(self, tail: str) -> None:
        """Text after the claim's object is refused, with the position json names."""
        text = text_of(claim()) + tail
        with pytest.raises(InvalidFieldError, match=r"is not valid JSON: Extra data: .*char"):
            serialize.claim_from_json(text)
        assert outcome(reference, text) == outcome(serialize.claim_from_json, text)

    @pytest.mark.parametrize("indent", [None, 2])
    def test_whitespace_around_the_value_reads(self, indent: int | None) -> None:
        """JSON's whitespace before and after the object is no error."""
        text = " \n\t\r" + text_of(claim(), indent) + "\r\n \t"
        assert claim() == serialize.claim_from_json(text)

    @pytest.mark.parametrize(
        "text",
        ["", " ", "\ufeff{}", "{} {}", "[1] x", "nul", '{"a": 1,}', "{", '"', "\u00a0{}", "[]"],
    )
    def test_errors_are_json_loads_errors(self, text: str) -> None:
        """Text json refuses is refused with json's own message."""
        expected = outcome(reference, text)
        assert expected == outcome(serialize.claim_from_json, text)
        assert InvalidFieldError is expected[0]


class TestPayerTextReadOnce:
    def test_a_payer_text_read_before_is_not_parsed_again(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The second time, only the rest of the document is parsed, and the payer read
        the first time is the claim's."""
        value = claim(attrs.evolve(MEDICARE, name="Read once"))
        text = text_of(value)
        first = serialize.claim_from_json(text)
        scanned: list[tuple[int, int]] = []
        scan = serialize._scan

        def recorded(source: str, index: int) -> Any:
            scanned.append((len(source), index))
            return scan(source, index)

        monkeypatch.setattr(serialize, "_scan", recorded)
        second = serialize.claim_from_json(text)
        assert [(len(text) - len(payer_text(text)) - len('"payer": ,'), 0)] == scanned
        assert second.payer is first.payer
        assert value == first == second

    @pytest.mark.parametrize("indent", [None, 2])
    def test_with_and_without_format(self, indent: int | None) -> None:
        """Documents with or without ``format``, compact or indented, read the same
        the first time and every time after."""
        data = json.loads(text_of(claim()))
        without = dict(data)
        del without["format"]
        for document in (data, without):
            text = json.dumps(document, indent=indent)
            for _ in range(3):
                assert claim() == serialize.claim_from_json(text)

    @pytest.mark.parametrize(
        "later",
        ['"payer": "medicaid-tx"', '"pay\\u0065r": "medicaid-tx"', '"payer": null', '"payer": {}'],
    )
    def test_a_later_payer_key_is_the_one_json_keeps(self, later: str) -> None:
        """A document naming its payer twice reads as json reads it: the last one counts."""
        first = text_of(claim())
        serialize.claim_from_json(first)  # the payer's text is held
        text = first[:-1] + ", " + later + "}"
        expected = outcome(reference, text)
        assert expected == outcome(serialize.claim_from_json, text)
        assert expected == outcome(serialize.claim_from_json, text)
        assert not isinstance(expected, Claim) or expected.payer.id != "medicare"

    @pytest.mark.parametrize(
        "rest",
        [
            "}",
            ",}",
            ", }",
            ', "id": }',
            ', "statement_from": 2024-03-01}',
            ', "id": "x"} x',
            ', "id": "x"',
            ', "id": "x"}}',
            ' "id": "x"}',
        ],
    )
    def test_what_follows_a_payer_read_before(self, rest: str) -> None:
        """Whatever follows a payer text held (nothing, a trailing comma, bad JSON, junk
        after the object) reads or fails as the whole text does, at the whole text's
        positions."""
        head = '{"format": 2, "payer": '
        known = payer_text(text_of(claim()))
        serialize.claim_from_json(text_of(claim()))
        for start in (head, '{"payer": '):
            text = start + known + rest
            assert outcome(reference, text) == outcome(serialize.claim_from_json, text)

    def test_payers_that_begin_alike(self) -> None:
        """Payer texts sharing their first characters (more of them than are kept under
        one start) each read their own payer, however often they alternate."""
        payers = [attrs.evolve(MEDICARE, source=f"contract {i}") for i in range(7)]
        texts = [text_of(claim(p)) for p in payers]
        assert len({payer_text(t)[: serialize._PAYER_KEY_CHARS] for t in texts}) == 1
        for _ in range(3):
            for payer, text in zip(payers, texts, strict=True):
                assert payer == serialize.claim_from_json(text).payer

    def test_memory_is_bounded(self) -> None:
        """At most so many payer texts are kept, none longer than a payer's bound."""
        for i in range(serialize._REMEMBERED_PAYERS + 20):
            name = f"{i:03} Plan"  # a payer's first characters hold its name
            serialize.claim_from_json(text_of(claim(attrs.evolve(MEDICARE, name=name))))
        assert len(serialize._payer_texts) <= serialize._REMEMBERED_PAYERS
        held = [t for texts in serialize._payer_texts.values() for t, _ in texts]
        assert all(len(t) <= serialize._REMEMBERED_PAYER_TEXT for t in held)

    def test_texts_kept_in_all(self) -> None:
        """However the payer texts read begin, at most four under each of 128 first
        characters are kept (512 texts), as claim_from_json's docstring says."""
        assert "at most 512 texts" in " ".join((serialize.claim_from_json.__doc__ or "").split())
        assert serialize._REMEMBERED_PAYERS * serialize._PAYER_TEXTS_EACH == 512
        for i in range(serialize._REMEMBERED_PAYERS + 10):
            for j in range(serialize._PAYER_TEXTS_EACH + 1):  # alike in their first characters
                payer = attrs.evolve(MEDICARE, name=f"{i:03} Plan", source=f"contract {j}")
                serialize.claim_from_json(text_of(claim(payer)))
        held = [t for texts in serialize._payer_texts.values() for t, _ in texts]
        assert len(held) == 512

    def test_deep_rest_after_a_payer_read_before(self) -> None:
        """The rest of a document is held to the depth bound as the whole is."""
        text = text_of(claim())
        serialize.claim_from_json(text)
        for levels in (MAX_JSON_DEPTH + 1, 300, 5_000):
            deep = text[:-1] + ', "x": ' + "[" * levels + "]" * levels + "}"
            with pytest.raises(InvalidFieldError, match="nests deeper"):
                serialize.claim_from_json(deep)
            assert outcome(reference, deep) == outcome(serialize.claim_from_json, deep)

    def test_a_bad_payer_is_not_held(self) -> None:
        """A payer text whose claim is refused is not remembered, and is refused again."""
        data = json.loads(text_of(claim()))
        data["payer"]["name"] = "Bad flag"
        data["payer"]["accepts_s_codes"] = 1
        text = json.dumps(data)
        for _ in range(2):
            with pytest.raises(InvalidFieldError, match="accepts_s_codes"):
                serialize.claim_from_json(text)
        held = [t for texts in serialize._payer_texts.values() for t, _ in texts]
        assert payer_text(text) not in held


class TestSettledValidators:
    """A validator marked ``settled_by`` a test of its value alone runs once per value
    that passes the test; every other value is still checked on every object."""

    @pytest.mark.parametrize(
        ("code", "revenue_code", "modifiers", "through"),
        [
            ("1FC21", "0551", [], None),  # a HIPPS code off the 0023 line
            ("", None, [], None),  # no code and no revenue code
            ("", "0270", ["GN"], None),  # modifiers without a code
            ("G0299", "0551", [], "2024-03-03"),  # through before the date
            ("1FC21", "0023", [], None),  # fine
            ("", "0270", [], "2024-03-05"),  # fine
        ],
    )
    def test_after_many_that_passed(
        self, code: str, revenue_code: str | None, modifiers: list[str], through: str | None
    ) -> None:
        """Lines whose code and through passed many times before do not let a bad line
        through: it reads or fails as the reporting pass says."""
        data = json.loads(text_of(claim()))
        good = data["lines"][0]
        hipps = dict(good, code="1FC21", revenue_code="0023", service_ids=[])
        revenue = dict(good, code="", revenue_code="0270", service_ids=[], charge="12.50")
        data["lines"] = [dict(line) for _ in range(13) for line in (good, hipps, revenue)]
        for _ in range(3):
            serialize.claim_from_json(json.dumps(data))
        data["lines"][-1].update(
            code=code, revenue_code=revenue_code, modifiers=modifiers, through=through
        )
        text = json.dumps(data)
        assert outcome(reference, text) == outcome(serialize.claim_from_json, text)

    @given(
        st.text(alphabet="ABCGHJ019 ", max_size=6),
        st.sampled_from([None, "0023", "0551", "0270"]),
        st.sampled_from([(), ("GN",)]),
        st.one_of(st.none(), st.dates()),
    )
    def test_a_value_that_passes_the_test_passes_the_validator(
        self, code: str, revenue_code: str | None, modifiers: tuple[str, ...], through: Any
    ) -> None:
        """Where a validator's test holds, the validator passes whatever the rest of the
        instance holds."""
        for field in attrs.fields(ClaimLine):
            test = _fields.settled(field.validator)
            value = {"code": code, "through": through}.get(field.name)
            if test is None or not test(value):
                continue
            line = _Line(revenue_code, modifiers, date(2024, 3, 4))
            field.validator(line, field, value)  # type: ignore[misc]

    def test_marked_validators(self) -> None:
        """The line's code and through are the validators marked so."""
        marked = [a.name for a in attrs.fields(ClaimLine) if _fields.settled(a.validator)]
        assert ["code", "through"] == marked


@attrs.frozen
class _Line:
    """What a line's validators read of the instance."""

    revenue_code: str | None
    modifiers: tuple[str, ...]
    date: date


class TestIdsAmongMany:
    @pytest.mark.parametrize("bad", ["s\x00", "s\u2028t", "x" * 81, 7, ["s1"]])
    def test_a_bad_id_among_many_good_ones_is_named(self, bad: Any) -> None:
        """One bad id among many read before it is refused with its own path."""
        data = json.loads(text_of(claim()))
        service = data["services"][0]
        data["services"] = [dict(service, id=f"v{i}") for i in range(40)]
        data["lines"][0]["service_ids"] = ["v0"]
        serialize.claim_from_json(json.dumps(data))
        data["services"][27]["id"] = bad
        text = json.dumps(data)
        with pytest.raises(InvalidFieldError) as caught:
            serialize.claim_from_json(text)
        assert "$.services[27].id" in [e.field for e in getattr(caught.value, "errors", [])] + [
            caught.value.field
        ]
        assert outcome(reference, text) == outcome(serialize.claim_from_json, text)
