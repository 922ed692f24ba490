"""Grading throughput: serial `nbgrader autograde` against `course grade --workers 2`, in one run.

    .venv/bin/python benchmarks/grade_throughput.py [--copies 8] [--assignment 01_attention]
                                                    [--workers 2] [--repeat 1] [--cpus 0,1] [--no-overhead]

Both grade the same N copies of the assignment's reference notebook in fresh course roots (temporary
folders), each the way an instructor runs it: one `nbgrader autograde ASSIGNMENT` command (serial, one
submission after the other) and one `course grade ASSIGNMENT --workers 2` command, each timed from
start to exit. Every copy must be graded full by both, or the script fails. For reference it also
times nbgrader's Python API (``NbGraderAPI.autograde`` per student in this process, imports already
done: serial nbgrader's best case). It prints the times, the ratios and, unless ``--no-overhead``, the
per-submission overhead of `course grade`: its time per submission with one worker minus the
notebook's own run time (a kernel started and the notebook run by nbclient, in process). Every kernel
draws its figures as in a real run (matplotlib's inline backend). ``--repeat R`` runs it all R times,
interleaved, and keeps the best time of each (a machine busy with other work slows all of them).
``--cpus`` pins everything to those CPUs (to measure "2 cores" on a bigger machine).
"""
from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course.build import generate, nbgrader_api  # noqa: E402
from course.notebooks import grade_cells, read_notebook, source_notebook, write_notebook  # noqa: E402


class CpuMeter:
    """CPU seconds used by this process and everything it starts meanwhile (kernels in sandboxes included),
    from a cgroup of its own (cgroup v1 cpuacct, or v2); ``seconds`` is None where cgroups are not writable."""

    def __init__(self):
        self.seconds = None
        self.group = None

    def __enter__(self):
        for base, usage in (("/sys/fs/cgroup/cpuacct", "cpuacct.usage"), ("/sys/fs/cgroup", "cpu.stat"),
                            ("/sys/fs/cgroup/unified", "cpu.stat")):
            group = Path(base) / f"grade-bench-{os.getpid()}-{time.monotonic_ns()}"
            try:
                group.mkdir()
                (group / "cgroup.procs").write_text(str(os.getpid()))
            except OSError:
                try:
                    group.rmdir()
                except OSError:
                    pass
                continue
            self.group, self.base, self.usage = group, Path(base), usage
            break
        return self

    def _read(self) -> float:
        text = (self.group / self.usage).read_text()
        if self.usage == "cpuacct.usage":
            return int(text) / 1e9
        return int(dict(line.split() for line in text.splitlines())["usage_usec"]) / 1e6

    def __exit__(self, *exc):
        if self.group is None:
            return
        try:
            self.seconds = self._read()
        finally:
            (self.base / "cgroup.procs").write_text(str(os.getpid()))
            for _ in range(50):  # the group's last processes may take a moment to go
                try:
                    self.group.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)


def students(copies: int) -> list[str]:
    return [f"student{i:03d}" for i in range(copies)]


def make_course(base: Path, assignment: str, copies: int) -> tuple[Path, float]:
    root = base / "course"
    shutil.copytree(ROOT / "source" / assignment, root / "source" / assignment)
    generate([assignment], root, course=root)
    reference = read_notebook(source_notebook(assignment))
    for s in students(copies):
        write_notebook(reference, root / "submitted" / s / assignment / f"{assignment}.ipynb")
    auto_max = sum(g.points for g in grade_cells(reference) if g.kind == "test")
    return root, auto_max


def prepare_nbgrader(root: Path, assignment: str, copies: int) -> None:
    """Untimed set-up, as an instructor's course has it: the assignment generated, the students known."""
    from nbgrader.api import Gradebook

    api = nbgrader_api(root)
    result = api.generate_assignment(assignment, force=True, create=True)
    assert result["success"], result.get("error")
    with Gradebook(api.coursedir.db_url) as gb:
        for s in students(copies):
            gb.update_or_create_student(s)


def check_nbgrader_scores(db_url: str, assignment: str, copies: int, auto_max: float) -> None:
    """Every copy graded full in nbgrader's gradebook, or the benchmark fails."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        for s in students(copies):
            score = gb.find_submission(assignment, s).code_score
            assert score == auto_max, f"nbgrader graded {s} {score}/{auto_max}"


def nbgrader_serial(root: Path, assignment: str, copies: int, auto_max: float) -> float:
    """nbgrader's Python API in this process, one student after the other (its imports not timed)."""
    api = nbgrader_api(root)
    start = time.perf_counter()
    for s in students(copies):
        result = api.autograde(assignment, s, force=True, create=True)
        assert result["success"], result.get("error") or result.get("log")
    seconds = time.perf_counter() - start
    check_nbgrader_scores(api.coursedir.db_url, assignment, copies, auto_max)
    return seconds


def nbgrader_command(root: Path, assignment: str, copies: int, auto_max: float) -> float:
    """`nbgrader autograde ASSIGNMENT` for every submitted student, one command, timed start to exit."""
    db_url = f"sqlite:///{root / 'gradebook.db'}"
    nbgrader = Path(sys.executable).with_name("nbgrader")
    cmd = [str(nbgrader) if nbgrader.exists() else "nbgrader", "autograde", assignment, "--force", "--create",
           f"--CourseDirectory.root={root}", f"--CourseDirectory.db_url={db_url}"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-2000:]
    check_nbgrader_scores(db_url, assignment, copies, auto_max)
    return seconds


def course_grade(root: Path, assignment: str, workers: int, copies: int, auto_max: float) -> float:
    from course.grader.gradebook import Gradebook

    Gradebook(f"sqlite:///{root / 'gradebook.db'}", assignment, root).close()  # as nbgrader's: set up untimed
    out = root / "grades.csv"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "course", "grade", assignment, "--root", str(root),
                           "--workers", str(workers), "--force", "--csv", str(out)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == copies, rows
    for row in rows:
        assert row["status"] == "graded" and float(row["score"]) == auto_max, row
    return seconds


def notebook_own_time(assignment: str, runs: int = 2) -> float:
    """The notebook alone: a kernel started and every cell run by nbclient, in this process (best of runs)."""
    from nbclient import NotebookClient

    best = float("inf")
    for _ in range(runs):
        nb = read_notebook(source_notebook(assignment))
        with tempfile.TemporaryDirectory() as work:
            start = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": work}}).execute()
            best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--copies", type=int, default=8)
    p.add_argument("--assignment", default="01_attention")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--cpus", help="pin this run to these CPUs, e.g. 0,1")
    p.add_argument("--no-overhead", action="store_true", help="skip the one-worker run and the overhead figure")
    p.add_argument("--repeat", type=int, default=1, help="run everything this many times, keep the best times")
    args = p.parse_args(argv)
    # every kernel, in this process and in the commands it runs, draws figures inline, as in a real run
    os.environ.pop("MPLBACKEND", None)
    if args.cpus:
        os.sched_setaffinity(0, {int(c) for c in args.cpus.split(",")})
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="grade-bench-") as tmp:
        tmp = Path(tmp)
        nb_root, auto_max = make_course(tmp / "nbgrader", args.assignment, args.copies)
        ours_root, _ = make_course(tmp / "course", args.assignment, args.copies)
        prepare_nbgrader(nb_root, args.assignment, args.copies)
        best = {}
        cpu = {}

        def timed(key, fn, *a):
            with CpuMeter() as m:
                best[key] = min(best.get(key, float("inf")), fn(*a))
            if m.seconds is not None:
                cpu[key] = min(cpu.get(key, float("inf")), m.seconds)

        for _ in range(args.repeat):  # interleaved, best of each: a busy machine slows all alike
            timed("nbgrader", nbgrader_command, nb_root, args.assignment, args.copies, auto_max)
            timed("ours", course_grade, ours_root, args.assignment, args.workers, args.copies, auto_max)
            timed("api", nbgrader_serial, nb_root, args.assignment, args.copies, auto_max)
            if not args.no_overhead:
                timed("one", course_grade, ours_root, args.assignment, 1, args.copies, auto_max)
                best["own"] = min(best.get("own", float("inf")), notebook_own_time(args.assignment))
    n = args.copies
    print(f"grade_throughput: {args.assignment} reference x {n} copies, every copy graded full "
          f"({auto_max:g}/{auto_max:g}) by both")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"date {datetime.date.today()}, {platform.node()}, {cores} cores used, Python {platform.python_version()}, "
          f"best of {args.repeat}, load average at the end {load:.1f}")
    print()
    rows = [("nbgrader", "`nbgrader autograde`, serial (one command)"),
            ("ours", f"`course grade --workers {args.workers}` (one command)"),
            ("api", "nbgrader's Python API, serial, in one warm process"),
            ("one", "`course grade --workers 1` (one command)")]
    print("| grader | total (s) | per submission (s) | CPU per submission (s) |")
    print("|---|---|---|---|")
    for key, label in rows:
        if key in best:
            used = f"{cpu[key] / n:.2f}" if key in cpu else "n/a"
            print(f"| {label} | {best[key]:.1f} | {best[key] / n:.2f} | {used} |")
    if "own" in best:
        print(f"| the notebook alone (nbclient, in process) | {best['own']:.1f} | {best['own']:.2f} | |")
    print()
    print(f"speed-up of course grade --workers {args.workers} over serial nbgrader autograde: "
          f"{best['nbgrader'] / best['ours']:.2f}x")
    print(f"speed-up over nbgrader's Python API in one warm process: {best['api'] / best['ours']:.2f}x")
    if "one" in best:
        print(f"per-submission overhead of course grade (one worker) over the notebook's own run time: "
              f"{best['one'] / n - best['own']:+.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
