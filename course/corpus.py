"""The course's own prose as a byte-level training corpus (17_capstone_tiny_llm trains on it).

``course_text()`` is the UTF-8 bytes of the markdown cells of the released notebooks ``release/01_*`` to
``release/16_*``, in assignment order, joined by ``"\\n\\n"``: English prose with the handbook's questions
quoted in Chinese. The capstone trains a byte-level model (vocabulary 256) on its first 32,768 bytes.

A graded notebook runs in a sandbox that sees the ``course`` package but not ``release/``, so the text is kept
as a snapshot beside this module (``course_text.txt``), rewritten by ``course build`` and checked by
``course build --check`` and tests/test_corpus.py. The corpus grows as notebooks are added: compare a model's
loss with baselines computed on the same bytes (``bigram_entropy``, ``unigram_entropy``), never with fixed numbers.

    data = torch.tensor(list(course_text()[:32768]), dtype=torch.long)   # (32768,) int64 in 0..255
    bigram_entropy(data)                                                 # nats per byte of a bigram model
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

__all__ = ["course_text", "text_from_release", "write_snapshot", "snapshot_is_fresh", "bigram_entropy",
           "unigram_entropy", "SNAPSHOT", "LAST_ASSIGNMENT"]

SNAPSHOT = Path(__file__).resolve().with_name("course_text.txt")
LAST_ASSIGNMENT = 16  # the capstone (17) and anything after it are not part of the corpus
SEPARATOR = b"\n\n"
_NAME = re.compile(r"^(\d\d)_[a-z0-9_]+$")


def _release_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "release"


def corpus_assignments(release: Path | None = None) -> list[str]:
    """Released assignments 01 .. 16 present in ``release``, in assignment order."""
    release = release or _release_dir()
    if not release.is_dir():
        return []
    names = []
    for path in release.iterdir():
        m = _NAME.match(path.name)
        if m and 1 <= int(m.group(1)) <= LAST_ASSIGNMENT and (path / f"{path.name}.ipynb").is_file():
            names.append(path.name)
    return sorted(names)


def text_from_release(release: Path | None = None) -> bytes:
    """The corpus computed from the release notebooks (what the snapshot must equal)."""
    release = release or _release_dir()
    parts = []
    for name in corpus_assignments(release):
        nb = json.loads((release / name / f"{name}.ipynb").read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                source = cell.get("source", "")
                parts.append("".join(source) if isinstance(source, list) else source)
    return SEPARATOR.join(p.encode("utf-8") for p in parts)


def course_text() -> bytes:
    """The UTF-8 bytes of the release notebooks' markdown cells (01 .. 16, in order, joined by blank lines)."""
    if SNAPSHOT.is_file():
        return SNAPSHOT.read_bytes()
    return text_from_release()  # a checkout whose snapshot was never written


def write_snapshot(release: Path | None = None) -> bool:
    """Rewrite the snapshot from ``release``; returns whether it changed."""
    text = text_from_release(release)
    if SNAPSHOT.is_file() and SNAPSHOT.read_bytes() == text:
        return False
    SNAPSHOT.write_bytes(text)
    return True


def snapshot_is_fresh(release: Path | None = None) -> bool:
    return SNAPSHOT.is_file() and SNAPSHOT.read_bytes() == text_from_release(release)


def _as_list(data) -> list[int]:
    if isinstance(data, (bytes, bytearray)):
        return list(data)
    if hasattr(data, "tolist"):
        data = data.tolist()
    return [int(x) for x in data]


def unigram_entropy(data) -> float:
    """H(X) in nats per symbol: the loss of a model that predicts each byte's overall frequency."""
    seq = _as_list(data)
    if not seq:
        raise ValueError("unigram_entropy needs at least one symbol")
    counts: dict[int, int] = {}
    for x in seq:
        counts[x] = counts.get(x, 0) + 1
    n = len(seq)
    return -sum(c / n * math.log(c / n) for c in counts.values())


def bigram_entropy(data) -> float:
    """In-sample conditional entropy H(X_t | X_{t-1}) in nats per symbol, t = 1 .. n-1.

    The cross-entropy of the maximum-likelihood bigram model on the very pairs it was counted on: the loss a
    bigram model reaches on this corpus. ``data``: a 1-D int tensor, bytes, or a sequence of ints.
    """
    seq = _as_list(data)
    if len(seq) < 2:
        raise ValueError("bigram_entropy needs at least two symbols")
    pairs: dict[tuple[int, int], int] = {}
    prev: dict[int, int] = {}
    for a, b in zip(seq[:-1], seq[1:]):
        pairs[(a, b)] = pairs.get((a, b), 0) + 1
        prev[a] = prev.get(a, 0) + 1
    n = len(seq) - 1
    return -sum(c / n * math.log(c / prev[a]) for (a, _b), c in pairs.items())


if __name__ == "__main__":  # python -m course.corpus: rewrite the snapshot
    print("course/course_text.txt", "rewritten" if write_snapshot() else "already up to date",
          f"({len(course_text())} bytes)")
