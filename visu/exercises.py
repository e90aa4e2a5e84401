"""The notebook's "Your turn" cells: the learner's own copy of a step, and its differences from
the solution, side by side. The exercises themselves are docs/exercises.md."""

import difflib
import html
import pathlib
import re
import shutil

STEPS_FOLDER = pathlib.Path(__file__).resolve().parent.parent  # where the step scripts are

# The table is styled by its own inline styles alone: Jupyter's front ends style tables of their
# own (JupyterLab and Notebook 7 right-align every cell, VS Code has its theme's), and a style
# attribute wins over their stylesheets, where a <style> block may not even be applied. Fixed
# layout at the output's width, code wrapped within its column: both files always show whole.
_FONT = "font-family: Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace"
_TABLE = (
    "table-layout: fixed; width: 100%; border-collapse: collapse; border: 1px solid #ccc; "
    "margin: 0; background: #fff; color: #111; font-size: 12px; line-height: 1.35; " + _FONT
)
_CELL = (
    "text-align: left; vertical-align: top; white-space: pre-wrap; overflow-wrap: anywhere; "
    "word-wrap: break-word; padding: 1px 6px; border: none; color: #111; font-size: 12px; " + _FONT
)
_NUMBER = (
    _CELL.replace("text-align: left", "text-align: right")
    .replace("white-space: pre-wrap", "white-space: nowrap")
    .replace("#111", "#888")
)
_HEADER = _CELL.replace("white-space: pre-wrap", "white-space: normal") + "; font-weight: bold"
_GAP = _CELL + "; text-align: center; color: #888; background: #f2f2f2"
# each kind of line: the line's background, and its changed characters'
_KINDS = {
    None: ("#ffffff", None),
    "chg": ("#fff5c2", "#ffd84d"),  # changed: in both files, differently
    "sub": ("#ffe0e0", "#ffb3b3"),  # only in your copy
    "add": ("#dcf5dc", "#a6e3a6"),  # only in the solution
}


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
    notebook shows (Jupyter, VS Code, Colab): only the changed lines and `context_lines` around,
    each file in a column half the output's width, long lines wrapped."""
    from IPython.display import HTML  # only ever used in a notebook

    texts = [
        (STEPS_FOLDER / name).read_text(encoding="utf-8").expandtabs(4).splitlines()
        for name in (mine, solution)
    ]
    if texts[0] == texts[1]:
        return HTML("<p>%s and %s are the same.</p>" % (mine, solution))
    return HTML(diff_table(*texts, names=(mine, solution), context_lines=context_lines))


def diff_table(a, b, names, context_lines=3):
    """The HTML table of the lines that differ between a and b (lists of lines)."""
    header = "".join(
        '<th colspan="2" style="%s">%s</th>' % (_HEADER, html.escape(name)) for name in names
    )
    rows = ['<tr style="background: #eee">%s</tr>' % header]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    done = 0  # lines of a shown or skipped so far
    for group in matcher.get_grouped_opcodes(context_lines):
        rows += _gap(group[0][1] - done)
        for tag, i1, i2, j1, j2 in group:
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                left = (i + 1, a[i]) if i < i2 else None
                right = (j + 1, b[j]) if j < j2 else None
                kind = {"equal": None, "delete": "sub", "insert": "add"}.get(tag)
                if tag == "replace":
                    kind = "chg" if left and right else ("sub" if left else "add")
                rows.append(_row(left, right, kind))
        done = group[-1][2]
    rows += _gap(len(a) - done)
    columns = '<col style="width: 3.2em"><col><col style="width: 3.2em"><col>'
    return '<table class="diff" style="%s"><colgroup>%s</colgroup>%s</table>' % (
        _TABLE,
        columns,
        "".join(rows),
    )


def _gap(lines):
    if lines <= 0:
        return []
    said = "%d line%s the same" % (lines, "" if lines == 1 else "s")
    return ['<tr><td colspan="4" style="%s">&#8943; %s &#8943;</td></tr>' % (_GAP, said)]


def _row(left, right, kind):
    """One row: a line of each file (or none: None), and what kind of difference it shows."""
    background, marked = _KINDS[kind]
    sides = [left, right]
    texts = [html.escape(side[1], quote=False) if side else "" for side in sides]
    if kind == "chg":  # the characters that differ, marked within each line
        texts = _marked(left[1], right[1], kind, marked)
    elif kind:  # a line in one file only: all of it
        texts = ['<span class="diff_%s">%s</span>' % (kind, text) if text else "" for text in texts]
    cells = []
    for side, text in zip(sides, texts):
        fill = background if side else "#f7f7f7"
        cells.append(
            '<td style="%s; background: %s">%s</td>' % (_NUMBER, fill, side[0] if side else "")
        )
        cells.append('<td style="%s; background: %s">%s</td>' % (_CELL, fill, text))
    return "<tr>%s</tr>" % "".join(cells)


def _marked(a, b, kind, color):
    """The two lines, escaped, with the words and signs that differ between them marked: all of
    the lines when they have little in common (what they share would be scattered)."""
    span = '<span class="diff_%s" style="background: %s">%%s</span>' % (kind, color)
    words = [re.findall(r"\w+|\s+|[^\w\s]", line) for line in (a, b)]
    matcher = difflib.SequenceMatcher(None, *words, autojunk=False)
    if matcher.ratio() < 0.5:
        return [span % html.escape(line, quote=False) if line else "" for line in (a, b)]
    marked = ["", ""]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k, part in ((0, words[0][i1:i2]), (1, words[1][j1:j2])):
            escaped = html.escape("".join(part), quote=False)
            marked[k] += escaped if tag == "equal" or not part else span % escaped
    return marked
