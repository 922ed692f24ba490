"""course.corpus: the course's own prose as bytes, and the entropy baselines the capstone compares against."""
import json
import math
import random

import pytest
import torch

from course import corpus
from course.corpus import bigram_entropy, course_text, text_from_release, unigram_entropy


def _notebook(path, cells):
    path.mkdir(parents=True)
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (path / f"{path.name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def test_text_is_the_markdown_of_01_to_16_in_order(tmp_path):
    md = lambda text: {"cell_type": "markdown", "metadata": {}, "source": text}  # noqa: E731
    code = {"cell_type": "code", "metadata": {}, "source": "print('not prose')", "outputs": [],
            "execution_count": None}
    _notebook(tmp_path / "02_b", [md(["第二", " part"])])
    _notebook(tmp_path / "01_a", [md("# One"), code, md("two é")])
    _notebook(tmp_path / "16_last", [md("sixteen")])
    _notebook(tmp_path / "17_capstone_tiny_llm", [md("the capstone itself is not part of its corpus")])
    (tmp_path / "03_empty").mkdir()  # a folder without its notebook
    want = "\n\n".join(["# One", "two é", "第二 part", "sixteen"]).encode("utf-8")
    assert text_from_release(tmp_path) == want


def test_snapshot_matches_release():
    assert corpus.snapshot_is_fresh(), "course/course_text.txt is stale: run `course build` (or python -m course.corpus)"
    text = course_text()
    assert isinstance(text, bytes) and len(text) > 32768
    text.decode("utf-8")  # whole UTF-8 characters throughout
    assert b"BEGIN SOLUTION" not in text and b"BEGIN HIDDEN TESTS" not in text


def _entropies_by_counting(seq):
    pairs, prev = {}, {}
    for a, b in zip(seq, seq[1:]):
        pairs[a, b] = pairs.get((a, b), 0) + 1
        prev[a] = prev.get(a, 0) + 1
    n = len(seq) - 1
    h2 = sum(c / n * math.log(prev[a] / c) for (a, _), c in pairs.items())
    counts = {x: seq.count(x) for x in set(seq)}
    h1 = -sum(c / len(seq) * math.log(c / len(seq)) for c in counts.values())
    return h1, h2


def test_entropies_on_known_sequences():
    assert bigram_entropy(bytes([1, 2] * 50)) == pytest.approx(0.0, abs=1e-12)   # fully predictable
    assert unigram_entropy(bytes([1, 2] * 50)) == pytest.approx(math.log(2))
    # a fair-coin sequence: each next symbol is 0 or 1 after either: H(X_t | X_{t-1}) = log 2 exactly here
    seq = [0, 0, 1, 1, 0]                                                       # pairs 00, 01, 11, 10
    assert bigram_entropy(torch.tensor(seq)) == pytest.approx(math.log(2))
    assert isinstance(bigram_entropy(torch.tensor(seq)), float)


def test_entropies_match_counting_and_accept_every_input_type():
    rng = random.Random(0)
    seq = [rng.choice([3, 7, 7, 200, 255]) for _ in range(500)]
    h1, h2 = _entropies_by_counting(seq)
    for data in (seq, bytes(seq), torch.tensor(seq, dtype=torch.long)):
        assert bigram_entropy(data) == pytest.approx(h2, rel=1e-12)
        assert unigram_entropy(data) == pytest.approx(h1, rel=1e-12)
    assert 0 <= bigram_entropy(seq) <= unigram_entropy(seq) <= math.log(256)


def test_course_corpus_baselines_are_sane():
    data = torch.tensor(list(course_text()[:32768]), dtype=torch.long)
    h1, h2 = unigram_entropy(data), bigram_entropy(data)
    assert 3.0 < h1 < 5.0 and 1.5 < h2 < h1, (h1, h2)


def test_too_short_inputs_raise():
    with pytest.raises(ValueError):
        bigram_entropy(b"a")
    with pytest.raises(ValueError):
        unigram_entropy(b"")
