"""release/ is generated from source/, in sync, and leaks nothing."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course import build
from course.notebooks import (assignments, grade_id, is_solution_cell, is_test_cell, is_written_cell, read_notebook,
                              release_notebook, source_notebook)

ROOT = Path(__file__).resolve().parent.parent
ALL = assignments()


def test_there_are_assignments():
    assert "01_attention" in ALL


def test_release_in_sync_with_source():
    stale = build.stale_files()
    assert not stale, "release/ is stale; run `course build` and commit: " + ", ".join(stale)


def test_build_check_cli_reports_stale_files(tmp_path, monkeypatch):
    """`course build --check` exits non-zero and names the file when release/ is stale."""
    fake = tmp_path / "course"
    shutil.copytree(ROOT / "source" / "01_attention", fake / "source" / "01_attention")
    shutil.copytree(ROOT / "release" / "01_attention", fake / "release" / "01_attention")
    nb_path = fake / "release" / "01_attention" / "01_attention.ipynb"
    nb = json.loads(nb_path.read_text())
    nb["cells"][0]["source"] = "edited by hand"
    nb_path.write_text(json.dumps(nb))
    monkeypatch.setattr(build, "ROOT", fake)
    monkeypatch.setattr("course.notebooks.ROOT", fake)
    stale = build.stale_files(["01_attention"])
    assert stale == ["release/01_attention/01_attention.ipynb (out of date)"]


def _marker_lines(nb) -> set[str]:
    """Every non-trivial line inside a solution or hidden-test block, and every written reference answer."""
    lines = set()
    for cell in nb.cells:
        if is_written_cell(cell):
            lines |= {l.strip() for l in cell.source.splitlines() if len(l.strip()) > 25}
            continue
        inside = False
        for line in cell.source.splitlines():
            s = line.strip()
            if s.startswith("### BEGIN SOLUTION") or s.startswith("### BEGIN HIDDEN TESTS"):
                inside = True
            elif s.startswith("### END SOLUTION") or s.startswith("### END HIDDEN TESTS"):
                inside = False
            elif inside and len(s) > 25 and not s.startswith("#"):
                lines.add(s)
    return lines


@pytest.mark.parametrize("assignment", ALL)
def test_no_solution_or_hidden_test_leaks_into_release(assignment):
    secret = _marker_lines(read_notebook(source_notebook(assignment)))
    # a secret line may legitimately also appear in a visible place of any notebook (a visible test,
    # a common `with torch.no_grad():`): only lines that are secret everywhere can leak
    public = set()
    for name in ALL:
        for cell in read_notebook(source_notebook(name)).cells:
            text = re.sub(r"### BEGIN (SOLUTION|HIDDEN TESTS).*?### END (SOLUTION|HIDDEN TESTS)", "", cell.source,
                          flags=re.S)
            if not is_written_cell(cell):
                public |= {l.strip() for l in text.splitlines()}
    secret -= public
    # a secret line that is part of a public line (one piece of a wrapped call) reveals nothing either
    public_text = "\n".join(public)
    secret = {line for line in secret if line not in public_text}
    released = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                         for p in (ROOT / "release").rglob("*") if p.is_file())
    leaked = sorted(line for line in secret if json.dumps(line)[1:-1] in released or line in released)
    assert not leaked, f"{assignment}: lines from solutions/hidden tests found under release/: {leaked[:3]}"
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in released


@pytest.mark.parametrize("assignment", ALL)
def test_source_notebook_is_clean_and_well_named(assignment):
    nb = read_notebook(source_notebook(assignment))
    ids = [grade_id(c) for c in nb.cells if grade_id(c)]
    assert len(ids) == len(set(ids)), f"duplicate grade_ids in {assignment}"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, \
                f"{assignment}: commit source/ without outputs ({grade_id(cell) or cell.source[:40]!r})"
        gid = grade_id(cell)
        if gid:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", gid), f"grade_id {gid!r} is not snake_case"
        if is_test_cell(cell):
            assert gid.startswith("test_"), f"test cell {gid!r} must be named test_<name>_<behaviour>"
        if is_solution_cell(cell) and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source, f"solution cell {gid} has no solution block"
    tests = [c for c in nb.cells if is_test_cell(c)]
    assert any("### BEGIN HIDDEN TESTS" in c.source for c in tests), f"{assignment} has no hidden tests"
    written = [c for c in nb.cells if is_written_cell(c)]
    assert 2 <= len(written) <= 4, f"{assignment} should have 2-4 written answers, has {len(written)}"
    assert "| 中文 | English |" in nb.cells[-1].source.replace("  ", " "), f"{assignment} must end with a glossary"


@pytest.mark.parametrize("assignment", ALL)
def test_release_has_stubs_and_no_reference_answers(assignment):
    nb = read_notebook(release_notebook(assignment))
    for cell in nb.cells:
        if is_solution_cell(cell) and cell.cell_type == "code":
            assert "raise NotImplementedError" in cell.source
        if is_written_cell(cell):
            assert cell.source.strip() == "YOUR ANSWER HERE"


def test_stray_files_in_source_are_never_released(tmp_path, monkeypatch):
    """nbgrader_config's include/ignore: a .py copy of a solution in source/ does not reach release/."""
    fake = tmp_path / "course"
    shutil.copytree(ROOT / "source" / "01_attention", fake / "source" / "01_attention")
    (fake / "source" / "01_attention" / "solution_copy.py").write_text("def softmax(x): ...\n")
    (fake / "source" / "01_attention" / "notes.txt").write_text("secret\n")
    ckpt = fake / "source" / "01_attention" / ".ipynb_checkpoints"
    ckpt.mkdir()
    (ckpt / "01_attention-checkpoint.ipynb").write_text("{}")
    monkeypatch.setattr("course.build.source_dir", lambda root=None: fake / "source")
    out = build.generate(["01_attention"], tmp_path / "out")
    released = sorted(p.name for p in (out / "01_attention").rglob("*") if p.is_file())
    assert released == ["01_attention.ipynb"]
