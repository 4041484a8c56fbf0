"""Types that check in user code: the value constructors are typed for ``mypy --strict`` (#22).

attrs writes ``__attrs_init__`` (the converting, validating constructor); each value
type's ``__init__`` is written out with typed parameters and passes everything on,
so mypy sees what a caller may give (``"2024-05-01"`` or a date, a list of lines)
instead of ``Any``.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import attrs
import pytest

from hcpcs_home import (
    Authorization,
    Claim,
    ClaimLine,
    EvvVisit,
    Occurrence,
    OccurrenceSpan,
    Service,
    ValueCode,
)

ROOT = Path(__file__).resolve().parents[1]

RIGHT = """\
    import datetime
    from decimal import Decimal

    from hcpcs_home import (
        Claim, ClaimLine, EvvVisit, Occurrence, Report, Service, ValueCode, check, check_many,
        payers,
    )

    shift = Service("S9124", "2024-05-06", start="22:00", stop="06:00", credential="LPN")
    line = ClaimLine("S9124", datetime.date(2024, 5, 6), 8, modifiers=["TD"], charge="100.00")
    visit = EvvVisit("S9124", "2024-05-06", start="22:00", stop="06:00", method="mobile")
    claim = Claim(payers.TEXAS_MEDICAID, "2024-05-01", "2024-05-31", lines=[line],
                  services=[shift], total_charge=Decimal("100.00"), evv_visits=[visit],
                  occurrence_codes=[Occurrence("50", "2024-05-01"), ("51", "2024-05-02")],
                  value_codes=[ValueCode("61", "35614")])
    report: Report = check(claim)
    reports: list[Report] = list(check_many([claim, claim]))
"""

WRONG = """\
    from hcpcs_home import (
        Claim, ClaimLine, EvvVisit, HcpcsError, Occurrence, Report, check_many, payers,
    )

    claim = Claim(payers.MEDICARE, 20240501, None, lines="oops", services=42)
    line = ClaimLine("G0299", "2024-03-04", units=[4])
    visit = EvvVisit("T1019", "2024-03-04", accepted="yes")
    code = Occurrence(50, "2024-03-01")
    mixed: list[Claim | HcpcsError] = []
    reports: list[Report] = list(check_many(mixed))
"""


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """mypy --strict over the two user scripts, once: its error lines by script."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it is in the dev extra)")
    folder = tmp_path_factory.mktemp("user")
    for name, text in (("right.py", RIGHT), ("wrong.py", WRONG)):
        (folder / name).write_text(textwrap.dedent(text), "utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(folder / ".mypy_cache"),
            str(folder / "right.py"),
            str(folder / "wrong.py"),
        ],
        cwd=folder,
        # An editable install is an import hook mypy does not follow: point it at the source.
        env={**os.environ, "MYPYPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    errors: dict[str, list[str]] = {"right.py": [], "wrong.py": []}
    for line in done.stdout.splitlines():
        name = Path(line.split(":", 1)[0]).name
        if ": error:" in line and name in errors:
            errors[name].append(line.split(": error: ", 1)[1])
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 2 would be a mypy crash
    return errors


class TestUserScripts:
    def test_the_right_types_pass(self, mypy_output: dict[str, list[str]]) -> None:
        """A script building claims from text and values, and checking them, type-checks."""
        assert [] == mypy_output["right.py"]

    def test_wrong_types_fail(self, mypy_output: dict[str, list[str]]) -> None:
        """Each wrong argument of the issue's example is an error, and so is the raising-mode
        list of a mixed batch."""
        found = "\n".join(mypy_output["wrong.py"])
        for expected in (
            'Argument 2 to "Claim" has incompatible type "int"',
            'Argument 3 to "Claim" has incompatible type "None"',
            'Argument "lines" to "Claim" has incompatible type "str"',
            'Argument "services" to "Claim" has incompatible type "int"',
            'Argument "units" to "ClaimLine" has incompatible type "list[int]"',
            'Argument 1 to "list" has incompatible type "Iterator[Report | HcpcsError]"',
            'Argument "accepted" to "EvvVisit" has incompatible type "str"',
            'Argument 1 to "Occurrence" has incompatible type "int"',
        ):
            assert expected in found


@pytest.mark.parametrize(
    "cls",
    [Claim, ClaimLine, Service, Authorization, Occurrence, OccurrenceSpan, ValueCode, EvvVisit],
)
class TestTypedInitMatchesTheFields:
    def test_parameters_are_the_fields_in_order(self, cls: Any) -> None:
        """The written ``__init__`` takes exactly the attrs fields, in order: a field added
        without a parameter could not be given."""
        params = list(inspect.signature(cls.__init__).parameters)[1:]
        assert [a.alias for a in attrs.fields(cls) if a.init] == params

    def test_defaults_are_the_fields_defaults(self, cls: Any) -> None:
        """Each default is the field's (a derived default stays attrs' own)."""
        params = inspect.signature(cls.__init__).parameters
        for field in attrs.fields(cls):
            default = params[field.alias].default
            if field.default is attrs.NOTHING:
                assert inspect.Parameter.empty == default, field.alias
            elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                assert attrs.NOTHING is default, field.alias
            else:
                assert field.default == default, field.alias


def test_the_right_script_runs() -> None:
    """The script mypy accepts also runs: its types are the ones the constructors take."""
    exec(compile(textwrap.dedent(RIGHT), "right.py", "exec"), {"__name__": "right"})


class TestConverterSignatures:
    def test_a_stated_signature_is_the_converters_own(self) -> None:
        """A converter whose signature ``_fields`` states (worked out once per factory, #21)
        has the signature inspect works out from its own code and annotations, so attrs
        types ``__init__`` as it would without it."""
        import types

        from hcpcs_home import claims, codes, evv, modifiers, payers, units

        seen = 0
        for module in (claims, codes, evv, modifiers, payers, units):
            for cls in vars(module).values():
                if not (isinstance(cls, type) and attrs.has(cls)):
                    continue
                for field in attrs.fields(cls):
                    convert = field.converter
                    if "__signature__" not in getattr(convert, "__dict__", {}):
                        continue
                    fresh = types.FunctionType(
                        convert.__code__, convert.__globals__, closure=convert.__closure__
                    )
                    fresh.__annotations__ = dict(convert.__annotations__)
                    assert inspect.signature(fresh) == inspect.signature(convert), field.name
                    seen += 1
        assert seen > 50
