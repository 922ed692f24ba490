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


@pytest.fixture
def demo_course(tmp_path):
    """A course root holding only 00_demo, with its reference and release notebooks."""
    root = tmp_path / "course"
    build_demo_notebook().save(root / "source" / DEMO / f"{DEMO}.ipynb")
    from course.build import generate

    generate([DEMO], root, course=root)
    return root
