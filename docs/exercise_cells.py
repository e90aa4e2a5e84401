"""Writes the exercises of docs/exercises.md into workshop.ipynb, as its "Your turn" cells.

    python docs/exercise_cells.py

The exercises are written once, in docs/exercises.md; this puts each one before its solution's
step in the notebook: the exercise's text (a markdown cell), a cell that makes the learner's copy
and runs it against the solution, and a cell that shows the copy's differences from the solution
side by side. Cells it wrote earlier (metadata "exercise") are replaced; nothing else changes.
Each exercise's solution is a step of the one list of them (visu/steps.py), and the exercises come
in its order. python docs/step_tables.py runs this after writing the exercises' tables, whose
marker lines (<!-- ... -->) are left out of the notebook's cells. tests/test_exercises.py checks
that the notebook is up to date.
"""

import pathlib
import re
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from visu import steps  # noqa: E402

EXERCISES = ROOT / "docs" / "exercises.md"
NOTEBOOK = ROOT / "workshop.ipynb"
HEADING = "## Your turn"
MARKER = re.compile(r"^<!-- .* -->\n\n?", re.M)  # docs/step_tables.py's blocks begin and end so


def exercises(text):
    """The exercises in the text, in order: dicts of their text ("markdown") and their table's
    "start from", "your copy", "run it" and "solution", each the first `...` of its row."""
    found = []
    for section in re.split(r"^(?=## )", text, flags=re.M):
        if not section.startswith(HEADING):
            continue
        exercise = {"markdown": MARKER.sub("", section).strip()}
        for row in ("start from", "your copy", "run it", "solution"):
            match = re.search(r"^\| %s \| `([^`]+)`" % row, section, re.M)
            if match is None:
                raise ValueError("%s: %r has no row %r" % (EXERCISES, section[:60], row))
            exercise[row] = match.group(1)
        found.append(exercise)
    order = steps.files()
    solutions = [exercise["solution"] for exercise in found]
    if any(solution not in order for solution in solutions):
        unknown = [solution for solution in solutions if solution not in order]
        raise ValueError("%s: %s is no step (visu/steps.py)" % (EXERCISES, unknown[0]))
    if solutions != sorted(solutions, key=order.index):
        raise ValueError("%s: the exercises are not in the steps' order" % EXERCISES)
    return found


def _cell(kind, source, exercise, part):
    """A cell marked as this exercise's, with an id of its own that stays the same when made
    again (my_2.0.py's text: your-turn-2-0-text)."""
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    name = exercise["your copy"].removeprefix("my_").removesuffix(".py").replace(".", "-")
    return make(
        source, metadata={"exercise": exercise["your copy"]}, id="your-turn-%s-%s" % (name, part)
    )


def exercise_cells(exercise):
    """The three cells of one exercise."""
    mine, start, solution = exercise["your copy"], exercise["start from"], exercise["solution"]
    command = exercise["run it"].split()
    if command[:2] != ["python", mine]:
        raise ValueError("%s: 'run it' must run your copy: %s" % (mine, exercise["run it"]))
    copy_and_run = (
        "# Makes your copy beside the steps the first time (and never overwrites it), then runs\n"
        "# it with the solution's curves drawn faint behind yours. Change it, run this again.\n"
        "from visu.exercises import my_copy\n"
        "\n"
        'my_copy("%s", start="%s")\n'
        "%%run %s" % (mine, start, " ".join(command[1:]))
    )
    differences = (
        "# Your copy against the solution: only the lines that differ, side by side\n"
        "from visu.exercises import side_by_side\n"
        "\n"
        'side_by_side("%s", "%s")' % (mine, solution)
    )
    return [
        _cell("markdown", exercise["markdown"], exercise, "text"),
        _cell("code", copy_and_run, exercise, "run"),
        _cell("code", differences, exercise, "differences"),
    ]


def with_exercises(notebook, found):
    """The notebook (nbformat's), with each exercise's cells before its solution's step."""
    cells = [cell for cell in notebook.cells if "exercise" not in cell.metadata]
    for exercise in found:
        label = steps.by_file()[exercise["solution"]].number
        heading = "## Step %s:" % label
        at = [
            k
            for k, cell in enumerate(cells)
            if cell.cell_type == "markdown" and cell.source.startswith(heading)
        ]
        if len(at) != 1:
            raise ValueError("the notebook has no one cell starting with %r" % heading)
        cells[at[0] : at[0]] = exercise_cells(exercise)
    notebook.cells = cells
    return notebook


def write_notebook(check=False):
    """Writes the exercises' cells into the notebook unless they are there already (or with
    check=True); returns ["workshop.ipynb"] if they were not, else []."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    before = nbformat.writes(notebook)
    found = exercises(EXERCISES.read_text(encoding="utf-8"))
    after = nbformat.writes(with_exercises(notebook, found))
    if after == before:
        return []
    if not check:
        NOTEBOOK.write_text(after + "\n", encoding="utf-8")
    return [NOTEBOOK.name]


def main():
    changed = write_notebook()
    print("%s: %s" % (NOTEBOOK, "written" if changed else "up to date"))


if __name__ == "__main__":
    main()
