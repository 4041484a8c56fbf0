"""Names a module defines on first use (PEP 562).

A class that an ordinary check never builds (a table rule, an explanation, a
limit passed) costs a fresh process the attrs methods compiled for it at
import.  Its module names it in ``__all__`` and imports it for the type
checker only; :func:`first_use` gives the module's ``__getattr__``, which
imports the class from its home on the first lookup and keeps it in the
module's namespace, so every later lookup is an ordinary one.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["first_use"]


def first_use(module: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``module`` for the names of ``homes``, each imported on
    first use from the module ``homes`` gives for it (relative to the package, as
    ``"._span"``).

    >>> from hcpcs_home import units
    >>> units.Span.__module__
    'hcpcs_home.units'
    >>> units.Nothing
    Traceback (most recent call last):
    ...
    AttributeError: module 'hcpcs_home.units' has no attribute 'Nothing'
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, __package__), name)
        setattr(sys.modules[module], name, value)
        return value

    return __getattr__
