"""Tests for the claim nouns: Service, Authorization, ClaimLine, Claim and Payer."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import (
    Authorization,
    Claim,
    ClaimLine,
    Credential,
    InvalidClaimError,
    InvalidFieldError,
    InvalidMinutesError,
    InvalidTimeError,
    Service,
    Setting,
    payers,
)
from hcpcs_home.evv import EvvVisit
from hcpcs_home.payers import PROFILES, Payer, PayerKind, payer_profile
from hcpcs_home.units import TEXAS_MEDICAID_TENTHS

JUNK = [None, "", object(), "€", 10**100, float("nan"), b"G0152", [], {}]
_OPTIONAL = ("start", "stop", "minutes", "credential", "rendering_npi", "license_expires")
_TEXT = ("rendering_id", "license_number", "prior_auth", "purpose")


def _junk_id(value: object) -> str:
    return "object()" if type(value) is object else repr(value)[:30]


#: (field, junk) pairs that are valid input, with the value they give.
VALID_JUNK: dict[tuple[str, str], object] = {
    **{(name, "None"): None for name in (*_OPTIONAL, *_TEXT)},
    **{(name, repr(text)): text for name in (*_TEXT, "id") for text in ("", "€")},
    ("diagnoses", "[]"): (),
}


class TestService:
    def test_minutes_from_clock_times(self) -> None:
        """Start and stop clock times give the documented minutes."""
        assert 50 == Service.from_times("G0299", "2024-03-04", "09:00", "09:50").minutes

    def test_shift_across_midnight(self) -> None:
        """A shift from 22:00 to 06:00 is 480 minutes over two calendar days (domain §2.6)."""
        shift = Service.from_times("T1030", "2024-03-04", "22:00", "06:00")
        assert (480, True) == (shift.minutes, shift.crosses_midnight)
        assert (dt.date(2024, 3, 4), dt.date(2024, 3, 5)) == shift.days()

    def test_stop_equal_to_start_is_zero(self) -> None:
        """Stop equal to start is 0 minutes, not 24 hours."""
        assert 0 == Service.from_times("S9124", "2024-03-04", "08:00", "08:00").minutes

    def test_full_day_when_the_caller_says_so(self) -> None:
        """With full_day, stop equal to start is a 24-hour shift over two days."""
        day = Service.from_times("T1030", "2024-03-04", "08:00", "08:00", full_day=True)
        assert (1440, 2) == (day.minutes, len(day.days()))

    def test_stop_at_midnight_stays_on_one_day(self) -> None:
        """A shift ending at 24:00 ends on its own calendar day."""
        evening = Service.from_times("S9124", "2024-03-04", "16:00", "24:00")
        assert (480, 1) == (evening.minutes, len(evening.days()))

    @pytest.mark.parametrize(
        ("start", "stop", "minutes"),
        [("00:00", "24:00", 1440), ("00:00", "00:00", 1440), ("16:00", "24:00", 480)],
    )
    def test_stop_at_midnight_is_the_end_of_the_day(
        self, start: str, stop: str, minutes: int
    ) -> None:
        """A stop written 24:00 (or 00:00) is midnight at the end of the service's own day."""
        shift = Service.from_times("T1019", "2024-03-04", start, stop)
        assert (minutes, (dt.date(2024, 3, 4),)) == (shift.minutes, shift.days())

    def test_minutes_must_agree_with_times(self) -> None:
        """Minutes that contradict the clock times are refused, naming both."""
        with pytest.raises(InvalidTimeError, match="does not match start=09:00 stop=09:50"):
            Service(code="G0299", date="2024-03-04", start="09:00", stop="09:50", minutes=60)

    def test_start_without_stop(self) -> None:
        """A start time without a stop time is refused."""
        with pytest.raises(InvalidTimeError, match="stop=None is required"):
            Service(code="G0299", date="2024-03-04", start="09:00")

    @pytest.mark.parametrize("minutes", [-5, 1441, 2.5, True, float("nan"), "30"])
    def test_bad_minutes(self, minutes: object) -> None:
        """Negative, fractional, bool, NaN, text or over-a-day minutes raise naming the field."""
        with pytest.raises(InvalidMinutesError, match="minutes="):
            Service(code="G0299", date="2024-03-04", minutes=minutes)

    def test_normalises_code_and_credential(self) -> None:
        """Codes are upper-cased and stripped; credentials become the enum."""
        s = Service(code=" g0300 ", date=dt.date(2024, 3, 4), credential="LPN")
        assert ("G0300", Credential.LPN) == (s.code, s.credential)

    def test_bad_npi(self) -> None:
        """An NPI with a wrong check digit is refused."""
        with pytest.raises(InvalidFieldError, match="rendering_npi='1234567890'"):
            Service(code="G0299", date="2024-03-04", rendering_npi="1234567890")

    def test_good_npi(self) -> None:
        """An NPI with the right Luhn check digit (prefix 80840) is accepted."""
        assert (
            "1234567893"
            == Service(code="G0299", date="2024-03-04", rendering_npi="1234567893").rendering_npi
        )

    def test_from_timesheet_row_aliases(self) -> None:
        """A timesheet row with common column names builds the same service."""
        row = {
            "HCPCS": "s9124",
            "DOS": "2024-05-01",
            "Time In": "0700",
            "Time Out": "1500",
            "Credential": "LPN",
            "Auth": "PA1",
            "Orders": "yes",
            "Notes": "",
        }
        expected = Service(
            code="S9124",
            date="2024-05-01",
            start="07:00",
            stop="15:00",
            credential="LPN",
            prior_auth="PA1",
            orders_on_file=True,
        )
        assert expected == Service.from_timesheet_row(row)

    def test_from_timesheet_row_unknown_column(self) -> None:
        """An unknown column is an error, not silently dropped."""
        with pytest.raises(InvalidFieldError, match="Mileage=12 is not a service column"):
            Service.from_timesheet_row({"code": "S9124", "date": "2024-05-01", "Mileage": 12})

    def test_interval(self) -> None:
        """The interval of a service with clock times spans its minutes."""
        s = Service.from_times("S9124", "2024-03-04", "22:00", "06:00")
        assert (dt.datetime(2024, 3, 4, 22), dt.datetime(2024, 3, 5, 6)) == s.interval()

    @pytest.mark.parametrize("field", [a.name for a in attrs.fields(Service)])
    @pytest.mark.parametrize("junk", JUNK, ids=_junk_id)
    def test_junk_in_every_field(self, field: str, junk: object) -> None:
        """Junk in any field is refused naming the field, unless it is a valid value there."""
        kwargs = {"code": "G0299", "date": "2024-03-04", field: junk}
        if (field, _junk_id(junk)) in VALID_JUNK:
            assert VALID_JUNK[field, _junk_id(junk)] == getattr(Service(**kwargs), field)
            return
        with pytest.raises(InvalidFieldError) as info:
            Service(**kwargs)
        assert field == info.value.field


class TestServiceMinutesRemembered:
    """A service's minutes from its clock times are remembered per combination (#21)."""

    def test_the_same_answer_and_the_same_error_every_time(self) -> None:
        """A combination seen before gives the same minutes; a clash is refused each time."""
        for _ in range(3):
            assert 50 == Service("G0299", "2024-03-04", "09:00", "09:50").minutes
            assert 50 == Service("G0299", "2024-03-04", "09:00", "09:50", minutes=50).minutes
            with pytest.raises(InvalidTimeError, match="does not match"):
                Service("G0299", "2024-03-04", "09:00", "09:50", minutes=51)
            with pytest.raises(InvalidTimeError, match="is required"):
                Service("G0299", "2024-03-04", "09:00")

    def test_full_day_and_minutes_told_apart(self) -> None:
        """full_day true and minutes 1 are other keys than false and true (typed)."""
        assert 1440 == Service("G0299", "2024-03-04", "08:00", "08:00", full_day=True).minutes
        assert 0 == Service("G0299", "2024-03-04", "08:00", "08:00").minutes

    def test_bounded(self) -> None:
        """The memory is a bounded least-recently-used cache."""
        from hcpcs_home import claims

        assert 4096 == claims._service_minutes.cache_info().maxsize


class TestAuthorization:
    def test_remaining_never_negative(self) -> None:
        """Units used beyond the authorization leave zero remaining."""
        auth = Authorization(
            "PA1", "bcbs-tx", ["S9124"], 10, "units", "2024-05-01", "2024-05-31", used=12
        )
        assert 0 == auth.remaining

    def test_end_before_start(self) -> None:
        """An authorization ending before it starts is refused."""
        with pytest.raises(InvalidTimeError, match="end="):
            Authorization("PA1", "bcbs-tx", ["S9124"], 10, "units", "2024-05-31", "2024-05-01")

    def test_basis_must_be_known(self) -> None:
        """An unknown basis names the allowed values."""
        with pytest.raises(InvalidFieldError, match="basis='weeks' must be one of"):
            Authorization("PA1", "bcbs-tx", ["S9124"], 10, "weeks", "2024-05-01", "2024-05-31")


class TestClaimLine:
    def test_from_service_units_and_revenue_code(self) -> None:
        """A 50-minute RN visit is 3 units of G0299 (38-52 minutes) under revenue code 0551."""
        visit = Service.from_times("G0299", "2024-03-04", "09:00", "09:50", credential="RN")
        line = ClaimLine.from_service(visit, payer=payers.MEDICARE)
        assert ("0551", 3, (visit.id,)) == (line.revenue_code, line.units, line.service_ids)

    def test_from_service_hourly_with_payer_rounding(self) -> None:
        """An 8h25m LPN shift is 8.4 hours in TMHP's tenths (TMPPM §42.7.5), 8 for CSHCN."""
        shift = Service.from_times("S9124", "2024-03-04", "07:00", "15:25", credential="LPN")
        tenths = attrs.evolve(payers.TEXAS_MEDICAID_CSHCN, unit_policy=TEXAS_MEDICAID_TENTHS)
        line = ClaimLine.from_service(shift, payer=tenths)
        assert (Decimal("8.4"), "0552") == (line.units, line.revenue_code)
        assert 8 == ClaimLine.from_service(shift, payer=payers.TEXAS_MEDICAID_CSHCN).units

    def test_from_service_per_diem(self) -> None:
        """A per-diem service is one unit whatever its length
        (HCPCS 'per diem'; Carepatron S9129 page, third-party)."""
        visit = Service.from_times("S9129", "2024-03-04", "10:00", "10:45", credential="OT")
        assert 1 == ClaimLine.from_service(visit).units

    def test_from_service_timed_without_time(self) -> None:
        """A timed code without documented time cannot be turned into units."""
        with pytest.raises(InvalidFieldError, match=r"service\.minutes"):
            ClaimLine.from_service(Service(code="G0299", date="2024-03-04"))

    def test_normalises_revenue_code_and_modifiers(self) -> None:
        """Revenue code '552' becomes '0552'; modifiers are upper-cased."""
        line = ClaimLine("S9124", "2024-03-04", 8, revenue_code="552", modifiers="td, u1")
        assert ("0552", ("TD", "U1")) == (line.revenue_code, line.modifiers)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("units", -1, "units=-1 must not be negative"),
            ("units", 1.5, "units=1.5 must be a Decimal"),
            ("charge", "abc", "charge='abc' is not a decimal number"),
            ("modifiers", ["GP", "GO", "KX", "CQ", "59"], "more than four"),
            ("revenue_code", "42", "revenue_code='42' is not a four-digit"),
            ("date", "2024-02-30", "date='2024-02-30' must be a date"),
        ],
    )
    def test_bad_fields(self, field: str, value: object, message: str) -> None:
        """Bad line fields raise the library's error naming field and value."""
        kwargs = {"code": "G0299", "date": "2024-03-04", "units": 1, field: value}
        with pytest.raises(InvalidFieldError, match=message.replace("(", r"\(")):
            ClaimLine(**kwargs)

    def test_decimal_units_that_are_whole_become_int(self) -> None:
        """Units given as Decimal('3.0') are stored as 3."""
        assert 3 == ClaimLine("G0299", "2024-03-04", Decimal("3.0")).units

    def test_ub04_row(self) -> None:
        """A line renders as UB-04 FL42-FL47 text."""
        line = ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551", charge=Decimal("150"))
        assert {
            "FL42 rev": "0551",
            "FL44 HCPCS/mods": "G0299",
            "FL45 date": "030424",
            "FL46 units": "3",
            "FL47 charge": "150.00",
        } == line.ub04_row()


class TestClaim:
    def test_every_problem_reported(self) -> None:
        """Building a claim reports every cross-field problem at once, with paths."""
        visit = Service.from_times("G0299", "2024-03-04", "09:00", "09:50")
        with pytest.raises(InvalidClaimError) as info:
            Claim(
                payers.MEDICARE,
                "2024-03-31",
                "2024-03-01",
                lines=[ClaimLine("G0299", "2024-03-04", 3, service_ids=["nope"])],
                services=[visit, visit],
            )
        fields = [e.field for e in info.value.errors]  # type: ignore[attr-defined]
        assert ["$.statement_through", "$.services[1].id", "$.lines[0].service_ids[0]"] == fields

    def test_payer_by_profile_id(self) -> None:
        """A shipped profile id stands for the profile."""
        claim = Claim("medicare", "2024-03-01", "2024-03-31")
        assert payers.MEDICARE is claim.payer

    def test_bill_class(self) -> None:
        """Type of bill '329' is normalised to '0329' with class '32'."""
        claim = Claim("medicare", "2024-03-01", "2024-03-31", type_of_bill="329")
        assert ("0329", "32") == (claim.type_of_bill, claim.bill_class)

    def test_bad_type_of_bill(self) -> None:
        """A type of bill that is not three or four characters is refused."""
        with pytest.raises(InvalidFieldError, match="type_of_bill='03290'"):
            Claim("medicare", "2024-03-01", "2024-03-31", type_of_bill="03290")

    def test_repr_html_is_a_ub04_table(self) -> None:
        """In Jupyter a claim renders as a table of FL42-FL47 with a total row."""
        claim = Claim(
            "medicare",
            "2024-03-01",
            "2024-03-31",
            type_of_bill="0329",
            lines=[ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551", charge=Decimal("150"))],
        )
        page = claim._repr_html_()
        assert ("<th>FL42 rev</th>" in page, "150.00" in page, "TOTAL" in page) == (
            True,
            True,
            True,
        )

    def test_pickles(self) -> None:
        """Claims and the errors they raise pickle (backends use multiprocessing)."""
        claim = Claim(
            "medicare", "2024-03-01", "2024-03-31", lines=[ClaimLine("G0299", "2024-03-04", 3)]
        )
        assert claim == pickle.loads(pickle.dumps(claim))
        try:
            Claim("medicare", "2024-03-31", "2024-03-01")
        except InvalidClaimError as exc:
            again = pickle.loads(pickle.dumps(exc))
            assert str(exc) == str(again)


class TestInstitutionalLines:
    """HIPPS, revenue-only and date-span lines (the 032X claim's own shapes)."""

    def test_hipps_on_0023(self) -> None:
        """A HIPPS code is held on revenue code 0023, upper-cased, with qualifier HP."""
        line = ClaimLine(" 1fc21 ", "2024-03-01", 1, revenue_code="023")
        assert ("1FC21", "0023", "HP") == (line.code, line.revenue_code, line.qualifier)

    @pytest.mark.parametrize("revenue_code", [None, "0551", "0022"])
    def test_hipps_elsewhere_is_refused(self, revenue_code: str | None) -> None:
        """A HIPPS-shaped code off the 0023 line is not a HCPCS code and is refused."""
        with pytest.raises(InvalidFieldError, match="HIPPS code belongs on revenue code 0023"):
            ClaimLine("1FC21", "2024-03-01", 1, revenue_code=revenue_code)

    def test_hcpcs_on_0023_is_representable(self) -> None:
        """A HCPCS code on 0023 (as in CMS's RIF samples) is kept for a rule to flag."""
        assert "HC" == ClaimLine("G0402", "2015-10-06", 4, revenue_code="0023").qualifier

    def test_revenue_only_line(self) -> None:
        """A revenue line may carry no HCPCS code, but then no modifiers either."""
        line = ClaimLine("", "2024-03-04", 2, revenue_code="0270", charge="12.50")
        assert (None, "") == (line.qualifier, line.ub04_row()["FL44 HCPCS/mods"])
        with pytest.raises(InvalidFieldError, match="modifiers"):
            ClaimLine("", "2024-03-04", 2, revenue_code="0270", modifiers=["GP"])
        with pytest.raises(InvalidFieldError, match="required on a line without a revenue code"):
            ClaimLine("", "2024-03-04", 2)

    @pytest.mark.parametrize("junk", ["1FC2", "1FC21X", "€€€€€", None, 12345, b"1FC21"])
    def test_junk_codes_are_refused(self, junk: object) -> None:
        """Codes of neither shape are refused on the 0023 line too."""
        with pytest.raises(InvalidFieldError):
            ClaimLine(junk, "2024-03-01", 1, revenue_code="0023")  # type: ignore[arg-type]

    def test_date_span(self) -> None:
        """A from-through line keeps both days; through before date is refused."""
        line = ClaimLine("T1030", "2024-03-04", 3, revenue_code="0552", through="2024-03-06")
        assert (dt.date(2024, 3, 6), "030424-030624") == (
            line.last_date,
            line.ub04_row()["FL45 date"],
        )
        with pytest.raises(InvalidTimeError, match="through"):
            ClaimLine("T1030", "2024-03-04", 3, through="2024-03-03")


class TestHeader:
    """The institutional header: admission date, status, condition/occurrence/span/value codes."""

    def test_normalised(self) -> None:
        """Codes are upper-cased and a lone digit regains its leading zero (RIF files drop it)."""
        claim = Claim(
            "medicare",
            "2024-03-01",
            "2024-03-30",
            type_of_bill="032a",
            point_of_origin="1",
            patient_status="1",
            condition_codes=["7", "a1"],
            occurrence_codes=[("50", "2024-02-28")],
            occurrence_spans=[("74", "2024-03-02", "2024-03-03")],
            value_codes=[("85", "19153")],
        )
        assert ("032A", "A", "01", ("07", "A1")) == (
            claim.type_of_bill,
            claim.frequency,
            claim.patient_status,
            claim.condition_codes,
        )
        assert dt.date(2024, 2, 28) == claim.occurrence("50").date  # type: ignore[union-attr]
        assert Decimal("19153") == claim.value("85").amount  # type: ignore[union-attr]
        assert (None, None) == (claim.occurrence("55"), claim.value("61"))

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("point_of_origin", "12"),
            ("patient_status", "3O"),
            ("condition_codes", ["054"]),
            ("condition_codes", "54"),
            ("condition_codes", ["54"] * 25),
            ("occurrence_codes", [("50",)]),
            ("occurrence_codes", [("50", "2024-02-30")]),
            ("occurrence_spans", [("74", "2024-03-03", "2024-03-02")]),
            ("value_codes", [("85", 19153.0)]),
            ("value_codes", [("85", "-1")]),
            ("admission_date", "03/01/2024"),
        ],
    )
    def test_bad_values_are_refused(self, field: str, value: object) -> None:
        """Each bad header value raises the library's error naming the field."""
        with pytest.raises(InvalidFieldError):
            Claim("medicare", "2024-03-01", "2024-03-30", **{field: value})  # type: ignore[arg-type]

    def test_professional_claim_has_no_frequency(self) -> None:
        """A claim without a type of bill has no frequency."""
        assert Claim("medicare", "2024-03-01", "2024-03-30").frequency is None

    def test_header_values_pickle(self) -> None:
        """Header values pickle (multiprocessing backends)."""
        from hcpcs_home import Occurrence, OccurrenceSpan, ValueCode

        values = (
            Occurrence("50", "2024-02-28"),
            OccurrenceSpan("77", "2024-03-01", "2024-03-04"),
            ValueCode("61", "35614"),
        )
        assert values == pickle.loads(pickle.dumps(values))


class TestPayer:
    def test_profiles_cite_sources(self) -> None:
        """Every shipped profile says where its settings come from."""
        assert [] == [p.id for p in PROFILES.values() if not p.source]

    def test_medicare_refuses_s_and_t_codes(self) -> None:
        """Medicare takes no S codes (processing note 0088) and no T codes (coverage I)."""
        m = payers.MEDICARE
        assert (False, False, True) == (
            m.accepts_code_family("S9123"),
            m.accepts_code_family("T1030"),
            m.accepts_code_family("G0299"),
        )

    def test_texas_requires_auth_for_everything(self) -> None:
        """TMHP CSHCN requires prior authorization for all home-health services."""
        assert payers.TEXAS_MEDICAID_CSHCN.requires_prior_auth("G0156")

    def test_unknown_profile(self) -> None:
        """An unknown profile id lists the shipped ones."""
        with pytest.raises(InvalidFieldError, match="medicare"):
            payer_profile("aetna")

    def test_custom_payer(self) -> None:
        """A payer built by hand validates its kind."""
        with pytest.raises(InvalidFieldError, match="kind='hmo'"):
            Payer(id="x", name="X", kind="hmo")
        assert PayerKind.COMMERCIAL == Payer(id="x", name="X", kind="commercial").kind

    def test_settings_are_a_home(self) -> None:
        """Services default to the home setting."""
        assert Setting.HOME == Service(code="G0299", date="2024-03-04").setting


class TestPartsCheckedAgainstEachOther:
    """Building a claim reports every clash between its parts at once (the quick test of a
    clean claim must never let one through)."""

    @staticmethod
    def _fields_of(claim: Claim, **changes: object) -> list[str]:
        values = {a.name: getattr(claim, a.name) for a in attrs.fields(Claim)}
        try:
            Claim(**{**values, **changes})
        except InvalidClaimError as exc:
            return sorted(e.field for e in exc.errors)
        return []

    def _claim(self) -> Claim:
        services = [
            Service("G0299", "2024-03-04", "09:00", "09:50", credential="RN", id="s1"),
            Service("G0299", "2024-03-05", "09:00", "09:50", credential="RN", id="s2"),
        ]
        lines = [
            ClaimLine("G0299", "2024-03-04", 4, "0551", service_ids=["s1"]),
            ClaimLine("G0299", "2024-03-05", 4, "0551", service_ids=["s2"]),
        ]
        auth = Authorization("A1", "medicare", ["G0299"], 10, "units", "2024-03-01", "2024-03-31")
        return Claim("medicare", "2024-03-01", "2024-03-31", lines, services, authorizations=[auth])

    def test_clean(self) -> None:
        """The parts agree: nothing to report."""
        assert [] == self._fields_of(self._claim())

    @given(st.sets(st.sampled_from(["period", "service", "auth", "evv", "line"]), min_size=1))
    def test_every_clash_reported(self, clashes: set[str]) -> None:
        """Each clash made is reported by its path, all of them together."""
        claim = self._claim()
        changes: dict[str, object] = {}
        expected = []
        if "period" in clashes:
            changes["statement_through"] = "2024-02-28"
            expected.append("$.statement_through")
        if "service" in clashes:
            changes["services"] = [claim.services[0], attrs.evolve(claim.services[1], id="s1")]
            expected.append("$.services[1].id")
            if "line" not in clashes:  # s2 is gone, so the second line names no service
                expected.append("$.lines[1].service_ids[0]")
        if "auth" in clashes:
            changes["authorizations"] = [claim.authorizations[0]] * 2
            expected.append("$.authorizations[1].number")
        if "evv" in clashes:
            visit = EvvVisit("G0299", "2024-03-04", "M1", "09:00", "09:50", "home", "W1", id="v1")
            changes["evv_visits"] = [visit, visit]
            expected.append("$.evv_visits[1].id")
        if "line" in clashes:
            changes["lines"] = [
                claim.lines[0],
                attrs.evolve(claim.lines[1], service_ids=("s9",)),
            ]
            expected.append("$.lines[1].service_ids[0]")
        assert sorted(expected) == self._fields_of(claim, **changes)
