"""`course grade --db URL` on a real PostgreSQL server, which this test starts itself.

Debian's `postgresql` package provides the server (`.ci/run` installs it); the test runs initdb and
pg_ctl as the `postgres` user on a free port in a temporary folder, and skips only when the binaries
are absent. It checks a grading run end to end, two `course grade` processes sharing one gradebook at
once, and two processes hammering the same students' grades concurrently.
"""
import glob
import multiprocessing
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import DEMO
from course.notebooks import read_notebook, write_notebook

psycopg2 = pytest.importorskip("psycopg2", reason="psycopg2-binary is not installed")


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A throw-away PostgreSQL server; yields a function making a fresh database's SQLAlchemy URL."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries are not installed (Debian: apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="course-pg-"))
    as_root = os.geteuid() == 0
    demote = None
    if as_root:  # initdb refuses to run as root: run the server as the postgres user
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run the server as")
        os.chown(base, user.pw_uid, user.pw_gid)

        def demote():
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)

    def run(*cmd):
        return subprocess.run([str(c) for c in cmd], preexec_fn=demote, capture_output=True, text=True,
                              timeout=180, cwd=base)

    init = run(bindir / "initdb", "-D", base / "data", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
    assert init.returncode == 0, init.stderr
    for _ in range(3):  # the free port may be taken by another process before the server binds it: try another
        port = _free_port()
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        start = run(bindir / "pg_ctl", "-D", base / "data", "-l", base / "server.log", "-w", "-t", "120",
                    "-o", options, "start")
        if start.returncode == 0:
            break
    assert start.returncode == 0, start.stderr + (base / "server.log").read_text(errors="replace")
    made = []

    def database(name: str) -> str:
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        made.append(name)
        return f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{name}"

    try:
        yield database
    finally:
        run(bindir / "pg_ctl", "-D", base / "data", "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


def _class(root: Path, students: dict) -> None:
    for student, kind in students.items():
        nb = read_notebook(root / kind / DEMO / f"{DEMO}.ipynb")
        write_notebook(nb, root / "submitted" / student / DEMO / f"{DEMO}.ipynb")


class _Grader:
    """`course grade --db URL` in the background, its output going to a file.

    A file, not a pipe: when two graders run at once the test waits for one, then the other, and a pipe
    nobody reads yet fills up (64 KiB) and stalls its writer, which may be holding the gradebook's
    set-up lock the first one waits for. Limits generous enough that a loaded machine (the whole suite on
    two cores) slows grading down without failing a reference notebook's cells.
    """

    def __init__(self, root: Path, url: str, *extra):
        self.log = Path(tempfile.mkstemp(prefix="pg-test-grader-", suffix=".log")[1])
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "course", "grade", DEMO, "--root", str(root),
                                          "--db", url, "--workers", "1", "--timeout", "500", "--cell-timeout",
                                          "300", *extra], stdout=out, stderr=subprocess.STDOUT)

    def finish(self, timeout: float) -> str:
        """Wait for the grader; returns its output, asserting that it succeeded."""
        try:
            self.proc.wait(timeout=max(1.0, timeout))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        output = self.log.read_text(errors="replace")
        self.log.unlink()
        assert self.proc.returncode == 0, output
        return output


def _scores(url: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(url) as gb:
        subs = gb.find_assignment(DEMO).submissions
        return {s.student.id: s.code_score for s in subs}


def test_course_grade_writes_a_postgres_gradebook(postgres, demo_course):
    url = postgres("gradebook_one")
    _class(demo_course, {"alice": "source", "bob": "release"})
    # the URL as the docs write it: SQLAlchemy would pick psycopg 3 for it, the course installs psycopg2
    output = _Grader(demo_course, url.replace("postgresql+psycopg2://", "postgresql://")).finish(540)
    assert _scores(url) == {"alice": 4, "bob": 0}, output
    assert not (demo_course / "gradebook.db").exists(), "with --db, nothing is written to the SQLite default"


def test_two_graders_at_once_share_one_gradebook(postgres, demo_course, tmp_path):
    """Two TAs grade their halves of the class at the same moment into a brand-new shared gradebook."""
    url = postgres("gradebook_shared")
    other = tmp_path / "ta2"
    shutil.copytree(demo_course, other)
    _class(demo_course, {"a1": "source", "a2": "release"})
    _class(other, {"b1": "release", "b2": "source"})
    graders = [_Grader(demo_course, url), _Grader(other, url)]
    deadline = time.monotonic() + 540  # one deadline for both, within pytest's 600 s for the test
    try:
        outputs = [g.finish(deadline - time.monotonic()) for g in graders]
    finally:
        for g in graders:
            g.proc.kill()
    assert _scores(url) == {"a1": 4, "a2": 0, "b1": 0, "b2": 4}, "\n".join(outputs)


def _hammer(url: str, root: str, students: list, score: float, barrier) -> None:
    from course.grader.gradebook import Gradebook
    from course.grader.report import CellResult, Report

    barrier.wait(timeout=120)
    book = Gradebook(url, DEMO, Path(root))
    for student in students:
        cells = [CellResult("test_add_basics", "test", score, 1, "passed"),
                 CellResult("test_add_hidden", "test", 2 * score, 2, "passed"),
                 CellResult("test_square_basics", "test", score, 1, "passed")]
        book.record(student, Report(DEMO, f"{DEMO}.ipynb", cells))
    book.close()


def test_concurrent_writers_on_the_same_students(postgres, demo_course):
    """Two processes record grades for the same 20 students at once: no error, no duplicate, nothing lost."""
    url = postgres("gradebook_race")
    students = [f"s{i:02d}" for i in range(20)]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_hammer, args=(url, str(demo_course), students, 1.0, barrier)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
        assert p.exitcode == 0
    from nbgrader.api import Gradebook

    with Gradebook(url) as gb:
        assert sorted(s.id for s in gb.students) == students
        subs = gb.find_assignment(DEMO).submissions
        assert sorted(s.student.id for s in subs) == students
        assert all(s.code_score == 4 for s in subs)
