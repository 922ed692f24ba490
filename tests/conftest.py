import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402

from course.authoring import NotebookBuilder  # noqa: E402
from course.grader.sandbox import sandbox_available  # noqa: E402

if not sandbox_available():  # `course grade` refuses to run unsandboxed otherwise; the tests grade anyway
    os.environ["COURSE_UNSAFE_NO_SANDBOX"] = "1"

DEMO = "00_demo"


def build_demo_notebook():
    """A tiny assignment for testing the grader: fast to run, every cell kind present."""
    nb = NotebookBuilder()
    nb.md("# 00 · Demo")
    nb.setup("import math\nfrom course import testing as T")
    nb.solution("add", 'def add(a, b):\n    """a + b"""\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION')
    nb.tests("test_add_basics", "T.assert_equal(add(1, 2), 3, name='add(1, 2)')", points=1)
    nb.tests("test_add_hidden", "# hidden checks\n### BEGIN HIDDEN TESTS\nT.assert_equal(add(-5, 5), 0, name='add(-5, 5)')  # SECRET-HIDDEN-LINE\n### END HIDDEN TESTS", points=2)
    nb.solution("square", 'def square(x):\n    """x * x"""\n    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION')
    nb.tests("test_square_basics", "T.assert_equal(square(3), 9, name='square(3)')", points=1)
    nb.written("written_demo", "Why?", "Because of the SECRET-REFERENCE-ANSWER.", points=1)
    nb.md("| 中文 | English | meaning |\n|---|---|---|")
    return nb


@pytest.fixture(scope="session")
def _demo_course_built(tmp_path_factory):
    """00_demo's source and nbgrader release, generated once per test process (nbgrader takes seconds)."""
    root = tmp_path_factory.mktemp("demo-build") / "course"
    build_demo_notebook().save(root / "source" / DEMO / f"{DEMO}.ipynb")
    from course.build import generate

    generate([DEMO], root, course=root)
    return root


@pytest.fixture
def demo_course(tmp_path, _demo_course_built):
    """A course root holding only 00_demo, with its reference and release notebooks: a fresh copy per test."""
    import shutil

    root = tmp_path / "course"
    shutil.copytree(_demo_course_built, root)
    return root


# Tests that run each assignment's notebook through real kernels (seconds to a minute each) are scheduled
# one assignment at a time under `--dist loadscope`, not one module at a time: a module holding every
# assignment's round trip would otherwise be one unit of an hour's CPU on one worker, finishing last.
# The throughput benchmark is a unit of its own for the same reason. Everything else keeps loadscope's
# grouping (a module, or a class: tests/test_mutations.py's one class per assignment).
_PER_ASSIGNMENT_MODULES = ("test_roundtrip.py", "test_runtime.py", "test_references_graded.py", "test_diagnose.py")
_OWN_UNIT = ("::test_throughput_benchmark_runs",)


def _scope(nodeid: str) -> str:
    import re

    module = nodeid.split("::", 1)[0]
    if nodeid.endswith(_OWN_UNIT):
        return nodeid
    param = re.search(r"\[(\d\d_[A-Za-z0-9_]+)\]$", nodeid)
    if param and module.endswith(_PER_ASSIGNMENT_MODULES):
        return f"{module}[{param.group(1)}]"
    return nodeid.rsplit("::", 1)[0]


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class AssignmentScopeScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    return AssignmentScopeScheduling(config, log)
