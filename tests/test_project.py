"""The project's promises about itself: CI runs README's test command, the steps' diffs stay
small, each step's header tells what README's tables measured, the code passes ruff."""

import importlib.util
import math
import re
import subprocess
import sys

import pytest

from conftest import ROOT, skip_or_fail_in_ci

STEPS = sorted(path.name for path in ROOT.glob("mnist_*.py"))

# consecutive steps, and the changed lines (diff a b | grep -c '^[<>]') of the original workshop's
ORIGINAL_DIFFS = [
    ("mnist_1.0_softmax.py", "mnist_2.0_five_layers_sigmoid.py", 124),
    ("mnist_2.0_five_layers_sigmoid.py", "mnist_2.1_five_layers_relu_lrdecay.py", 43),
    ("mnist_2.1_five_layers_relu_lrdecay.py", "mnist_2.2_five_layers_relu_lrdecay_dropout.py", 55),
    ("mnist_2.2_five_layers_relu_lrdecay_dropout.py", "mnist_3.0_convolutional.py", 136),
    ("mnist_3.0_convolutional.py", "mnist_3.1_convolutional_bigger_dropout.py", 64),
]
# each batch-norm step and the step it adds batch norm to (no original figure to compare with)
BATCHNORM_DIFFS = [
    ("mnist_2.0_five_layers_sigmoid.py", "mnist_4.0_batchnorm_five_layers_sigmoid.py"),
    ("mnist_2.1_five_layers_relu_lrdecay.py", "mnist_4.1_batchnorm_five_layers_relu.py"),
    ("mnist_3.1_convolutional_bigger_dropout.py", "mnist_4.2_batchnorm_convolutional.py"),
]


def changed_lines(a, b):
    diff = subprocess.run(
        ["diff", str(ROOT / a), str(ROOT / b)], capture_output=True, text=True
    ).stdout
    return sum(line.startswith(("<", ">")) for line in diff.splitlines())


def test_ci_runs_the_test_command_that_readme_gives():
    readme = (ROOT / "README.md").read_text()
    command = (
        re.search(r"pip install -r requirements-test\.txt && (.+)$", readme, re.M).group(1).strip()
    )
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines


def label(a, b):
    return "%s → %s" % (a.split("_")[1], b.split("_")[1])


def test_consecutive_steps_differ_less_than_in_the_original_and_readme_says_by_how_much():
    readme = (ROOT / "README.md").read_text()
    for a, b, original in ORIGINAL_DIFFS:
        count = changed_lines(a, b)
        assert count < original, "%s -> %s: %d changed lines" % (a, b, count)
        assert "| %s | %d | %d |" % (label(a, b), count, original) in readme
    for a, b in BATCHNORM_DIFFS:
        assert "| %s | %d | – |" % (label(a, b), changed_lines(a, b)) in readme


# the benchmarks: the scripts in benchmarks/ (step_in_process.py, which they import, is none)
BENCHMARKS = sorted(
    path.name
    for path in (ROOT / "benchmarks").glob("*.py")
    if 'if __name__ == "__main__":' in path.read_text()
)


@pytest.mark.parametrize("benchmark", BENCHMARKS)
def test_each_benchmark_starts_and_explains_itself(benchmark, tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / benchmark), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("usage: ")


def markdown_tables(text):
    """Every table in the text, as a list of rows, each a list of its cells (header row first)."""
    tables, rows = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            if not re.fullmatch(r"[|\-\s]+", line):  # not the line under the header
                rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            tables.append(rows)
            rows = []
    return tables


def table_with(readme, *columns):
    """The README table whose header has all these columns, as one dict per row."""
    for header, *rows in markdown_tables(readme):
        if all(column in header for column in columns):
            return [dict(zip(header, row)) for row in rows]
    raise AssertionError("README has no table with the columns %s" % ", ".join(columns))


def seconds(about):
    number, unit = about.split()
    return float(number) * {"s": 1, "min": 60}[unit]


def test_each_step_says_what_to_expect_as_readmes_tables_measured():
    readme = (ROOT / "README.md").read_text()
    steps = {
        row["script"].strip("`"): row for row in table_with(readme, "script", "time here (2 cores)")
    }
    measured = {
        row["step"]: row
        for row in table_with(readme, "step", "seed", "max test accuracy", "wall time (s)")
        if row["seed"] == "0"
    }
    assert sorted(steps) == STEPS
    for script in STEPS:
        header = (ROOT / script).read_text().split('"""')[1]
        said = re.search(
            r"max test accuracy (0\.\d+)( \(.*?\))?, in about (\d+ (?:s|min))\.", header
        )
        assert said, "%s: no expected max test accuracy and time in its header" % script
        accuracy, _, time = said.groups()
        row = steps[script]
        assert row["here (full run, seed 0)"].split()[0] == accuracy, script
        assert row["time here (2 cores)"] == "about " + time, script
        assert measured[script]["max test accuracy"] == accuracy, script
        wall = float(measured[script]["wall time (s)"])
        assert math.isclose(seconds(time), wall, rel_tol=0.15), (script, time, wall)


def test_the_code_passes_ruff_check_and_ruff_format():
    if importlib.util.find_spec("ruff") is None:
        skip_or_fail_in_ci("ruff is not installed (pip install -r requirements-test.txt)")
    for command in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True
        )
        report = done.stdout[-3000:] + done.stderr[-1000:]
        assert done.returncode == 0, "ruff %s:\n%s" % (" ".join(command), report)
