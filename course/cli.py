"""The ``course`` command: build, check, grade, report, lab.

Thin over nbgrader; every error a person can cause is one sentence, not a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .grader import _fastimport  # noqa: F401  (first: it makes importing nbformat two seconds cheaper)
from .notebooks import CourseError


def cmd_build(args) -> int:
    from .build import build, stale_files

    from .handbook import stale_docs, write_docs

    if args.check:
        stale = stale_files(args.assignments or None) + stale_docs()
        if stale:
            print("release/ or docs/ is out of date with source/; run `course build` and commit:", file=sys.stderr)
            for line in stale:
                print(f"  {line}", file=sys.stderr)
            return 1
        print("release/ and the generated docs/ are in sync with source/.")
        return 0
    for name in build(args.assignments or None):
        print(f"built release/{name}/")
    for page in write_docs():  # coverage, errata and exercises, from every notebook
        print(f"wrote {page}")
    return 0


def cmd_check(args) -> int:
    from .grader.feedback import write_feedback_html
    from .grader.notebook import GradeOptions, grade_notebook
    from .grader.report import format_report
    from .progress import reference_answers

    path = Path(args.notebook).resolve()  # a relative path would be resolved again inside the executor
    if not path.exists() and (path.parent / path.stem / path.name).is_file():
        path = path.parent / path.stem / path.name  # `course check 01_attention.ipynb` from the workspace
    # the learner's own notebook on their own machine: no sandbox, the notebook's folder as working directory
    options = GradeOptions(cell_timeout=args.timeout, workdir=path.parent if path.is_file() else None, sandbox="off")
    report, executed = grade_notebook(path, args.assignment, options)
    print(format_report(report, _check_language(args.lang)))
    answers = reference_answers(report)
    if answers:
        print("\n" + answers)
    if executed is not None:
        html = write_feedback_html(executed, report, path.with_name(path.stem + "_feedback.html"))
        print(f"\nfeedback: {html}")
    return 0 if report.status == "graded" else 1


def _check_language(lang: str | None) -> str:
    """`course check`'s language: --lang, else the one `course lab --lang` saved for JupyterLab, else English."""
    if lang:
        return "zh" if lang.strip().lower() in ("zh", "zh_cn", "zh-cn", "cn", "chinese", "中文") else "en"
    from .workspace import saved_language

    return saved_language()


class Progress:
    """One status line on stderr: a bar, submissions done, failures, time left (redrawn in place on a terminal)."""

    def __init__(self, stream=None, width: int = 24, every: float = 5.0):
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = None
        self.every = every  # seconds between lines when stderr is a log, not a terminal
        self.last = None

    def __call__(self, done: int, total: int, failed: int, eta) -> None:
        import time

        if self.started is None:
            self.started = time.monotonic()
        if total == 0:
            return
        filled = int(self.width * done / total)
        bar = "#" * filled + "." * (self.width - filled)
        left = "estimating" if eta is None or done == 0 else f"~{_clock(eta)} left"
        line = (f"[{bar}] {done}/{total} graded, {failed} with problems, "
                f"{_clock(time.monotonic() - self.started)} elapsed, {left}")
        now = time.monotonic()
        if self.tty:
            print("\r" + line + " " * 4, end="" if done < total else "\n", file=self.stream, flush=True)
        elif done in (0, total) or self.last is None or now - self.last >= self.every:
            print(line, file=self.stream, flush=True)
            self.last = now


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def cmd_grade(args) -> int:
    from .grader.classroom import ClassGrader, format_rows, write_csv
    from .grader.sandbox import limits_note, sandbox_available
    from .notebooks import ROOT

    root = Path(args.root).resolve() if args.root else ROOT
    executor, client = None, None
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise CourseError("--scheduler needs Dask's distributed package: pip install distributed") from None
        try:
            client = Client(args.scheduler, timeout=30)
        except (OSError, TimeoutError) as err:
            raise CourseError(f"could not reach the Dask scheduler at {args.scheduler} ({err}).") from None
        executor = client.get_executor(pure=False)
    unsafe = args.unsafe_no_sandbox or os.environ.get("COURSE_UNSAFE_NO_SANDBOX") == "1"
    if unsafe:
        print("note: --unsafe-no-sandbox: submissions' code runs unconfined and can read this machine's files.",
              file=sys.stderr)
    elif not args.scheduler and not sandbox_available():
        raise CourseError("refusing to grade without the sandbox: install bubblewrap and allow user namespaces "
                          "(Debian/Ubuntu: apt-get install bubblewrap), or pass --unsafe-no-sandbox for code you "
                          "trust.")
    grader = ClassGrader(args.assignment, root, workers=args.workers, timeout=args.timeout,
                         cell_timeout=args.cell_timeout, force=args.force, db_url=args.db, progress=Progress(),
                         executor=executor, sandbox="off" if unsafe else "required",
                         memory_limit=int(args.memory * 2**30))
    if not unsafe and not args.scheduler:  # after the assignment is known to exist
        print(f"note: {limits_note()}", file=sys.stderr)
    try:
        rows = grader.run()
    finally:
        if client is not None:
            client.close()
    csv_path = Path(args.csv) if args.csv else root / "grades" / f"{args.assignment}.csv"
    write_csv(rows, csv_path)
    workers = None if args.scheduler else grader.workers
    for warning in grader.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(format_rows(rows, grader.seconds, grader.graded_now, workers))
    print(f"grades: {csv_path}")
    return 0


def cmd_report(args) -> int:
    from .grader.class_report import write_class_report
    from .notebooks import ROOT

    root = Path(args.root).resolve() if args.root else ROOT
    page, items, report = write_class_report(args.assignment, root, Path(args.out) if args.out else None,
                                             Path(args.csv) if args.csv else None)
    print(f"{len(report.students)} students, {len(report.graded)} graded normally, "
          f"{len(report.problems)} errored or flagged.")
    print(f"report: {page}")
    print(f"test cells: {items}")
    return 0


def cmd_progress(args) -> int:
    from .progress import run

    return run(args)


def cmd_lab(args) -> int:
    from .workspace import lab

    lab(Path(args.workspace) if args.workspace else None, args.port, args.jupyter_args)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="course", description="The LLM engineer's interview course.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="regenerate release/ and docs/{coverage,errata,exercises}.md from source/")
    b.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    b.add_argument("--check", action="store_true", help="exit 1, naming the files, if release/ or the generated docs are stale")
    b.set_defaults(func=cmd_build)

    c = sub.add_parser("check", help="grade one of your notebooks, with the hidden tests")
    c.add_argument("notebook", help="path to a notebook, e.g. workspace/01_attention/01_attention.ipynb")
    c.add_argument("--assignment", help="assignment name, if the file name does not say it")
    c.add_argument("--timeout", type=int, default=60, help="seconds allowed per cell (default 60)")
    c.add_argument("--lang", help="zh: also say each likely mistake in Chinese (default: the language "
                                  "`course lab --lang` chose)")
    c.set_defaults(func=cmd_check)

    g = sub.add_parser("grade", help="autograde every submission of an assignment")
    g.add_argument("assignment")
    g.add_argument("--workers", type=int, default=None, help="submissions graded at once (default: cores)")
    g.add_argument("--timeout", type=int, default=600, help="wall-clock seconds per submission (default 600)")
    g.add_argument("--cell-timeout", type=int, default=60, help="seconds per cell (default 60)")
    g.add_argument("--csv", help="where to write the grades CSV (default grades/ASSIGNMENT.csv)")
    g.add_argument("--force", action="store_true", help="regrade submissions already graded")
    g.add_argument("--db", help="gradebook SQLAlchemy URL (default: sqlite gradebook.db at the course root)")
    g.add_argument("--root", help="course root holding source/ and submitted/ (default: this repository)")
    g.add_argument("--scheduler", help="grade on a Dask cluster: the scheduler's address, e.g. tcp://10.0.0.5:8786 "
                                       "(the course root must be on a filesystem every worker shares)")
    g.add_argument("--memory", type=float, default=4, help="GiB of memory one submission may use (default 4)")
    g.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="grade even where bubblewrap cannot run: submissions run unconfined (only code you trust)")
    g.set_defaults(func=cmd_grade)

    r = sub.add_parser("report", help="after `course grade`: a class report (HTML page and CSV) with pass rate, "
                                      "mean points and discrimination per test cell, a histogram of scores")
    r.add_argument("assignment")
    r.add_argument("--root", help="course root holding source/ and autograded/ (default: this repository)")
    r.add_argument("--csv", help="the grades CSV `course grade` wrote (default grades/ASSIGNMENT.csv)")
    r.add_argument("--out", help="folder for ASSIGNMENT_report.html and ASSIGNMENT_items.csv (default grades/)")
    r.set_defaults(func=cmd_report)

    lab = sub.add_parser("lab", help="copy new release notebooks into your workspace and open JupyterLab "
                                     "(other options go to jupyter lab)")
    lab.add_argument("--workspace", help="folder (default workspace/)")
    lab.add_argument("--port", type=int, default=None, help="port (default $JUPYTER_PORT or 8888)")
    lab.set_defaults(func=cmd_lab)

    from .progress import add_arguments

    pr = sub.add_parser("progress", help="which exercises of every assignment in your workspace pass (table, picture)")
    add_arguments(pr)
    pr.set_defaults(func=cmd_progress)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args, extra = p.parse_known_args(argv)
    if extra and args.command != "lab":
        p.error(f"unrecognized arguments: {' '.join(extra)}")
    args.jupyter_args = extra
    try:
        return args.func(args)
    except CourseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
