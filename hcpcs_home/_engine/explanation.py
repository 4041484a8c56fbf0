"""Explanations: which parts of a predicate tree held for one context.

Part of the engine behind :mod:`hcpcs_home.policy` (see :mod:`hcpcs_home._engine`).
A check builds none: a finding explains itself when asked (and a rule that raises
records one), so the class is defined on first use and a fresh process's first
check never compiles its attrs methods.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from .._values import lazy_methods

__all__ = ["Explanation"]


@attrs.frozen(slots=True)
@lazy_methods
class Explanation:
    """Which part of a predicate tree held for one context.

    :ivar predicate: the sub-predicate, as text.
    :ivar held: whether it held.
    :ivar children: explanations of its operands.
    """

    predicate: str
    held: bool
    children: tuple[Explanation, ...] = ()

    def lines(self, depth: int = 0) -> Iterator[str]:
        """The tree as indented ``✓``/``✗`` lines."""
        yield f"{'  ' * depth}{'✓' if self.held else '✗'} {self.predicate}"
        for child in self.children:
            yield from child.lines(depth + 1)

    def __str__(self) -> str:
        return "\n".join(self.lines())


# It belongs to hcpcs_home.policy, as the engine's other public classes do (see
# hcpcs_home._engine), which gives it on first use.
Explanation.__module__ = "hcpcs_home.policy"
