"""requirements.txt is the one list of pins; environment.yml must repeat it exactly."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s#]+)")


def pins(lines):
    out = {}
    for line in lines:
        m = PIN.match(line.strip().lstrip("- ").strip())
        if m:
            out[m.group(1).lower()] = m.group(2)
    return out


def test_requirements_pin_every_package_exactly():
    lines = [l for l in (ROOT / "requirements.txt").read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert lines and all(PIN.match(l) for l in lines), f"unpinned lines: {[l for l in lines if not PIN.match(l)]}"
    req = pins(lines)
    assert req["torch"] == "2.13.0", "torch must be pinned exactly to 2.13.0 (a looser pin pulls a CUDA build)"
    for name in ("jupyterlab", "nbgrader", "matplotlib", "numpy", "nbval"):
        assert name in req, f"{name} missing from requirements.txt"


def test_environment_yml_matches_requirements():
    env_text = (ROOT / "environment.yml").read_text()
    req = pins((ROOT / "requirements.txt").read_text().splitlines())
    env = pins(env_text.splitlines())
    assert env == req, f"environment.yml and requirements.txt disagree: only in env {set(env.items()) - set(req.items())}, " \
                       f"only in requirements {set(req.items()) - set(env.items())}"
    assert "conda-forge" in env_text and "python=3.11" in env_text
