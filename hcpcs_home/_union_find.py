"""Union-find over names: records that share a name fall in one group.

EVV overlap checks join a worker's ids and NPIs; the Dask history path joins the
beneficiaries, authorizations and workers of claims that must be checked together.
"""

from __future__ import annotations

from collections.abc import Iterable


class UnionFind:
    """Disjoint sets of names: :meth:`join` puts names in one set, :meth:`find` names its root.

    >>> groups = UnionFind()
    >>> groups.join(["w:7", "npi:1"]), groups.join(["npi:1", "w:9"])
    ('npi:1', 'npi:1')
    >>> groups.find("w:9") == groups.find("w:7")
    True
    >>> groups.join([]) is None
    True
    """

    __slots__ = ("parent",)

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, name: str) -> str:
        """The root of ``name``'s set (a name never joined is its own root)."""
        root = self.parent.setdefault(name, name)
        while root != self.parent[root]:
            root = self.parent[root]
        self.parent[name] = root
        return root

    def join(self, names: Iterable[str]) -> str | None:
        """Put ``names`` in one set; its root (the least of their roots), None for no names.

        The least root, not the first, so the grouping never depends on the order names
        are met in.
        """
        roots = sorted({self.find(x) for x in names})
        for r in roots[1:]:
            self.parent[r] = roots[0]
        return roots[0] if roots else None
