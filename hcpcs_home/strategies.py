"""Hypothesis strategies for the library's own types (filled in by the claims issue)."""

from __future__ import annotations

__all__: list[str] = []


def __dir__() -> list[str]:
    return __all__


def _hypothesis_setup_hook() -> None:
    """Register strategies with :func:`hypothesis.strategies.register_type_strategy`."""
