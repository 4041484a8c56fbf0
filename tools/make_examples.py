"""Regenerate the example claims in ``examples/`` from the value types.

Run ``python tools/make_examples.py``; the files are written in the documented
claim JSON format, so a format change shows up as a diff here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import attrs

from hcpcs_home import Authorization, Claim, ClaimLine, Service, payers
from hcpcs_home.serialize import claim_to_json

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

NURSE = {
    "rendering_id": "rn-ortiz",
    "rendering_npi": "1234567893",
    "license_number": "RN784512",
    "license_expires": "2025-06-30",
    "orders_on_file": True,
    "plan_of_care_on_file": True,
    "notes_on_file": True,
}
THERAPIST = {
    **NURSE,
    "rendering_id": "pt-lee",
    "rendering_npi": "1245319599",
    "license_number": "PT1198",
}
ASSISTANT = {**NURSE, "rendering_id": "pta-kim", "rendering_npi": None, "license_number": "PTA4410"}
AIDE = {
    **NURSE,
    "rendering_id": "hha-cole",
    "rendering_npi": None,
    "license_number": None,
    "license_expires": None,
}


def medicare_episode() -> Claim:
    """A clean Medicare home-health period of care (TOB 0329)."""
    visits = [
        Service.from_times("G0299", "2024-03-04", "09:00", "09:52", credential="RN", **NURSE),
        Service.from_times("G0151", "2024-03-05", "13:00", "14:05", credential="PT", **THERAPIST),
        Service.from_times("G0157", "2024-03-08", "10:30", "11:15", credential="PTA", **ASSISTANT),
        Service.from_times("G0156", "2024-03-08", "08:00", "09:00", credential="HHA", **AIDE),
        Service.from_times("G0299", "2024-03-11", "09:00", "09:40", credential="RN", **NURSE),
        Service.from_times(
            "G0300",
            "2024-03-15",
            "14:00",
            "14:35",
            credential="LPN",
            **{**NURSE, "rendering_id": "lpn-shaw", "license_number": "LVN3321"},
        ),
    ]
    lines = [
        ClaimLine.from_service(v, payer=payers.MEDICARE, charge=Decimal("150.00")) for v in visits
    ]
    site = ClaimLine(
        "Q5001", "2024-03-04", 1, revenue_code=lines[0].revenue_code, charge=Decimal("0.01")
    )
    # The second 30-day period of an admission that began 2024-01-31 (day 31 is 03-01).
    return Claim(
        payers.MEDICARE,
        "2024-03-01",
        "2024-03-30",
        type_of_bill="0329",
        lines=[site, *lines, hipps_line("3FC21", "2024-03-04")],
        services=visits,
        id="HH-2024-0311",
        patient_id="1EG4TE5MK73",
        **medicare_header("2024-01-31", oasis="2024-02-27"),
    )


def hipps_line(code: str, first_visit: str) -> ClaimLine:
    """The 0023 line with the period's HIPPS code, dated the first billable visit."""
    return ClaimLine(code, first_visit, 1, revenue_code="0023")


def medicare_header(admission: str, *, oasis: str) -> dict[str, object]:
    """The UB-04 header of a Medicare home-health claim: admission date, point of origin,
    status 30 (still a patient), OASIS date (OC 50), CBSA (VC 61) and FIPS county (VC 85)."""
    return {
        "admission_date": admission,
        "point_of_origin": "1",
        "patient_status": "30",
        "occurrence_codes": [("50", oasis)],
        "value_codes": [("61", "16974"), ("85", "17031")],
    }


def problem_claims() -> list[Claim]:
    """Claims with the errors billing teams meet most, one JSON line each."""
    lpn_shift = Service.from_times(
        "S9124",
        "2024-05-06",
        "07:00",
        "15:00",
        credential="LPN",
        **{**NURSE, "rendering_id": "lpn-shaw"},
    )
    to_medicare = Claim(
        payers.MEDICARE,
        "2024-05-01",
        "2024-05-30",
        type_of_bill="0329",
        lines=[
            ClaimLine.from_service(lpn_shift, charge=Decimal("360")),
            hipps_line("3AB21", "2024-05-06"),
        ],
        services=[lpn_shift],
        id="PDN-MEDICARE-1",
        **medicare_header("2024-04-01", oasis="2024-04-28"),
    )
    rn_shift = attrs.evolve(lpn_shift, credential="RN", id="rn-shift", prior_auth="PA100200")
    auth = Authorization(
        "PA100200",
        "bcbs-tx",
        ["S9123", "S9124"],
        6,
        "units",
        "2024-05-01",
        "2024-05-31",
        minutes_per_unit=60,
    )
    wrong_credential = Claim(
        payers.BCBS_TEXAS,
        "2024-05-01",
        "2024-05-31",
        type_of_bill="0331",
        lines=[
            ClaimLine(
                "S9124",
                "2024-05-06",
                8,
                revenue_code="0552",
                charge=Decimal("360"),
                service_ids=["rn-shift"],
            )
        ],
        services=[rn_shift],
        authorizations=[auth],
        id="PDN-BCBS-2",
    )
    short = Service(
        code="G0152",
        date="2024-03-07",
        start="10:00",
        stop="10:20",
        credential="OTA",
        **{**ASSISTANT, "rendering_id": "ota-ng"},
    )
    therapy = Claim(
        payers.MEDICARE,
        "2024-03-01",
        "2024-03-30",
        type_of_bill="0329",
        lines=[
            ClaimLine(
                "G0152",
                "2024-03-07",
                2,
                revenue_code="0421",
                charge=Decimal("120"),
                service_ids=[short.id],
            ),
            hipps_line("3CA11", "2024-03-07"),
        ],
        services=[short],
        id="HH-OT-3",
        **medicare_header("2024-01-31", oasis="2024-02-27"),
    )
    return [to_medicare, wrong_credential, therapy]


def main() -> None:
    (EXAMPLES / "claim.json").write_text(claim_to_json(medicare_episode()) + "\n", "utf-8")
    with (EXAMPLES / "claims.jsonl").open("w", encoding="utf-8") as out:
        for claim in problem_claims():
            out.write(claim_to_json(claim, indent=None) + "\n")
        out.write(
            json.dumps({"format": 1, "payer": "medicare", "statement_from": "2024-02-30"}) + "\n"
        )


if __name__ == "__main__":
    main()
