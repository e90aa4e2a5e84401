"""Runs workshop steps headless at their full iteration counts and writes a results table.

    python benchmarks/run_steps.py                       # all the steps, seed 0
    python benchmarks/run_steps.py mnist_3.1_convolutional_bigger_dropout.py --seeds 0 1 2 --output-dir /tmp/b

For each step: max test accuracy, the iteration where the test accuracy first reached 0.99, wall
time and iterations per second (figure updates included), and the final six-graph PNG. The table
goes to <output-dir>/results.md (default benchmarks/results/), one row per step and seed, printed too.
"""

import argparse
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
STEPS = sorted(path.name for path in ROOT.glob("mnist_[0-9]*.py"))
TEST_LINE = re.compile(r"^(\d+): \*+ epoch \d+ \*+ test accuracy:([0-9.]+)", re.M)
ITERATIONS = re.compile(r"iterations=(\d+)")


def run(step, output_dir, seed):
    iterations = int(ITERATIONS.search((ROOT / step).read_text()).group(1))
    folder = output_dir / ("seed%d" % seed)  # each run's log and final PNG
    folder.mkdir(exist_ok=True)
    log = folder / step.replace(".py", ".log")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / step), "--no-window", "--seed", str(seed)],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    log.write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        sys.exit("%s failed (exit %d): see %s" % (step, done.returncode, log))
    tests = [(int(i), float(a)) for i, a in TEST_LINE.findall(done.stdout)]
    best = max(a for _, a in tests)
    first_99 = next((i for i, a in tests if a >= 0.99), None)
    return {
        "step": step,
        "seed": str(seed),
        "iterations": str(iterations),
        "max test accuracy": "%.4f" % best,
        "first >= 0.99 at": "-" if first_99 is None else str(first_99),
        "wall time (s)": "%.0f" % seconds,
        "iterations/s": "%.0f" % (iterations / seconds),
    }


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
    args = parser.parse_args()
    args.output_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for step in args.steps:
        for seed in args.seeds:
            rows.append(run(pathlib.Path(step).name, args.output_dir.resolve(), seed))
            print("  ".join("%s: %s" % item for item in rows[-1].items()), flush=True)
    header = list(rows[0])
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(row[key] for key in header) + " |" for row in rows]
    note = "headless, %s, %d cores" % (
        platform.processor() or platform.machine(),
        len(os.sched_getaffinity(0)),
    )
    (args.output_dir / "results.md").write_text("\n".join(table + ["", note, ""]))
    print("\n".join(table + ["", note]))


if __name__ == "__main__":
    main()
