"""Tests for lossless JSON through cattrs (hcpcs_home.serialize)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcpcs_home import Claim, ClaimLine, InvalidClaimError, InvalidFieldError, Service
from hcpcs_home import strategies as hst
from hcpcs_home.payers import PROFILES, Payer
from hcpcs_home.serialize import (
    claim_from_json,
    claim_to_json,
    claims_from_json_lines,
    configure_converter,
    make_converter,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: The CI profile runs the 10,000-claim round trip the claims issue asks for.
ROUND_TRIPS = 10_000 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 300


class TestRoundTrip:
    @settings(max_examples=ROUND_TRIPS)
    @given(hst.claims())
    def test_claims_survive_json(self, claim: Claim) -> None:
        """structure(unstructure(claim)) == claim, through JSON text too."""
        assert claim == claim_from_json(claim_to_json(claim))

    @given(hst.services())
    def test_services(self, service: Service) -> None:
        """Services round-trip through a fresh converter."""
        conv = make_converter()
        assert service == conv.structure(json.loads(json.dumps(conv.unstructure(service))), Service)

    @given(hst.payers())
    def test_payers_with_unit_policies(self, payer: Payer) -> None:
        """Payers (with their unit policy) round-trip as full objects."""
        conv = make_converter()
        assert payer == conv.structure(conv.unstructure(payer), Payer)

    def test_configure_a_host_converter(self) -> None:
        """configure_converter installs the hooks on the host's converter only."""
        mine = cattrs.Converter()
        configure_converter(mine)
        line = ClaimLine("G0299", "2024-03-04", 3)
        assert {"code": "G0299", "date": "2024-03-04", "units": 3} == {
            k: v for k, v in mine.unstructure(line).items() if k in ("code", "date", "units")
        }
        assert cattrs.global_converter.unstructure(line) != mine.unstructure(line)


class TestFormat:
    def test_example_file_loads(self) -> None:
        """The bundled example claim is in the documented format."""
        claim = claim_from_json((EXAMPLES / "claim.json").read_text("utf-8"))
        assert ("HH-2024-0311", "0329") == (claim.id, claim.type_of_bill)

    def test_decimals_are_text_and_dates_iso(self) -> None:
        """Decimals serialise as strings, dates as ISO 8601, enums by value."""
        data = json.loads((EXAMPLES / "claim.json").read_text("utf-8"))
        line, service = data["lines"][1], data["services"][0]
        assert ("150.00", "2024-03-04", "RN", "09:00") == (
            line["charge"],
            line["date"],
            service["credential"],
            service["start"],
        )

    def test_payer_may_be_a_profile_id(self) -> None:
        """A payer given as a profile id loads that profile."""
        text = (
            '{"payer": "bcbs-tx", "statement_from": "2024-05-01", '
            '"statement_through": "2024-05-31"}'
        )
        assert PROFILES["bcbs-tx"] is claim_from_json(text).payer

    def test_unknown_format_version(self) -> None:
        """A future format version is refused rather than misread."""
        with pytest.raises(InvalidFieldError, match=r"\$.format=3"):
            claim_from_json(
                '{"format": 3, "payer": "medicare", "statement_from": "2024-05-01",'
                ' "statement_through": "2024-05-31"}'
            )

    def test_version_1_files_still_read(self) -> None:
        """A version 1 document reads unchanged and is written as version 2."""
        v1 = {
            "format": 1,
            "payer": "medicare",
            "type_of_bill": "0329",
            "statement_from": "2024-03-01",
            "statement_through": "2024-03-30",
            "services": [
                {"id": "v1", "code": "G0299", "date": "2024-03-04", "start": "09:00",
                 "stop": "09:52", "credential": "RN"}
            ],
            "lines": [
                {"code": "Q5001", "date": "2024-03-04", "units": 1, "revenue_code": "0551",
                 "charge": "0.01"},
                {"code": "G0299", "date": "2024-03-04", "units": 3, "revenue_code": "0551",
                 "charge": "150.00", "service_ids": ["v1"]},
            ],
        }  # fmt: skip
        claim = claim_from_json(json.dumps(v1))
        again = json.loads(claim_to_json(claim))
        assert (2, None, [], None) == (
            again["format"],
            again["admission_date"],
            again["value_codes"],
            again["lines"][1]["through"],
        )
        assert [("Q5001", "0.01"), ("G0299", "150.00")] == [
            (li["code"], li["charge"]) for li in again["lines"]
        ]
        assert claim == claim_from_json(claim_to_json(claim))

    def test_header_in_version_2(self) -> None:
        """The institutional header is written as plain JSON: codes, ISO dates, decimal text."""
        claim = Claim(
            "medicare",
            "2024-03-01",
            "2024-03-30",
            type_of_bill="0329",
            admission_date="2024-03-01",
            point_of_origin="1",
            patient_status="30",
            condition_codes=["47"],
            occurrence_codes=[("50", "2024-02-29")],
            occurrence_spans=[("74", "2024-03-10", "2024-03-12")],
            value_codes=[("61", "35614"), ("85", "19153")],
            lines=[ClaimLine("1FC21", "2024-03-01", 1, revenue_code="0023")],
        )
        data = json.loads(claim_to_json(claim))
        assert {
            "admission_date": "2024-03-01",
            "point_of_origin": "1",
            "patient_status": "30",
            "condition_codes": ["47"],
            "occurrence_codes": [{"code": "50", "date": "2024-02-29"}],
            "occurrence_spans": [{"code": "74", "start": "2024-03-10", "through": "2024-03-12"}],
            "value_codes": [{"code": "61", "amount": "35614"}, {"code": "85", "amount": "19153"}],
        } == {
            k: data[k]
            for k in (
                "admission_date",
                "point_of_origin",
                "patient_status",
                "condition_codes",
                "occurrence_codes",
                "occurrence_spans",
                "value_codes",
            )
        }
        assert claim == claim_from_json(json.dumps(data))

    def test_bad_header_fields_are_each_reported(self) -> None:
        """Bad header codes and spans are refused, each with its path."""
        text = json.dumps(
            {
                "format": 2,
                "payer": "medicare",
                "statement_from": "2024-03-01",
                "statement_through": "2024-03-30",
                "occurrence_codes": [{"code": "5000", "date": "2024-02-29"}],
                "occurrence_spans": [
                    {"code": "74", "start": "2024-03-12", "through": "2024-03-10"}
                ],
                "value_codes": [{"code": "85", "amount": 1.5}],
            }
        )
        with pytest.raises(InvalidClaimError) as info:
            claim_from_json(text)
        assert [
            "$.occurrence_codes[0].code",
            "$.occurrence_spans[0].through",
            "$.value_codes[0].amount",
        ] == [e.field for e in info.value.errors]


class TestErrors:
    def test_malformed_json(self) -> None:
        """Malformed JSON raises the library's error, not json's."""
        with pytest.raises(InvalidFieldError, match="is not valid JSON"):
            claim_from_json('{"payer": ')

    def test_every_bad_field_with_its_path(self) -> None:
        """A claim with several bad fields reports each with a JSONPath."""
        text = json.dumps(
            {
                "payer": "medicare",
                "statement_from": "2024-03-01",
                "statement_through": "2024-03-31",
                "lines": [
                    {"code": "G0299", "date": "2024-03-02", "units": 1},
                    {"code": "G0299", "date": "2024-03-02", "units": 1},
                    {"code": "G0299", "date": "2024-03-02", "units": -3, "charge": 1.5},
                ],
                "services": [{"code": "x"}],
                "surprise": 1,
            }
        )
        with pytest.raises(InvalidClaimError) as info:
            claim_from_json(text)
        fields = sorted(e.field for e in info.value.errors)  # type: ignore[attr-defined]
        assert [
            "$.lines[2].charge",
            "$.lines[2].units",
            "$.services[0].code",
            "$.services[0].date",
            "$.surprise",
        ] == fields

    @pytest.mark.parametrize("junk", [None, "", 3, [], "€", {"lines": "x"}, {"payer": 5}])
    def test_junk_documents(self, junk: object) -> None:
        """Junk documents raise only the library's errors."""
        with pytest.raises((InvalidFieldError, InvalidClaimError)):
            claim_from_json(json.dumps(junk))

    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda c: (
                st.lists(c, max_size=3)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "payer",
                            "lines",
                            "services",
                            "units",
                            "code",
                            "date",
                            "statement_from",
                            "statement_through",
                        ]
                    ),
                    c,
                    max_size=4,
                )
            ),
            max_leaves=10,
        )
    )
    def test_fuzzed_documents(self, junk: object) -> None:
        """Arbitrary JSON values are refused with the library's errors, each naming a path.

        No drawn document can be a claim: statement dates are ten characters and
        the drawn text at most five, so every one must be refused.
        """
        with pytest.raises((InvalidFieldError, InvalidClaimError)) as info:
            claim_from_json(json.dumps(junk))
        errors = getattr(info.value, "errors", (info.value,))
        assert all(e.field.startswith("$") for e in errors)

    def test_json_lines_keep_going(self) -> None:
        """A bad line in JSON lines yields its error and the batch continues."""
        lines = (EXAMPLES / "claims.jsonl").read_text("utf-8").splitlines()
        items = list(claims_from_json_lines(["", *lines]))
        kinds = [type(i).__name__ for i in items]
        assert ["Claim", "Claim", "Claim", "InvalidClaimError"] == kinds
        assert "line 5: $.statement_from" in str(items[-1])


class TestOnePass:
    """A valid document is built in one pass: each field's converter runs once."""

    def test_valid_claim_skips_the_field_by_field_pass(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The slow, error-gathering pass is not reached for a valid claim."""
        from hcpcs_home import serialize

        text = (EXAMPLES / "claim.json").read_text()

        def slow(*args: object) -> None:
            raise AssertionError("the field-by-field pass ran on a valid document")

        monkeypatch.setattr(serialize, "_structure_field", slow)
        assert claim_from_json(text).lines

    def test_invalid_claim_still_reports_each_field(self) -> None:
        """A bad field deep in a line sends the whole document down the reporting pass."""
        data = json.loads((EXAMPLES / "claim.json").read_text())
        data["lines"][0]["units"] = -1
        data["services"] = "x"
        with pytest.raises(InvalidClaimError) as info:
            claim_from_json(json.dumps(data))
        assert ["$.lines[0].units", "$.services"] == sorted(
            e.field  # type: ignore[attr-defined]
            for e in info.value.errors
        )

    def test_reading_a_claim_does_not_import_cattrs(self) -> None:
        """A fresh process reads and checks a claim without importing cattrs."""
        import subprocess
        import sys

        code = (
            "import sys\n"
            "from hcpcs_home import check\n"
            "from hcpcs_home.serialize import claim_from_json, claim_to_json\n"
            f"claim = claim_from_json(open({str(EXAMPLES / 'claim.json')!r}).read())\n"
            "check(claim); claim_to_json(claim)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'cattrs'))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
        )
        assert "[]" == out.stdout.strip()
