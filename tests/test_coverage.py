"""docs/coverage.md maps every section of every seed file to the exercises and written answers that answer it.

Fast: notebooks are read, never executed. The seed files live in ``../shared/seeds/`` beside the course
(``COURSE_SEEDS`` overrides); the checks that need them skip when they are absent.
"""
import os
import re
from functools import lru_cache
from pathlib import Path

import pytest

from course.notebooks import (assignments, grade_id, is_solution_cell, is_test_cell, is_written_cell, read_notebook,
                              source_notebook)

ROOT = Path(__file__).resolve().parent.parent
COVERAGE = ROOT / "docs" / "coverage.md"
SEEDS = Path(os.environ.get("COURSE_SEEDS", ROOT.parent / "shared" / "seeds"))
PREFIXES = ("000", "001", "002", "003", "004")
CN = "一二三四五六七八九十"

# ---------------------------------------------------------------------------------------------------------------
# Citations in the notebooks' markdown.
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

# Quotes that a notebook places in the wrong section, already reported to its author. Stale entries are harmless.
KNOWN_MISCITATIONS: set = set()  # (assignment, seed prefix, section, question) pairs to tolerate; none now


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
        for index, cell in enumerate(read_notebook(source_notebook(assignment)).cells):
            if cell.cell_type != "markdown":
                continue
            for prefix, key, start, end in citations(cell.source):
                out.append((assignment, index, prefix, key, quoted(cell.source, start, end),
                            " ".join(cell.source[start:end].split())))
    return out


# ---------------------------------------------------------------------------------------------------------------
# docs/coverage.md
# ---------------------------------------------------------------------------------------------------------------
REF = re.compile(r"^(?P<assignment>\d\d_[a-z0-9_]+):(?P<grade_id>[A-Za-z0-9_]+)$")
COVERAGE_CELL = re.compile(r"^(full(:\s*\S.*)?|partial:\s*\S.*)$")


@lru_cache(maxsize=None)
def table():
    """{prefix: {key: row}}; a row is {column: text} plus 'refs' (the answered-by names) and 'line' (in the doc)."""
    assert COVERAGE.is_file(), "docs/coverage.md is missing"
    tables, prefix, header = {}, None, None
    for number, line in enumerate(COVERAGE.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            m = re.match(r"^##\s.*?(00[0-4])_[0-9a-f]{16}\.txt", line)
            prefix, header = (m.group(1), None) if m else (None, None)
            if prefix:
                assert prefix not in tables, f"docs/coverage.md:{number}: a second table for {prefix}"
                tables[prefix] = {}
            continue
        if prefix is None or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            for column in ("section", "answered by", "coverage") + (("lines",) if prefix == "002" else ()):
                assert column in header, f"docs/coverage.md:{number}: the {prefix} table has no '{column}' column"
            continue
        if all(set(c) <= set("-: ") for c in cells):
            continue
        assert len(cells) == len(header), f"docs/coverage.md:{number}: {len(cells)} cells, header has {len(header)}"
        row = dict(zip(header, cells))
        key = row["section"].strip("` ")
        assert key, f"docs/coverage.md:{number}: a row without a section"
        assert key not in tables[prefix], f"docs/coverage.md:{number}: {prefix} {key} has two rows"
        row["refs"] = re.findall(r"`([^`]*)`", row["answered by"])
        row["line"] = number
        tables[prefix][key] = row
    return tables


def test_the_table_has_every_seed_file():
    assert sorted(table()) == list(PREFIXES), f"docs/coverage.md has tables for {sorted(table())}, want {PREFIXES}"
    for prefix, rows in table().items():
        assert rows, f"docs/coverage.md: the {prefix} table is empty"


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


# (2) every section a notebook cites is in the table ------------------------------------------------------------
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
                assert re.fullmatch(r"00[0-4]_[0-9a-f]{16}\.txt", name), \
                    f"{assignment} cell {index}: malformed seed file name {name!r}"
                if SEEDS.is_dir():
                    assert name in {p.name for p in seed_files().values()}, \
                        f"{assignment} cell {index}: {name} is not one of the seed files in {SEEDS}"


def test_every_cited_section_has_a_row():
    rows = table()
    problems = []
    for assignment, index, prefix, key, _quote, text in notebook_citations():
        if key is None:  # the bare file name: any row of that file answers it
            ok = bool(rows.get(prefix))
        else:
            ok = key in rows.get(prefix, {})
        if not ok:
            problems.append(f"{assignment} (cell {index}) cites {prefix} {key or '(whole file)'} in {text!r}, "
                            f"which docs/coverage.md does not list")
    assert not problems, "\n".join(problems)


# (3) every seed section has a row that names an exercise or a written answer ----------------------------------
def test_every_seed_section_has_a_row_with_answers():
    sections = seed_sections()
    rows = table()
    problems = []
    for prefix, keys in sections.items():
        for key in keys:
            row = rows.get(prefix, {}).get(key)
            if row is None:
                problems.append(f"{prefix} {key} ({keys[key]}) has no row in docs/coverage.md")
            elif not row["refs"]:
                problems.append(f"docs/coverage.md:{row['line']}: {prefix} {key} names no exercise or written answer")
    assert not problems, "\n".join(problems)


def test_002_groups_hold_every_line():
    lines = read_seed("002").splitlines()
    owner = {}
    problems = []
    for key, row in table()["002"].items():
        if not row["refs"]:
            problems.append(f"docs/coverage.md:{row['line']}: 002 {key} names no exercise or written answer")
        for number in line_numbers(row["lines"], row["line"]):
            if not 1 <= number <= len(lines) or not lines[number - 1].strip():
                problems.append(f"docs/coverage.md:{row['line']}: 002 {key} lists line {number}, which is blank "
                                f"or past the end of the file")
            elif number in owner:
                problems.append(f"002 line {number} is in both {owner[number]} and {key}")
            owner[number] = key
    for number, text in enumerate(lines, 1):
        if text.strip() and number not in owner:
            problems.append(f"002 line {number} ({text.strip()[:40]}) is in no group of docs/coverage.md")
    assert not problems, "\n".join(problems)


# (4) the table names only real assignments, grade_ids and sections ---------------------------------------------
def test_answered_by_names_real_cells():
    ids = graded_ids()
    problems = []
    for prefix, rows in table().items():
        for key, row in rows.items():
            for ref in row["refs"]:
                m = REF.match(ref)
                if not m:
                    problems.append(f"docs/coverage.md:{row['line']}: {ref!r} is not ASSIGNMENT:grade_id")
                elif m["assignment"] not in ids:
                    problems.append(f"docs/coverage.md:{row['line']}: no assignment {m['assignment']!r} in source/")
                elif m["grade_id"] not in ids[m["assignment"]]:
                    problems.append(f"docs/coverage.md:{row['line']}: {m['assignment']} has no exercise, test or "
                                    f"written answer with grade_id {m['grade_id']!r}")
    assert not problems, "\n".join(problems)


def test_rows_are_real_sections():
    sections = seed_sections()
    problems = [f"docs/coverage.md:{row['line']}: {prefix} has no section {key}"
                for prefix in ("000", "001", "003", "004")
                for key, row in table()[prefix].items() if key not in sections[prefix]]
    assert not problems, "\n".join(problems)


def test_coverage_says_full_or_partial():
    problems = [f"docs/coverage.md:{row['line']}: {prefix} {key}: coverage {row['coverage']!r} should be "
                f"'full' or 'partial: what is missing'"
                for prefix, rows in table().items() for key, row in rows.items()
                if not COVERAGE_CELL.match(row["coverage"])]
    assert not problems, "\n".join(problems)


# Quotes: a quoted question must be in the section its citation names -----------------------------------------
def test_quoted_questions_are_in_the_cited_section():
    problems = []
    for assignment, index, prefix, key, quote, text in notebook_citations():
        if not quote:
            continue
        q = squash(quote)
        if any(assignment == a and prefix == p and key == k and q == squash(kq) for a, p, k, kq in KNOWN_MISCITATIONS):
            continue
        spans = section_spans(prefix)
        if key is None:
            where = [read_seed(prefix)]
        else:
            # 「一」 names both chapters the handbook numbers 一
            keys = [key, "§一(高频)"] if (prefix, key) == ("000", "§一") else [key]
            where = [spans[k] for k in keys if k in spans]
        if not any(q in squash(w) for w in where):
            found = sorted((k for k, w in spans.items() if q in squash(w)), key=lambda k: "." not in k)
            problems.append(f"{assignment} (cell {index}): 「{quote}」 is not in {prefix} {key or '(file)'}, "
                            f"cited as {text!r}" + (f"; it is in {found[0]}" if found else ""))
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------------------------
# The seed files
# ---------------------------------------------------------------------------------------------------------------
def require_seeds():
    if not SEEDS.is_dir():
        pytest.skip(f"the seed files are not at {SEEDS} (set COURSE_SEEDS)")


@lru_cache(maxsize=None)
def seed_files():
    require_seeds()
    files = {}
    for prefix in PREFIXES:
        found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
        assert len(found) == 1, f"expected one {prefix}_*.txt in {SEEDS}, found {found}"
        files[prefix] = found[0]
    return files


@lru_cache(maxsize=None)
def read_seed(prefix):
    return seed_files()[prefix].read_text(encoding="utf-8")


def squash(text):
    return re.sub(r"[\s*\u00a0\u3000]+", "", text)


@lru_cache(maxsize=None)
def section_lines(prefix):
    """{key: (title, first line index, end line index)} for the seed's sections, in file order."""
    lines = read_seed(prefix).splitlines()
    if prefix == "000":
        return sections_000(lines)
    heading = {"001": r"^###\s*(\d+)\.\s*(.*)$", "003": r"^#{3,4}\s*(\d+)\.\s*(.*)$",
               "004": r"^#{3,4}\s*(\d+)\.\s*(.*)$"}[prefix]
    return numbered(lines, [(i, m) for i, line in enumerate(lines) if (m := re.match(heading, line))], "§", len(lines))


def numbered(lines, hits, prefix, end):
    out = {}
    for j, (i, m) in enumerate(hits):
        stop = hits[j + 1][0] if j + 1 < len(hits) else end
        out[f"{prefix}{m.group(1)}"] = (m.group(2).strip("* "), i, stop)
    return out


def sections_000(lines):
    """Chapters 「一、...」 at any heading level, then their `### N.` sub-sections, or their numbered questions when
    a chapter has no sub-headings. The handbook numbers two chapters 一: the 高频 list becomes §一(高频)."""
    chapter = re.compile(rf"^#{{1,3}}\s*(?:\*\*)?\s*([{CN}]+)、\s*(.*?)\s*$")
    sub = re.compile(r"^#{3,}\s*(?:\*\*)?\s*(\d+)\.\s*(.*?)\s*$")
    item = re.compile(r"^(\d+)\.\s+(.*?)\s*$")
    chapters = [(i, m.group(1), m.group(2).strip("*[]() "))
                for i, line in enumerate(lines) if (m := chapter.match(line))]
    numerals = [c[1] for c in chapters]
    out = {}
    for j, (start, numeral, title) in enumerate(chapters):
        end = chapters[j + 1][0] if j + 1 < len(chapters) else len(lines)
        key = f"§{numeral}"
        if numerals.count(numeral) > 1 and "高频" in title:
            key = f"§{numeral}(高频)"
        assert key not in out, f"000: two chapters {key}"
        out[key] = (title, start, end)
        body = range(start + 1, end)
        hits = [(i, m) for i in body if (m := sub.match(lines[i]))] \
            or [(i, m) for i in body if (m := item.match(lines[i]))]
        out.update(numbered(lines, hits, key + ".", end))
    return out


@lru_cache(maxsize=None)
def section_spans(prefix):
    """{key: text of the section}."""
    if prefix == "002":
        return {}
    lines = read_seed(prefix).splitlines()
    return {key: "\n".join(lines[a:b]) for key, (_title, a, b) in section_lines(prefix).items()}


@lru_cache(maxsize=None)
def seed_sections():
    """{prefix: {key: title}} derived from the seed files (002's groups are checked line by line instead)."""
    out = {prefix: {k: v[0] for k, v in section_lines(prefix).items()} for prefix in ("000", "001", "003", "004")}
    # guard the parsers: a heading format they miss would otherwise pass silently
    assert len(out["001"]) == 6, f"001 should have six areas, parsed {list(out['001'])}"
    assert list(out["003"]) == [f"§{n}" for n in range(1, 21)], f"003: parsed {list(out['003'])}"
    assert list(out["004"]) == [f"§{n}" for n in range(1, 31)], f"004: parsed {list(out['004'])}"
    chapters = [k for k in out["000"] if "." not in k]
    assert chapters[:2] == ["§一(高频)", "§一"] and "§十一" in chapters, f"000: parsed chapters {chapters}"
    return out


def line_numbers(spec, doc_line):
    numbers = []
    for part in spec.split(","):
        m = re.fullmatch(r"\s*(\d+)\s*(?:[-–]\s*(\d+))?\s*", part)
        assert m, f"docs/coverage.md:{doc_line}: lines {spec!r} should look like '1-8, 10, 12-15'"
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        assert a <= b, f"docs/coverage.md:{doc_line}: backwards range {part.strip()!r}"
        numbers.extend(range(a, b + 1))
    return numbers


@lru_cache(maxsize=None)
def graded_ids():
    """{assignment: grade_ids of its exercises (solution cells), tests and written answers}."""
    return {a: {grade_id(c) for c in read_notebook(source_notebook(a)).cells
                if is_solution_cell(c) or is_test_cell(c) or is_written_cell(c)}
            for a in assignments()}
