"""nbgrader configuration of the LLM engineer's interview course.

The course root is this repository: source/ holds the reference notebooks,
release/ the generated learner notebooks, submitted/ and autograded/ the
class's work. `course build` and `course grade` read this file too.
"""
import os

c = get_config()  # noqa: F821  (injected by traitlets)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "llm-interview-course"

# Only notebooks and declared data files are ever released: a stray .py copy of
# a solution, a checkpoint folder or a cache in source/ never reaches release/.
c.CourseDirectory.include = ["*.ipynb", "data/*.csv", "data/*.json", "data/*.npz", "images/*.png"]
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "__pycache__", "*.pyc", "*.py", "*.db", "*.html", ".*",
]

# The stub a learner sees in place of a solution.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\n"
    "raise NotImplementedError(\"Not implemented yet: replace this line with your code (see the docstring).\")",
}

# A cell that runs longer than this is interrupted and scores 0.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
