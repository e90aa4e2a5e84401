"""How long a learner waits to restore a saved network and classify ten image files.

    python benchmarks/restore_and_try.py                      # step 3.1, 3 timed runs
    python benchmarks/restore_and_try.py --step mnist_4.2_batchnorm_convolutional.py --runs 5

First (not timed) the step trains for --iterations with --save, in a temporary folder, beside ten
MNIST test digits written as PNG and JPEG files of 17 to 640 pixels, half of them dark on light.
Then the timed command, as a learner types it, from Python's start to its end:

    python <step> --no-window --restore <DIR> --try <the ten files>

It prints the wall time and the processor time (user and system) the command used. Its time
includes starting Python, importing TensorFlow (most of it), loading MNIST (the step loads it
before it knows it will not train), restoring and classifying; a restored run saves no PNG (its
graphs are the saved run's). The data comes from $MNIST_DATA_DIR, else data/ beside the scripts.
"""

import argparse
import pathlib
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # mnistdata, from any folder

import mnistdata  # noqa: E402

from benchmarks.harness import utf8_output  # noqa: E402

SIZES = [28, 56, 100, 300, 17, 640, 45, 200, 28, 150]  # pixels, one per file
ANSWER = re.compile(r"^(\S+): (\d) \(", re.M)


def write_digit_files(folder):
    """The first ten MNIST test digits as PNG and JPEG files; returns [(path, label)]."""
    test = mnistdata.read_data_sets(mirrors=(), one_hot=False).test
    files = []
    for k, size in enumerate(SIZES):
        pixels = (test.images[k, :, :, 0] * 255).round().astype(np.uint8)
        picture = Image.fromarray(255 - pixels if k % 2 == 0 else pixels).convert("RGB")
        path = folder / ("digit%d.%s" % (k, "jpg" if k % 3 == 0 else "png"))
        picture.resize((size, size), Image.BICUBIC).save(path)
        files.append((path, int(test.labels[k])))
    return files


def cpu_seconds():
    """The processor time the finished child processes used (user and system): what a run costs
    whatever else the machine is doing, where the wall time depends on it."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command, folder):
    done = subprocess.run(
        command, cwd=folder, env=utf8_output(), capture_output=True, encoding="utf-8"
    )
    if done.returncode != 0:
        sys.exit("%s failed (exit %d):\n%s" % (" ".join(command), done.returncode, done.stderr))
    return done.stdout


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--step", default="mnist_3.1_convolutional_bigger_dropout.py")
    parser.add_argument(
        "--iterations", type=int, default=300, help="training before the save (default 300)"
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs (default 3)")
    args = parser.parse_args()

    step = str(ROOT / args.step)
    with tempfile.TemporaryDirectory() as temporary:
        folder = pathlib.Path(temporary)
        files = write_digit_files(folder)
        train = [sys.executable, step, "--no-window", "--iterations", str(args.iterations)]
        run(train + ["--save", "kept"], folder)
        command = [sys.executable, step, "--no-window", "--restore", "kept", "--try"]
        command += [str(path) for path, _ in files]
        seconds, cpu = [], []
        for _ in range(args.runs):
            start, used = time.perf_counter(), cpu_seconds()
            stdout = run(command, folder)
            seconds.append(time.perf_counter() - start)
            cpu.append(cpu_seconds() - used)
        found = dict(ANSWER.findall(stdout))
        right = sum(found.get(str(path)) == str(label) for path, label in files)
    print(
        "restore and classify 10 files (%s, trained %d iterations; the whole command): median "
        "%.1f s (runs %s), CPU time %.1f s; %d of 10 right"
        % (
            args.step,
            args.iterations,
            statistics.median(seconds),
            ", ".join("%.1f" % s for s in seconds),
            statistics.median(cpu),
            right,
        )
    )


if __name__ == "__main__":
    main()
