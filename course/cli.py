"""The ``course`` command: build, check, grade, lab.

Thin over nbgrader; every error a person can cause is one sentence, not a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .notebooks import CourseError


def cmd_build(args) -> int:
    from .build import build, stale_files

    if args.check:
        stale = stale_files(args.assignments or None)
        if stale:
            print("release/ is out of date with source/; run `course build` and commit:", file=sys.stderr)
            for line in stale:
                print(f"  {line}", file=sys.stderr)
            return 1
        print("release/ is in sync with source/.")
        return 0
    for name in build(args.assignments or None):
        print(f"built release/{name}/")
    return 0


def cmd_check(args) -> int:
    from .grading import format_report, grade_notebook, write_feedback_html

    path = Path(args.notebook)
    report, executed = grade_notebook(path, args.assignment, cell_timeout=args.timeout)
    print(format_report(report))
    if executed is not None:
        html = write_feedback_html(executed, report, path.with_name(path.stem + "_feedback.html"))
        print(f"\nfeedback: {html}")
    return 0 if report.status == "graded" else 1


def cmd_grade(args) -> int:
    from .classroom import ClassGrader, format_rows, write_csv
    from .notebooks import ROOT

    def progress(done, total, failed, eta):
        print(f"\r[{done}/{total}] graded, {failed} with problems, ~{eta:.0f}s left ", end="", file=sys.stderr,
              flush=True)

    root = Path(args.root).resolve() if args.root else ROOT
    grader = ClassGrader(args.assignment, root, workers=args.workers, timeout=args.timeout,
                         cell_timeout=args.cell_timeout, force=args.force, db_url=args.db, progress=progress)
    rows = grader.run()
    print("", file=sys.stderr)
    csv_path = Path(args.csv) if args.csv else root / "grades" / f"{args.assignment}.csv"
    write_csv(rows, csv_path)
    print(format_rows(rows))
    print(f"grades: {csv_path}")
    return 0


def cmd_lab(args) -> int:
    from .workspace import lab

    lab(Path(args.workspace) if args.workspace else None, args.port, args.jupyter_args)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="course", description="The LLM engineer's interview course.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="regenerate release/ from source/")
    b.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    b.add_argument("--check", action="store_true", help="exit 1, naming the files, if release/ is stale")
    b.set_defaults(func=cmd_build)

    c = sub.add_parser("check", help="grade one of your notebooks, with the hidden tests")
    c.add_argument("notebook", help="path to a notebook, e.g. workspace/01_attention/01_attention.ipynb")
    c.add_argument("--assignment", help="assignment name, if the file name does not say it")
    c.add_argument("--timeout", type=int, default=60, help="seconds allowed per cell (default 60)")
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
    g.set_defaults(func=cmd_grade)

    lab = sub.add_parser("lab", help="copy new release notebooks into your workspace and open JupyterLab "
                                     "(other options go to jupyter lab)")
    lab.add_argument("--workspace", help="folder (default workspace/)")
    lab.add_argument("--port", type=int, default=None, help="port (default $JUPYTER_PORT or 8888)")
    lab.set_defaults(func=cmd_lab)
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
