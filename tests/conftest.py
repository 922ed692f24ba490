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


# Units go out longest first (from the last run's times, kept in pytest's cache, else a rough guess per
# module, on the high side: a unit guessed long but short costs nothing, the reverse leaves a worker idle),
# so a run does not end with one worker on a long unit while the other has nothing left. Only the order
# changes, never what runs or which tests run together.
_SECONDS_KEY = "course/seconds-per-unit"
# seconds per test of a module (a whole run on two busy cores, 2026-12-07, divided by ~2), and whole units
_GUESS = {"test_roundtrip.py": 60.0, "test_references_graded.py": 30.0, "test_runtime.py": 15.0,
          "test_browser.py": 40.0, "test_classroom.py": 35.0, "test_class_report.py": 30.0, "test_postgres.py": 25.0,
          "test_dask.py": 25.0, "test_hostile.py": 30.0, "test_hostile_containment.py": 20.0,
          "test_hostile_isolation.py": 8.0, "test_grading.py": 13.0, "test_progress.py": 6.0, "test_release.py": 3.5,
          "test_distributed.py": 3.0, "test_workspace.py": 5.0, "test_harness.py": 5.0, "test_mutations.py": 1.0}
_UNIT_GUESS = {"tests/test_mutations.py::TestMutations_17_capstone_tiny_llm": 600.0}  # a training run per variant
_seconds: dict = {}


def _guess(scope: str, n_tests: int, known: dict) -> float:
    if scope in known:
        return known[scope]
    if scope in _UNIT_GUESS:
        return _UNIT_GUESS[scope]
    if scope.endswith(_OWN_UNIT):
        return 100.0
    module = scope.split("::", 1)[0].split("[", 1)[0].rsplit("/", 1)[-1]
    return n_tests * _GUESS.get(module, 0.2)


def pytest_runtest_logreport(report):
    _seconds[_scope(report.nodeid)] = _seconds.get(_scope(report.nodeid), 0.0) + report.duration


def pytest_sessionfinish(session):
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not _seconds:
        return
    known = cache.get(_SECONDS_KEY, {})
    known.update({scope: round(seconds, 2) for scope, seconds in _seconds.items()})
    cache.set(_SECONDS_KEY, known)


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    cache = getattr(config, "cache", None)
    known = cache.get(_SECONDS_KEY, {}) if cache is not None else {}

    class AssignmentScopeScheduling(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the queue is complete before the first unit goes out
                units = sorted(self.workqueue.items(), key=lambda kv: -_guess(kv[0], len(kv[1]), known))
                self.workqueue.clear()
                self.workqueue.update(units)
                self.ordered = True
            super()._assign_work_unit(node)

    return AssignmentScopeScheduling(config, log)
