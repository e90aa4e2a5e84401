"""The project's promises about itself: CI runs the test command the docs give, the steps' diffs
stay small, the benchmarks start, the code passes ruff, and no file grows past a newcomer's read."""

import importlib.util
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


def test_ci_runs_the_test_command_that_the_docs_give():
    docs = (ROOT / "docs" / "setup-and-tests.md").read_text()
    command = (
        re.search(r"pip install -r requirements-test\.txt && (.+)$", docs, re.M).group(1).strip()
    )
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines


def test_the_docs_give_the_packages_ci_installs_for_the_window_tests():
    libraries = re.search(r"^qt_libraries=\(([^)]*)\)", (ROOT / ".ci" / "run").read_text(), re.M)
    docs = " ".join((ROOT / "docs" / "setup-and-tests.md").read_text().split())
    assert "`apt-get install xvfb xdotool %s`" % " ".join(libraries.group(1).split()) in docs


def label(a, b):
    return "%s → %s" % (a.split("_")[1], b.split("_")[1])


def test_consecutive_steps_differ_less_than_in_the_original_and_the_docs_say_by_how_much():
    readme = (ROOT / "docs" / "steps.md").read_text()
    for a, b, original in ORIGINAL_DIFFS:
        count = changed_lines(a, b)
        assert count < original, "%s -> %s: %d changed lines" % (a, b, count)
        assert "| %s | %d | %d |" % (label(a, b), count, original) in readme
    for a, b in BATCHNORM_DIFFS:
        assert "| %s | %d | – |" % (label(a, b), changed_lines(a, b)) in readme


# the benchmarks: the scripts in benchmarks/ (harness.py, which they import, is none)
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


def test_the_code_passes_ruff_check_and_ruff_format():
    if importlib.util.find_spec("ruff") is None:
        skip_or_fail_in_ci("ruff is not installed (pip install -r requirements-test.txt)")
    for command in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True
        )
        report = done.stdout[-3000:] + done.stderr[-1000:]
        assert done.returncode == 0, "ruff %s:\n%s" % (" ".join(command), report)
