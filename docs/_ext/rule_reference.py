"""``.. rule-reference::``: the rule reference, written from the rules at build time.

The text comes from :func:`hcpcs_home.rules.reference`, so the page shows
exactly the rules :func:`hcpcs_home.check` runs and cannot drift from them.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective


class RuleReference(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        from hcpcs_home.rules import reference

        container = nodes.section()
        container.document = self.state.document
        lines = StringList(reference().splitlines(), source="<hcpcs_home.rules.reference()>")
        self.state.nested_parse(lines, self.content_offset, container, match_titles=True)
        return list(container.children)


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("rule-reference", RuleReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
