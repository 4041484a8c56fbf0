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


class TestWheelContents:
    def test_every_package_is_installed(self) -> None:
        """Every package folder of hcpcs_home is in the list setuptools installs (a
        missing one installs fine from a checkout and fails on first import from a wheel)."""
        project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
        listed = set(project["tool"]["setuptools"]["packages"])
        found = {
            ".".join(init.parent.relative_to(ROOT).parts)
            for init in (ROOT / "hcpcs_home").rglob("__init__.py")
        }
        assert found == listed

    def test_the_data_tables_are_package_data(self) -> None:
        """Every table in hcpcs_home/data matches a package-data pattern."""
        project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
        patterns = project["tool"]["setuptools"]["package-data"]["hcpcs_home.data"]
        tables = [p for p in (ROOT / "hcpcs_home" / "data").iterdir() if p.name != "__init__.py"]
        assert [] == [
            t.name for t in tables if t.is_file() and not any(t.match(p) for p in patterns)
        ]


class TestMetadata:
    def test_project_urls(self) -> None:
        """The wheel names where the source, the changelog and the issues are (Project-URL)."""
        project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
        urls = project["project"]["urls"]
        assert {"Source", "Changelog", "Issues", "Documentation"} <= set(urls)
        assert all(url.startswith("https://") for url in urls.values())

    def test_the_docs_extra_has_what_the_build_imports(self) -> None:
        """``pip install '.[docs]'`` alone builds the docs: Sphinx and its theme, and what the
        pages import (pandas, matplotlib, hypothesis for the strategies page)."""
        project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
        names = {
            r.split(">")[0].split("[")[0]
            for r in project["project"]["optional-dependencies"]["docs"]
        }
        assert {"sphinx", "furo", "pandas", "matplotlib", "hypothesis"} <= names

    def test_the_readme_says_how_to_build_the_docs(self) -> None:
        """README gives the install and build commands of the docs."""
        readme = (ROOT / "README.rst").read_text("utf-8")
        assert "pip install -q -e '.[docs]'" in readme
        assert "python -m sphinx -b html docs docs/_build/html" in readme
        assert "python -m sphinx -b doctest docs docs/_build/doctest" in readme
