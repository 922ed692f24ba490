"""A round trip through the real nbgrader: generate, submit, autograde, read the gradebook.

For every assignment: the reference solution submitted as a student's notebook
scores full marks; the untouched release notebook scores 0. For the model notebook
(MUTANT_ROUND_TRIP), a notebook holding one wrong implementation from tests/mutations/
also loses points. That a wrong implementation fails the test cells of every other
assignment is proven by tests/test_mutations.py, on the same cells nbgrader runs here
(hidden tests included); a mutant per assignment would cost one more full Run All of
each notebook. (nbgrader's validator checks the reference in tests/test_runtime.py, on
the Run All made there.)
"""
import importlib
import shutil
from pathlib import Path

import pytest

from course.build import nbgrader_api
from course.notebooks import assignments, grade_id, read_notebook, release_notebook, source_notebook, write_notebook

ROOT = Path(__file__).resolve().parent.parent
MUTANT_ROUND_TRIP = ("01_attention",)


def _first_wrong(assignment):
    try:
        module = importlib.import_module(f"mutations.nb{assignment}")
    except ImportError:
        return None
    return module.WRONG[0] if module.WRONG else None


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("nbgrader-course")


def _autograde_score(course: Path, assignment: str, students: dict) -> dict:
    shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
    api = nbgrader_api(course)
    result = api.generate_assignment(assignment, force=True, create=True)
    assert result["success"], result.get("error")
    for student, nb in students.items():
        write_notebook(nb, course / "submitted" / student / assignment / f"{assignment}.ipynb")
    from nbgrader.api import Gradebook

    scores = {}
    for student in students:
        with Gradebook(api.coursedir.db_url) as gb:
            gb.update_or_create_student(student)
        result = api.autograde(assignment, student, force=True, create=True)
        assert result["success"], result.get("error") or result.get("log")
        with Gradebook(api.coursedir.db_url) as gb:
            sub = gb.find_submission(assignment, student)
            scores[student] = (sub.code_score, sub.max_code_score)
    return scores


@pytest.mark.parametrize("assignment", assignments())
def test_nbgrader_round_trip(assignment, tmp_path):
    source = read_notebook(source_notebook(assignment))
    students = {"reference": source, "untouched": read_notebook(release_notebook(assignment))}
    wrong = _first_wrong(assignment) if assignment in MUTANT_ROUND_TRIP else None
    if wrong:
        cell_id, name, code = wrong
        mutant = read_notebook(source_notebook(assignment))
        for cell in mutant.cells:
            if grade_id(cell) == cell_id:
                cell.source = code
        students["mutant"] = mutant
    scores = _autograde_score(tmp_path, assignment, students)
    got, full = scores["reference"]
    assert got == full > 0, f"{assignment}: the reference scored {got}/{full} through nbgrader autograde"
    assert scores["untouched"][0] == 0, f"{assignment}: the untouched release scored {scores['untouched'][0]}"
    if wrong:
        assert scores["mutant"][0] < full, f"{assignment}: the wrong {wrong[0]} ({wrong[1]}) kept full marks"
