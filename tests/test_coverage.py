"""The handbook's questions, the notebooks' question indexes and errata, and the pages generated from them.

Fast: notebooks are read, never executed. Every notebook ends with a question index (「手册问题索引 · Handbook
questions」, format in docs/authoring.md) of the handbook sections it owns (course/handbook.py SECTIONS). The checks
on the indexes themselves run in any clone; the checks against the seed files (every question indexed, every quote
verbatim, every section real) need ``../shared/seeds/`` beside the course (``COURSE_SEEDS`` overrides) and skip
without it.
"""
import re
from functools import lru_cache

import pytest

from course import handbook
from course.handbook import CN, PREFIXES, SECTION, SECTIONS, squash
from course.notebooks import assignments, read_notebook, source_notebook

# ---------------------------------------------------------------------------------------------------------------
# Citations in the notebooks' prose (outside the index).
#
# Formats in use (all seen in source/):
#   **000_06338ec2819cbb22.txt §一.2**          chapter.sub-section
#   **000_06338ec2819cbb22.txt §五**  / `000_...txt` §四     chapter (also in backticks)
#   (000_06338ec2819cbb22.txt 一)  **000_...txt 一**        chapter without the §
#   **001_4f67d1efa5177fcf.txt §2 问题8**       area and question (also "§3** 问题1", "§4 问题2, 问题8")
#   **004_3dd6b315896cbfed.txt §9**  / **004_...txt 2**     question n, with or without the §
#   **004_3dd6b315896cbfed.txt** (§9, §10, §18)             a list after the file name
#   「...」 (§二.3) (000_06338ec2819cbb22.txt)             § before the file: only 000 uses Chinese numerals
#   **002_c0ff16563ada0e13.txt**                            the bare file name (002 has no sections)
# A § followed by digits and no file name ("Korthikanti et al. (2022, §4)", "cited as §n") is not a citation.
# ---------------------------------------------------------------------------------------------------------------
SEC = rf"(?:[{CN}]+|\d+)(?:\.\d+)?"
CITATION = re.compile(
    r"(?P<file>00[0-4])_[0-9a-f]{16}\.txt(?:\*\*|`|\*)?[ \t]*"
    r"(?:"
    rf"\((?P<list>\s*§{SEC}(?:\s*[,，、]\s*§{SEC})*\s*)\)"
    rf"|§(?P<sec>{SEC})(?:\s*(?:\*\*)?\s*问题\s*\d+(?:\s*[,，、]\s*问题\s*\d+)*)?"
    rf"|(?P<bare>[{CN}]+|\d+)(?=\*\*|\)|\s*「|\s*$)"
    r")?", re.M)
ORPHAN_000 = re.compile(rf"§(?P<sec>[{CN}]+(?:\.\d+)?)")
QUOTE_AFTER = re.compile(r"[^「\n]{0,12}?「([^」]*)」")
QUOTE_BEFORE = re.compile(r"「([^」]*)」\s*\(\s*$")
FILE_NAMES_ONLY = re.compile(r"(?<![\w.])00[0-4]_[0-9a-f]{6,}(?:\.txt)?")

def citations(text):
    """[(prefix, key or None, start, end)] for every citation in a markdown text, in order."""
    found, spans = [], []
    for m in CITATION.finditer(text):
        spans.append((m.start(), m.end()))
        if m.group("list"):
            keys = re.findall(rf"§({SEC})", m.group("list"))
        else:
            keys = [m.group("sec") or m.group("bare")]
        for key in keys:
            found.append((m.group("file"), normalise_key(m.group("file"), key), m.start(), m.end()))
    for m in ORPHAN_000.finditer(text):
        if not any(a <= m.start() < b for a, b in spans):
            found.append(("000", normalise_key("000", m.group("sec")), m.start(), m.end()))
    return sorted(found, key=lambda c: c[2])


def normalise_key(prefix, key):
    if key is None:
        return None
    if prefix == "001":  # area n; a "§1.2" would still be area 1
        key = key.split(".")[0]
    return "§" + key


def quoted(text, start, end):
    """The 「question」 a citation belongs to: the one just before "(citation", else the one right after it."""
    before = QUOTE_BEFORE.search(text[:start])
    after = QUOTE_AFTER.match(text[end:])
    hit = before or after
    return hit.group(1) if hit else None


@lru_cache(maxsize=None)
def notebook_citations():
    """[(assignment, cell index, prefix, key, quote, text of the citation)] over every source notebook."""
    out = []
    for assignment in assignments():
        nb = read_notebook(source_notebook(assignment))
        skip = set(handbook.index_cells(nb))  # the index has its own format and checks
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "markdown" or index in skip:
                continue
            for prefix, key, start, end in citations(cell.source):
                out.append((assignment, index, prefix, key, quoted(cell.source, start, end),
                            " ".join(cell.source[start:end].split())))
    return out




F0, F1 = "000_06338ec2819cbb22.txt", "001_4f67d1efa5177fcf.txt"
F2, F4 = "002_c0ff16563ada0e13.txt", "004_3dd6b315896cbfed.txt"


@pytest.mark.parametrize("text, want", [
    (f"> **{F0} §一.2** 「如何通过Softmax函数对Attention分数进行归一化？」", [("000", "§一.2")]),
    (f"Handbook: `{F0}` §四 (training optimisation)", [("000", "§四")]),
    (f"「因果掩码的两种实现方式」 ({F0} 一)", [("000", "§一")]),
    (f"> **{F0} 一** 「Transformer为何使用多头注意力机制？」", [("000", "§一")]),
    (f"**{F0} §十一.4** 「多模态输入的统一投影层设计方案」", [("000", "§十一.4")]),
    (f"> **{F1} §3** 问题1 「如何在多GPU环境下进行模型训练？」", [("001", "§3")]),
    (f"「...」 ({F1} §4 问题10, 问题6) — *How*", [("001", "§4")]),
    (f"> **{F4} 2** 「如何实现大模型的快速推理？」", [("004", "§2")]),
    (f"questions of **{F4}** (§9, §10, §18) and", [("004", "§9"), ("004", "§10"), ("004", "§18")]),
    (f"「绝对位置编码...」 (§二.3) and 「BERT...」 (§二.3) ({F0}) — *How*",
     [("000", "§二.3"), ("000", "§二.3"), ("000", None)]),
    (f"> **{F2}** 「介绍Focal loss」", [("002", None)]),
    ("Korthikanti et al. (2022, §4) count the bytes", []),
    ("(cited as §n = question n of that file); on 10 000 draws; 1,000 Layers", []),
])
def test_citation_formats(text, want):
    assert [(p, k) for p, k, _a, _b in citations(text)] == want


def test_quote_belongs_to_its_citation():
    text = f"**Q2.** 「甲」 ({F1} §4 问题2) and 「乙」 ({F2}) — *Why?*"
    (_p1, _k1, a1, b1), (_p2, _k2, a2, b2) = citations(text)
    assert (quoted(text, a1, b1), quoted(text, a2, b2)) == ("甲", "乙")
    text = f"> **{F0} §五.1** 「KV Cache」 *English*"
    (_p, _k, a, b), = citations(text)
    assert quoted(text, a, b) == "KV Cache"


def test_notebook_citations_are_found():
    """Guards the regex: each notebook cites something, and no file name is left unparsed."""
    cited = {c[0] for c in notebook_citations()}
    missing = [a for a in assignments() if a not in cited]
    assert not missing, f"no handbook citation found in {missing}: has the citation format changed?"
    for assignment in assignments():
        for index, cell in enumerate(read_notebook(source_notebook(assignment)).cells):
            if cell.cell_type != "markdown":
                continue
            for m in FILE_NAMES_ONLY.finditer(cell.source):
                name = m.group(0)
                assert name in handbook.SEED_FILES.values(), \
                    f"{assignment} cell {index}: {name!r} is not one of the seed files {sorted(handbook.SEED_FILES.values())}"


def test_every_cited_section_is_known():
    problems = []
    for assignment, index, prefix, key, _quote, text in notebook_citations():
        if key is not None and (prefix, key) not in SECTION:
            problems.append(f"{assignment} (cell {index}) cites {prefix} {key} in {text!r}, which is no section of "
                            f"course/handbook.py SECTIONS")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------------------------
# The sections and their owners (no seeds needed)
# ---------------------------------------------------------------------------------------------------------------
def test_sections_table():
    problems = []
    assert sorted({s[0] for s in SECTIONS}) == list(PREFIXES)
    assert len(SECTION) == len(SECTIONS), "a section appears twice in SECTIONS"
    for prefix, key, title, own, lines in SECTIONS:
        if not re.fullmatch(r"\d\d_[a-z0-9_]+", own):
            problems.append(f"{prefix} {key}: owner {own!r} is not an assignment name")
        if (prefix == "002") != bool(lines):
            problems.append(f"{prefix} {key}: only 002's groups list lines")
    owners = {own for *_x, own, _l in SECTIONS}
    gone = [a for a in owners if a not in assignments() and int(a[:2]) <= 12]
    assert not gone, f"sections are owned by {gone}, which source/ does not have"
    seen = {}
    for _p, key, _t, _o, lines in (s for s in SECTIONS if s[0] == "002"):
        for n in handbook.line_numbers(lines):
            if n in seen:
                problems.append(f"002 line {n} is in both {seen[n]} and {key}")
            seen[n] = key
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------------------------
# The question indexes (no seeds needed: they are the course's own record of the handbook)
# ---------------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def index(assignment):
    return handbook.parse_index(read_notebook(source_notebook(assignment)), assignment)


def entries():
    return [e for a in assignments() for e in index(a)[0]]


@pytest.mark.parametrize("assignment", assignments())
def test_index_is_well_formed(assignment):
    nb = read_notebook(source_notebook(assignment))
    cells = handbook.index_cells(nb)
    if not cells:
        pytest.skip(f"{assignment} has no question index yet")
    found, bad = index(assignment)
    problems = list(bad) + [f"cell {e.cell}: `{e.key}` 「{e.quote}」: {e.problem}" for e in found if e.problem]
    glossary = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Glossary")]
    if glossary and cells[0] > glossary[0]:
        problems.append("the question index should come before the glossary")
    for e in found:
        if e.kind == "answer" and len(e.text) < 40:
            problems.append(f"cell {e.cell}: `{e.key}` 「{e.quote}」: an answer of {len(e.text)} characters is too "
                            f"short to answer (two to five sentences)")
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


def test_index_entries_are_in_their_owner():
    problems = [f"{e.assignment} (cell {e.cell}) indexes `{e.key}` 「{e.quote}」, a section that "
                f"{handbook.owner(*e.parsed_key[:2])} owns (course/handbook.py SECTIONS)"
                for e in entries() if e.parsed_key and handbook.owner(*e.parsed_key[:2]) != e.assignment]
    assert not problems, "\n".join(problems)


def test_no_question_is_indexed_twice():
    seen, problems = {}, []
    for e in entries():
        ident = (e.key, squash(e.quote))
        if ident in seen:
            problems.append(f"`{e.key}` 「{e.quote}」 is indexed in {seen[ident]} and {e.assignment} (cell {e.cell})")
        seen[ident] = f"{e.assignment} (cell {e.cell})"
    assert not problems, "\n".join(problems)


def test_index_points_to_cells_that_exist():
    ids = handbook.graded_ids()
    problems = []
    for e in entries():
        for a, g in e.refs:
            if a not in ids:
                problems.append(f"{e.assignment} (cell {e.cell}): `{e.key}` points to {a}:{g}, but there is no "
                                f"assignment {a} in source/")
            elif g not in ids[a]:
                problems.append(f"{e.assignment} (cell {e.cell}): `{e.key}` points to {a}:{g}, which is no exercise, "
                                f"test or written answer of {a}")
    assert not problems, "\n".join(problems)


def test_index_points_to_cells_that_quote_the_question():
    """An entry that names exercises claims the question is answered there: that notebook quotes it (outside its
    index), next to the exercise or written question."""
    prose = {}
    for a in assignments():
        nb = read_notebook(source_notebook(a))
        skip = set(handbook.index_cells(nb))
        prose[a] = squash("\n".join(c.source for i, c in enumerate(nb.cells)
                                    if c.cell_type == "markdown" and i not in skip))
    problems = []
    for e in entries():
        for a in {a for a, _g in e.refs if a in prose}:
            if squash(e.quote) not in prose[a]:
                problems.append(f"{e.assignment} (cell {e.cell}): `{e.key}` 「{e.quote}」 points to {a}, whose text "
                                f"never quotes it: quote it where it is answered, or write `answer: ...`")
    assert not problems, "\n".join(problems)


def test_same_as_names_an_answered_question():
    answered = {}
    for e in entries():
        answered.setdefault(e.key, []).append(e)
    problems = []
    for e in entries():
        if e.kind != "same":
            continue
        targets = answered.get(e.same, [])
        if not targets:
            problems.append(f"{e.assignment} (cell {e.cell}): `{e.key}` is the same as `{e.same}`, which no index "
                            f"holds")
        elif targets and all(t.kind in ("out", "same") for t in targets):
            problems.append(f"{e.assignment} (cell {e.cell}): `{e.key}` is the same as `{e.same}`, which is not "
                            f"answered itself")
    assert not problems, "\n".join(problems)


def test_errata_are_well_formed():
    problems = [f"{e.assignment} (cell {e.cell}): erratum `{e.key}`: {e.problem}" for e in handbook.all_errata()
                if e.problem]
    assert not problems, "\n".join(problems)


def test_generated_docs_are_fresh():
    stale = handbook.stale_docs()
    assert not stale, f"run `course build` and commit: {stale}"


def test_index_parser():
    from types import SimpleNamespace as NS
    cells = [NS(cell_type="markdown", source="## 手册问题索引 · Handbook questions\n\n"
                "- `001 §6 问题1` 「如何将强化学习应用于大模型训练？」 (How is RL used?) → `discounted_returns`, "
                "`14_rlhf_grpo:written_rl`\n"
                "- `000 §一.2` 「解释一下“查询（Query）”」 (What do Q do?) → answer: Q asks, K answers. V is what\n"
                "  is averaged.\n"
                "- `004 §27` 「如何处理？」 (How?) → same as `004 §13`\n"
                "- `003 §17` 「问」 (Q) → out of scope: no reason (a test)\n"
                "- `003 §99` 「问」 (Q) → answer: none\n", metadata={}),
             NS(cell_type="markdown", source="## Glossary 术语表", metadata={})]
    found, bad = handbook.parse_index(NS(cells=cells), "13_x")
    assert [(e.key, e.kind) for e in found] == [("001 §6 问题1", "refs"), ("000 §一.2", "answer"),
                                                ("004 §27", "same"), ("003 §17", "out")]
    assert found[0].refs == [("13_x", "discounted_returns"), ("14_rlhf_grpo", "written_rl")]
    assert found[1].text == "Q asks, K answers. V is what is averaged."
    assert found[2].same == "004 §13" and found[3].text.startswith("no reason")
    assert len(bad) == 1 and "no section 003 §99" in bad[0]


def test_erratum_parser():
    from types import SimpleNamespace as NS
    text = ("> **手册勘误 · Handbook erratum** (`004 §3`)\n> 手册：「召回率：模型预测为正例的样本中，实际为正例的样本占比。」\n"
            "> Right: that is precision.\n> Recall is TP / (TP + FN).\n> Source: any textbook.")
    (e,) = handbook.parse_errata(NS(cells=[NS(cell_type="markdown", source=text)]), "11_x")
    assert (e.key, e.problem, e.source) == ("004 §3", None, "any textbook.")
    assert e.right == "that is precision. Recall is TP / (TP + FN)."


def test_exercise_contract_strips_solutions():
    src = ('def f(x, n=2):\n    """Doc (B, L)."""\n    ### BEGIN SOLUTION\n    return secret(x)\n    ### END SOLUTION\n\n'
           'class M(nn.Module):\n    """A module."""\n    def __init__(self, d):\n        ### BEGIN SOLUTION\n'
           '        self.d = d\n        ### END SOLUTION\n    def _hidden(self):\n        pass\n')
    text = handbook.exercise_contract(src)
    assert "secret" not in text and "_hidden" not in text
    assert 'def f(x, n=2):\n    """Doc (B, L)."""' in text and "def __init__(self, d):" in text


# ---------------------------------------------------------------------------------------------------------------
# Against the seed files (skipped without them)
# ---------------------------------------------------------------------------------------------------------------
def require_seeds():
    if not handbook.have_seeds():
        pytest.skip(f"the seed files are not in {handbook.seeds_dir()} (set COURSE_SEEDS)")


def test_sections_are_the_seeds_sections():
    require_seeds()
    problems = []
    for prefix in ("000", "001", "003", "004"):
        want = list(handbook.section_lines(prefix))
        have = [s[1] for s in SECTIONS if s[0] == prefix]
        if sorted(want) != sorted(have):
            problems.append(f"{prefix}: the seed has sections {sorted(set(want) - set(have))} that SECTIONS lacks, "
                            f"and SECTIONS has {sorted(set(have) - set(want))} that the seed lacks")
    lines = handbook.read_seed("002").splitlines()
    held = {n for s in SECTIONS if s[0] == "002" for n in handbook.line_numbers(s[4])}
    for number, text in enumerate(lines, 1):
        if text.strip() and number not in held:
            problems.append(f"002 line {number} ({text.strip()[:40]}) is in no group of SECTIONS")
        if number in held and not text.strip():
            problems.append(f"002 line {number} is blank but SECTIONS lists it")
    assert not problems, "\n".join(problems)


def test_seed_parser_finds_every_question():
    require_seeds()
    qs = handbook.seed_questions()
    count = lambda p: sum(q.prefix == p for q in qs)  # noqa: E731
    assert (count("001"), count("003"), count("004")) == (60, 20, 30)
    assert (count("000"), count("002")) == (314, 52), "the seed parser misses or invents questions"
    assert all(q.text for q in qs)


def test_index_quotes_are_verbatim():
    require_seeds()
    questions = handbook.seed_questions()
    problems = []
    for e in entries():
        prefix, key, number = e.parsed_key
        same = [q for q in questions if (q.prefix, q.key) == (prefix, key) and q.number == number]
        if not any(handbook.question_matches(q, e.quote) for q in same):
            elsewhere = [q.ref for q in questions if handbook.question_matches(q, e.quote)]
            problems.append(f"{e.assignment} (cell {e.cell}): 「{e.quote}」 is not a question of `{e.key}`"
                            + (f"; it is `{elsewhere[0]}`" if elsewhere else ""))
    assert not problems, "\n".join(problems)


def test_quoted_questions_are_in_the_cited_section():
    """Quotes in the notebooks' prose next to a citation are in the section they cite."""
    require_seeds()
    problems = []
    for assignment, index_, prefix, key, quote, text in notebook_citations():
        if not quote:
            continue
        q = squash(quote)
        if prefix == "002" or key is None:
            where = [handbook.read_seed(prefix)]
            spans = {}
        else:
            spans = handbook.section_spans(prefix)
            keys = [key, "§一(高频)"] if (prefix, key) == ("000", "§一") else [key]
            where = [spans[k] for k in keys if k in spans]
        if not any(q in squash(w) for w in where):
            found = sorted((k for k, w in spans.items() if q in squash(w)), key=lambda k: "." not in k)
            problems.append(f"{assignment} (cell {index_}): 「{quote}」 is not in {prefix} {key or '(file)'}, "
                            f"cited as {text!r}" + (f"; it is in {found[0]}" if found else ""))
    assert not problems, "\n".join(problems)


OWNERS = sorted({s[3] for s in SECTIONS})


@pytest.mark.parametrize("owner", OWNERS)
def test_every_seed_question_is_indexed_by_its_owner(owner):
    """Each question of a section is in the owner's index (answered, same as another, or out of scope)."""
    require_seeds()
    if owner not in assignments():
        pytest.skip(f"{owner} does not exist yet")
    mine = [q for q in handbook.seed_questions() if handbook.owner(q.prefix, q.key) == owner]
    found = index(owner)[0]
    missing = [q for q in mine if not any(e.parsed_key == (q.prefix, q.key, q.number)
                                          and handbook.question_matches(q, e.quote) for e in found)]
    report = f"{owner} indexes {len(mine) - len(missing)} of its {len(mine)} questions; missing:\n" + "\n".join(
        f"- `{q.ref}` 「{q.text}」" for q in missing)
    if not handbook.index_cells(read_notebook(source_notebook(owner))):
        pytest.xfail(f"{owner} has no question index yet. " + report)
    assert not missing, report


def test_errata_quote_the_handbook():
    """The 手册：「...」 line of an erratum is the handbook's own words, in the section the erratum names."""
    require_seeds()
    problems = []
    for e in handbook.all_errata():
        if e.problem:
            continue
        prefix, key, _n = handbook.parse_key(e.key)
        claim = re.match(r"「(.+)」", e.claim)
        where = handbook.read_seed(prefix) if prefix == "002" else handbook.section_spans(prefix).get(key, "")
        if (prefix, key) == ("000", "§一"):
            where += handbook.section_spans("000").get("§一(高频)", "")
        if not claim or squash(claim.group(1)) not in squash(where):
            problems.append(f"{e.assignment} (cell {e.cell}): erratum `{e.key}` quotes {e.claim[:60]!r}, which is not "
                            f"in that section of the handbook")
    assert not problems, "\n".join(problems)
