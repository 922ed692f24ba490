"""What a learner meets first: a figure that needs no learner code, then the first stub.

Also the house style every notebook shares: handbook questions quoted in Chinese,
a glossary, no emoji, one definition per helper per notebook, code lines of at most
120 characters, test cells of at most 60 lines, no facts of the build machine.
"""
import ast
import collections
import os
import re
import warnings

import pytest

from course.notebooks import (assignments, is_solution_cell, is_test_cell, read_notebook, release_notebook,
                              source_notebook)

os.environ.setdefault("MPLBACKEND", "Agg")
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
CJK = re.compile(r"[\u4e00-\u9fff]{4,}")
MAX_LINE = 120
MAX_TEST_CELL_LINES = 60
# a core count of the machine the notebook was written on ("2 cores", "4-core CPU") says nothing about a learner's
BUILD_MACHINE = re.compile(r"\b\d+[- ](?:cpu[- ])?cores?\b", re.IGNORECASE)


@pytest.mark.parametrize("assignment", assignments())
def test_release_opens_with_a_figure_then_stops_at_the_first_stub(assignment):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    shown = []
    original_show = plt.show
    plt.show = lambda *a, **k: shown.append(len(plt.get_fignums()))
    namespace = {"__name__": "__main__"}
    first_error = None
    try:
        for cell in read_notebook(release_notebook(assignment)).cells:
            if cell.cell_type != "code":
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exec(compile(cell.source, "<cell>", "exec"), namespace)
            except Exception as err:  # the first stub a learner meets
                first_error = err
                break
            shown.append(len(plt.get_fignums()))
    finally:
        plt.show = original_show
        plt.close("all")
    assert isinstance(first_error, NotImplementedError), \
        f"{assignment}: the first error of a learner's Run All should be a stub's NotImplementedError, got {first_error!r}"
    assert any(shown), f"{assignment}: no figure is drawn before the first stub; open with one that needs no learner code"


@pytest.mark.parametrize("assignment", assignments())
def test_house_style(assignment):
    nb = read_notebook(source_notebook(assignment))
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert CJK.search(markdown), f"{assignment}: quote the handbook's questions in Chinese"
    assert re.search(r"00[0-4]_[0-9a-f]{16}\.txt", markdown), f"{assignment}: cite the seed file of each question"
    for cell in nb.cells:
        assert not EMOJI.search(cell.source), f"{assignment}: no emoji ({cell.source[:40]!r})"
    assert sum(1 for c in nb.cells if is_solution_cell(c)) >= 3, f"{assignment}: too few exercises"


def _code_cells(assignment):
    nb = read_notebook(source_notebook(assignment))
    return [c for c in nb.cells if c.cell_type == "code"]


def _where(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {cell.get('id')}"


@pytest.mark.parametrize("assignment", assignments())
def test_each_helper_is_defined_once(assignment):
    homes = collections.defaultdict(list)
    for cell in _code_cells(assignment):
        try:
            body = ast.parse(cell.source).body
        except SyntaxError:  # an IPython magic in a free cell
            continue
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                homes[node.name].append(_where(cell))
    twice = {name: where for name, where in homes.items() if len(where) > 1}
    assert not twice, (f"{assignment}: helpers defined in several cells {twice}; define each once where every "
                       "test that uses it runs after it (a distinct helper gets a distinct name)")


@pytest.mark.parametrize("assignment", assignments())
def test_code_lines_are_at_most_120_characters(assignment):
    long = [(_where(c), line) for c in _code_cells(assignment) for line in c.source.splitlines()
            if len(line) > MAX_LINE]
    assert not long, f"{assignment}: {len(long)} code lines over {MAX_LINE} characters, first {long[:3]}"


@pytest.mark.parametrize("assignment", assignments())
def test_test_cells_are_at_most_60_lines(assignment):
    long = {_where(c): len(c.source.splitlines()) for c in _code_cells(assignment) if is_test_cell(c)
            and len(c.source.splitlines()) > MAX_TEST_CELL_LINES}
    assert not long, (f"{assignment}: test cells over {MAX_TEST_CELL_LINES} lines {long}; split each into several "
                      "named test cells, test_<name>_<behaviour>, one behaviour each (points shared among them), "
                      "each self-contained: a test cell defines nothing a later cell uses")


@pytest.mark.parametrize("assignment", assignments())
def test_no_facts_of_the_build_machine(assignment):
    nb = read_notebook(source_notebook(assignment))
    found = [(c.cell_type, m.group(0)) for c in nb.cells for m in BUILD_MACHINE.finditer(c.source)]
    assert not found, (f"{assignment}: learner text names the build machine's hardware {found}; "
                       "say what holds on any machine")
