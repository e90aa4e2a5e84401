"""The exercises (docs/exercises.md): written once, shown in the notebook before each solution,
with files that exist and pass marks that are the solutions' own figures; the learner's copy
made once and never overwritten; the copy and the solution side by side."""

import re
import sys

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "docs"))  # exercise_cells: the notebook's cells from the exercises

import exercise_cells  # noqa: E402

from visu import exercises, reference, steps  # noqa: E402

EXERCISES = exercise_cells.exercises(exercise_cells.EXERCISES.read_text(encoding="utf-8"))
STEPS = steps.files()


def test_there_is_an_exercise_before_each_step_after_the_first():
    assert [exercise["solution"] for exercise in EXERCISES] == STEPS[1:]
    for exercise in EXERCISES:
        assert exercise["start from"] in STEPS
        assert exercise["your copy"] == "my_%s.py" % reference.script_label(exercise["solution"])


def test_the_notebooks_your_turn_cells_are_the_exercises_text_before_each_solution():
    notebook = nbformat.read(ROOT / "workshop.ipynb", as_version=4)
    expected = exercise_cells.with_exercises(
        nbformat.read(ROOT / "workshop.ipynb", as_version=4), EXERCISES
    )
    assert [c.source for c in notebook.cells] == [c.source for c in expected.cells], (
        "workshop.ipynb is not up to date with docs/exercises.md: python docs/exercise_cells.py"
    )
    sources = [cell.source for cell in notebook.cells]
    for exercise in EXERCISES:
        text = sources.index(exercise["markdown"])
        assert sources[text].startswith("## Your turn")
        assert "%%run %s" % exercise["your copy"] in sources[text + 1]
        assert "--against" in sources[text + 1]
        assert (
            'side_by_side("%s", "%s")' % (exercise["your copy"], exercise["solution"])
            in (sources[text + 2])
        )
        assert sources[text + 3].startswith("## Step %s:" % exercise["solution"].split("_")[1])
        assert sources[text + 4] == "%%run %s" % exercise["solution"]


def code_fragments(markdown):
    """The code an exercise's text gives: its inline code that is Python (a call or an
    assignment: `tf.zeros([L])`, not a shape such as `W1 [784, 200]`), and each line of its code
    blocks, comments left out."""
    spans = [span for span in re.findall(r"`([^`\n]+)`", markdown) if re.search(r"[(=]", span)]
    blocks = re.findall(r"^(?: {4,}|\t).*$", markdown, re.M)
    lines = [line.split("#")[0].strip() for line in blocks]
    return spans + [line for line in lines if line and not line.startswith(("cp ", "python "))]


def squashed(text):
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e["your copy"])
def test_each_code_fragment_of_an_exercise_is_in_the_step_it_leads_to(exercise):
    """Followed in order, the texts build the solutions: what a text tells the learner to write is
    in the solution, as written there (spaces aside); what it says to replace ("instead of `...`",
    "step 1.0's `...`") is in the file the exercise starts from."""
    solution, start = (
        squashed((ROOT / exercise[name]).read_text(encoding="utf-8"))
        for name in ("solution", "start from")
    )
    text = exercise["markdown"]
    fragments = code_fragments(text)
    assert fragments
    for fragment in fragments:
        if squashed(fragment) in solution:
            continue
        before = " ".join(text[: text.index(fragment)].split()[-3:])
        replaced = re.search(r"(instead of|step \d\.\d's) `?$", before)
        assert replaced and squashed(fragment) in start, "not in %s: %s" % (
            exercise["solution"],
            fragment,
        )


def test_an_exercise_is_named_by_the_step_it_leads_to_everywhere():
    numbers = {reference.script_label(exercise["solution"]) for exercise in EXERCISES}
    texts = {
        name: (ROOT / name).read_text(encoding="utf-8")
        for name in ["README.md", "workshop.ipynb"]
        + ["docs/%s" % p.name for p in (ROOT / "docs").glob("*.md")]
    }
    for name, text in texts.items():
        for said in re.findall(r"\bexercises? (\d+(?:\.\d+)?)\b", text, re.I):
            assert said in numbers, "%s names an exercise %s: exercises are %s" % (
                name,
                said,
                sorted(numbers),
            )


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e["your copy"])
def test_each_pass_mark_is_the_solutions_own_figure_and_a_little_below(exercise):
    solution = reference.against(exercise["solution"])
    row = re.search(r"^\| pass mark \| (.*) \|$", exercise["markdown"], re.M).group(1)
    mark = float(re.search(r"(?:at least|above) (0\.\d+)", row).group(1))
    said = re.search(r"\(step %s: (0\.\d{4})" % solution.name, row)
    assert said, "the pass mark must give the solution's figure: %s" % row
    assert float(said.group(1)) == round(solution.max_test_accuracy(), 4)
    assert mark <= solution.max_test_accuracy() < mark + 0.01
    run = exercise["run it"].split()
    assert run[run.index("--against") + 1] == solution.name
    if "--iterations" in run:  # else the copy's own count, its start's: the solution's too
        assert int(run[run.index("--iterations") + 1]) == solution.iterations


def test_a_copy_is_made_once_and_never_overwritten(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(exercises, "STEPS_FOLDER", tmp_path)
    (tmp_path / "mnist_1.0_softmax.py").write_text("print('step 1.0')\n", encoding="utf-8")
    made = exercises.my_copy("my_2.0.py", start="mnist_1.0_softmax.py")
    assert (
        made == tmp_path / "my_2.0.py" and made.read_text(encoding="utf-8") == "print('step 1.0')\n"
    )
    assert "a new copy of mnist_1.0_softmax.py" in capsys.readouterr().out
    made.write_text("print('my five layers')\n", encoding="utf-8")
    exercises.my_copy("my_2.0.py", start="mnist_1.0_softmax.py")
    assert made.read_text(encoding="utf-8") == "print('my five layers')\n"
    assert "your copy, as you left it" in capsys.readouterr().out


def test_side_by_side_shows_the_changed_lines_of_both_files(tmp_path, monkeypatch):
    monkeypatch.setattr(exercises, "STEPS_FOLDER", tmp_path)
    lines = ["line %d" % k for k in range(40)]
    (tmp_path / "mine.py").write_text("\n".join(lines), encoding="utf-8")
    lines[20] = "Y = tf.nn.relu(tf.matmul(XX, W1) + B1)"
    lines.insert(30, "# a line only the solution has")
    (tmp_path / "solution.py").write_text("\n".join(lines), encoding="utf-8")
    html = exercises.side_by_side("mine.py", "solution.py").data
    assert "mine.py" in html and "solution.py" in html
    shown = re.sub(r"<[^>]+>", "|", html)  # the cells' text
    assert "|line 20|" in shown and "tf.nn.relu" in shown
    assert "|line 5|" not in shown  # far from the changes: left out, and said so
    gaps = re.findall(r"(\d+) lines? the same", shown)
    assert gaps == ["17", "3", "7"]  # before, between and after the two changes and their context
    assert '<span class="diff_add">' in html and '<span class="diff_chg"' in html
    same = exercises.side_by_side("mine.py", "mine.py").data
    assert "are the same" in same


def test_side_by_side_is_styled_by_its_own_inline_styles_whatever_the_notebook():
    """JupyterLab and Notebook 7 right-align table cells, VS Code has its own theme: every cell
    says how it is aligned and wrapped itself, and the table fits the output's width, each file
    in half of it (docs/notebook.md: how it was looked at in a browser)."""
    html = exercises.diff_table(
        ["x = 1", "y = " + "2 + " * 60 + "2"], ["x = 1", "y = 3"], names=("a.py", "b.py")
    )
    assert "<style" not in html and "class=" in html
    table = re.match(r'<table class="diff" style="([^"]*)">', html)[1]
    assert "table-layout: fixed" in table and "width: 100%" in table and "monospace" in table
    cells = re.findall(r"<t([dh])[^>]*?(?: style=\"([^\"]*)\")?>", html)
    assert cells and all(style for _, style in cells)
    text_cells = [style for _, style in cells if "white-space: pre-wrap" in style]
    assert len(text_cells) == 2 * 2  # the two lines shown, in each file
    assert all(
        "text-align: left" in style and "overflow-wrap: anywhere" in style for style in text_cells
    )
    assert html.count("<col>") == 2  # the two files share what the line numbers leave


# --- the challenge's variants (deck 13): benchmarks/challenge_variants.py ----------------------

STEP_3_1 = "mnist_3.1_convolutional_bigger_dropout.py"


def test_each_challenge_variant_is_step_3_1_with_only_its_settings_changed():
    from benchmarks import challenge_variants

    original = (ROOT / STEP_3_1).read_text(encoding="utf-8").splitlines()
    for name, settings in challenge_variants.VARIANTS.items():
        variant = challenge_variants.variant_source(*settings).splitlines()
        changed = [old for old, new in zip(original, variant) if old != new]
        assert len(variant) == len(original) and len(changed) <= 3, name
        assert all(any(edit in line for edit, _ in challenge_variants.EDITS) for line in changed)
        compile("\n".join(variant), name, "exec")


STEP_3_0 = "mnist_3.0_convolutional.py"
MENU_ROW = re.compile(
    r"^#   (?P<settings>.{32}) (?P<accuracy>0\.\d{4}) +(?P<above>\d+|-) +x (?P<time>\d+\.\d)"
    r"(  \((?P<step>step \d\.\d)\))?$"
)


def challenge_menu(step):
    """The comment block that ends a step: the challenge's menu, from its first line on."""
    lines = (ROOT / step).read_text(encoding="utf-8").splitlines()
    first = [n for n, line in enumerate(lines) if line.startswith("# The challenge (deck step 13)")]
    assert len(first) == 1, "%s has %d challenge menus" % (step, len(first))
    return lines[first[0] :]


def menu_iterations(menu):
    """How many iterations of each variant the menu's header says it ran."""
    return int(re.search(r"^# the first (\d+) iterations of a full run:", menu[1])[1])


def test_steps_3_0_and_3_1_end_with_the_menu_the_challenge_benchmark_prints():
    from benchmarks import challenge_variants

    menu = challenge_menu(STEP_3_0)
    assert challenge_menu(STEP_3_1) == menu
    rows = [MENU_ROW.match(line) for line in menu if re.match(r"#   \d", line)]
    assert all(rows) and len(rows) == len(challenge_variants.VARIANTS), menu
    # the benchmark's own menu, given the figures the rows say, is the block in the steps
    results = {}  # name: (max test accuracy, above 0.99 from, wall time, time against 3.0's)
    for name, row in zip(challenge_variants.VARIANTS, rows):
        above = None if row["above"] == "-" else int(row["above"])
        results[name] = (float(row["accuracy"]), above, None, float(row["time"]))
    iterations = menu_iterations(menu)
    assert iterations == challenge_variants.ITERATIONS  # the command in the menu makes this menu
    assert challenge_variants.menu(results, iterations, seed=0).splitlines() == menu
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`python benchmarks/challenge_variants.py`" in readme


def test_the_menus_rows_of_steps_3_0_and_3_1_are_their_shipped_curves_until_then():
    """Both are the same seed-0 run as each step's solution curves, cut at the menu's iterations:
    the same max test accuracy (within 2.5 test images) and the same first iteration above 0.99."""
    menu = challenge_menu(STEP_3_0)
    iterations = menu_iterations(menu)
    rows = {row["step"]: row for row in map(MENU_ROW.match, menu) if row and row["step"]}
    assert set(rows) == {"step 3.0", "step 3.1"}
    for label, row in rows.items():
        curves = reference.read_curves(reference.steps()[label.split()[1]])
        best = curves.max_test_accuracy(until=iterations)
        assert float(row["accuracy"]) == pytest.approx(best, abs=0.00025), label
        tested, accuracies = curves.test[0], curves.test[1]
        above = tested[(tested <= iterations) & (accuracies >= 0.99)]
        assert row["above"] == (str(int(above[0])) if above.size else "-"), label
