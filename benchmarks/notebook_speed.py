"""How much of its headless speed a step keeps with live graphs in a notebook cell.

    python benchmarks/notebook_speed.py [--iterations 2000] [--step mnist_3.0_convolutional.py]

Runs the step in pairs, timed from its first progress line to "max test accuracy": headless as a
learner runs it (--no-window, in a process of its own), then with `%run` in a real Jupyter kernel
whose inline backend gets the six graphs as one image updated in place (the notebook view). In the
kernel, the times are those the kernel stamped on its messages. Prints each pair and the median
share. Needs ipykernel and jupyter_client (requirements-test.txt).
"""

import argparse
import datetime
import os
import pathlib
import statistics
import sys
import tempfile

from jupyter_client import KernelManager

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # from any folder
from benchmarks.harness import ROOT, seconds_training  # noqa: E402
from visu import progress  # noqa: E402


def seconds_in_a_notebook(step, iterations):
    """Seconds of training under %run in a fresh kernel, and how many image updates it sent."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=tempfile.gettempdir(), env=env)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        msg_id = client.execute("%%run %s --iterations %d" % (ROOT / step, iterations))
        start = end = None
        updates = 0
        while True:
            message = client.get_iopub_msg(timeout=1800)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content, sent = message["msg_type"], message["content"], message["header"]["date"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            lines = content.get("text", "").splitlines() if kind == "stream" else []
            if start is None and any(progress.is_progress_line(line) for line in lines):
                start = sent
            if any(progress.is_last_line(line) for line in lines):
                end = sent
            updates += kind == "update_display_data"
        if start is None or end is None:
            sys.exit("the %%run of %s did not finish in the kernel" % step)
        return (end - start) / datetime.timedelta(seconds=1), updates
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--step", default="mnist_3.1_convolutional_bigger_dropout.py")
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3, help="pairs of runs (default: 3)")
    args = parser.parse_args()
    command = [sys.executable, str(ROOT / args.step), "--no-window"]
    command += ["--iterations", str(args.iterations)]
    shares = []
    for _ in range(args.repeats):  # alternated, so that a slower spell of the machine hits both
        headless = seconds_training(command, dict(os.environ))
        notebook, updates = seconds_in_a_notebook(args.step, args.iterations)
        shares.append(headless / notebook)
        print(
            "%s, %d iterations: headless %.0f it/s; live graphs in a notebook cell (%d image"
            " updates) %.0f it/s: %.0f%%"
            % (
                args.step,
                args.iterations,
                args.iterations / headless,
                updates,
                args.iterations / notebook,
                100 * shares[-1],
            ),
            flush=True,
        )
    print(
        "the notebook keeps %.0f%% of the headless speed (median of %d pairs of runs)"
        % (100 * statistics.median(shares), len(shares))
    )


if __name__ == "__main__":
    main()
