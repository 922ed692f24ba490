"""The course as a person uses it, in a real browser: Playwright driving Debian's Chromium.

- learner: `course lab` on a fresh workspace; open 01_attention from the file browser; Run All; the
  NotImplementedError hint shows; a visible test shows it too; type a correct softmax; Run All again;
  its test cell passes; save; `course check` in a JupyterLab terminal prints the score table;
- Chinese: `course lab --lang zh` opens JupyterLab in Simplified Chinese; the glossary is bilingual;
- instructor: `course lab --instructor` on a copy of the course: nbgrader's JupyterLab 4 extensions
  (formgrader, create-assignment, validate) are there, and the formgrader lists the assignments.

Every step leaves a screenshot in test-artifacts/browser/ (what a learner sees). All tests live in
this one module so that pytest-xdist (--dist loadscope) runs them on one worker with one browser.
Skipped only when Chromium is not installed (apt-get install chromium; never downloaded).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None)
ASSIGNMENT = "01_attention"
START_TIMEOUT = 240  # s: JupyterLab on a loaded 2-core machine
UI_TIMEOUT = 180_000  # ms, any single wait in the page
CHECK_TIMEOUT = 480_000  # ms: `course check` runs the whole notebook with its hidden tests

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's Chromium is not installed (apt-get install chromium); "
                                                "the browser tests drive it and never download a browser"),
    pytest.mark.timeout(1500),
]

# What the learner types in a JupyterLab terminal, which opens in the workspace.
CHECK_COMMAND = f"course check {ASSIGNMENT}/{ASSIGNMENT}.ipynb"

# A correct softmax, as a learner would type it.
SOFTMAX = '''def softmax(x, dim=-1):
    """Numerically stable softmax of x along `dim`."""
    m = x.amax(dim=dim, keepdim=True)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))  # a row of -inf stays finite
    e = torch.exp(x - m)
    return e / e.sum(dim=dim, keepdim=True)'''


# ---------------------------------------------------------------- helpers
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings(folder: Path) -> Path:
    """JupyterLab user settings for a test server: no news pop-up; terminals readable from the DOM."""
    files = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
        # xterm draws on a canvas; its screen-reader mode mirrors the text into the DOM for the test to read
        "@jupyterlab/terminal-extension/plugin.jupyterlab-settings": {"screenReaderMode": True},
    }
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(json.dumps(data))
    return folder


@contextmanager
def course_lab(tmp: Path, *args: str):
    """`python -m course lab ARGS` on a free port, isolated from the user's Jupyter config; yields its URL."""
    tmp.mkdir(parents=True, exist_ok=True)
    venv_bin = str(Path(sys.executable).parent)
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"), JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(_settings(tmp / "lab-settings")),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "lab-workspaces"), SHELL="/bin/bash",
               # as a learner's shell: the virtual environment not activated (course lab must cope)
               PATH=os.pathsep.join(p for p in os.environ.get("PATH", os.defpath).split(os.pathsep) if p != venv_bin))
    env.pop("COURSE_WORKSPACE", None)
    log = (tmp / "lab.log").open("w")
    for attempt in range(3):  # a free port can be taken between the probe and the bind
        port = _free_port()
        env["JUPYTER_PORT"] = str(port)
        proc = subprocess.Popen([sys.executable, "-m", "course", "lab", *args, "--IdentityProvider.token=",
                                 "--ServerApp.password="],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=5):
                    break
            except OSError:
                time.sleep(1)
        if proc.poll() is None and time.time() < deadline:
            break
        _stop(proc)
    else:
        log.close()
        raise AssertionError(f"course lab did not start: {(tmp / 'lab.log').read_text()[-3000:]}")
    try:
        yield url
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server we started and its kernels and terminals (its own process group)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def menu(page, top: str, command: str, submenu: str | None = None) -> None:
    """Click a main-menu item by its JupyterLab command id (labels change with the language)."""
    page.locator(".lm-MenuBar-item", has_text=top).click()
    if submenu:
        page.locator(".lm-Menu-item", has_text=submenu).first.hover()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').first.click()


def expect(locator):
    from playwright.sync_api import expect as _expect

    return _expect(locator)


def file_item(page, name: str):
    return page.locator(".jp-DirListing-item", has=page.locator(".jp-DirListing-itemText",
                                                                 has_text=re.compile(f"^{re.escape(name)}$")))


def centre(locator) -> None:
    locator.evaluate("e => e.scrollIntoView({block: 'center'})")
    time.sleep(0.5)


def wait_text(page, locator, pattern: str, timeout: int = UI_TIMEOUT) -> str:
    """Wait until the element's text (textContent: off-screen cells included) matches the regex."""
    locator.wait_for(state="attached", timeout=timeout)
    page.wait_for_function("([e, p]) => new RegExp(p).test(e.textContent)",
                           arg=[locator.element_handle(timeout=timeout), pattern], timeout=timeout)
    return locator.text_content()


def terminal_text(terminal) -> str:
    """The terminal's screen, one line per row (xterm's screen-reader rows)."""
    rows = terminal.locator(".xterm-accessibility-tree > div").all_text_contents()
    return "\n".join(r.replace("\xa0", " ").rstrip() for r in rows) if rows else terminal.text_content()


def prompt_number(cell) -> int | None:
    m = re.search(r"\[(\d+)\]", cell.locator(".jp-InputPrompt").text_content() or "")
    return int(m.group(1)) if m else None


def cell_positions(notebook: Path) -> dict[str, int]:
    """grade_id -> index of the cell in the notebook (the DOM shows cells in the same order)."""
    cells = json.loads(notebook.read_text())["cells"]
    return {c["metadata"].get("nbgrader", {}).get("grade_id"): i for i, c in enumerate(cells)
            if c["metadata"].get("nbgrader", {}).get("grade_id")}


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(UI_TIMEOUT)
    yield pg
    context.close()


# ---------------------------------------------------------------- the learner
def test_learner_runs_fixes_and_checks_01_attention(page, tmp_path):
    ws = tmp_path / "workspace"
    nb_path = ws / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    pos = cell_positions(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    i_solution, i_test = pos["softmax"], pos["test_softmax_basics"]
    with course_lab(tmp_path, "--workspace", str(ws)) as url:
        page.goto(f"{url}/lab")
        # 1. a fresh workspace: every assignment is there
        file_item(page, ASSIGNMENT).wait_for()
        for name in sorted(p.name for p in (ROOT / "release").iterdir() if p.is_dir()):
            assert file_item(page, name).count() == 1, f"{name} missing from the file browser"
        shot(page, "01_learner_file_browser")

        # 2. open 01_attention from the file browser
        file_item(page, ASSIGNMENT).dblclick()
        file_item(page, f"{ASSIGNMENT}.ipynb").dblclick()
        cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        cells.first.wait_for()
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=UI_TIMEOUT)
        expect(cells).to_have_count(len(json.loads(nb_path.read_text())["cells"]), timeout=UI_TIMEOUT)
        shot(page, "02_learner_notebook_open")

        # 3. Run All: it stops at the first unimplemented function, with the stub's hint
        menu(page, "Run", "runmenu:run-all")
        first_error = page.locator(".jp-NotebookPanel .jp-OutputArea-output", has_text="NotImplementedError").first
        first_error.wait_for(state="attached")
        text = first_error.text_content()
        assert "Not implemented yet: replace this line with your code" in text
        centre(first_error)
        shot(page, "03_learner_run_all_not_implemented")

        # 4. the visible test of softmax says the same
        test_cell = cells.nth(i_test)
        centre(test_cell)
        test_cell.locator(".jp-InputArea-prompt, .jp-InputPrompt").first.click()
        page.keyboard.press("Shift+Enter")
        out = wait_text(page, test_cell.locator(".jp-OutputArea"), "NotImplementedError")
        assert "Not implemented yet" in out
        centre(test_cell)
        shot(page, "04_learner_visible_test_hint")

        # 5. type a correct softmax into its cell
        solution = cells.nth(i_solution)
        centre(solution)
        solution.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(SOFTMAX)
        assert "torch.exp(x - m)" in solution.locator(".cm-content").text_content()
        page.keyboard.press("Escape")
        shot(page, "05_learner_softmax_typed")

        # 6. Run All again: the softmax test cell now passes
        before = prompt_number(test_cell) or 0
        menu(page, "Run", "runmenu:run-all")
        page.wait_for_function("([e, n]) => { const m = /\\[(\\d+)\\]/.exec(e.textContent); return m && +m[1] > n; }",
                               arg=[test_cell.locator(".jp-InputPrompt").element_handle(), before])
        outputs = test_cell.locator(".jp-OutputArea").text_content() or ""
        assert "Error" not in outputs, f"test_softmax_basics still fails: {outputs[:500]}"
        demo = wait_text(page, cells.nth(i_solution + 1).locator(".jp-OutputArea"), "tensor")
        assert "NotImplementedError" not in demo
        centre(test_cell)
        shot(page, "06_learner_test_passes")

        # 7. save, then `course check` from a JupyterLab terminal prints the score table
        page.keyboard.press("Control+s")
        deadline = time.time() + 60
        while "torch.exp(x - m)" not in nb_path.read_text() and time.time() < deadline:
            time.sleep(1)
        assert "torch.exp(x - m)" in nb_path.read_text(), "the notebook was not saved"
        page.set_viewport_size({"width": 1600, "height": 1300})  # room for the whole table
        menu(page, "File", "terminal:create-new", submenu="New")
        terminal = page.locator(".jp-Terminal:visible").last
        wait_text(page, terminal, r"[$#]\s")  # the shell's prompt
        terminal.click()
        page.keyboard.type(CHECK_COMMAND)
        page.keyboard.press("Enter")
        wait_text(page, terminal, r"autograded\s*points|command not found|Traceback|error: ", timeout=CHECK_TIMEOUT)
        try:  # the table comes first, the feedback file's name last
            wait_text(page, terminal, r"_feedback\.html", timeout=60_000)
        except Exception:
            pass
        text = terminal_text(terminal)
        shot(page, "07_learner_course_check_in_terminal")
        assert "command not found" not in text, "`course` is not on the terminal's PATH"
        assert re.search(r"autograded\s*points", text), text[-2000:]
        assert re.search(r"test_softmax_basics\s+[\d.]+/[\d.]+\s+passed", text), text[-2000:]
        assert re.search(r"test_qk_score_variance_basics\s+0/[\d.]+\s+failed", text), text[-2000:]
    assert (ws / ASSIGNMENT / f"{ASSIGNMENT}_feedback.html").is_file()


# ---------------------------------------------------------------- the Chinese interface
def test_chinese_interface_and_bilingual_glossary(page, tmp_path):
    ws = tmp_path / "workspace"
    with course_lab(tmp_path, "--workspace", str(ws), "--lang", "zh") as url:
        page.goto(f"{url}/lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
        menubar = page.locator(".lm-MenuBar-content")
        wait_text(page, menubar, "文件")
        labels = page.locator(".lm-MenuBar-item").all_text_contents()
        assert "文件" in labels and "编辑" in labels, labels  # File, Edit
        cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
        n_cells = len(json.loads((ws / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())["cells"])
        expect(cells).to_have_count(n_cells, timeout=UI_TIMEOUT)
        glossary = cells.nth(n_cells - 1)
        text = wait_text(page, glossary, "English")
        assert re.search(r"[\u4e00-\u9fff]", text)
        centre(glossary)
        shot(page, "08_chinese_interface_glossary")
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"
    assert json.loads(settings.read_text())["locale"] == "zh_CN"


# ---------------------------------------------------------------- the instructor
def test_instructor_formgrader_and_nbgrader_tools(page, tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    for name in ("source", "release"):
        shutil.copytree(ROOT / name, course / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy2(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    names = sorted(p.name for p in (course / "source").iterdir() if (p / f"{p.name}.ipynb").is_file())
    with course_lab(tmp_path, "--instructor", "--workspace", str(course)) as url:
        page.goto(f"{url}/lab")
        file_item(page, "source").wait_for()
        # the nbgrader menu of its JupyterLab 4 extension
        page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
        commands = page.locator(".lm-Menu-item").evaluate_all("els => els.map(e => e.dataset.command)")
        for command in ("nbgrader:open-formgrader", "nbgrader:open-create-assignment",
                        "nbgrader:open-assignment-list"):
            assert command in commands, commands
        page.keyboard.press("Escape")

        # the formgrader, on this course, lists every assignment
        menu(page, "Nbgrader", "nbgrader:open-formgrader")
        frame = page.frame_locator("iframe").first
        frame.locator("text=Manage Assignments").first.wait_for()
        frame.locator(f"text={names[-1]}").first.wait_for()
        text = frame.locator("body").text_content()
        for name in names:
            assert name in text, f"{name} not listed by the formgrader"
        shot(page, "09_instructor_formgrader_assignments")

        # a source notebook: the Validate button and the create-assignment cell toolbar
        page.goto(f"{url}/lab/tree/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
        page.locator(".jp-NotebookPanel-toolbar .validate-button").wait_for()
        menu(page, "Nbgrader", "nbgrader:open-create-assignment")
        widget = page.locator(".nbgrader-CreateAssignmentWidget")
        wait_text(page, widget, "Total points")
        assert page.locator(".nbgrader-CellWidget").count() > 10
        ids = widget.locator("input").evaluate_all("els => els.map(e => e.value)")
        assert "setup" in ids, ids  # the grade ids of the course's cells
        shot(page, "10_instructor_create_assignment_validate")
    assert (course / "gradebook.db").is_file()  # the formgrader used the copy's nbgrader_config.py


# ---------------------------------------------------------------- the instructor's class report
def test_class_report_page_shows_its_figures(page, demo_course):
    """`course report` after `course grade`: the page opens from disk, its figures load, its tables show."""
    from conftest import DEMO

    from course.grader.class_report import write_class_report
    from course.grader.classroom import ClassGrader, write_csv
    from course.notebooks import read_notebook, write_notebook

    reference = read_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb")
    release = read_notebook(demo_course / "release" / DEMO / f"{DEMO}.ipynb")
    for student, nb in (("ann", reference), ("ben", release), ("cat", reference)):
        folder = demo_course / "submitted" / student / DEMO
        folder.mkdir(parents=True)
        write_notebook(nb, folder / f"{DEMO}.ipynb")
    (demo_course / "submitted" / "dan" / DEMO).mkdir(parents=True)  # nothing handed in
    rows = ClassGrader(DEMO, demo_course, timeout=300, sandbox="off").run()
    write_csv(rows, demo_course / "grades" / f"{DEMO}.csv")
    html, _, _ = write_class_report(DEMO, demo_course)

    page.goto(html.as_uri())
    expect(page.locator("h1")).to_contain_text(f"{DEMO}: class report")
    for figure in ("#histogram", "#pass-rates"):
        img = page.locator(figure)
        expect(img).to_be_visible()
        assert img.evaluate("i => i.complete && i.naturalWidth > 100"), f"{figure} did not load"
    expect(page.locator("#items-table")).to_contain_text("test_add_hidden")
    expect(page.locator("#problems-table")).to_contain_text("dan")
    expect(page.locator("#diagnosed-mistakes")).to_be_visible()  # the section (00_demo has no catalogue to fill it)
    shot(page, "instructor_class_report")


# ---------------------------------------------------------------- a hostile submission's pages
XSS_CELL = r'''
from IPython.display import HTML, Markdown, SVG, Javascript, display
import matplotlib.pyplot as plt
display(HTML('<img src=x onerror="window.pwned=(window.pwned||[]).concat(\'html-img\')">'
             '<script>window.pwned=(window.pwned||[]).concat("html-script")</script>'
             '<a id="jslink" href="javascript:window.pwned=(window.pwned||[]).concat(\'link\')">click me</a>'
             '<iframe srcdoc="<script>parent.pwned=(parent.pwned||[]).concat(\'iframe\')</script>"></iframe>'))
display(Markdown('<img src=x onerror="window.pwned=(window.pwned||[]).concat(\'md-output\')">'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
            'onload="window.pwned=(window.pwned||[]).concat(\'svg\')"><circle r="4"/></svg>'))
display(Javascript('window.pwned = (window.pwned || []).concat("js")'))
plt.figure(figsize=(2, 2)); plt.plot([0, 1], [1, 0]); plt.show()
def square(x):
    return x * x
'''
XSS_MARKDOWN = ('A written answer <img src=x onerror="window.pwned=(window.pwned||[]).concat(\'markdown\')"> '
                '<svg onload="window.pwned=(window.pwned||[]).concat(\'md-svg\')"></svg> '
                '<script>window.pwned=(window.pwned||[]).concat("md-script")</script> [a link](javascript:alert(1))')


def _pwned(page, url: str) -> list:
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")
    for link in page.locator("a").all():  # click every link a submission could have planted
        href = link.get_attribute("href") or ""
        if not href.startswith(("http", "#")) and link.is_visible():
            link.click(no_wait_after=True)
    page.wait_for_timeout(1000)
    return (page.evaluate("window.pwned || []") or []) + dialogs


def test_no_script_from_a_submission_runs_in_its_feedback_or_formgrader_view(page, tmp_path):
    """Each XSS vector in the feedback page, and in the autograded notebook as nbconvert renders it for
    formgrader (its manual-grading view is nbconvert's HTML of that notebook): nothing runs, the plot shows."""
    sys.path.insert(0, str(ROOT / "tests"))
    import nbformat
    from conftest import DEMO, build_demo_notebook
    from course.build import generate
    from course.grader.feedback import write_feedback_html
    from course.grader.notebook import GradeOptions, grade_notebook
    from course.grader.sanitize import safe_notebook
    from course.notebooks import grade_id, read_notebook, write_notebook

    root = tmp_path / "course"
    build_demo_notebook().save(root / "source" / DEMO / f"{DEMO}.ipynb")
    generate([DEMO], root, course=root)
    nb = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
    for cell in nb.cells:
        if grade_id(cell) == "square":
            cell.source = XSS_CELL
        if grade_id(cell) == "written_demo":
            written = cell
    md = nbformat.v4.new_markdown_cell(XSS_MARKDOWN)
    md.metadata["nbgrader"] = {"locked": True, "schema_version": 3}  # locked, no grade_id
    nb.cells.insert(2, md)
    path = tmp_path / "sub" / f"{DEMO}.ipynb"
    write_notebook(nb, path)
    report, executed = grade_notebook(path, DEMO, GradeOptions(source_root=root, sandbox="off"))
    assert report.score == 4, report
    feedback = write_feedback_html(executed, report, tmp_path / "feedback.html")
    assert "data:image/png;base64," in feedback.read_text()
    assert _pwned(page, feedback.as_uri()) == []
    shot(page, "xss-feedback")
    assert page.evaluate("Array.from(document.images).filter(i => i.src.startsWith('data:image/png') "
                         "&& i.naturalWidth > 0).length") >= 1, "the plot must still show"

    safe_notebook(executed)
    from nbconvert import HTMLExporter

    view = tmp_path / "formgrader.html"
    view.write_text(HTMLExporter().from_notebook_node(executed)[0])
    assert _pwned(page, view.as_uri()) == []
    shot(page, "xss-formgrader-view")
    assert written is not None
