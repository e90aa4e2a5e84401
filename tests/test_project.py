"""The project's promises about itself: CI runs the test command the docs give, the steps' diffs
stay small, the benchmarks start, the code passes ruff, and no file grows past a newcomer's read."""

import importlib.util
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, skip_or_fail_in_ci
from visu import steps

sys.path.insert(0, str(ROOT / "docs"))  # step_tables: the diffs' counts that docs/steps.md gives
import step_tables  # noqa: E402


def changed_lines(a, b):
    diff = subprocess.run(
        ["diff", "--minimal", str(ROOT / a), str(ROOT / b)], capture_output=True, encoding="utf-8"
    ).stdout
    return sum(line.startswith(("<", ">")) for line in diff.splitlines())


def test_ci_runs_the_test_command_that_the_docs_give():
    docs = (ROOT / "docs" / "setup-and-tests.md").read_text(encoding="utf-8")
    command = (
        re.search(r"pip install -r requirements-test\.txt && (.+)$", docs, re.M).group(1).strip()
    )
    ci_lines = [
        line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    ]
    # each run names the kernel set it uses, before the command itself
    assert command in [re.sub(r"^TF_ENABLE_ONEDNN_OPTS=[01] ", "", line) for line in ci_lines]


@pytest.mark.skipif(shutil.which("diff") is None, reason="no diff command here")
def test_each_step_differs_from_the_one_it_starts_from_less_than_in_the_original():
    """Against GNU diff, the count docs/step_tables.py writes into docs/steps.md."""
    by_number = steps.by_number()
    for step in steps.STEPS:
        if step.starts_from is None:
            continue
        start = by_number[step.starts_from].file
        count = changed_lines(start, step.file)
        assert count == step_tables.changed_lines(
            *((ROOT / name).read_text(encoding="utf-8") for name in (start, step.file))
        )
        if step.original_diff is not None:
            assert count < step.original_diff, "%s -> %s: %d changed lines" % (
                start,
                step.file,
                count,
            )


def test_the_docs_give_the_packages_ci_installs_for_the_window_tests():
    libraries = re.search(
        r"^qt_libraries=\(([^)]*)\)", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.M
    )
    docs = " ".join((ROOT / "docs" / "setup-and-tests.md").read_text(encoding="utf-8").split())
    assert "`apt-get install xvfb xdotool %s`" % " ".join(libraries.group(1).split()) in docs


# the benchmarks: the scripts in benchmarks/ (harness.py, which they import, is none)
BENCHMARKS = sorted(
    path.name
    for path in (ROOT / "benchmarks").glob("*.py")
    if 'if __name__ == "__main__":' in path.read_text(encoding="utf-8")
)


@pytest.mark.parametrize("benchmark", BENCHMARKS)
def test_each_benchmark_starts_and_explains_itself(benchmark, tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / benchmark), "--help"],
        cwd=tmp_path,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("usage: ")


def learners_copies(folder):
    """The scripts beside the steps that are named like one (mnist_3.0_mine.py) but are none:
    learners' copies. ruff.toml leaves out the exercises' copies (my_*.py) by itself."""
    return sorted(path.name for path in folder.glob("mnist_*.py") if path.name not in steps.files())


def test_a_learners_copy_named_like_a_step_is_not_linted(tmp_path):
    (tmp_path / "mnist_3.0_mine.py").write_text("import os\n", encoding="utf-8")
    (tmp_path / steps.STEPS[0].file).write_text("", encoding="utf-8")
    assert learners_copies(tmp_path) == ["mnist_3.0_mine.py"]


def test_the_code_passes_ruff_check_and_ruff_format():
    if importlib.util.find_spec("ruff") is None:
        skip_or_fail_in_ci("ruff is not installed (pip install -r requirements-test.txt)")
    copies = learners_copies(ROOT)  # theirs, not the project's: never linted
    exclude = ["--extend-exclude", ",".join(copies)] if copies else []
    for command in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *command, *exclude],
            cwd=ROOT,
            capture_output=True,
            encoding="utf-8",
        )
        report = done.stdout[-3000:] + done.stderr[-1000:]
        assert done.returncode == 0, "ruff %s:\n%s" % (" ".join(command), report)


@pytest.mark.parametrize("package", ["visu", "visu/explain", "visu/show", "visu/trained"])
def test_the_map_of_each_visu_package_names_each_of_its_modules_once(package):
    described = re.findall(
        r"^ *(\w+)\.py ", (ROOT / package / "__init__.py").read_text("utf-8"), re.M
    )
    modules = sorted(path.stem for path in (ROOT / package).glob("*.py") if path.stem != "__init__")
    assert sorted(described) == modules


# A dpkg-query that knows the packages in $KNOWN, as installed, and no other: those of a Debian 12
# machine, or of a Debian 13 one (where libglib2.0-0 is libglib2.0-0t64).
FAKE_DPKG_QUERY = """#!/usr/bin/env bash
status=0  # as dpkg-query's: 1 when a package named is unknown, after printing the known ones
for name in "$@"; do
    case $name in -* | *'$'*) continue ;; esac  # -W, -f and its format
    if [[ " $KNOWN " == *" $name "* ]]; then
        echo installed
    else
        echo "dpkg-query: no packages found matching $name" >&2
        status=1
    fi
done
exit $status
"""


@pytest.mark.parametrize(
    "glib", ["libglib2.0-0", "libglib2.0-0t64"], ids=["Debian 12", "Debian 13"]
)
def test_ci_recognises_the_x_libraries_installed_on_debian_12_and_13(tmp_path, glib):
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    libraries = re.search(r"^qt_libraries=\(([^)]*)\)", script, re.M).group(1).split()
    installed = re.search(r"^installed\(\) \{.*?^\}$", script, re.M | re.S).group(0)
    (tmp_path / "dpkg-query").write_text(FAKE_DPKG_QUERY, encoding="utf-8")
    (tmp_path / "dpkg-query").chmod(0o755)
    known = [glib if name == "libglib2.0-0" else name for name in libraries]

    def check(known):
        env = {"PATH": "%s:/usr/bin:/bin" % tmp_path, "KNOWN": " ".join(known)}
        command = "%s\ninstalled %s" % (installed, " ".join(libraries))
        return subprocess.run(["bash", "-euo", "pipefail", "-c", command], env=env).returncode

    assert check(known) == 0
    assert check([name for name in known if name != "libxcb-cursor0"]) == 1  # one missing
