"""Run one documentation page's examples as written, in this fresh interpreter.

``python tools/run_doc_page.py docs/units.rst`` collects the page's visible
``.. doctest::`` blocks, in order, and runs them as one doctest session with
no setup at all: none of Sphinx's ``doctest_global_setup`` and no hidden
``testsetup`` block, so a name the page uses without importing it is a
``NameError`` here, as it would be for a reader pasting the examples into a
fresh interpreter.  A block whose ``:skipif:`` holds is left out, as Sphinx
leaves it out.  Run it from the repository root (pages open ``examples/...``).

Exit status: 0 when every example passed, 1 otherwise (the failures printed).
"""

from __future__ import annotations

import doctest
import sys
import textwrap
from pathlib import Path

#: Sphinx's default doctest flags (``doctest_default_flags``).
FLAGS = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.DONT_ACCEPT_TRUE_FOR_1


def blocks(text: str) -> list[tuple[int, str]]:
    """``(line number, source)`` of each ``.. doctest::`` block of an RST page that runs."""
    lines = text.splitlines()
    found = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith(".. doctest::"):
            i += 1
            continue
        i += 1
        skip = False
        while i < len(lines) and lines[i].strip().startswith(":"):  # the directive's options
            option, _, value = lines[i].strip()[1:].partition(":")
            if option == "skipif" and eval(value.strip(), {}):  # the page's own expression
                skip = True
            i += 1
        start = i
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
            i += 1
        if not skip:
            found.append((start + 1, textwrap.dedent("\n".join(lines[start:i]))))
    return found


def run(page: Path) -> int:
    """Run the page's blocks; the number of failed examples."""
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    globs: dict[str, object] = {"__name__": "__main__"}
    parser = doctest.DocTestParser()
    for lineno, source in blocks(page.read_text("utf-8")):
        test = parser.get_doctest(source, globs, page.name, str(page), lineno)
        runner.run(test, clear_globs=False)
        globs = test.globs  # the next block sees what this one defined (get_doctest copies)
    return runner.summarize(verbose=False).failed


if __name__ == "__main__":
    sys.exit(1 if run(Path(sys.argv[1])) else 0)
