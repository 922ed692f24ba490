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


# ---------------------------------------------------------------- terminals, languages, the instructor's lab
import json  # noqa: E402

import pytest  # noqa: E402

from course import workspace as W  # noqa: E402
from course.notebooks import CourseError  # noqa: E402


def test_terminals_are_not_login_shells(tmp_path, monkeypatch):
    """A login shell re-reads /etc/profile, which resets PATH on Debian: `course` would vanish."""
    monkeypatch.setenv("SHELL", "/bin/bash")
    cmd = lab_command(tmp_path, 9123)
    assert "--ServerApp.terminado_settings=shell_command=/bin/bash" in cmd
    mine = "--ServerApp.terminado_settings=shell_command=/bin/zsh"
    assert [a for a in lab_command(tmp_path, 9123, [mine]) if "terminado" in a] == [mine]


def test_lab_env_puts_this_python_first_and_names_the_workspace(tmp_path):
    env = W.lab_env({"PATH": "/usr/bin:/bin"}, workspace=tmp_path)
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    assert env["PATH"].endswith("/usr/bin:/bin") and env["COURSE_WORKSPACE"] == str(tmp_path)


def test_course_lab_options_are_taken_out_of_jupyters(tmp_path):
    opts, rest = W.pop_options(["--lang", "zh", "--IdentityProvider.token=", "--instructor"])
    assert opts == {"lang": "zh", "instructor": True} and rest == ["--IdentityProvider.token="]
    assert W.pop_options(["--lang=en"])[0]["lang"] == "en"
    with pytest.raises(CourseError):
        W.pop_options(["--lang"])


def test_set_language_writes_the_translation_setting(tmp_path):
    path = tmp_path / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"
    assert W.set_language("zh", tmp_path) == "zh_CN"
    assert json.loads(path.read_text()) == {"locale": "zh_CN"}
    # a file JupyterLab's settings editor wrote: comments and a trailing comma; other keys are kept
    path.write_text('{\n  // my settings\n  "locale": "zh_CN",\n  "stringsPrefix": "!",\n}\n')
    assert W.set_language("English", tmp_path) == "en"
    assert json.loads(path.read_text()) == {"locale": "en", "stringsPrefix": "!"}
    with pytest.raises(CourseError, match="unknown language"):
        W.set_language("klingon", tmp_path)


def test_lab_lang_zh_sets_chinese_and_is_not_passed_to_jupyter(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JUPYTERLAB_SETTINGS_DIR", str(tmp_path / "settings"))
    cmd = W.lab(tmp_path / "ws", 9123, ["--lang", "zh", "--IdentityProvider.token="], dry_run=True)
    assert "--lang" not in cmd and "zh" not in cmd and "--IdentityProvider.token=" in cmd
    settings = tmp_path / "settings" / W.TRANSLATION_PLUGIN
    assert json.loads(settings.read_text())["locale"] == "zh_CN"
    assert "简体中文" in capsys.readouterr().out


def test_lab_tells_which_notebooks_have_a_newer_release(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(W, "sync_workspace", lambda ws: {"copied": [], "newer": ["01_x/01_x.ipynb"]})
    W.lab(tmp_path / "ws", 9123, dry_run=True)
    out = capsys.readouterr().out
    assert "a newer release of 01_x/01_x.ipynb" in out and "your copy was kept" in out


def test_instructor_lab_serves_the_course_root(tmp_path, capsys):
    cmd = W.lab(None, 9123, ["--instructor"], dry_run=True)
    assert f"--ServerApp.root_dir={ROOT}" in cmd
    assert "Formgrader" in capsys.readouterr().out
    assert not (tmp_path / "workspace").exists()
    with pytest.raises(CourseError, match="not a course root"):
        W.lab(tmp_path, 9123, ["--instructor"], dry_run=True)


def test_binder_builds_the_learner_workspace(tmp_path):
    """repo2docker reads environment.yml and postBuild at the root (a binder/ folder would hide them)."""
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists()
    env = (ROOT / "environment.yml").read_text()
    assert "- -e ." in env, "Binder installs the course itself from environment.yml"
    post = ROOT / "postBuild"
    assert os.access(post, os.X_OK), "postBuild must be executable"
    venv_bin = str(Path(sys.executable).parent)
    out = subprocess.run(["bash", str(post)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PATH=venv_bin + os.pathsep + os.environ.get("PATH", "")))
    assert out.returncode == 0, out.stderr
    for nb in (ROOT / "release").glob("*/*.ipynb"):
        assert (tmp_path / "workspace" / nb.relative_to(ROOT / "release")).is_file()
