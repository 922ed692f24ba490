"""`make lab`: the workspace is filled once, never overwritten, and JupyterLab really serves it."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from course.workspace import lab_command, sync_workspace

ROOT = Path(__file__).resolve().parent.parent


def _release(tmp_path):
    rel = tmp_path / "release"
    (rel / "01_x").mkdir(parents=True)
    (rel / "01_x" / "01_x.ipynb").write_text('{"v": 1}')
    return rel


def test_sync_copies_once_and_never_overwrites(tmp_path):
    rel, ws = _release(tmp_path), tmp_path / "ws"
    assert sync_workspace(ws, rel) == {"copied": ["01_x/01_x.ipynb"], "newer": []}
    (ws / "01_x" / "01_x.ipynb").write_text("my work")
    assert sync_workspace(ws, rel) == {"copied": [], "newer": []}
    (rel / "01_x" / "01_x.ipynb").write_text('{"v": 2}')          # a newer release
    assert sync_workspace(ws, rel) == {"copied": [], "newer": ["01_x/01_x.ipynb"]}
    assert (ws / "01_x" / "01_x.ipynb").read_text() == "my work"
    (rel / "02_y").mkdir()
    (rel / "02_y" / "02_y.ipynb").write_text("{}")
    assert sync_workspace(ws, rel)["copied"] == ["02_y/02_y.ipynb"]


def test_lab_command_allows_root_and_uses_port(tmp_path):
    cmd = lab_command(tmp_path, 9123)
    assert "--ServerApp.port=9123" in cmd and f"--ServerApp.root_dir={tmp_path}" in cmd
    assert ("--allow-root" in cmd) == (os.geteuid() == 0)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_course_lab_serves_jupyterlab(tmp_path):
    port = _free_port()
    env = dict(os.environ, JUPYTER_PORT=str(port), JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    ws = tmp_path / "ws"
    proc = subprocess.Popen([sys.executable, "-m", "course", "lab", "--workspace", str(ws),
                             "--IdentityProvider.token="],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=5) as resp:
                    body = resp.read().decode()
                break
            except OSError:
                time.sleep(1)
        else:
            raise AssertionError("JupyterLab did not answer within 120 s")
        assert "JupyterLab" in body or "jupyter" in body.lower()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/01_attention", timeout=10) as resp:
            assert b"01_attention.ipynb" in resp.read()
        assert (ws / "01_attention" / "01_attention.ipynb").is_file()
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    assert f"http://127.0.0.1:{port}/lab" in out
