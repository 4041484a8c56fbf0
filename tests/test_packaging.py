"""The licence travels with the code: a LICENSE file that the wheel's metadata names."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from 3.11")


class TestLicense:
    def test_license_file(self) -> None:
        """LICENSE is the MIT licence of the hcpcs_home developers."""
        text = (ROOT / "LICENSE").read_text("utf-8")
        assert ("MIT License", "Copyright (c) 2026 hcpcs_home developers") == tuple(
            text.splitlines()[i] for i in (0, 2)
        )

    def test_pyproject_names_it(self) -> None:
        """pyproject uses the SPDX expression and ships LICENSE in the wheel (PEP 639)."""
        project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
        assert ("MIT", ["LICENSE"]) == (
            project["project"]["license"],
            project["project"]["license-files"],
        )
        assert all((ROOT / name).is_file() for name in project["project"]["license-files"])

    def test_build_backend_reads_license_files(self) -> None:
        """setuptools reads the SPDX form and license-files from version 77 on."""
        project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
        assert ["setuptools>=77"] == project["build-system"]["requires"]
