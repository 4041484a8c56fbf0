"""Every documentation page runs as written, in a fresh interpreter (#22).

Sphinx's doctest builder runs the pages with its global setup; a reader pastes
them into a new Python.  ``tools/run_doc_page.py`` runs each page's visible
examples with no setup at all, in a subprocess of its own, from the repository's
root (where the pages open ``examples/...``): a name a page uses without
importing it fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.rst"))
RUNNER = ROOT / "tools" / "run_doc_page.py"


def test_every_page_is_found() -> None:
    """The pages are where the test looks for them."""
    assert len(PAGES) > 20


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_the_page_runs_as_written(page: Path) -> None:
    """The page's examples pass in a fresh interpreter with no hidden setup."""
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(page.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode and "ModuleNotFoundError" in done.stdout:
        missing = done.stdout.split("ModuleNotFoundError: ", 1)[1].splitlines()[0]
        pytest.skip(f"an optional dependency the page uses is missing: {missing}")
    assert 0 == done.returncode, done.stdout[-4000:] + done.stderr[-2000:]


class TestTheRunner:
    def test_a_name_from_a_hidden_setup_fails(self, tmp_path: Path) -> None:
        """A page using a name it never imports fails, as it would for a reader."""
        page = tmp_path / "page.rst"
        page.write_text(".. doctest::\n\n   >>> datetime.date(2024, 1, 1).year\n   2024\n")
        done = subprocess.run(
            [sys.executable, str(RUNNER), str(page)], capture_output=True, text=True, check=False
        )
        assert 1 == done.returncode
        assert "NameError: name 'datetime' is not defined" in done.stdout

    def test_blocks_share_names_and_skipif_is_honoured(self, tmp_path: Path) -> None:
        """Later blocks see earlier blocks' names; a block whose ``:skipif:`` holds is left out."""
        page = tmp_path / "page.rst"
        page.write_text(
            ".. doctest::\n\n   >>> import datetime\n\nText.\n\n"
            ".. doctest::\n   :skipif: True\n\n   >>> 1 / 0\n\n"
            ".. doctest::\n\n   >>> datetime.date(2024, 1, 1).year\n   2024\n"
        )
        done = subprocess.run(
            [sys.executable, str(RUNNER), str(page)], capture_output=True, text=True, check=False
        )
        assert 0 == done.returncode, done.stdout
