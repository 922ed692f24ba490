"""The LLM engineer's interview course: helpers for notebooks and the ``course`` command.

What notebooks import (learner-facing, no reference solution ever lives here):
- ``testing``: assertions for test cells; ``sim``: the simulated cluster;
  ``distributed``: ranks as processes; ``tiny_model``: a small transformer;
  ``gpu_specs``: accelerator numbers for back-of-envelope exercises.
Authoring and learner tools:
- ``cli``: the ``course`` command; ``build``: release/ from source/;
  ``authoring``: notebook builder; ``notebooks``: where notebooks live and
  what each cell is; ``workspace``: the learner's workspace and ``make lab``;
  ``progress``: ``course progress``.
The grader (``course.grader``): grade a notebook or a class; the only place a
submission's code runs (its ``sandbox`` and ``executor``). See docs/architecture.md.
"""
__version__ = "0.1.0"

import os as _os
import sys as _sys

# nbgrader shells out to `alembic` (and the grader to `jupyter`) by name: make the
# interpreter's own bin/ findable even when .venv/bin is not on PATH.
_bin = _os.path.dirname(_sys.executable)
if _bin not in _os.environ.get("PATH", "").split(_os.pathsep):
    _os.environ["PATH"] = _bin + _os.pathsep + _os.environ.get("PATH", "")
