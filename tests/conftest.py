"""Shared fixtures: where the real MNIST files are, and the repository's root."""

import os
import pathlib

import mnistdata

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The Pythons the tests start write their output in UTF-8, as the tests read it (encoding="utf-8"):
# to a pipe they would write in the locale's code page otherwise, cp1252 on Windows.
os.environ["PYTHONIOENCODING"] = "utf-8"

# The files that take longest (several minutes between them: real training runs, real kernels)
# start first, so that pytest.ini's two processes finish together rather than one waiting on
# the last of them.
SLOWEST_FIRST = [
    "test_steps.py",
    "test_notebook.py",
    "test_try_and_checkpoints.py",
    "test_against.py",
]


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.path.name
        return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # a stable sort: each file's own tests keep their order


# The project's own modules as a warning names them (a step or check_setup.py run as a script is
# __main__): a warnings filter's module field, given in PYTHONWARNINGS, must match the whole name.
PROJECT_MODULES = ["__main__", "tensorflowvisu", "mnistdata", "check_setup", "visu"] + [
    "visu." + path.stem for path in sorted((ROOT / "visu").glob("*.py")) if path.stem != "__init__"
]


def encoding_warnings_fail(env):
    """env for a Python child (and the Pythons it starts) in which the project's code opening a
    text file without naming its encoding stops it with an EncodingWarning: on Windows that file
    would be read or written in the locale's code page (cp1252), not UTF-8. Third-party code's
    EncodingWarnings are ignored: not the project's to fix."""
    filters = ["ignore::EncodingWarning"]  # the filters given last take precedence
    filters += ["error::EncodingWarning:%s" % module for module in PROJECT_MODULES]
    return dict(env, PYTHONWARNDEFAULTENCODING="1", PYTHONWARNINGS=",".join(filters))


def skip_or_fail_in_ci(reason):
    """Skips the test on a learner's machine; fails it in CI (CI=true), where everything it needs
    is installed."""
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI provides it, so this is an error there)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder holding the real MNIST files: MNIST_DATA_DIR, else data/ beside the scripts.

    On a learner's machine without the files the real-data tests skip; in CI (CI=true) they fail,
    because CI is where they must run."""
    candidates = list(dict.fromkeys([mnistdata.resolve_data_dir(), mnistdata.DEFAULT_DATA_DIR]))
    for folder in candidates:
        if not mnistdata.missing_files(folder):
            return folder
    skip_or_fail_in_ci(
        "the real MNIST files are not in %s (set MNIST_DATA_DIR)" % ", ".join(map(str, candidates))
    )
