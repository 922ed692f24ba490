"""The learner's workspace: release notebooks copied once, never overwritten.

``make lab`` (``course lab``) fills ``workspace/`` from ``release/`` and opens
JupyterLab there. A notebook the learner already has is left alone; when its
release changed since it was copied, the learner is told.

JupyterLab starts in the workspace with the course's Python first on PATH, so
a JupyterLab terminal runs ``course check 01_attention/01_attention.ipynb`` as
is. ``course lab --lang zh`` switches JupyterLab's interface to Simplified
Chinese (``--lang en`` back to English), as Settings → Language does.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
from pathlib import Path

from .notebooks import ROOT, CourseError, file_digest, release_dir

STATE = ".course-release.json"  # what each workspace notebook was copied from
TRANSLATION_PLUGIN = Path("@jupyterlab") / "translation-extension" / "plugin.jupyterlab-settings"
LANGUAGES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh-cn": "zh_CN", "cn": "zh_CN", "chinese": "zh_CN", "中文": "zh_CN",
             "en": "en", "en_us": "en", "en-us": "en", "english": "en", "default": "default"}
LANGUAGE_PACKS = {"zh_CN": "jupyterlab-language-pack-zh-CN"}


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
            state[rel] = file_digest(src)
            copied.append(rel)
        elif state.get(rel) not in (None, file_digest(src)):
            newer.append(rel)
    state_file.write_text(json.dumps(state, indent=1, sort_keys=True))
    return {"copied": copied, "newer": newer}


def lab_command(workspace: Path, port: int, extra: list[str] | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--ServerApp.root_dir={workspace}", "--ServerApp.ip=127.0.0.1"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # sessions and CI run as root
    extra = list(extra or [])
    if os.name != "nt" and not any(a.startswith("--ServerApp.terminado_settings") for a in extra):
        # Terminals run the user's shell, not a login shell: a login shell re-reads
        # /etc/profile, which on Debian and Ubuntu resets PATH and so loses `course`.
        shell = os.environ.get("SHELL") or shutil.which("sh") or "/bin/sh"
        cmd.append(f"--ServerApp.terminado_settings=shell_command={shlex.quote(shell)}")
    return cmd + extra


def pop_options(extra: list[str] | None) -> tuple[dict, list[str]]:
    """Take course lab's own options (``--lang X``, ``--instructor``) out of those meant for jupyter lab."""
    rest, found, args = [], {"lang": None, "instructor": False}, list(extra or [])
    while args:
        arg = args.pop(0)
        if arg == "--lang":
            if not args:
                raise CourseError("--lang needs a language: zh (简体中文) or en (English).")
            found["lang"] = args.pop(0)
        elif arg.startswith("--lang="):
            found["lang"] = arg.split("=", 1)[1]
        elif arg == "--instructor":
            found["instructor"] = True
        else:
            rest.append(arg)
    return found, rest


def user_settings_dir() -> Path:
    """Where JupyterLab keeps the user's settings (``$JUPYTERLAB_SETTINGS_DIR`` wins, as in JupyterLab)."""
    if os.environ.get("JUPYTERLAB_SETTINGS_DIR"):
        return Path(os.environ["JUPYTERLAB_SETTINGS_DIR"])
    from jupyter_core.paths import jupyter_config_dir

    return Path(jupyter_config_dir()) / "lab" / "user-settings"


def _read_settings(path: Path) -> dict:
    """A JupyterLab settings file: JSON, possibly with // comments and trailing commas (JSON5)."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        stripped = re.sub(r"^\s*//.*$", "", text, flags=re.M)
        stripped = re.sub(r",(\s*[}\]])", r"\1", stripped)
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            raise CourseError(f"{path} is not a settings file course lab can read; choose the language in "
                              f"JupyterLab's Settings → Language menu instead.") from None
    if not isinstance(data, dict):
        raise CourseError(f"{path} does not hold JupyterLab settings (a JSON object).")
    return data


def set_language(lang: str, settings_dir: Path | None = None) -> str:
    """Set JupyterLab's interface language, as Settings → Language does; returns the locale.

    It is saved in the user's JupyterLab settings, so later labs open in it too.
    """
    locale = LANGUAGES.get(lang.strip().lower())
    if locale is None:
        raise CourseError(f"unknown language {lang!r}: use zh (简体中文) or en (English).")
    if locale in LANGUAGE_PACKS:
        from jupyterlab_server.translation_utils import get_language_packs

        if locale not in get_language_packs("en")[0]:
            raise CourseError(f"the {locale} language pack is not installed: pip install {LANGUAGE_PACKS[locale]} "
                              f"(its pin is in requirements.txt; `make lab` installs it).")
    path = (settings_dir or user_settings_dir()) / TRANSLATION_PLUGIN
    settings = _read_settings(path) if path.is_file() else {}
    settings["locale"] = locale
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return locale


def saved_language(settings_dir: Path | None = None) -> str:
    """"zh" when JupyterLab's saved interface language is Chinese (``course lab --lang zh``), else "en"."""
    try:
        path = (settings_dir or user_settings_dir()) / TRANSLATION_PLUGIN
        locale = str(_read_settings(path).get("locale", "")) if path.is_file() else ""
    except (CourseError, OSError, UnicodeDecodeError):
        return "en"
    return "zh" if locale.lower().startswith("zh") else "en"


def lab_env(environ: dict | None = None, workspace: Path | None = None) -> dict:
    """The server's environment: this Python's scripts (``course``, ``jupyter``, ``alembic``) first on PATH.

    JupyterLab's terminals inherit it, so ``course check`` works there even when
    the virtual environment was never activated (``make lab`` does not activate
    it), and so does nbgrader's formgrader, which runs ``alembic`` by name.
    ``COURSE_WORKSPACE`` tells ``course progress`` which workspace to look at.
    """
    env = dict(os.environ if environ is None else environ)
    if workspace is not None:
        env["COURSE_WORKSPACE"] = str(workspace)
    bindir = str(Path(sys.executable).parent)
    parts = [p for p in env.get("PATH", "").split(os.pathsep) if p]
    if not parts or parts[0] != bindir:
        env["PATH"] = os.pathsep.join([bindir] + [p for p in parts if p != bindir])
    if Path(sys.prefix) != Path(sys.base_prefix):  # a virtual environment
        env.setdefault("VIRTUAL_ENV", sys.prefix)
    return env


def lab(workspace: Path | None = None, port: int | None = None, extra: list[str] | None = None,
        dry_run: bool = False, lang: str | None = None, instructor: bool = False) -> list[str]:
    """Fill the workspace and start JupyterLab in it (replacing this process unless dry_run).

    ``lang`` (or ``--lang X`` among extra): the interface language, saved for later labs.
    ``instructor`` (or ``--instructor``): serve the course root instead (this repository,
    or ``workspace`` when given), where nbgrader's formgrader and create-assignment
    tools see nbgrader_config.py; nothing is copied.
    """
    opts, extra = pop_options(extra)
    lang = lang or opts["lang"]
    instructor = instructor or opts["instructor"]
    port = port or int(os.environ.get("JUPYTER_PORT", "8888"))
    if lang:
        locale = set_language(lang)
        name = {"zh_CN": "简体中文 (zh_CN)", "en": "English", "default": "the system's language ($LANG)"}[locale]
        print(f"JupyterLab's interface language: {name} (saved; `course lab --lang en` switches back)")
    if instructor:
        folder = Path(workspace or ROOT).resolve()
        if not (folder / "nbgrader_config.py").is_file():
            raise CourseError(f"{folder} is not a course root (it has no nbgrader_config.py).")
        print(f"JupyterLab on http://127.0.0.1:{port}/lab (course root: {folder}); "
              f"nbgrader's tools are in the Nbgrader menu (Formgrader, Create assignment)")
    else:
        folder = Path(workspace or ROOT / "workspace").resolve()
        result = sync_workspace(folder)
        for rel in result["copied"]:
            print(f"new in your workspace: {rel}")
        for rel in result["newer"]:
            print(f"a newer release of {rel} exists in release/; your copy was kept "
                  f"(rename yours and run `make lab` again to get the new one)")
        print(f"JupyterLab on http://127.0.0.1:{port}/lab (workspace: {folder})")
        print("Check a notebook from a JupyterLab terminal (File → New → Terminal): "
              "course check 01_attention/01_attention.ipynb; every assignment at once: course progress")
    cmd = lab_command(folder, port, extra)
    if not dry_run:
        sys.stdout.flush()
        os.chdir(folder)  # terminals open here, where the notebooks are
        os.execve(cmd[0], cmd, lab_env(workspace=None if instructor else folder))
    return cmd
