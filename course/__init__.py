"""The LLM engineer's interview course: helpers for notebooks and the ``course`` command.

Modules, one job each:
- ``cli``: the ``course`` command; ``build``: release/ from source/;
  ``grading``: grade one notebook; ``classroom``/``worker``/``gradebook``: grade a class;
  ``workspace``: the learner's workspace and ``make lab``;
- ``testing``: assertions for test cells; ``plots``: figures; ``authoring``: notebook builder.
No reference solution ever lives here.
"""
__version__ = "0.1.0"

import os as _os
import sys as _sys

# nbgrader shells out to `alembic` (and the grader to `jupyter`) by name: make the
# interpreter's own bin/ findable even when .venv/bin is not on PATH.
_bin = _os.path.dirname(_sys.executable)
if _bin not in _os.environ.get("PATH", "").split(_os.pathsep):
    _os.environ["PATH"] = _bin + _os.pathsep + _os.environ.get("PATH", "")
