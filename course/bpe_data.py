"""Data and offline oracles for 16_tokenization.

The files under ``course/data/tokenization/`` come from Stanford CS336 assignment 1
(stanford-cs336/assignment1-basics, commit 25a8a49, tests/fixtures, MIT licence; the GPT-2 vocabulary and
merges there are OpenAI's encoder.json and vocab.bpe, openai/gpt-2, MIT). See NOTICE in that folder.

Nothing here touches the network: tiktoken's "gpt2" encoding is served from a private cache seeded with the
shipped files (tiktoken checks their SHA-256 against its pinned hashes), the HF ``tokenizers`` model is built
from the same files.
"""
from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
from pathlib import Path

from .corpus import course_text

DATA_DIR = Path(__file__).resolve().parent / "data" / "tokenization"

# The sha1 of the two URLs tiktoken's "gpt2" encoding downloads: the names of its cache files.
_TIKTOKEN_VOCAB_BPE = "6d1cbeee0f20b3d9449abfede4726ed8212e3aee"      # .../gpt-2/encodings/main/vocab.bpe
_TIKTOKEN_ENCODER_JSON = "6c7ea1a7e38e3a7f062df639a5b80947f075ffe6"   # .../gpt-2/encodings/main/encoder.json


def data_path(name: str) -> Path:
    """The path of a shipped file, e.g. data_path("gpt2_vocab.json")."""
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(f"{name} is not among the course's tokenization files in {DATA_DIR}")
    return path


def course_markdown() -> str:
    """The markdown of the course's notebooks, in assignment order: ``course.corpus.course_text()`` as text.

    The course's own text: English prose with the handbook's questions quoted in Chinese and bilingual glossaries.
    Its snapshot ships inside the package, so the grader's sandbox reads it too.
    """
    return course_text().decode("utf-8")


_HAN_RUN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def chinese_text(text: str | None = None) -> str:
    """The runs of Han characters and CJK/fullwidth punctuation of `text` (default: the course's markdown)."""
    text = course_markdown() if text is None else text
    return "".join(_HAN_RUN.findall(text))


@functools.lru_cache(maxsize=None)
def _tiktoken_cache() -> str:
    folder = Path(tempfile.mkdtemp(prefix="course-tiktoken-"))
    atexit.register(shutil.rmtree, folder, True)
    merges = data_path("gpt2_merges.txt").read_bytes()
    (folder / _TIKTOKEN_VOCAB_BPE).write_bytes(b"#version: 0.2\n" + merges)
    (folder / _TIKTOKEN_ENCODER_JSON).write_bytes(data_path("gpt2_vocab.json").read_bytes())
    return str(folder)


def gpt2_tiktoken():
    """tiktoken's "gpt2" encoding, offline (an oracle of the hidden tests and the opening figure)."""
    import tiktoken
    import tiktoken.registry

    if "gpt2" not in tiktoken.registry.ENCODINGS:
        previous = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = _tiktoken_cache()
        try:
            return tiktoken.get_encoding("gpt2")
        finally:
            if previous is None:
                os.environ.pop("TIKTOKEN_CACHE_DIR", None)
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = previous
    return tiktoken.get_encoding("gpt2")


def hf_bpe_tokenizer(vocab_file: str | os.PathLike | None = None, merges_file: str | os.PathLike | None = None,
                     special_tokens=("<|endoftext|>",)):
    """An HF `tokenizers` byte-level BPE built offline from GPT-2-format files (default: GPT-2's own)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    vocab_file = str(vocab_file or data_path("gpt2_vocab.json"))
    merges_file = str(merges_file or data_path("gpt2_merges.txt"))
    tok = Tokenizer(models.BPE.from_file(vocab_file, merges_file))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    if special_tokens:
        tok.add_special_tokens(list(special_tokens))
    return tok
