"""Shared test configuration: hypothesis profiles and the path to CMS's files.

Profiles are chosen with ``HYPOTHESIS_PROFILE``: ``dev`` (default, quick),
``ci`` (what ``.ci/run`` selects: more examples, the same ones every run, no
deadline on a noisy 2-core machine) and ``thorough`` (long local runs).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# A release a developer loaded with 'hcpcs-home catalog load' must not change what the tests
# see: point the data folder at an empty one for the whole run (subprocesses inherit it).
os.environ["HCPCS_HOME_DATA"] = tempfile.mkdtemp(prefix="hcpcs-home-test-data-")

settings.register_profile("dev", max_examples=100, deadline=None)
# CI draws the same examples every run (derandomize), so a green main stays green and a
# red one can be reproduced; dev and thorough runs draw new ones each time and find more.
settings.register_profile(
    "ci",
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=5_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: CMS's HCPCS files live beside the project, never inside it.
CMS_DIR = Path(
    os.environ.get(
        "HCPCS_CMS_DIR", Path(__file__).resolve().parents[2] / "shared" / "data" / "cms-hcpcs"
    )
)


@pytest.fixture(scope="session")
def cms_dir() -> Path:
    """The folder of CMS HCPCS files; skips the test where it is absent."""
    if not (CMS_DIR / "HCPC2019_CONTR_ANWEB.txt").is_file():
        pytest.skip(
            f"CMS HCPCS files not found at {CMS_DIR}: set HCPCS_CMS_DIR to a folder holding "
            "CMS's 2019 alpha-numeric HCPCS file (HCPC2019_CONTR_ANWEB.txt, from the cms.gov "
            "Alpha-Numeric HCPCS page); the package never ships them"
        )
    return CMS_DIR


#: CMS's pricer data tables (case-mix weights, wage indexes) live beside the project too.
PRICERS_DIR = Path(
    os.environ.get(
        "HCPCS_PRICERS_DIR",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "cms-pricers",
    )
)


@pytest.fixture(scope="session")
def pricers_dir() -> Path:
    """The folder of CMS's pricer data tables; skips the test where it is absent."""
    if not (PRICERS_DIR / "hha" / "hrg-2025.csv").is_file():
        pytest.skip(
            f"CMS pricer tables not found at {PRICERS_DIR}: set HCPCS_PRICERS_DIR to a folder "
            "holding hha/hrg-2025.csv and hospice/CBSA2021 from CMS's HH PPS and hospice "
            "pricers (DSACMS/MedicareClaimsPricerSource); the package never ships them"
        )
    return PRICERS_DIR


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data folder for loaded releases (``HCPCS_HOME_DATA``); the default
    catalog in use before the test is put back after it."""
    from hcpcs_home import catalog

    folder = tmp_path / "data"
    monkeypatch.setenv("HCPCS_HOME_DATA", str(folder))
    before = catalog._default
    try:
        yield folder
    finally:
        catalog._default = before
