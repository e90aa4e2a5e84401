"""The notebook's "Your turn" cells: the learner's own copy of a step, and its differences from
the solution, side by side. The exercises themselves are docs/exercises.md."""

import difflib
import pathlib
import shutil

STEPS_FOLDER = pathlib.Path(__file__).resolve().parent.parent  # where the step scripts are

# Colors for the classes of HtmlDiff's table (added, changed, deleted lines), and a font small
# enough for two scripts of 100 columns side by side.
_STYLE = (
    "<style>table.diff {font-family: monospace; font-size: 11px; border: none}"
    " .diff_header {background-color: #e0e0e0} td.diff_header {text-align: right}"
    " .diff_next {background-color: #c0c0c0} .diff_add {background-color: #aaffaa}"
    " .diff_chg {background-color: #ffff77} .diff_sub {background-color: #ffaaaa}</style>"
)


def my_copy(mine, start):
    """Makes `mine` (my_2.0.py), beside the steps, a copy of the step `start`, unless it exists:
    a copy that exists is the learner's work and is never overwritten. Returns its path."""
    path = STEPS_FOLDER / mine
    if path.exists():
        print("%s: your copy, as you left it (delete it to start again from %s)." % (mine, start))
    else:
        shutil.copyfile(STEPS_FOLDER / start, path)
        print(
            "%s: a new copy of %s. Open it beside this notebook, change it as the exercise says, "
            "save it, and run this cell again." % (mine, start)
        )
    return path


def side_by_side(mine, solution, context_lines=3):
    """The differences between your copy and the solution, side by side, as a table that every
    notebook shows (Jupyter, VS Code, Colab): only the changed lines and `context_lines` around."""
    from IPython.display import HTML  # only ever used in a notebook

    paths = [STEPS_FOLDER / name for name in (mine, solution)]
    texts = [path.read_text(encoding="utf-8").splitlines() for path in paths]
    if texts[0] == texts[1]:
        return HTML("<p>%s and %s are the same.</p>" % (mine, solution))
    table = difflib.HtmlDiff(tabsize=4).make_table(
        *texts, fromdesc=mine, todesc=solution, context=True, numlines=context_lines
    )
    return HTML(_STYLE + table)
