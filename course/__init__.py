"""The LLM engineer's interview course: helpers for notebooks and the ``course`` command.

Modules, one job each:
- ``cli``: the ``course`` command; ``build``: release/ from source/;
  ``grading``: grade one notebook; ``classroom``/``worker``/``gradebook``: grade a class;
  ``workspace``: the learner's workspace and ``make lab``;
- ``testing``: assertions for test cells; ``plots``: figures; ``authoring``: notebook builder.
No reference solution ever lives here.
"""
__version__ = "0.1.0"
