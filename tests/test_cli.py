"""The `course` command: both entry points work, and a person's mistake is one sentence."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args):
    return subprocess.run([sys.executable, "-m", "course", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_help_lists_commands():
    proc = run("--help")
    assert proc.returncode == 0
    for cmd in ("build", "check", "grade", "lab"):
        assert cmd in proc.stdout


def test_console_script_installed():
    exe = Path(sys.executable).parent / "course"
    assert exe.exists(), "pip install -e . should install the `course` console script"


def test_unknown_assignment_is_one_sentence():
    for args in (("grade", "99_nope"), ("build", "99_nope")):
        proc = run(*args)
        assert proc.returncode == 2
        assert proc.stderr.startswith("error: ") and "99_nope" in proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_check_of_an_unrecognisable_notebook(tmp_path):
    path = tmp_path / "homework.ipynb"
    path.write_text("{}")
    proc = run("check", str(path))
    assert proc.returncode == 2 and "does not look like a course notebook" in proc.stderr


def test_grade_refuses_to_run_without_the_sandbox(demo_course):
    env = dict(os.environ, COURSE_NO_SANDBOX="1")  # as on a machine without bubblewrap
    env.pop("COURSE_UNSAFE_NO_SANDBOX", None)
    proc = subprocess.run([sys.executable, "-m", "course", "grade", "00_demo", "--root", str(demo_course)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "refusing to grade without the sandbox: install bubblewrap" in proc.stderr
    assert "--unsafe-no-sandbox" in proc.stderr and not (demo_course / "grades").exists()
