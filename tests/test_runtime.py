"""Every reference notebook's Run All stays well under the course's 30-second budget.

Wall time swings with whatever else the machine runs (CI runs two test workers at once), so the
budget is checked on the kernel's CPU time, its own and its children's: on an otherwise idle
machine a Run All never takes longer than the CPU it uses (more threads only make it shorter).
"""
import json
import os

import pytest

from course.notebooks import assignments, read_notebook, source_notebook

BUDGET_SECONDS = 30.0

CPU_PROBE = """\
import json as _json, resource as _resource
_usage = [_resource.getrusage(_who) for _who in (_resource.RUSAGE_SELF, _resource.RUSAGE_CHILDREN)]
print(_json.dumps({"cpu": sum(u.ru_utime + u.ru_stime for u in _usage)}))
"""


@pytest.mark.parametrize("assignment", assignments())
def test_run_all_fits_the_time_budget(assignment):
    import nbformat
    from nbclient import NotebookClient

    path = source_notebook(assignment)
    nb = read_notebook(path)
    nb.cells.append(nbformat.v4.new_code_cell(CPU_PROBE))
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # figures drawn inline, as in JupyterLab
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    cpu = json.loads(text.strip().splitlines()[-1])["cpu"]
    assert cpu < BUDGET_SECONDS, (
        f"{assignment}: Run All used {cpu:.1f}s of CPU, over the {BUDGET_SECONDS:.0f}s budget; make the "
        f"slowest demo or test smaller (fewer sizes, smaller tensors, fewer steps)")
