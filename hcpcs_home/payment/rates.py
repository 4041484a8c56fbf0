"""The national payment rates, year by year, each with its Federal Register rule.

:func:`shipped_rates` reads the rows this package ships (``hcpcs_home/data/
hh_rates.tsv``, ``hh_visit_rates.tsv`` and ``hospice_rates.tsv``); build a
:class:`Rates` of your own (or :func:`attrs.evolve` the shipped one) to price
with figures of a year the package does not ship.  Every amount is checked when
a rate year is built: a negative or absurd rate is an
:class:`~hcpcs_home.errors.InvalidFieldError`, never a payment.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from .. import _tables
from .._values import lazy_methods
from ..errors import InvalidFieldError
from ._result import NotPriced, bounded

__all__ = [
    "HOME_HEALTH_DISCIPLINES",
    "HOSPICE_LEVELS",
    "HomeHealthYear",
    "HospiceYear",
    "Rates",
    "load_rates",
    "shipped_rates",
]


def __dir__() -> list[str]:
    return __all__


HOME_HEALTH_DISCIPLINES = MappingProxyType(
    {"042": "PT", "043": "OT", "044": "SLP", "055": "SN", "056": "MSS", "057": "AIDE"}
)

"""Home-health disciplines by the first three digits of their revenue code."""
HOSPICE_LEVELS = ("rhc_high", "rhc_low", "chc", "irc", "gip")

"""The hospice rate levels (RHC days 1-60 and 61+, CHC per day, respite, GIP)."""
_MOST_RATE = Decimal(100_000)


def _amount(field: str) -> Callable[[object], Decimal]:
    def convert(value: object) -> Decimal:
        return bounded(field, value, low=Decimal(0), high=_MOST_RATE)

    return convert


def _optional_amount(field: str) -> Callable[[object], Decimal | None]:
    def convert(value: object) -> Decimal | None:
        return (
            None if value in (None, "") else bounded(field, value, low=Decimal(0), high=_MOST_RATE)
        )

    return convert


def _share(field: str) -> Callable[[object], Decimal]:
    def convert(value: object) -> Decimal:
        return bounded(field, value, low=Decimal(0), high=Decimal(1))

    return convert


def _optional_share(field: str) -> Callable[[object], Decimal | None]:
    def convert(value: object) -> Decimal | None:
        return (
            None if value in (None, "") else bounded(field, value, low=Decimal(0), high=Decimal(1))
        )

    return convert


def _amounts(
    field: str, keys: tuple[str, ...] | None = None
) -> Callable[[object], Mapping[str, Decimal]]:
    def convert(value: object) -> Mapping[str, Decimal]:
        if not isinstance(value, Mapping):
            raise InvalidFieldError(field, value, "must be a mapping")
        out = {}
        for key, amount in value.items():
            if keys is not None and key not in keys:
                raise InvalidFieldError(field, key, f"is not one of {', '.join(keys)}")
            out[str(key)] = bounded(f"{field}[{key!r}]", amount, low=Decimal(0), high=_MOST_RATE)
        return MappingProxyType(out)

    return convert


def _date(field: str) -> Callable[[object], _dt.date]:
    def convert(value: object) -> _dt.date:
        if isinstance(value, str):
            try:
                value = _dt.date.fromisoformat(value)
            except ValueError:
                raise InvalidFieldError(field, value, "is not a date as YYYY-MM-DD") from None
        if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
            raise InvalidFieldError(field, value, "must be a date")
        return value

    return convert


def _check_span(instance: Any, attribute: Any, value: _dt.date) -> None:
    if value < instance.start:
        raise InvalidFieldError("end", value, f"is before start={instance.start.isoformat()}")


def _check_shares(instance: Any, attribute: Any, value: Decimal) -> None:
    if instance.labor_share + value != 1:
        raise InvalidFieldError(
            "nonlabor_share", value, f"and labor_share={instance.labor_share} must add up to 1"
        )


@attrs.frozen(slots=True)
@lazy_methods
class HomeHealthYear:
    """The Medicare home-health (PDGM) figures of one calendar year.

    :ivar year: the calendar year.
    :ivar start: first day of a period the figures price (by the period's From date).
    :ivar end: last such day.
    :ivar rate: national, standardized 30-day period payment (HHA that
        submitted quality data).
    :ivar rate_no_quality: the same for an HHA that did not, or ``None``.
    :ivar labor_share: the labor-related share, multiplied by the wage index.
    :ivar nonlabor_share: the rest (``1 - labor_share``).
    :ivar fdl_ratio: the outlier fixed-dollar-loss ratio, or ``None`` when
        not shipped (outliers are then not priced).
    :ivar loss_sharing: the share of cost above the outlier threshold paid.
    :ivar addon: LUPA add-on factor of the first visit by discipline (SN, PT, SLP).
    :ivar visit: national per-visit (LUPA) amount by discipline.
    :ivar unit: 15-minute unit cost by discipline (outlier imputed cost).
    :ivar rule: the Federal Register rule the figures come from.
    """

    year: int
    start: _dt.date = attrs.field(converter=_date("start"))
    end: _dt.date = attrs.field(converter=_date("end"), validator=_check_span)
    rate: Decimal = attrs.field(converter=_amount("rate"))
    rate_no_quality: Decimal | None = attrs.field(converter=_optional_amount("rate_no_quality"))
    labor_share: Decimal = attrs.field(converter=_share("labor_share"))
    nonlabor_share: Decimal = attrs.field(
        converter=_share("nonlabor_share"), validator=_check_shares
    )
    fdl_ratio: Decimal | None = attrs.field(converter=_optional_share("fdl_ratio"))
    loss_sharing: Decimal = attrs.field(converter=_share("loss_sharing"))
    addon: Mapping[str, Decimal] = attrs.field(converter=_amounts("addon", ("SN", "PT", "SLP")))
    visit: Mapping[str, Decimal] = attrs.field(converter=_amounts("visit"))
    unit: Mapping[str, Decimal] = attrs.field(converter=_amounts("unit"))
    rule: str = ""


@attrs.frozen(slots=True)
@lazy_methods
class HospiceYear:
    """The Medicare hospice per-diem rates of one federal fiscal year (October to September).

    :ivar year: the fiscal year (2025 runs 2024-10-01 to 2025-09-30).
    :ivar start: its first day.
    :ivar end: its last day.
    :ivar labor: the labor part of each level's daily rate
        (:data:`~hcpcs_home.payment.rates.HOSPICE_LEVELS`).
    :ivar nonlabor: the non-labor part of each.
    :ivar cap: the aggregate cap amount per beneficiary of the cap year, or ``None``.
    :ivar rule: the Federal Register rule the figures come from.
    """

    year: int
    start: _dt.date = attrs.field(converter=_date("start"))
    end: _dt.date = attrs.field(converter=_date("end"), validator=_check_span)
    labor: Mapping[str, Decimal] = attrs.field(converter=_amounts("labor", HOSPICE_LEVELS))
    nonlabor: Mapping[str, Decimal] = attrs.field(converter=_amounts("nonlabor", HOSPICE_LEVELS))
    cap: Decimal | None = attrs.field(default=None, converter=_optional_amount("cap"))
    rule: str = ""

    def daily(self, level: str) -> Decimal:
        """The unadjusted daily rate of ``level`` (labor + non-labor)."""
        return self.labor[level] + self.nonlabor[level]


def _years(kind: type[Any]) -> Any:
    def convert(value: object) -> tuple[Any, ...]:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise InvalidFieldError(kind.__name__, value, "must be a sequence of rate years")
        items = tuple(value)
        for item in items:
            if not isinstance(item, kind):
                raise InvalidFieldError(kind.__name__, item, f"must be a {kind.__name__}")
        return tuple(sorted(items, key=lambda y: y.start))

    return convert


@attrs.frozen(slots=True)
@lazy_methods
class Rates:
    """The rate years a payment is priced with.

    :ivar home_health: home-health years, by start date.
    :ivar hospice: hospice fiscal years, by start date.
    """

    home_health: tuple[HomeHealthYear, ...] = attrs.field(converter=_years(HomeHealthYear))
    hospice: tuple[HospiceYear, ...] = attrs.field(converter=_years(HospiceYear))

    def home_health_on(self, day: _dt.date) -> HomeHealthYear:
        """The home-health year that prices a period starting on ``day``."""
        return _on(self.home_health, day, "home-health")

    def hospice_on(self, day: _dt.date) -> HospiceYear:
        """The hospice fiscal year that prices ``day``."""
        return _on(self.hospice, day, "hospice")


_Y = TypeVar("_Y", HomeHealthYear, HospiceYear)


def _on(years: tuple[_Y, ...], day: _dt.date, what: str) -> _Y:
    for year in years:
        if year.start <= day <= year.end:
            return year
    shipped = ", ".join(str(y.year) for y in years) or "none"
    raise NotPriced(f"no {what} rate year covers {day.isoformat()} (loaded: {shipped})")


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text else None


@functools.cache
def shipped_rates() -> Rates:
    """The rate years this package ships, read once.

    >>> import datetime
    >>> rates = shipped_rates()
    >>> year = rates.home_health_on(datetime.date(2025, 3, 1))
    >>> year.rate, year.labor_share, year.visit["SN"]
    (Decimal('2057.35'), Decimal('0.749'), Decimal('172.73'))
    >>> rates.hospice_on(datetime.date(2025, 3, 1)).daily("rhc_high")
    Decimal('224.62')
    """
    tables = {name: _tables.read_table(f"{name}.tsv") for name in _LAYOUTS}
    problems: list[tuple[int, str, str]] = []
    hh, hospice = _build(tables, problems)
    if problems:  # pragma: no cover - the shipped tables are tested
        raise InvalidFieldError("shipped rates", problems, "are not valid")
    # The cap amount of each cap year (hcpcs_home/data/hospice_cap.tsv, the table
    # hcpcs_home.payment.cap reads) on the rate year of the same fiscal year.
    caps = {int(r["cap_year"]): r["amount"] for r in _tables.read_table("hospice_cap.tsv")}
    years = [
        attrs.evolve(y, cap=caps[y.year]) if y.cap is None and y.year in caps else y
        for y in hospice.values()
    ]
    return Rates(tuple(hh.values()), tuple(years))


#: The columns of each rate-table layout (the shipped files' names).
_LAYOUTS = {
    "hh_rates": (
        "year",
        "from",
        "through",
        "rate",
        "rate_no_quality",
        "labor_share",
        "nonlabor_share",
        "fdl_ratio",
        "loss_sharing",
        "addon_sn",
        "addon_pt",
        "addon_slp",
        "rule",
    ),
    "hh_visit_rates": (
        "year",
        "revenue",
        "discipline",
        "visit",
        "visit_no_quality",
        "unit",
        "unit_no_quality",
        "rule",
    ),
    "hospice_rates": ("fy", "from", "through", "level", "labor", "nonlabor", "labor_share", "rule"),
}


def _build(
    tables: Mapping[str, Any], problems: list[tuple[int, str, str]]
) -> tuple[dict[int, HomeHealthYear], dict[int, HospiceYear]]:
    """Rate years from rows of the three layouts; each bad row is added to ``problems``."""
    visits: dict[int, dict[str, Mapping[str, str]]] = {}
    for row in tables.get("hh_visit_rates", ()):
        if _year(row, "year", problems) is not None:
            visits.setdefault(int(row["year"]), {})[row["discipline"].upper()] = row
    hh: dict[int, HomeHealthYear] = {}
    for row in tables.get("hh_rates", ()):
        year = _year(row, "year", problems)
        if year is None:
            continue
        mine = visits.get(year, {})
        fields = {
            "year": year,
            "start": row["from"],
            "end": row["through"],
            "rate": row["rate"],
            "rate_no_quality": row["rate_no_quality"],
            "labor_share": row["labor_share"],
            "nonlabor_share": row["nonlabor_share"],
            "fdl_ratio": row["fdl_ratio"],
            "loss_sharing": row["loss_sharing"],
            "addon": {"SN": row["addon_sn"], "PT": row["addon_pt"], "SLP": row["addon_slp"]},
            "visit": {d: r["visit"] for d, r in mine.items()},
            "unit": {d: r["unit"] for d, r in mine.items()},
            "rule": row["rule"],
        }
        made = _made(row, problems, HomeHealthYear, fields)
        if made is not None:
            hh[year] = made
    by_fy: dict[int, dict[str, Any]] = {}
    rows_of: dict[int, Mapping[str, str]] = {}
    for row in tables.get("hospice_rates", ()):
        fy_number = _year(row, "fy", problems)
        if fy_number is None:
            continue
        rows_of.setdefault(fy_number, row)
        fy = by_fy.setdefault(
            fy_number, {"start": row["from"], "end": row["through"], "labor": {}, "nonlabor": {}}
        )
        fy["rule"] = row["rule"]
        if row["level"] == "cap":
            fy["cap"] = row["labor"]
        else:
            fy["labor"][row["level"]] = row["labor"]
            fy["nonlabor"][row["level"]] = row["nonlabor"]
    hospice: dict[int, HospiceYear] = {}
    for number, fields in by_fy.items():
        made_fy = _made(rows_of[number], problems, HospiceYear, {"year": number, **fields})
        if made_fy is not None:
            hospice[number] = made_fy
    return hh, hospice


def _year(row: Mapping[str, str], column: str, problems: list[tuple[int, str, str]]) -> int | None:
    text = (row.get(column) or "").strip()
    if len(text) == 4 and text.isdigit() and 2000 <= int(text) <= 2099:
        return int(text)
    problems.append((int(row.get("__row__", 0)), column, f"{text!r} is not a year 2000-2099"))
    return None


_T = TypeVar("_T")


def _made(
    row: Mapping[str, str],
    problems: list[tuple[int, str, str]],
    make: Callable[..., _T],
    fields: dict[str, Any],
) -> _T | None:
    try:
        return make(**fields)
    except InvalidFieldError as exc:
        problems.append((int(row.get("__row__", 0)), exc.field, f"{exc.value!r} {exc.reason}"))
        return None


def load_rates(*paths: str | os.PathLike[str], base: Rates | None = None) -> Rates:
    """``base`` (the shipped rates where ``None``) with the rate years of the files added.

    Each file is a CSV (or TSV for ``.tsv``/``.tab``) in the layout of one of the
    shipped tables, ``hcpcs_home/data/hh_rates.tsv``, ``hh_visit_rates.tsv`` or
    ``hospice_rates.tsv`` (its header names the same columns; ``#`` lines are
    skipped): a year in a file replaces the same year of ``base``, so a new rule's
    figures can be priced before the package ships them.  Per-visit rows of a
    year whose national row is not in the files are added to ``base``'s year.

    :raises ~hcpcs_home.errors.EditFileError: a file cannot be read, its header
        fits no layout, or rows are bad: every one at once.
    """
    import csv
    import io
    from pathlib import Path

    from .. import _rowfile
    from ..errors import EditFileError

    chosen = shipped_rates() if base is None else base
    tables: dict[str, list[dict[str, str]]] = {}
    for path in paths:
        where = str(path)
        text = _rowfile.read_text(Path(path))
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        reader = csv.DictReader(
            io.StringIO("\n".join(lines)), delimiter=_rowfile.delimiter_of(Path(path))
        )
        header = tuple(h.strip().lower() for h in reader.fieldnames or ())
        kind = next((k for k, cols in _LAYOUTS.items() if set(cols) <= set(header)), None)
        if kind is None:
            raise EditFileError(where, [(1, "header", "fits none of " + ", ".join(_LAYOUTS))])
        problems: list[tuple[int, str, str]] = []
        for number, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            row["__row__"] = str(number)
            tables.setdefault(kind, []).append(row)
        _build({kind: tables.get(kind, [])}, problems)
        if problems:
            raise EditFileError(where, problems)
    problems = []
    hh, hospice = _build(tables, problems)
    if problems:
        raise EditFileError(", ".join(str(p) for p in paths), problems)
    years = {y.year: y for y in chosen.home_health}
    for row in tables.get("hh_visit_rates", ()):
        year = int(row["year"])
        if year not in hh and year in years:
            current = years[year]
            years[year] = attrs.evolve(
                current,
                visit={**current.visit, row["discipline"].upper(): row["visit"]},
                unit={**current.unit, row["discipline"].upper(): row["unit"]},
            )
    years.update(hh)
    fys = {y.year: y for y in chosen.hospice}
    fys.update(hospice)
    return Rates(tuple(years.values()), tuple(fys.values()))
