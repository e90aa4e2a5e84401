"""How long mnistdata.read_data_sets takes to load the full MNIST from local files.

    python benchmarks/load_time.py [DATA_DIR] [--runs N]

DATA_DIR defaults to $MNIST_DATA_DIR, else data/ beside the scripts. Nothing is downloaded:
the benchmark measures loading and checking files that are already there.
"""

import argparse
import contextlib
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # from any folder
import mnistdata  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", help="folder with the four MNIST files")
    parser.add_argument("--runs", type=int, default=5, help="number of timed loads (default 5)")
    args = parser.parse_args()

    folder = mnistdata.resolve_data_dir(args.data_dir)
    seconds = []
    for _ in range(args.runs):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # the "Loaded MNIST" line, once per run
            data = mnistdata.read_data_sets(folder, mirrors=())
        seconds.append(time.perf_counter() - start)
        del data  # free the 220 MB before the next run
    best, median, runs = min(seconds), statistics.median(seconds), len(seconds)
    print(f"read_data_sets({folder}): best {best:.2f} s, median {median:.2f} s over {runs} runs")


if __name__ == "__main__":
    main()
