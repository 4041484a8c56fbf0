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
    return Claim(
        payers.MEDICARE,
        "2024-03-01",
        "2024-03-30",
        type_of_bill="0329",
        lines=[site, *lines],
        services=visits,
        id="HH-2024-0311",
        patient_id="1EG4TE5MK73",
    )


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
        "2024-05-31",
        type_of_bill="0329",
        lines=[ClaimLine.from_service(lpn_shift, charge=Decimal("360"))],
        services=[lpn_shift],
        id="PDN-MEDICARE-1",
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
        "2024-03-31",
        type_of_bill="0329",
        lines=[
            ClaimLine(
                "G0152",
                "2024-03-07",
                2,
                revenue_code="0421",
                charge=Decimal("120"),
                service_ids=[short.id],
            )
        ],
        services=[short],
        id="HH-OT-3",
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
