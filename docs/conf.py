"""Sphinx configuration for hcpcs_home (nitpicky, warnings are errors in CI)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import hcpcs_home

# The pages show the bundled CMS release: a release loaded on the building machine
# ('hcpcs-home catalog load') must not change them.
os.environ["HCPCS_HOME_DATA"] = tempfile.mkdtemp(prefix="hcpcs-home-docs-data-")

sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "hcpcs_home"
author = "hcpcs_home developers"
copyright = "2026, hcpcs_home developers"  # noqa: A001
release = version = hcpcs_home.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.napoleon",
    "matplotlib.sphinxext.plot_directive",
    "rule_reference",
    "format_map",
]
html_theme = "furo"
html_title = f"hcpcs_home {release}"
exclude_patterns = ["_build"]

nitpicky = True
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autoclass_content = "class"
# Offline builds: no intersphinx, so names from the standard library and
# from attrs/cattrs/hypothesis are not cross-referenced.
nitpick_ignore_regex = [
    ("py:class", r"_dt\..*"),
    ("py:mod", r"(multiprocessing|pickle|decimal|datetime|importlib.*)"),
    ("py:class", r"(datetime|decimal|fractions|collections\.abc|typing|enum|pathlib|os|io|re)\..*"),
    ("py:class", r"(attrs|attr|cattrs|cattr|hypothesis|pandas|dask)\..*"),
    ("py:class", r"(Decimal|Fraction|Path|PathLike|Iterable|Iterator|Mapping|Sequence|Callable|Any)"),
    ("py:class", r"(date|datetime|time|timedelta|Enum|SearchStrategy|Converter)"),
    ("py:class", r"(StrPath|T|_T|.*\._.*)"),
    ("py:obj", r"(typing|collections\.abc)\..*"),
    ("py:func", r"(attrs|attr|cattrs|hypothesis)\..*"),
    ("py:class", r"st\..*"),
    ("py:class", r"(types\..*|ModuleType|PredicateFactory|Fixer)"),
    ("py:exc", r"(ValueError|LookupError|TypeError)"),
]
# Docstring examples run under pytest --doctest-modules; here only the pages'
# own ``.. doctest::`` blocks run.  The setup defines no names: each page imports
# what it uses, so it runs as written in a fresh interpreter (tests/test_docs_run.py
# checks that without Sphinx).  It only moves to the repository's root, where the
# pages open ``examples/...`` from, wherever the build was started.
doctest_test_doctest_blocks = ""
_ROOT = Path(__file__).resolve().parent.parent
doctest_global_setup = f"import os as _os; _os.chdir({str(_ROOT)!r})\n"
