"""``.. format-map:: NAME``: one format's field map, written from the data at build time.

The table comes from :meth:`hcpcs_home.formats.FormatMap.table`, so a format's page
shows exactly the map its reader and writer use and cannot drift from it.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


class FormatMapTable(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        from hcpcs_home.formats import FORMATS

        name = self.arguments[0]
        container = nodes.section()
        container.document = self.state.document
        lines = StringList(FORMATS[name].table().splitlines(), source=f"<FORMATS[{name!r}]>")
        self.state.nested_parse(lines, self.content_offset, container)
        return list(container.children)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("format-map", FormatMapTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
