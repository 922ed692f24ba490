"""One Run All of each reference notebook in a real kernel, as in JupyterLab, and three things it must show.

- Every cell runs without an error (the reference notebooks stay green; `pytest --nbval-lax source/NN_x`
  still runs one notebook cell by cell).
- The Run All stays well under the course's 30-second budget. Wall time swings with whatever else the
  machine runs (CI runs two test workers at once), so the budget is checked on the kernel's CPU time, its
  own and its children's: on an otherwise idle machine a Run All never takes longer than the CPU it uses
  (more threads only make it shorter).
- nbgrader's validator (what a learner's Validate button runs) finds no failing test cell and no changed
  cell type in the reference. It reads the outputs of this same run: its own Execute step would only run
  the notebook once more.

The three tests share one execution per assignment (a module-scoped fixture: pytest runs an assignment's
tests together, and tests/conftest.py keeps them on one xdist worker).
"""
import json
import os
from types import SimpleNamespace

import pytest

from course.notebooks import assignments, grade_id, read_notebook, source_notebook, write_notebook

BUDGET_SECONDS = 30.0

CPU_PROBE = """\
import json as _json, resource as _resource
_usage = [_resource.getrusage(_who) for _who in (_resource.RUSAGE_SELF, _resource.RUSAGE_CHILDREN)]
print(_json.dumps({"cpu": sum(u.ru_utime + u.ru_stime for u in _usage)}))
"""


@pytest.fixture(scope="module", params=assignments())
def reference_run(request):
    """The reference notebook after a Run All (errors recorded, not raised), and the kernel's CPU seconds."""
    import nbformat
    from nbclient import NotebookClient

    assignment = request.param
    path = source_notebook(assignment)
    nb = read_notebook(path)
    nb.cells.append(nbformat.v4.new_code_cell(CPU_PROBE))
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # figures drawn inline, as in JupyterLab
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    probe = nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
    cpu = json.loads(text.strip().splitlines()[-1])["cpu"] if text.strip() else None
    return SimpleNamespace(assignment=assignment, path=path, nb=nb, cpu=cpu)


def _errors(nb) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                found.append(f"{grade_id(cell) or f'cell {index}'}: {out.get('ename')}: {out.get('evalue')}")
    return found


def test_reference_runs_without_errors(reference_run):
    errors = _errors(reference_run.nb)
    assert not errors, f"{reference_run.assignment}: Run All of the reference raised in {len(errors)} cells: {errors}"


def test_run_all_fits_the_time_budget(reference_run):
    cpu, assignment = reference_run.cpu, reference_run.assignment
    assert cpu is not None, f"{assignment}: the CPU probe after the last cell printed nothing"
    assert cpu < BUDGET_SECONDS, (
        f"{assignment}: Run All used {cpu:.1f}s of CPU, over the {BUDGET_SECONDS:.0f}s budget; make the "
        f"slowest demo or test smaller (fewer sizes, smaller tensors, fewer steps)")


def test_nbgrader_validate_passes_reference(reference_run, tmp_path):
    from nbgrader.preprocessors import CheckCellMetadata
    from nbgrader.validator import Validator

    assignment = reference_run.assignment
    target = tmp_path / f"{assignment}.ipynb"
    write_notebook(reference_run.nb, target)
    results = Validator(preprocessors=[CheckCellMetadata]).validate(str(target))  # the run above is its Execute
    assert not results.get("failed"), f"{assignment}: nbgrader validate found failing cells: " \
                                      f"{[r['raw_error'][:200] for r in results['failed']]}"
    assert not results.get("type_changed")
