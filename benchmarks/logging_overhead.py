"""What --logdir (the TensorBoard log) adds to a step's run: the same run without it and with it.

    python benchmarks/logging_overhead.py                    # step 3.1, 10000 iterations, seed 0
    python benchmarks/logging_overhead.py --iterations 1000  # a quick check
    python benchmarks/logging_overhead.py --repeats 3 --step mnist_1.0_softmax.py

1. In this process, one run with --logdir, the time spent in the log's own calls (making the
   event file and the graph, the curves, the histograms, the PNG mosaics, closing) against the
   rest of the run: what the log adds, little disturbed by other work on the machine.
2. The step as a learner runs it, headless (--no-window), each run in its own process, start-up
   included: runs without and with --logdir alternate, and the best of each is compared in wall
   time and in CPU time (user + system). Both must print the same progress lines: the log reads
   the figures, it changes nothing. On a busy machine these differences are mostly noise.
"""

import argparse
import contextlib
import io
import os
import pathlib
import resource
import runpy
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # from any folder
from benchmarks.harness import ROOT, utf8_output  # noqa: E402
from visu import progress  # noqa: E402

TARGET = 0.05  # issue 10: logging adds at most 5% to a full step 3.1 run
# TensorBoardLog's calls, and what each one logs
LOG_CALLS = {
    "__init__": "the event file and the graph",
    "write_curves": "accuracy, loss, learning rate",
    "write_spreads": "the histograms",
    "write_mosaics": "the mosaics as PNGs",
    "finish": "closing",
}


def time_in_log_calls(step, arguments, logdir):
    """Runs the step in this process with --logdir; returns its seconds, and those of each of the
    log's calls (all its calls to it together)."""
    import matplotlib

    matplotlib.use("agg")
    from visu.show.tensorboard import TensorBoardLog

    spent = dict.fromkeys(LOG_CALLS, 0.0)

    def timed(name, call):
        def timed_call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start

        return timed_call

    log = TensorBoardLog
    for name in LOG_CALLS:
        setattr(log, name, timed(name, getattr(log, name)))
    sys.argv = [str(ROOT / step), "--no-window", "--logdir", str(logdir), *arguments]
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # its progress lines
        runpy.run_path(str(ROOT / step), run_name="__main__")
    return time.perf_counter() - start, spent


def timed_run(step, arguments, folder):
    """Runs the step; returns (wall seconds, CPU seconds, its progress lines)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / step), "--no-window", *arguments],
        cwd=folder,
        env=utf8_output(dict(os.environ, MPLBACKEND="agg")),
        capture_output=True,
        encoding="utf-8",
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit("%s failed (exit %d):\n%s" % (step, done.returncode, done.stderr[-3000:]))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, progress.progress_lines(done.stdout)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--step", default="mnist_3.1_convolutional_bigger_dropout.py")
    parser.add_argument(
        "--iterations", type=int, metavar="N", help="instead of the step's own (3.1: 10000)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeats", type=int, default=1, help="runs of each kind, alternating (default: 1)"
    )
    args = parser.parse_args()
    arguments = ["--seed", str(args.seed)]
    arguments += ["--iterations", str(args.iterations)] if args.iterations else []
    runs = {"without --logdir": [], "with --logdir": []}
    lines = {}
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # where the run in this process saves its final PNG
        whole, spent = time_in_log_calls(args.step, arguments, pathlib.Path(folder) / "timed")
        in_log = sum(spent.values())
        print(
            "%s, seed %d, in one process: %.2f s in the log's calls of a %.1f s run: the log "
            "adds %.1f%% (target: at most %d%%)"
            % (args.step, args.seed, in_log, whole, 100 * in_log / (whole - in_log), 100 * TARGET)
        )
        for name, what in LOG_CALLS.items():
            print("  %-12s %-30s %.2f s" % (name, what, spent[name]))
        sys.stdout.flush()
        logdir = pathlib.Path(folder) / "runs"
        for repeat in range(args.repeats):
            for kind in runs:
                option = ["--logdir", str(logdir)] if kind == "with --logdir" else []
                wall, cpu, lines[kind] = timed_run(args.step, arguments + option, folder)
                runs[kind].append((wall, cpu))
                print("  %s, run %d: %.1f s wall, %.1f s CPU" % (kind, repeat + 1, wall, cpu))
        megabytes = sum(path.stat().st_size for path in logdir.rglob("*")) / args.repeats / 1e6
    wall0, wall1 = (min(wall for wall, _ in runs[kind]) for kind in runs)
    cpu0, cpu1 = (min(cpu for _, cpu in runs[kind]) for kind in runs)
    print(
        "%s, %s iterations, seed %d, each run in its own process, best of %d:\n"
        "  without --logdir: %.1f s wall, %.1f s CPU\n"
        "  with --logdir:    %.1f s wall, %.1f s CPU (%.1f MB of event files a run)\n"
        "  logging adds %+.1f%% to the wall time, %+.1f%% to the CPU time (target: at most %d%%)\n"
        "  same progress lines with and without: %s"
        % (
            args.step,
            lines["with --logdir"][-1].split(":")[0],  # the last line's iteration
            args.seed,
            args.repeats,
            wall0,
            cpu0,
            wall1,
            cpu1,
            megabytes,
            100 * (wall1 / wall0 - 1),
            100 * (cpu1 / cpu0 - 1),
            100 * TARGET,
            "yes" if lines["with --logdir"] == lines["without --logdir"] else "NO",
        )
    )


if __name__ == "__main__":
    main()
