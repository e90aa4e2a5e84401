"""What the graphs cost the training: headless, then with a live window.

    python benchmarks/figure_overhead.py [--iterations 2000] [--step mnist_3.1_...py]
                                         [--baseline DIR] [--rounds 2]

1. Headless, in one process: the step's own training_step is run for the same iterations twice,
   bare (no figures asked: next_batch and the training step only) and with the step's schedule of
   training and test figures (the measurements, the mosaics, the weight and bias bands, the
   progress lines), in alternate chunks. Once with the figures switched off (the measurements
   only), once with them, each in a fresh process. Prints the times and the overheads.
2. Live window: the step is run as a learner runs it, with --no-window, with a TkAgg window of
   the six graphs (what the network learned hidden), and with a window showing what the network
   learned (--graphs W), on $DISPLAY or on an Xvfb it starts itself; with --baseline DIR, also
   from another checkout (the code before a change: git worktree add DIR main), headless and in a
   window. Each is timed from the first progress line to "max test accuracy", in turns, --rounds
   times; the medians of the iterations per second are compared.
"""

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # from any folder
from benchmarks.harness import ROOT, run_step, seconds_training, utf8_output  # noqa: E402

ROUNDS = 4


def timed_run(step, count, figures):
    """Runs the step in this process; returns the seconds of `count` iterations bare, then with
    updates.

    With figures=False the window's own work is switched off (the mosaics become an empty op, the
    bands and images are not computed) and only the measurements behind the progress lines remain.
    """
    import tensorflowvisu

    import tensorflow.compat.v1 as tf

    if not figures:
        tensorflowvisu.tf_format_mnist_images = lambda *args, **kwargs: tf.zeros([0])
        for name in ("append_data_histograms", "update_image1", "update_image2"):
            setattr(tensorflowvisu.MnistDataVis, name, lambda *args: None)
    step = run_step(step)
    datavis, training_step = step["datavis"], step["training_step"]
    animate = datavis.animate_arguments  # what the step asked animate() for, by name
    schedule = [
        animate[name]
        for name in ("train_data_update_freq", "test_data_update_freq", "more_tests_at_start")
    ]
    for i in range(50):  # warm up TensorFlow's kernels first
        training_step(i, i == 0, i == 0)
    # Bare and updated iterations alternate in ROUNDS chunks, so that a slower spell of the
    # machine (its speed drifts by several percent from one minute to the next) hits both.
    bare = updated = 0.0
    chunk = count // ROUNDS
    for first in range(0, chunk * ROUNDS, chunk):
        start = time.perf_counter()
        for i in range(first, first + chunk):
            training_step(i, False, False)
        bare += time.perf_counter() - start
        start = time.perf_counter()
        for i in range(first, first + chunk):
            training_step(i, *tensorflowvisu.updates_due(i, count, *schedule))
        updated += time.perf_counter() - start
    start = time.perf_counter()
    datavis.graphs.draw(datavis.record)
    return bare, updated + time.perf_counter() - start


def headless_overhead(step, count):
    """Bare training against training with updates, in two fresh processes: with the
    measurements the progress lines need only, then with the figures too."""

    def run(figures):
        code = "\n".join(
            [
                "import sys",
                "sys.path.insert(0, %r)" % str(ROOT),
                "from benchmarks import figure_overhead",
                "print(figure_overhead.timed_run(%r, %d, %r))" % (step, count, figures),
            ]
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=utf8_output(),
            capture_output=True,
            encoding="utf-8",
            check=True,
        )
        return eval(done.stdout.strip().splitlines()[-1])

    bare, measured = run(figures=False)
    bare_again, full = run(figures=True)
    measuring, everything = measured / bare - 1, full / bare_again - 1
    print(
        "headless, %s, %d iterations, bare and updated in alternate chunks (bare training: "
        "%.1f s and %.1f s in the two processes, %.0f it/s):"
        % (step, count, bare, bare_again, count / bare)
    )
    print(
        "  + the measurements behind the progress lines (training batch and test set): "
        "%.1f s against %.1f s bare, +%.1f%%" % (measured, bare, 100 * measuring)
    )
    print(
        "  + the figures too (mosaics, weight and bias bands, images): %.1f s against %.1f s "
        "bare, +%.1f%%: the figures add %.1f%%"
        % (full, bare_again, 100 * everything, 100 * (everything - measuring)),
        flush=True,
    )


def live_window_speeds(step, iterations, baseline=None, rounds=2):
    """The step's iterations per second (medians over the rounds), headless and in a window, from
    this checkout and from the baseline's; prints them and how they compare."""
    env = dict(os.environ)
    xvfb = None
    if not env.get("DISPLAY"):
        if not shutil.which("Xvfb"):
            print("live window: skipped, no DISPLAY and no Xvfb (apt-get install xvfb)")
            return
        env["DISPLAY"] = ":97"
        xvfb = subprocess.Popen(
            ["Xvfb", ":97", "-screen", "0", "1600x1000x24"], stderr=subprocess.DEVNULL
        )
        time.sleep(1.5)
    window = dict(env, MPLBACKEND="TkAgg")
    runs = {  # name: (checkout, options, environment)
        "headless": (ROOT, ["--no-window"], env),
        "window, the six graphs": (ROOT, [], window),
        "window, what it learned (W)": (ROOT, ["--graphs", "W"], window),
    }
    if baseline:
        runs["baseline, headless"] = (baseline, ["--no-window"], env)
        runs["baseline, window"] = (baseline, [], window)
    speeds = {name: [] for name in runs}
    try:
        for _ in range(rounds):  # in turns, so that a slower spell of the machine hits them all
            for name, (checkout, options, run_env) in runs.items():
                command = [sys.executable, str(pathlib.Path(checkout) / step)]
                command += ["--iterations", str(iterations)] + options
                speeds[name].append(iterations / seconds_training(command, run_env))
    finally:
        if xvfb:
            xvfb.kill()
    median = {name: statistics.median(values) for name, values in speeds.items()}
    print(
        "%s, %d iterations, TkAgg on %s, iterations per second (median of %d rounds: each round's)"
        % (step, iterations, env["DISPLAY"], rounds)
    )
    for name, values in speeds.items():
        print(
            "  %-30s %5.0f it/s  (%s)" % (name, median[name], ", ".join("%.0f" % v for v in values))
        )
    shown, headless = median["window, what it learned (W)"], median["headless"]
    print("  what it learned shown in the window: %.0f%% of headless" % (100 * shown / headless))
    print(
        "  the six graphs in the window: %.0f%% of headless"
        % (100 * median["window, the six graphs"] / headless)
    )
    if baseline:
        for this, before in (
            ("headless", "baseline, headless"),
            ("window, the six graphs", "baseline, window"),
        ):
            print(
                "  %s against the baseline: %+.1f%%"
                % (this, 100 * (median[this] / median[before] - 1))
            )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--step", default="mnist_3.1_convolutional_bigger_dropout.py")
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument(
        "--baseline", type=pathlib.Path, help="another checkout to compare with (the code before)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, in turns")
    args = parser.parse_args()
    # first: it runs in child processes
    live_window_speeds(args.step, args.iterations, args.baseline, args.rounds)
    headless_overhead(args.step, args.iterations)


if __name__ == "__main__":
    main()
