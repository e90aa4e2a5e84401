"""Runs workshop steps headless at their full iteration counts: a results table and a figure.

    python benchmarks/run_steps.py                            # all the steps, seed 0
    python benchmarks/run_steps.py --logdir /tmp/mnist_runs    # ... and a TensorBoard run each
    python benchmarks/run_steps.py mnist_3.1_convolutional_bigger_dropout.py --seeds 0 1 2
    python benchmarks/run_steps.py --iterations 200 --output-dir /tmp/quick   # a quick check

For each step: max test accuracy, the iteration where the test accuracy first reached 0.99, wall
time and iterations per second (figure updates included), and the final six-graph PNG. The
iteration count is the run's own: the iteration of its last test line. Into <output-dir> (default
benchmarks/results/): results.md, one row per step and seed, printed too; progression.png, every
run's test accuracy and test loss against the iterations; and seed<S>/, each run's log, PNG and
curves (every training and test point, as visu/reference.py reads them). A step's full run with
seed 0 also writes its curves into visu/solutions/, the solution's curves that --against draws.
"""

import argparse
import os
import pathlib
import platform
import subprocess
import sys
import time

import matplotlib.figure
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # from any folder
from benchmarks.harness import ROOT, STEPS, utf8_output  # noqa: E402
from visu import (
    progress,  # noqa: E402
    reference,  # noqa: E402
)


def run(step, output_dir, seed, options=(), solution=False):
    """Runs the step; returns its results row and its test curve (iterations, accuracy, loss).

    Its curves go beside its log, and with solution=True into visu/solutions/ too."""
    folder = output_dir / ("seed%d" % seed)  # each run's log and final PNG
    folder.mkdir(exist_ok=True)
    log = folder / step.replace(".py", ".log")
    command = [sys.executable, str(ROOT / step), "--no-window", "--seed", str(seed), *options]
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=folder, env=utf8_output(), capture_output=True, encoding="utf-8"
    )
    seconds = time.perf_counter() - start
    log.write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        sys.exit("%s failed (exit %d): see %s" % (step, done.returncode, log))
    tests = progress.read_test_points(done.stdout)
    curve = np.array([(t.i, t.accuracy, t.loss) for t in tests], float).T  # i, accuracy, loss
    trained = progress.read_training_points(done.stdout)
    training = np.array([(t.i, t.accuracy, t.loss) for t in trained], float).reshape(-1, 3).T
    curves = reference.curves_text(step, seed, training, curve, seconds)
    (folder / step.replace(".py", ".csv")).write_text(curves, encoding="utf-8")
    if solution:
        reference.SOLUTIONS.mkdir(exist_ok=True)
        (reference.SOLUTIONS / step.replace(".py", ".csv")).write_text(curves, encoding="utf-8")
    iterations, accuracy = int(curve[0][-1]), curve[1]  # the last test is at the last iteration
    reached = curve[0][accuracy >= 0.99]
    row = {
        "step": step,
        "seed": str(seed),
        "iterations": str(iterations),
        "max test accuracy": "%.4f" % accuracy.max(),
        "first >= 0.99 at": "%d" % reached[0] if reached.size else "-",
        "wall time (s)": "%.0f" % seconds,
        "iterations/s": "%.0f" % (iterations / seconds),
    }
    return row, curve


# The error rate on a log scale, labelled as accuracy: 92%, 98%, 99% and 99.5% equally readable.
ACCURACY_TICKS = [0.9, 0.95, 0.98, 0.99, 0.995, 0.998]


def progression_figure(curves, path):
    """Every run's test accuracy and test loss against the iterations, one color per step."""
    figure = matplotlib.figure.Figure(figsize=(14, 6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    accuracy_ax, loss_ax = figure.subplots(1, 2)
    colors = matplotlib.colormaps["tab10"].colors
    steps = list(dict.fromkeys(step for step, _ in curves))  # in the order they ran
    labelled = set()  # one label a step, whatever its number of seeds
    for (step, _), (iterations, accuracy, loss) in curves.items():
        color = colors[steps.index(step) % len(colors)]
        label = None if step in labelled else step.removesuffix(".py")
        labelled.add(step)
        accuracy_ax.plot(iterations, 1.0 - accuracy, color=color, linewidth=1, label=label)
        loss_ax.plot(iterations, loss, color=color, linewidth=1, label=label)
    accuracy_ax.set_yscale("log")
    accuracy_ax.set_yticks(
        [1.0 - a for a in ACCURACY_TICKS], ["%g%%" % (100 * a) for a in ACCURACY_TICKS]
    )
    accuracy_ax.minorticks_off()
    accuracy_ax.set_ylim(0.1, 0.002)  # from 90% at the bottom to 99.8% at the top
    accuracy_ax.set_title("Test accuracy (log scale of the error rate)")
    loss_ax.set_ylim(0, 40)
    loss_ax.set_title("Test loss (mean cross-entropy x 100)")
    for ax in (accuracy_ax, loss_ax):
        ax.set_xlabel("iterations (batches of 100 images)")
        ax.grid(alpha=0.3, which="both")
        ax.set_xlim(0, max(curve[0][-1] for curve in curves.values()))
    loss_ax.legend(loc="upper right", fontsize="small")
    figure.savefig(path)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "steps", nargs="*", default=STEPS, help="step scripts to run (default: all)"
    )
    parser.add_argument("--output-dir", type=pathlib.Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0], help="run each step once per seed (default: 0)"
    )
    parser.add_argument(
        "--logdir",
        type=pathlib.Path,
        metavar="DIR",
        help="also log every run for TensorBoard into DIR (the steps' own --logdir)",
    )
    parser.add_argument(
        "--iterations",
        type=int,
        metavar="N",
        help="train each step for N iterations instead of its own count (for quick checks)",
    )
    args = parser.parse_args()
    args.output_dir.mkdir(parents=True, exist_ok=True)
    logdir = args.logdir.expanduser().resolve() if args.logdir else None
    options = ["--logdir", str(logdir)] if logdir else []
    options += ["--iterations", str(args.iterations)] if args.iterations else []
    rows, curves = [], {}
    for step in args.steps:
        for seed in args.seeds:
            step = pathlib.Path(step).name
            solution = seed == 0 and not args.iterations  # the run --against draws
            row, curves[step, seed] = run(step, args.output_dir.resolve(), seed, options, solution)
            rows.append(row)
            print("  ".join("%s: %s" % item for item in row.items()), flush=True)
    header = list(rows[0])
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(row[key] for key in header) + " |" for row in rows]
    note = "headless, %s, %d cores" % (
        platform.processor() or platform.machine(),
        len(os.sched_getaffinity(0)),
    )
    (args.output_dir / "results.md").write_text("\n".join(table + ["", note, ""]), encoding="utf-8")
    progression_figure(curves, args.output_dir / "progression.png")
    print("\n".join(table + ["", note]))
    print("The progression figure: %s" % (args.output_dir / "progression.png"))
    if 0 in args.seeds and not args.iterations:
        print("The solutions' curves: %s" % reference.SOLUTIONS)
    if logdir:
        print("The TensorBoard runs: tensorboard --logdir %s" % logdir)


if __name__ == "__main__":
    main()
