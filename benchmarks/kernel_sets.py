"""How far TensorFlow's two sets of CPU kernels move a step's figures: each step run twice with the
same seed, once with oneDNN's kernels (TF_ENABLE_ONEDNN_OPTS=1) and once with TensorFlow's own
(TF_ENABLE_ONEDNN_OPTS=0), and both compared with the solution's curves that ship.

    python benchmarks/kernel_sets.py                          # every step, the first 20 iterations
    python benchmarks/kernel_sets.py --iterations 0           # every step's full run, both ways
    python benchmarks/kernel_sets.py mnist_2.2_five_layers_relu_lrdecay_dropout.py --iterations 100

Which set a machine uses by default depends on its processor (TensorFlow turns oneDNN on for x86
processors with AVX-512 VNNI, BF16 or AMX), so the two sets are how one seed's run differs from one
learner's machine to another's. The tests' tolerances for the shipped curves, and --against's
"the same as the solution", rest on these figures (docs/steps.md gives them). How fast each set
trains each step here: benchmarks/kernel_speed.py.

For each step and each set: the largest difference from the other set, and from the shipped
curves, over the points both have: test accuracy in test images (of 10000), training accuracy
in images of the batch (of 100), loss in percent; then the run's max test accuracy.
"""

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # from any folder
from benchmarks.harness import ROOT, STEPS  # noqa: E402
from visu import progress, reference  # noqa: E402

KERNEL_SETS = {"oneDNN": "1", "TensorFlow's own": "0"}


def run(step, kernels, iterations, seed):
    """The step's printed output, run headless with that kernel set (iterations 0: its own)."""
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=kernels, MPLBACKEND="agg")
    options = ["--no-window", "--seed", str(seed)]
    if iterations:
        options += ["--iterations", str(iterations)]
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, str(ROOT / step), *options],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
    if done.returncode != 0:
        sys.exit("%s failed with TF_ENABLE_ONEDNN_OPTS=%s:\n%s" % (step, kernels, done.stderr))
    return done.stdout


def points(output):
    """(training, test): arrays [3, points] of iteration, accuracy, loss."""
    return tuple(
        np.array([(p.i, p.accuracy, p.loss) for p in read(output)], float).reshape(-1, 3).T
        for read in (progress.read_training_points, progress.read_test_points)
    )


def largest_difference(one, other, images):
    """Over the iterations both have: (accuracy in images, loss in percent)."""
    common, mine, theirs = np.intersect1d(one[0], other[0], return_indices=True)
    if not common.size:
        return float("nan"), float("nan")
    accuracy = np.abs(one[1][mine] - other[1][theirs]).max() * images
    scale = np.maximum(np.abs(other[2][theirs]), 0.01)  # a training loss printed as 0.0
    loss = (np.abs(one[2][mine] - other[2][theirs]) / scale).max() * 100
    return accuracy, loss


def compare(step, iterations, seed):
    runs = {name: points(run(step, value, iterations, seed)) for name, value in KERNEL_SETS.items()}
    shipped = reference.against(step)
    shipped_points = (shipped.train, shipped.test)
    rows = []
    for name, (train, test) in runs.items():
        other_train, other_test = next(runs[o] for o in runs if o != name)
        rows.append(
            (
                step.split("_")[1],
                name,
                *largest_difference(test, other_test, 10000),
                largest_difference(train, other_train, 100)[0],
                *largest_difference(test, shipped_points[1], 10000),
                largest_difference(train, shipped_points[0], 100)[0],
                np.nanmax(test[1]),
            )
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("steps", nargs="*", help="step scripts (default: all)")
    parser.add_argument(
        "--iterations",
        type=int,
        default=20,
        help="iterations of each run; 0 for each step's full run (default: 20)",
    )
    parser.add_argument("--seed", type=int, default=0, help="the seed of both runs (default: 0)")
    options = parser.parse_args(argv)
    print(
        "| step | kernels | test acc. vs other set (images) | test loss (%) | training acc. "
        "(batch images) | test acc. vs shipped (images) | test loss (%) | training acc. "
        "(batch images) | max test accuracy |"
    )
    print("|---" * 9 + "|")
    for step in options.steps or STEPS:
        for row in compare(step, options.iterations, options.seed):
            print("| %s | %s | %.0f | %.1f | %.0f | %.0f | %.1f | %.0f | %.4f |" % row, flush=True)


if __name__ == "__main__":
    main()
