"""The learner's workspace: release notebooks copied once, never overwritten.

``make lab`` (``course lab``) fills ``workspace/`` from ``release/`` and opens
JupyterLab there. A notebook the learner already has is left alone; when its
release changed since it was copied, the learner is told.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from .notebooks import ROOT, release_dir

STATE = ".course-release.json"  # what each workspace notebook was copied from


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sync_workspace(workspace: Path, release: Path | None = None) -> dict[str, list[str]]:
    """Copy new release files into the workspace; returns {"copied": [...], "newer": [...]}."""
    release = release or release_dir()
    workspace.mkdir(parents=True, exist_ok=True)
    state_file = workspace / STATE
    try:
        state = json.loads(state_file.read_text()) if state_file.is_file() else {}
    except json.JSONDecodeError:
        state = {}
    copied, newer = [], []
    for src in sorted(p for p in release.rglob("*") if p.is_file()):
        rel = src.relative_to(release).as_posix()
        dst = workspace / rel
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            state[rel] = _hash(src)
            copied.append(rel)
        elif state.get(rel) not in (None, _hash(src)):
            newer.append(rel)
    state_file.write_text(json.dumps(state, indent=1, sort_keys=True))
    return {"copied": copied, "newer": newer}


def lab_command(workspace: Path, port: int, extra: list[str] | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--ServerApp.root_dir={workspace}", "--ServerApp.ip=127.0.0.1"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # sessions and CI run as root
    return cmd + list(extra or [])


def lab(workspace: Path | None = None, port: int | None = None, extra: list[str] | None = None,
        dry_run: bool = False) -> list[str]:
    workspace = workspace or ROOT / "workspace"
    port = port or int(os.environ.get("JUPYTER_PORT", "8888"))
    result = sync_workspace(workspace)
    for rel in result["copied"]:
        print(f"new in your workspace: {rel}")
    for rel in result["newer"]:
        print(f"a newer release of {rel} exists in release/; your copy was kept "
              f"(rename yours and run `make lab` again to get the new one)")
    print(f"JupyterLab on http://127.0.0.1:{port}/lab (workspace: {workspace})")
    cmd = lab_command(workspace, port, extra)
    if not dry_run:
        sys.stdout.flush()
        os.execv(cmd[0], cmd)
    return cmd
