"""Containment: what a submission can see, use and send back, graded as one class by `course grade`.

Each case is a real submission of 00_demo graded by the command: a disk walk for another course's
solutions and a planted secret in a fake home (outside the course root and outside /tmp), an identity
probe, forked children and /dev/shm beyond the memory limit, a scratch filler, a flood of the grader's
channels, an `<img` flood in an HTML output, script in every output kind and in a locked markdown cell,
and terminal escape sequences in what reaches the summary and the CSV. Every student gets a row.
"""
import csv
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import DEMO, build_demo_notebook
from course.grader import sandbox
from course.notebooks import grade_id, read_notebook, write_notebook

pytestmark = pytest.mark.skipif(not sandbox.sandbox_available(), reason="bubblewrap (bwrap) is not installed")

SECRET = f"SECRET-{secrets.token_hex(8)}"
OSC52 = "\x1b]52;c;ZXZpbA==\x07"
OUTSIDE = Path("/var/tmp") / f"course-contain-{secrets.token_hex(4)}"  # neither /tmp nor the course root

WALK = r'''
import os, json
found = []
for top in ("/", %(outside)r, "/root", "/home", "/srv", "/opt", "/mnt", "/var"):
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in ("/proc", "/sys", "/usr", "/dev")]
        found += [os.path.join(folder, f) for f in files if f.endswith(".ipynb") and "00_demo" in f]
solution = None
for path in found:
    try:
        for cell in json.load(open(path))["cells"]:
            if "def square" in "".join(cell["source"]):
                solution = "".join(cell["source"])
    except Exception:
        pass
print("found", len(found), "notebooks")
if solution:
    exec(solution)
else:
    def square(x):
        return 0
'''

PROBE = r'''
import os, glob
seen = {}
for path in [%(secret)r, "/root/.ssh/id_rsa", "/etc/shadow", "/etc/hostname"] + glob.glob("/home/*/.ssh/*"):
    try:
        seen[path] = open(path).read()
    except Exception as err:
        seen[path] = type(err).__name__
print(seen)
status = open("/proc/self/status").read()
print("uid", os.getuid(), [l for l in status.splitlines() if l.startswith(("CapEff", "CapBnd", "NoNewPrivs"))])
print("root", sorted(os.listdir("/")), "etc", sorted(os.listdir("/etc")))
def square(x):
    return x * x
'''

FORK_SHM = r'''
import os, time
try:
    with open("/dev/shm/fill", "wb") as fh:
        for _ in range(1200):
            fh.write(b"x" * 2**20)
except OSError as err:
    print("shm stopped:", err.strerror)
kids = []
for _ in range(5):
    pid = os.fork()
    if pid == 0:
        block = bytearray(700 * 2**20)
        time.sleep(60)
        os._exit(0)
    kids.append(pid)
time.sleep(30)
def square(x):
    return x * x
'''

FILLER = r'''
written = 0
try:
    with open("filler.bin", "wb") as fh:
        while written < 8 * 2**30:
            fh.write(b"\0" * 2**20)
            written += 2**20
except OSError as err:
    print("scratch stopped after", written >> 20, "MiB:", err.strerror)
import os
os.remove("filler.bin")
def square(x):
    return x * x
'''

FLOOD = r'''
import os, socket
tried = {}
for name, fn in {
    "pid 1 stdout": lambda: os.readlink("/proc/1/fd/1") == "/dev/null" or open("/proc/1/fd/1", "wb"),
    "executor's fds": lambda: [os.open(f"/proc/{os.getppid()}/fd/{n}", os.O_WRONLY)
                               for n in os.listdir(f"/proc/{os.getppid()}/fd")],
    "pid 1's fds": lambda: [os.open(f"/proc/1/fd/{n}", os.O_WRONLY) for n in os.listdir("/proc/1/fd")
                            if os.readlink(f"/proc/1/fd/{n}") != "/dev/null"],
    "grader channel": lambda: socket.socket(socket.AF_UNIX).connect("/run/grader/channel"),
}.items():
    try:
        tried[name] = "succeeded" if fn() not in (True, []) else "nothing of the grader's"
    except Exception as err:
        tried[name] = type(err).__name__
print(tried)
for _ in range(200):
    print("y" * 100_000)
def square(x):
    return x * x
'''

XSS_OUTPUTS = r'''
from IPython.display import HTML, Markdown, SVG, Javascript, display
display(HTML('<img src=x onerror="document.title=\'pwned-html\'"><script>document.title="pwned-script"</script>'
             '<a href="javascript:document.title=\'pwned-link\'">click</a>'))
display(Markdown('[md](javascript:alert(1)) <img src=x onerror=alert(2)>'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" onload="document.title=\'pwned-svg\'"><circle r="4"/></svg>'))
display(Javascript('document.title = "pwned-js"'))
def square(x):
    return x * x
'''

XSS_MARKDOWN = ('<img src=x onerror="document.title=\'pwned-md\'"> <svg onload="document.title=\'pwned-md-svg\'">'
                '</svg> [link](javascript:alert(3)) <script>document.title="pwned-md-script"</script>')

IMG_FLOOD = 'from IPython.display import HTML, display\ndisplay(HTML("<img" * 1_250_000))\n' \
            'def square(x):\n    return x * x\n'

ESCAPES = f'''
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", {OSC52!r} + "\\x1b[2J"])
def square(x):
    return x * x
'''

CASES = {"good": None, "walker": WALK, "probe": PROBE, "fork_shm": FORK_SHM, "filler": FILLER,
         "flood": FLOOD, "xss": XSS_OUTPUTS, "img_flood": IMG_FLOOD, "=1+2": ESCAPES}


@pytest.fixture(scope="module")
def contained(tmp_path_factory):
    root = tmp_path_factory.mktemp("contain") / "course"
    build_demo_notebook().save(root / "source" / DEMO / f"{DEMO}.ipynb")
    from course.build import generate

    generate([DEMO], root, course=root)
    # a second clone of the course with its solutions, and a home with a secret, both outside the course root
    clone = OUTSIDE / "other-clone" / "source" / DEMO
    clone.mkdir(parents=True)
    shutil.copy(root / "source" / DEMO / f"{DEMO}.ipynb", clone / f"{DEMO}.ipynb")
    home = OUTSIDE / "home" / "teacher"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(SECRET)
    for student, change in CASES.items():
        nb = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
        for cell in nb.cells:
            if change and grade_id(cell) == "square":
                cell.source = change % {"outside": str(OUTSIDE), "secret": str(home / ".ssh" / "id_rsa")} \
                    if student in ("walker", "probe") else change
        if student == "xss":
            md = nbformat.v4.new_markdown_cell(XSS_MARKDOWN)
            md.metadata["nbgrader"] = {"locked": True, "schema_version": 3}  # locked, and no grade_id
            nb.cells.insert(2, md)
        name = f"{DEMO}.ipynb" if student != "=1+2" else f"evil{OSC52}.ipynb"  # a renamed notebook: flagged
        write_notebook(nb, root / "submitted" / student / DEMO / name)
    env = dict(os.environ, HOME=str(home), COURSE_TEST_SECRET=SECRET)
    env.pop("COURSE_UNSAFE_NO_SANDBOX", None)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "course", "grade", DEMO, "--root", str(root), "--workers", "2",
                           "--memory", "2.5", "--timeout", "300", "--cell-timeout", "60"],
                          capture_output=True, text=True, env=env, timeout=900)
    seconds = time.monotonic() - start
    try:
        assert proc.returncode == 0, proc.stdout + proc.stderr
        with open(root / "grades" / f"{DEMO}.csv", newline="", encoding="utf-8") as fh:
            rows = {r["student_id"]: r for r in csv.DictReader(fh)}
        yield root, rows, proc, seconds
    finally:
        shutil.rmtree(OUTSIDE, ignore_errors=True)


def _outputs(root, student) -> str:
    nb = read_notebook(root / "autograded" / student / DEMO / f"{DEMO}.ipynb")
    return json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])


def _everything(root, student) -> str:
    return "\n".join(p.read_text(errors="replace") for folder in ("autograded", "feedback")
                     for p in (root / folder / student).rglob("*") if p.is_file())


def test_every_student_gets_a_row_and_the_honest_one_full_marks(contained):
    root, rows, proc, _ = contained
    assert sorted(rows) == sorted(["good", "walker", "probe", "fork_shm", "filler", "flood", "xss", "img_flood",
                                   "'=1+2"]), rows
    assert rows["good"]["score"] == "4" and rows["good"]["status"] == "graded", rows["good"]
    for student in ("probe", "filler", "flood", "xss", "img_flood"):
        assert rows[student]["score"] == "4", rows[student]


def test_another_clone_of_the_course_is_invisible(contained):
    root, rows, _, _ = contained
    assert rows["walker"]["score"] == "3", rows["walker"]  # square's test fails: no solution found anywhere
    assert '"found 0 notebooks' in _outputs(root, "walker"), _outputs(root, "walker")[:2000]


def test_a_secret_in_a_home_folder_appears_nowhere(contained):
    root, rows, proc, _ = contained
    for student in rows:
        student = student.lstrip("'")
        assert SECRET not in _everything(root, student), student
    assert SECRET not in proc.stdout + proc.stderr
    assert SECRET not in (root / "grades" / f"{DEMO}.csv").read_text()
    seen = _outputs(root, "probe")
    assert "FileNotFoundError" in seen and "'/etc/hostname': 'FileNotFoundError'" in seen


def test_the_kernel_runs_unprivileged_in_a_file_system_built_from_nothing(contained):
    root, _, _, _ = contained
    seen = _outputs(root, "probe")
    assert "uid 1000" in seen and "CapEff:\\\\t0000000000000000" in seen and "NoNewPrivs:\\\\t1" in seen, seen
    top = seen[seen.index("root ["):seen.index("] etc")]
    for name in ("home", "srv", "opt", "mnt", "var", "media"):
        assert f"'{name}'" not in top, top
    assert "shadow" not in seen[seen.index("etc ["):]


def test_memory_of_all_processes_and_dev_shm_is_limited(contained):
    root, rows, _, _ = contained
    row = rows["fork_shm"]
    assert "the grader stopped the submission's processes: its processes together used more than the 2.5 GiB " \
           "memory limit" in row["flags"], row
    assert "kernel died in `square`" in row["flags"] and row["score"] == "3", row
    assert "shm stopped: No space left on device" in _outputs(root, "fork_shm")


def test_a_scratch_filler_stops_at_the_disk_limit(contained):
    root, rows, _, _ = contained
    seen = _outputs(root, "filler")
    assert "scratch stopped after" in seen and "MiB: No space left on device" in seen, seen[:2000]
    assert rows["filler"]["score"] == "4" and rows["filler"]["status"] == "graded", rows["filler"]


def test_the_graders_channels_cannot_be_flooded(contained):
    root, rows, _, _ = contained
    seen = _outputs(root, "flood")
    assert "succeeded" not in seen, seen
    assert "some outputs were too large and were cut" in rows["flood"]["flags"]


def test_an_img_flood_does_not_stall_the_batch(contained):
    root, rows, _, seconds = contained
    assert rows["img_flood"]["status"] == "graded"
    page = root / "feedback" / "img_flood" / DEMO / f"{DEMO}.html"
    assert page.stat().st_size < 3_000_000
    assert seconds < 600


SCRIPTED = re.compile(r"<[a-z]+[^<>]*\son[a-z]+\s*=|<script[^>]*>[^<]*pwned|"
                      r"<[a-z]+[^<>]*\s(href|src)\s*=\s*[\"']?\s*javascript:", re.I)


def test_no_script_survives_in_feedback_or_autograded_notebooks(contained):
    root, _, _, _ = contained
    page = (root / "feedback" / "xss" / DEMO / f"{DEMO}.html").read_text()
    assert not SCRIPTED.findall(page), SCRIPTED.findall(page)  # (the cell's source shows, escaped, as code)
    nb = read_notebook(root / "autograded" / "xss" / DEMO / f"{DEMO}.ipynb")
    shown = json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"]) + \
        "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert not SCRIPTED.findall(shown) and "pwned-js" not in shown and "javascript:" not in shown, shown[:3000]
    assert "pwned-md" in shown  # the locked markdown cell without a grade_id is there, cleaned
    page = (root / "feedback" / "xss" / DEMO / f"{DEMO}.html").read_text()
    assert "data:image/svg+xml;base64," in page  # the SVG still shows, as an image


def test_escape_sequences_reach_neither_terminal_nor_csv(contained):
    root, rows, proc, _ = contained
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout and "\x1b" not in proc.stderr
    text = (root / "grades" / f"{DEMO}.csv").read_text()
    assert "\x1b" not in text and "\x07" not in text
    assert "\n'=1+2," in text  # the student folder's name would be a formula in a spreadsheet
    assert "left 1 process running" in rows["'=1+2"]["flags"] and "52;c;ZXZpbA==" in rows["'=1+2"]["flags"]


def test_result_channel_is_read_with_a_cap(monkeypatch):
    """A result larger than the cap: the grader stops reading, kills the sandbox, and says why."""
    monkeypatch.setattr(sandbox, "MAX_RESULT_BYTES", 100_000)
    runner = sandbox.Runner(sandbox.Setup(sandbox="required"))
    try:
        run = runner.run([{"source": "print('z' * 19_000)\n" * 20, "store_history": True}] * 20, 30, 120)
    finally:
        runner.close()
    assert run.status == "crashed" and "cap" in run.message, run


@pytest.mark.parametrize("where", ["/tmp", "/var/tmp"])
def test_a_virtual_environment_inside_or_outside_tmp_is_bound_read_only(where, demo_course, tmp_path):
    """The sandbox's binds come from the running interpreter: a venv under /tmp (a fresh tmpfs inside)
    or elsewhere, with this project's packages reached through a .pth file, grades the demo in full."""
    import site
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="course-venv-", dir=where))
    try:
        venv = folder / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
        python = venv / "bin" / "python"
        purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        from course.notebooks import ROOT

        (Path(purelib) / "project.pth").write_text("\n".join([str(ROOT)] + site.getsitepackages()) + "\n")
        code = ("import sys; from course.grader.notebook import GradeOptions, grade_notebook; "
                "from course.grader.sandbox import environment_paths; "
                f"assert any(str(p).startswith({str(venv)!r}) for p in environment_paths()), environment_paths(); "
                f"r, _ = grade_notebook({str(demo_course / 'source' / DEMO / (DEMO + '.ipynb'))!r}, {DEMO!r}, "
                f"GradeOptions(source_root=__import__('pathlib').Path({str(demo_course)!r}), sandbox='required')); "
                "print(r.score, r.flags); assert r.score == 4, r.flags")
        proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=600,
                              cwd=str(folder))
        assert proc.returncode == 0, proc.stdout + proc.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)
