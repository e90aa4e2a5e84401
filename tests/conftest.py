"""Shared fixtures: where the real MNIST files are, and the repository's root."""

import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))  # step_in_process: runs a step in the test's process
MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def skip_or_fail_in_ci(reason):
    """Skips the test on a learner's machine; fails it in CI (CI=true), where everything it needs
    is installed."""
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI provides it, so this is an error there)")
    pytest.skip(reason)


def _has_mnist(folder):
    return all(
        (folder / name).exists() or (folder / (name + ".gz")).exists() for name in MNIST_FILES
    )


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder holding the real MNIST files: MNIST_DATA_DIR, else data/ beside the scripts.

    On a learner's machine without the files the real-data tests skip; in CI (CI=true) they fail,
    because CI is where they must run."""
    candidates = (
        [pathlib.Path(os.environ["MNIST_DATA_DIR"])] if os.environ.get("MNIST_DATA_DIR") else []
    )
    candidates.append(ROOT / "data")
    for folder in candidates:
        if _has_mnist(folder):
            return folder.resolve()
    skip_or_fail_in_ci(
        "the real MNIST files are not in %s (set MNIST_DATA_DIR)" % ", ".join(map(str, candidates))
    )
