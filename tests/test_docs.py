"""README and the pages in docs/: every link and picture resolves to a file the repository tracks,
README stays a short page for a learner that links to the others, every place that states a
step's results says what visu/steps.py, the one table of them, says, and the table of where the
graphs show names tests the suite has."""

import ast
import re
import subprocess
import sys
import urllib.parse

import nbformat
import pytest

import check_setup
from conftest import ROOT, TOOLKITS, skip_or_fail_in_ci
from visu import steps
from visu.show import graphs

sys.path.insert(0, str(ROOT / "docs"))  # the generator of the tables, and of the agendas
import step_tables  # noqa: E402

PAGES = ["README.md"] + sorted("docs/" + path.name for path in (ROOT / "docs").glob("*.md"))
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")  # [text](target) and ![alt](target)
README_MAX_BYTES = 10_000


def text(page):
    return (ROOT / page).read_text(encoding="utf-8")


def tracked_files():
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, encoding="utf-8", timeout=60
        )
    except FileNotFoundError:
        done = None
    if done is None or done.returncode != 0:
        skip_or_fail_in_ci("not a git checkout, or no git: what the repository tracks is unknown")
    return set(done.stdout.split("\0")) - {""}


def anchors(page):
    """The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces
    as hyphens."""
    headings = re.findall(r"^#+ (.+)$", text(page), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_every_link_and_picture_resolves_to_a_tracked_file_and_heading():
    tracked = tracked_files()
    for page in PAGES:
        folder = (ROOT / page).parent
        for target in LINK.findall(text(page)):
            if re.match(r"[a-z]+:", target):  # http:, https:, mailto:: outside the repository
                continue
            path, _, anchor = urllib.parse.unquote(target).partition("#")
            resolved = (folder / path).resolve() if path else ROOT / page
            relative = resolved.relative_to(ROOT).as_posix()
            assert relative in tracked, "%s links to %s, which git does not track" % (page, target)
            if anchor:
                assert anchor in anchors(relative), "%s: no heading for #%s" % (page, anchor)


def test_readme_is_short_and_links_every_page_in_docs():
    readme = text("README.md")
    assert len(readme.encode("utf-8")) <= README_MAX_BYTES
    linked = {target.split("#")[0] for target in LINK.findall(readme)}
    assert set(PAGES[1:]) <= linked, set(PAGES[1:]) - linked


def test_the_readme_starts_with_the_workshop_installing_and_step_1_0():
    headings = re.findall(r"^## (.+)$", text("README.md"), re.M)
    assert headings[:4] == [
        "The workshop",
        "Install, and check the machine",
        "Step 1.0",
        "The steps",
    ]
    assert "python mnist_1.0_softmax.py" in text("README.md")


# --- markdown tables -------------------------------------------------------------------------


def markdown_tables(page):
    """Every table in the page, as a list of rows, each a list of its cells (header row first)."""
    tables, rows = [], []
    for line in text(page).splitlines() + [""]:
        if line.startswith("|"):
            if not re.fullmatch(r"[|\-\s]+", line):  # not the line under the header
                rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            tables.append(rows)
            rows = []
    return tables


def table_with(page, *columns):
    """The page's table whose header has all these columns, as one dict per row."""
    for header, *rows in markdown_tables(page):
        if all(column in header for column in columns):
            return [dict(zip(header, row)) for row in rows]
    raise AssertionError("%s has no table with the columns %s" % (page, ", ".join(columns)))


# --- the window's graphs and keys: visu/show/graphs.py, and the page on the window -------------


def test_the_page_on_the_window_lists_every_graph_and_key_of_the_table():
    rows = table_with("docs/running.md", "key", "shows")
    assert [(row["key"], row["shows"]) for row in rows] == graphs.docs_key_rows()
    assert "W" in [row["key"] for row in rows]


# --- where the graphs show: each front end and the tests that check it -------------------------

NAMED_TEST = re.compile(r"`(test_\w+\.py)::(test_\w+)(?:\[(\w+)\])?`")  # file::test[backend]


def test_the_front_ends_checked_in_ci_name_tests_the_suite_has():
    rows = table_with("docs/setup-and-tests.md", "platform", "front end", "how it is checked")
    assert len(rows) >= 10
    for row in rows:
        checked, named = row["how it is checked"], NAMED_TEST.findall(row["how it is checked"])
        where = "%s, %s" % (row["platform"], row["front end"])
        assert checked.startswith(("CI", "not yet")), where
        assert bool(named) == checked.startswith("CI"), where  # no test named: not in CI
        for file, name, backend in named:
            tree = ast.parse((ROOT / "tests" / file).read_text(encoding="utf-8"))
            tests = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
            assert name in tests, "%s: %s has no test %s" % (where, file, name)
            fixtures = [argument.arg for argument in tests[name].args.args]
            assert ("backend" in fixtures) == bool(backend), "%s: %s[%s]" % (where, name, backend)
            assert not backend or backend in TOOLKITS, "%s: %s[%s]" % (where, name, backend)


# --- each step's results: visu/steps.py, and every place that states them --------------------


def first_above_099(step):
    return "-" if step.first_above_099 is None else str(step.first_above_099)


def test_the_list_has_every_step_git_tracks_with_its_own_iterations():
    tracked = {name for name in tracked_files() if re.fullmatch(r"mnist_[^/]*\.py", name)}
    assert set(steps.files()) == tracked  # a learner's copy is untracked: never a step
    assert steps.files() == sorted(steps.files(), key=lambda name: steps.by_file()[name].number)
    for step in steps.STEPS:
        own = re.search(r"parse_run_options\(iterations=(\d+)\)", text(step.file)).group(1)
        assert int(own) == step.iterations, step.file
        # iterations per second from the unrounded wall time, which rounds to `seconds`
        fastest, slowest = (
            step.iterations / (step.seconds - 0.5),
            step.iterations / (step.seconds + 0.5),
        )
        assert slowest - 0.5 <= step.per_second <= fastest + 0.5, step.file


def test_each_steps_header_says_what_the_table_measured():
    for step in steps.STEPS:
        header = " ".join(text(step.file).split('"""')[1].split())
        said = re.search(
            r"max test accuracy (0\.\d+)(?: \(.*?\))?, in about (\d+ (?:s|min))\.", header
        )
        assert said, "%s: no expected max test accuracy and time in its header" % step.file
        assert said.groups() == (step.max_test_accuracy, steps.about(step.seconds)), step.file
        if step.first_above_099:
            assert re.search(r"0\.99\D{0,30}\b%d\b" % step.first_above_099, header), step.file
        else:  # no iteration at which it got to 0.99
            assert not re.search(r"\b0\.99 (?:at|from|within)\D{0,20}\d", header), step.file


def test_readmes_tables_of_the_steps_are_the_list():
    rows = table_with("README.md", "step", "max test accuracy here")
    assert rows == [
        {
            "step": "`%s`" % step.file,
            "max test accuracy here": step.max_test_accuracy,
            "original": step.original,
            "full run here": "about " + steps.about(step.seconds),
        }
        for step in steps.STEPS
    ]
    rows = table_with("README.md", "deck", "step", "you write", "start from")
    assert [(row["step"], row["start from"]) for row in rows] == [
        (step.number, step.starts_from or "") for step in steps.STEPS
    ]


def test_the_measured_runs_in_docs_are_the_table():
    runs = table_with("docs/steps.md", "step", "seed", "iterations", "wall time (s)")
    assert [row for row in runs if row["seed"] == "0"] == [
        {
            "step": step.file,
            "seed": "0",
            "iterations": str(step.iterations),
            "max test accuracy": step.max_test_accuracy,
            "target": step.pass_mark,
            "first ≥ 0.99 at": first_above_099(step),
            "wall time (s)": str(step.seconds),
            "iterations/s": str(step.per_second),
        }
        for step in steps.STEPS
    ]
    against = table_with("docs/steps.md", "max test accuracy: original", "here (seed 0)")
    assert against == [
        {
            "step": steps.number(step),
            "max test accuracy: original": step.original,
            "here (seed 0)": step.max_test_accuracy,
        }
        for step in steps.STEPS
    ]


def test_step_3_1_over_ten_seeds_starts_from_the_list_and_its_header_gives_their_spread():
    step = steps.by_number()["3.1"]
    seeds = [table for table in markdown_tables("docs/steps.md") if table[0][:1] == ["seed"]]
    assert len(seeds) == 1
    header, accuracy, first = seeds[0]  # seeds 0 to 9
    assert header[:2] == ["seed", "0"] and accuracy[0] == "max test accuracy"
    assert accuracy[1] == step.max_test_accuracy and first[1] == str(step.first_above_099)
    spread = "(%s-%s over seeds 0-%s)" % (min(accuracy[1:]), max(accuracy[1:]), header[-1])
    assert spread in " ".join(text(step.file).split('"""')[1].split())


def test_the_notes_at_the_end_of_the_full_runs_give_the_tables_best():
    notes = table_with("docs/reading-the-curves.md", "step", "notes")
    for step in steps.STEPS:
        row = [row for row in notes if row["step"] == steps.number(step)]
        assert len(row) == 1, step.file
        best = re.match(r"best (0\.\d+) at", row[0]["notes"])
        assert best is None or best.group(1) == step.max_test_accuracy, step.file


def test_the_notebook_says_what_the_table_measured():
    cells = nbformat.read(ROOT / "workshop.ipynb", as_version=4).cells
    figures = {step.max_test_accuracy for step in steps.STEPS}
    for step in steps.STEPS:
        index = next(
            k for k, cell in enumerate(cells) if cell.source.startswith("%run " + step.file)
        )
        said = " ".join(cells[index - 1].source.split())  # the step's text, above its cell
        assert re.findall(r"\b(0\.\d{4}) here", said) == [step.max_test_accuracy], step.file
        assert set(re.findall(r"\b0\.9\d{3}\b", said)) <= figures, step.file  # others' too
        times = re.findall(r"[Aa]bout (\d+ (?:s|min))\b", said)  # where it says one
        assert set(times) <= {steps.about(step.seconds)}, step.file
        for iteration in re.findall(r"\b0\.99 [^0-9.]{0,30}?(\d{3,})\b", said):
            assert int(iteration) == step.first_above_099, step.file


def test_check_setups_speed_line_gives_every_step_its_time_on_the_projects_machine():
    """On a machine as fast as the project's (step 3.1 at its measured rate, no start-up), the
    line predicts each step of the list, in its order, the time of its measured full run."""
    rate = steps.by_file()[check_setup.SPEED_STEP].per_second
    said = re.search(r"would take about: (.+)$", check_setup.speed_result(0.0, rate).text)[1]
    predicted = [
        re.fullmatch(r"(\d\.\d) (\d+(?:\.\d)?) (s|min)", part) for part in said.split(", ")
    ]
    assert [match[1] for match in predicted] == [step.number for step in steps.STEPS]
    for step, match in zip(steps.STEPS, predicted):
        seconds = float(match[2]) * (60 if match[3] == "min" else 1)
        assert seconds == pytest.approx(step.seconds, rel=0.05, abs=1), step.file


@pytest.mark.parametrize("seconds, said", [(6, "6 s"), (89, "89 s"), (90, "2 min"), (389, "6 min")])
def test_a_runs_time_is_said_in_seconds_then_minutes(seconds, said):
    assert steps.about(seconds) == said


def test_readme_gives_the_test_command_that_ci_runs_once_with_each_kernel_set():
    # a fresh clone's commands: the install-and-check lines, then these, with the venv's Python
    command = re.search(
        r"^    \.venv/bin/python -m pip install -r requirements-test\.txt\n"
        r"    \.venv/bin/(python -m pytest)$",
        text("README.md"),
        re.M,
    )
    assert command, "README gives no test command"
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")  # in the activated venv: its python
    runs = re.findall(r"^TF_ENABLE_ONEDNN_OPTS=([01]) (.+)$", ci, re.M)
    assert sorted(runs) == [("0", command.group(1)), ("1", command.group(1))]
    assert "pip install -q -r requirements-test.txt" in ci


# --- docs/teaching.md: the agendas -------------------------------------------------------------


@pytest.mark.parametrize("slot", sorted(step_tables.AGENDAS))
def test_each_agenda_adds_up_to_its_slot_and_gives_each_steps_generated_compute_time(slot):
    minutes, _ = step_tables.AGENDAS[slot]
    heading = {"2.5 hours": "### 2.5 hours", "3.5 hours": "### A half day (3.5 hours)"}[slot]
    page = text("docs/teaching.md").split(heading)[1].split("\n### ")[0]
    header, *rows = [table for table in markdown_tables_of(page)][0]
    rows = [dict(zip(header, row)) for row in rows]
    theory, practice = "theory (min)", "practice (min)"
    assert sum(int(row[theory]) + int(row[practice]) for row in rows) == minutes
    assert int(slot.split(".")[0]) * 60 + 30 == minutes  # "2.5 hours": 150
    clock = 0  # each block starts when the one before it ends
    for row in rows:
        assert row["at"] == "%d:%02d" % divmod(clock, 60)
        clock += int(row[theory]) + int(row[practice])
    laptop = step_tables.modest_laptop_minutes(steps.STEPS)
    by_number = steps.by_number()
    for row in [row for row in rows if row["step"]]:
        step = by_number[row["step"]]
        assert row["deck"] == step.deck
        # check_setup's model at half the project's speed: twice the measured full run
        assert float(row["full run, modest laptop (min)"]) == pytest.approx(
            2 * step.seconds / 60, abs=0.06 + 0.02 * step.seconds / 60
        ), row["step"]
        assert row["full run, modest laptop (min)"] == "%.1f" % laptop[row["step"]]
    steps_taught = [row["step"] for row in rows if row["step"]]
    assert steps_taught == sorted(steps_taught)
    if slot == "3.5 hours":
        assert steps_taught == [step.number for step in steps.STEPS]  # the half day: all nine


def test_the_teaching_pages_prose_gives_step_3_1s_generated_time_on_a_modest_laptop():
    said = re.findall(r"step 3\.1 (?:trains in about|over) (\d+\.\d) min", text("docs/teaching.md"))
    assert len(said) == 2
    assert set(said) == {"%.1f" % step_tables.modest_laptop_minutes(steps.STEPS)["3.1"]}


def markdown_tables_of(page_text):
    tables, rows = [], []
    for line in page_text.splitlines() + [""]:
        if line.startswith("|"):
            if not re.fullmatch(r"[|\-\s]+", line):
                rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            tables.append(rows)
            rows = []
    return tables


def test_the_key_table_has_every_key_the_window_answers():
    said = " ".join(row["key"] for row in table_with("docs/running.md", "key", "shows"))
    for key in ("1", "6", "7", "8", "9", "0", "Esc", "Space", "O", "H", "Ctrl-S", "D"):
        for where in (graphs.keys_help(), said):  # the window's own help, and the page
            assert re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(key), where), (key, where)


# --- each module names the page that explains its behaviour to a learner ------------------------

NO_PAGE = {"visu/shell.py"}  # a path quoted for a printed command: nothing a learner reads about


def test_each_module_names_the_docs_page_that_explains_it():
    modules = sorted(ROOT.glob("visu/**/*.py"))
    modules += [ROOT / name for name in ("tensorflowvisu.py", "mnistdata.py", "check_setup.py")]
    for path in modules:
        name = path.relative_to(ROOT).as_posix()
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        pages = re.findall(r"docs/[\w.-]+\.md", docstring)
        assert all((ROOT / page).is_file() for page in pages), (name, pages)
        assert pages or name in NO_PAGE, "%s: its docstring names no page of docs/" % name
