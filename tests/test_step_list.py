"""The one list of the steps (visu/steps.py): its figures are its shipped curves', the pages'
tables are what docs/step_tables.py writes from it, a step added to it reaches every table and
the tests' parameters, and a learner's copy beside the steps is never a step."""

import importlib.util
import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from visu import reference, steps

sys.path.insert(0, str(ROOT / "docs"))  # the generators of the tables and the notebook's cells
import exercise_cells  # noqa: E402
import step_tables  # noqa: E402

PAGES = [
    "README.md",
    "docs/steps.md",
    "docs/exercises.md",
    "docs/teaching.md",
    "docs/reading-the-curves.md",
    "docs/running.md",
]


def text(page, root=ROOT):
    return (root / page).read_text(encoding="utf-8")


# --- one run behind every figure -------------------------------------------------------------


@pytest.mark.parametrize("step", steps.STEPS, ids=steps.number)
def test_a_steps_figures_are_those_of_its_shipped_curves(step):
    """The same run as --against's: the curves' max test accuracy and first test at or above
    0.99, read with the standard library as numpy reads them."""
    curves = reference.read_curves(step.curves_file)
    assert step.max_test_accuracy == "%.4f" % curves.max_test_accuracy()
    above = curves.test[0][curves.test[1] >= 0.99]
    assert step.first_above_099 == (int(above[0]) if above.size else None)
    assert curves.iterations == step.iterations
    assert float(step.max_test_accuracy) >= float(step.pass_mark), step.file  # it meets its own


def test_the_exercises_prose_gives_the_solutions_curves():
    """The figures of the solutions that docs/exercises.md states outside its generated tables."""
    page = text("docs/exercises.md")
    two_0 = steps.by_number()["2.0"]
    line = re.search(r"^    Against 2\.0: .*$", page, re.M)[0]
    assert "against 2.0's %s within the same 2000" % steps.best_test_accuracy(two_0, 2000) in line
    assert "and %s within its full run of 10000." % two_0.max_test_accuracy in line
    assert "where step 2.0\n  is at %s" % steps.best_test_accuracy(two_0, 2000)[:5] in page
    losses = {
        n: reference.read_curves(steps.by_number()[n].curves_file).test[2] for n in ("2.1", "2.2")
    }
    said = (
        "Step 2.2's ends at %.1f,\nnear its lowest, %.1f, where 2.1's climbs from %.1f to %.1f."
        % (
            losses["2.2"][-1],
            losses["2.2"].min(),
            losses["2.1"].min(),
            losses["2.1"][-1],
        )
    )
    assert said in page
    four_2 = steps.by_number()["4.2"]
    assert "(the solution: %s within 5000, above 0.995 from %d)" % (
        steps.best_test_accuracy(four_2, 5000),
        steps.first_test_at_or_above(four_2, 0.995),
    ) in " ".join(page.split()).replace("( ", "(")
    for step in steps.STEPS:  # "a full run takes about 64 s on 2 cores", in its exercise
        section = re.search(r"^## Your turn: .*→ step %s\n(.*?)(?=^## |\Z)" % step.number, page,
                            re.M | re.S)  # fmt: skip
        for time in re.findall(
            r"full run takes about (\d+ (?:s|min))", section[1] if section else ""
        ):
            assert time == steps.about(step.seconds), step.file


# --- the tables: generated, and up to date ---------------------------------------------------


def test_the_committed_pages_and_notebook_are_what_the_generators_write():
    assert step_tables.write_pages(check=True) == [], "python docs/step_tables.py"
    assert exercise_cells.write_notebook(check=True) == [], "python docs/step_tables.py"


def workshop_copy(folder, step_list=steps.STEPS):
    """The pages and step scripts docs/step_tables.py reads and writes, in a folder of their own."""
    for page in PAGES:
        (folder / page).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / page, folder / page)
    for step in step_list:
        if (ROOT / step.file).exists():
            shutil.copy(ROOT / step.file, folder / step.file)
    return folder


def test_the_generator_run_twice_leaves_the_pages_as_they_were(tmp_path):
    folder = workshop_copy(tmp_path)
    for page in PAGES:  # each page's first generated block made stale
        stale = step_tables.BLOCK.sub(
            lambda block: (
                "\n".join((step_tables.BEGIN, "stale", step_tables.END)) % (block[1], block[1])
            ),
            text(page),
            count=1,
        )
        (folder / page).write_text(stale, encoding="utf-8")
    assert step_tables.write_pages(root=folder) == PAGES
    assert [text(page, folder) for page in PAGES] == [text(page) for page in PAGES]
    assert step_tables.write_pages(root=folder) == []


def test_the_generator_run_as_a_script_finds_everything_up_to_date():
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "step_tables.py"), "--check"],
        capture_output=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Every page is up to date" in done.stdout


def test_a_page_without_one_of_its_blocks_is_told_which_and_how_to_add_it(tmp_path):
    folder = workshop_copy(tmp_path)
    page = folder / "docs" / "steps.md"
    page.write_text(re.sub(r"<!-- end of diffs -->\n", "", text("docs/steps.md")), "utf-8")
    with pytest.raises(SystemExit, match="has no block 'diffs'"):
        step_tables.write_pages(root=folder)


# --- adding a step: the list, its script and its curves, then the generator -----------------

FAKE = steps.Step(
    "mnist_5.0_fancy_convolutional.py",
    "something fancy",
    "4.2", "14", "0.996",
    10000, 420, 24, "–", None,
)  # fmt: skip


@pytest.fixture
def with_a_step_5_0(tmp_path, monkeypatch):
    """The list with a step 5.0 added: its script (step 4.2 with a line changed), its curves
    (4.2's, 0.9961 at the end), and a copy of the pages; returns (the list, the copy's folder)."""
    solutions = tmp_path / "solutions"
    shutil.copytree(steps.SOLUTIONS, solutions)
    curves = text("mnist_4.2_batchnorm_convolutional.csv", solutions).splitlines()
    curves[-1] = re.sub(r",0\.\d+,([\d.]+)$", r",0.9961,\1", curves[-1])  # its last test
    (solutions / "mnist_5.0_fancy_convolutional.csv").write_text("\n".join(curves) + "\n", "utf-8")
    monkeypatch.setattr(steps, "SOLUTIONS", str(solutions))
    step_list = steps.STEPS + (FAKE,)
    folder = workshop_copy(tmp_path / "workshop", step_list)
    script = text("mnist_4.2_batchnorm_convolutional.py").replace("0.02 *", "0.025 *")
    (folder / FAKE.file).write_text(script, encoding="utf-8")
    return step_list, folder


def test_a_step_added_to_the_list_is_in_every_table_the_generator_writes(with_a_step_5_0):
    step_list, folder = with_a_step_5_0
    assert FAKE.max_test_accuracy == "0.9961" and FAKE.first_above_099 == 1300
    # its exercise is prose: until it is written, the generator says where it goes
    with pytest.raises(SystemExit, match="docs/exercises.md has no block 'exercise 5.0'"):
        step_tables.write_pages(step_list, folder)
    exercises = folder / "docs" / "exercises.md"
    exercises.write_text(
        text("docs/exercises.md", folder)
        + "\n## Your turn: something fancy → step 5.0\n\n<!-- step_tables.py: exercise 5.0 -->\n"
        "<!-- end of exercise 5.0 -->\n",
        encoding="utf-8",
    )
    changed = step_tables.write_pages(step_list, folder)
    # the agendas name their steps: a step added is in none until the instructor's page places it;
    # the keys' table (docs/running.md) is the graphs', no step's
    assert changed == [
        page for page in PAGES if page not in ("docs/teaching.md", "docs/running.md")
    ]
    readme = text("README.md", folder)
    assert "| 14 | 5.0 | something fancy | 4.2 |" in readme
    assert "| `%s` | 0.9961 | – | about 7 min |" % FAKE.file in readme
    page = text("docs/steps.md", folder)
    assert "| %s | 0 | 10000 | 0.9961 | 0.996 | 1300 | 420 | 24 |" % FAKE.file in page
    assert "| 5.0 | – | 0.9961 |" in page
    assert "| 4.2 → 5.0 | 2 | – |" in page
    assert re.search(r"^\| 5\.0 \| \d+% \| ", text("docs/reading-the-curves.md", folder), re.M)
    exercise = text("docs/exercises.md", folder).split("→ step 5.0")[1]
    assert "| run it | `python my_5.0.py --against 5.0` |" in exercise
    assert "(step 5.0: 0.9961, above 0.99 from iteration 1300; " in exercise
    assert step_tables.write_pages(step_list, folder) == []  # and run again: nothing more


TESTS_PARAMETRIZED_BY_STEP = ["test_against", "test_drawings", "test_steps", "test_summary"]


def fresh(name, path):
    """The module at path, imported anew (its parameters made from the list as it is now)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parameters(module):
    """Every value its tests and fixtures are parametrized with."""
    values = []
    for thing in vars(module).values():
        for mark in getattr(thing, "pytestmark", []):
            if mark.name == "parametrize":
                values += [repr(value) for value in mark.args[1]]
        fixture = getattr(thing, "_fixture_function_marker", None)  # pytest 8.4 on
        fixture = fixture or getattr(thing, "_pytestfixturefunction", None)  # before
        values += [repr(value) for value in getattr(fixture, "params", None) or ()]
    return " ".join(values)


def test_a_step_added_to_the_list_is_in_the_tests_parameters_and_the_benchmarks(
    with_a_step_5_0, monkeypatch
):
    step_list, _ = with_a_step_5_0
    monkeypatch.setattr(steps, "STEPS", step_list)
    for name in TESTS_PARAMETRIZED_BY_STEP:
        module = fresh("fresh_" + name, ROOT / "tests" / (name + ".py"))
        assert FAKE.file in parameters(module), name
    harness = fresh("fresh_harness", ROOT / "benchmarks" / "harness.py")
    assert harness.STEPS[-1] == FAKE.file
    check_setup = fresh("fresh_check_setup", ROOT / "check_setup.py")
    assert check_setup.REFERENCE_RUNS[-1] == (FAKE.file, 10000, 24)
    assert reference.steps()["5.0"].name == "mnist_5.0_fancy_convolutional.csv"


# --- a learner's copy is never a step --------------------------------------------------------

COUNTED = """
import json, sys
sys.path.insert(0, "docs")
from benchmarks import harness
from visu import reference
import check_setup, step_tables
print(json.dumps([harness.STEPS, sorted(reference.steps()), check_setup.REFERENCE_RUNS,
                  step_tables.blocks(root=__import__("pathlib").Path("."))]))
"""


def test_a_learners_copy_beside_the_steps_changes_nothing_the_project_counts(tmp_path):
    """mnist_3.0_mine.py, named like a step, in a copy of the workshop: the benchmarks' steps,
    --against's, check_setup's and every generated table are the same as without it."""
    folder = workshop_copy(tmp_path)
    for part in ("visu", "benchmarks", "docs"):
        shutil.copytree(ROOT / part, folder / part, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.png"))  # fmt: skip
    for name in ("check_setup.py", "tensorflowvisu.py", "mnistdata.py", "workshop.ipynb"):
        shutil.copy(ROOT / name, folder / name)

    def counted():
        done = subprocess.run(
            [sys.executable, "-c", COUNTED],
            cwd=folder,
            capture_output=True,
            encoding="utf-8",
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    before = counted()
    mine = text("mnist_3.0_convolutional.py").replace("[5, 5, K, L]", "[5, 5, 3, L]")
    (folder / "mnist_3.0_mine.py").write_text(mine, encoding="utf-8")
    assert sorted(folder.glob("mnist_*.py"))[4:6] == [  # what a glob of the steps would count
        folder / "mnist_3.0_convolutional.py",
        folder / "mnist_3.0_mine.py",
    ]
    after = counted()
    assert "mnist_3.0_mine" not in json.dumps(after)
    assert after == before


def test_the_steps_page_counts_the_challenges_menu_in_the_diffs_it_gives():
    lines = text("mnist_3.0_convolutional.py").splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith("# The challenge (deck"))
    said = " ".join(text("docs/steps.md").split())
    assert "the challenge's menu: %d of the changed lines" % (len(lines) - first + 1) in said


# --- the counts the prose gives: read from the list ---------------------------------------------

NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()
# Where a page says how many steps there are: {page: the phrases, {} standing for the count}.
STEP_COUNTS = {
    "README.md": ["in {} steps: from one"],
    "docs/notebook.md": ["has the {} steps in order"],
    "docs/steps.md": ["The {} steps' test accuracy and test loss"],
    "docs/tensorboard.md": ["All {} steps at their full iteration counts", "the {} steps' test"],
    "workshop.ipynb": ["{} steps, from one layer"],  # its first cell
}


def test_the_pages_that_count_the_steps_say_how_many_the_list_has():
    assert len(steps.STEPS) < len(NUMBER_WORDS), "a word for the new count: NUMBER_WORDS"
    count = NUMBER_WORDS[len(steps.STEPS)]
    for page, phrases in STEP_COUNTS.items():
        said = " ".join(text(page).replace("\\n", " ").split()).lower()
        for phrase in phrases:
            assert phrase.format(count).lower() in said, (page, phrase.format(count))


def test_the_checks_example_gives_each_steps_time_in_the_lists_order():
    """docs/setup-and-tests.md's example of check_setup.py's output: one time a step."""
    line = next(
        line for line in text("docs/setup-and-tests.md").splitlines() if "[ ok ] speed" in line
    )
    said = re.findall(r"(\d\.\d) [\d.]+ (?:s|min)\b", line.split("would take about:")[1])
    assert said == [step.number for step in steps.STEPS]
