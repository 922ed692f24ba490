"""Generate release/ from source/ with nbgrader, and check that release/ is in sync.

Generation runs in a scratch copy of the course so that building never touches
the instructor's gradebook; the result replaces release/<assignment>/.
"""
from __future__ import annotations

import fnmatch
import json
import shutil
import tempfile
from pathlib import Path

from .notebooks import ROOT, CourseError, assignments, release_dir, source_dir


def load_config(root: Path, db_url: str | None = None):
    """nbgrader_config.py of the course, with the course root pointed at ``root``."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    cfg_file = ROOT / "nbgrader_config.py"
    if cfg_file.is_file():
        config.merge(PyFileConfigLoader(cfg_file.name, path=str(cfg_file.parent)).load_config())
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
    return config


def nbgrader_api(root: Path, config=None):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = config or load_config(root)
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def generate(names: list[str], out_root: Path | None, db_url: str | None = None,
             course: Path | None = None) -> Path | None:
    """Generate the release of ``names`` into ``out_root/release``; returns that folder.

    nbgrader also records the assignments' cells in the gradebook at ``db_url``
    (a scratch one by default); ``out_root=None`` does only that.
    """
    scratch = Path(tempfile.mkdtemp(prefix="course-build-"))
    try:
        config = load_config(scratch, db_url)
        copy_releasable(source_dir(course), scratch / "source", names, config)
        api = nbgrader_api(scratch, config)
        for name in names:
            result = api.generate_assignment(name, force=True, create=True)
            if not result.get("success"):
                log = (result.get("error") or result.get("log") or "").strip().splitlines()
                raise CourseError(f"nbgrader could not generate {name}: {log[-1] if log else 'unknown error'}")
        if out_root is None:
            return None
        out = out_root / "release"
        out.mkdir(parents=True, exist_ok=True)
        for name in names:
            target = out / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(scratch / "release" / name, target)
        return out
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def releasable(rel_path: str, config) -> bool:
    """May this file of an assignment folder (path relative to it) ever reach release/?

    nbgrader 0.9 copies every file not matched by CourseDirectory.ignore; it does not
    apply CourseDirectory.include when generating. We apply both, on the relative path.
    """
    parts = rel_path.split("/")
    ignore = list(config.CourseDirectory.get("ignore", []))
    include = list(config.CourseDirectory.get("include", ["*"]))
    if any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in ignore):
        return False
    return any(fnmatch.fnmatch(rel_path, pattern) for pattern in include)


def copy_releasable(src_root: Path, dst_root: Path, names: list[str], config) -> None:
    for name in names:
        for path in sorted((src_root / name).rglob("*")):
            rel = path.relative_to(src_root / name).as_posix()
            if path.is_file() and releasable(rel, config):
                target = dst_root / name / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


def _resolve(names: list[str] | None) -> list[str]:
    known = assignments()
    if not names:
        return known
    unknown = [n for n in names if n not in known]
    if unknown:
        raise CourseError(f"Unknown assignment {unknown[0]!r} (known: {', '.join(known) or 'none'}).")
    return names


def build(names: list[str] | None = None) -> list[str]:
    """Regenerate release/ for these assignments (all by default); returns the names built."""
    names = _resolve(names)
    generate(names, ROOT)
    known = set(assignments())
    for stale in release_dir().iterdir() if release_dir().is_dir() else []:
        if stale.is_dir() and stale.name not in known:  # an assignment removed from source/
            shutil.rmtree(stale)
    from .corpus import write_snapshot

    write_snapshot()  # the capstone's corpus is the released prose: keep its snapshot in step
    return names


def _comparable(path: Path):
    if path.suffix == ".ipynb":
        return json.loads(path.read_text(encoding="utf-8"))
    return path.read_bytes()


def stale_files(names: list[str] | None = None) -> list[str]:
    """Files of release/ that differ from a fresh build (missing, extra or changed), as repo paths."""
    names = _resolve(names)
    with tempfile.TemporaryDirectory(prefix="course-check-") as tmp:
        fresh = generate(names, Path(tmp))
        problems = []
        for name in names:
            want = {p.relative_to(fresh): p for p in (fresh / name).rglob("*") if p.is_file()}
            have_dir = release_dir() / name
            have = {p.relative_to(release_dir()): p for p in have_dir.rglob("*") if p.is_file()} \
                if have_dir.is_dir() else {}
            for rel in sorted(set(want) | set(have)):
                if rel not in have:
                    problems.append(f"release/{rel} (missing)")
                elif rel not in want:
                    problems.append(f"release/{rel} (not in source)")
                elif _comparable(want[rel]) != _comparable(have[rel]):
                    problems.append(f"release/{rel} (out of date)")
        if not (names and len(names) < len(assignments())) and release_dir().is_dir():
            for extra in sorted(p.name for p in release_dir().iterdir() if p.is_dir()):
                if extra not in names:
                    problems.append(f"release/{extra} (no such assignment in source/)")
        from .corpus import SNAPSHOT, snapshot_is_fresh

        if not snapshot_is_fresh():
            problems.append(f"course/{SNAPSHOT.name} (out of date with release/: run course build)")
        return problems
