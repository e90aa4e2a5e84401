"""How fast each step trains with each of TensorFlow's two sets of CPU kernels on this processor,
and which set the steps pick here (visu/kernels.py's rule).

    python benchmarks/kernel_speed.py                    # every step, about 3 s of training each
    python benchmarks/kernel_speed.py --rounds 3 mnist_3.1_convolutional_bigger_dropout.py
    python benchmarks/kernel_speed.py --iterations 500   # the same number for every step

Each step runs headless (--no-window, seed 0) with TF_ENABLE_ONEDNN_OPTS=1 (oneDNN's kernels) and
=0 (TensorFlow's own), back to back, in alternating order from one round to the next, so that a
busy spell of the machine falls on both. Timed from the first progress line to "max test
accuracy" (the test passes every 100 iterations included, start-up not). By default each step
runs for about 3 s of training on the project's machine (its iterations per second in
visu/steps.py), from 100 to 600 iterations. With --onednn-isa AVX2, oneDNN's runs are limited to
those instructions (ONEDNN_MAX_CPU_ISA; TensorFlow's own kernels use AVX at most either way): a
look at an AVX2-only processor from one with AVX-512, its clock and caches aside.

First the processor (its name and the flags that matter) and the load average; a line per step:
the median iterations per second of each set, how much faster the faster is, and the set the
steps pick here.
"""

import argparse
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # from any folder
from benchmarks.harness import ROOT, STEPS, seconds_training  # noqa: E402
from visu import kernels, steps  # noqa: E402

SETS = (("oneDNN", "1"), ("own", "0"))
SECONDS = 3  # of training per run, on the project's machine (quiet)
FEWEST, MOST = 100, 600
FLAGS = ("avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "avx_vnni")
FLAGS += ("amx_tile", "amx_int8", "amx_bf16", "asimd", "sve")


def processor(cpuinfo="/proc/cpuinfo"):
    """(its name, the flags of FLAGS it has, all its flags or None)."""
    name = platform.processor() or platform.machine()
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("model name"):
                    name = line.partition(":")[2].strip()
                    break
    except OSError:
        pass
    flags = kernels.cpu_flags(cpuinfo)
    shown = [flag for flag in FLAGS if flags and flag in flags]
    return name, shown, flags


def iterations_for(step, wanted):
    if wanted:
        return wanted
    per_second = steps.by_file()[step].per_second
    return max(FEWEST, min(MOST, int(per_second * SECONDS) // 100 * 100))


def tensorflows_default():
    """Whether TensorFlow turns oneDNN on by itself here (TF_ENABLE_ONEDNN_OPTS unset)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop(kernels.VARIABLE, None)
    code = "from tensorflow.python.util import _pywrap_util_port as p; print(p.IsMklEnabled())"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, encoding="utf-8"
    )
    return done.stdout.strip().endswith("True")


def picked(step, flags, default):
    """The set's short name that the steps pick for this step here."""
    kind = kernels.network_kind(str(ROOT / step))
    choice = kernels.choose(kind, platform.system(), platform.machine(), flags, {})
    if choice.setting is None:
        return "oneDNN" if default else "own"
    return "oneDNN" if choice.setting == "1" else "own"


def time_step(step, setting, iterations, isa):
    env = dict(os.environ, MPLBACKEND="agg", TF_CPP_MIN_LOG_LEVEL="2")
    env[kernels.VARIABLE] = setting
    if isa and setting == "1":
        env["ONEDNN_MAX_CPU_ISA"] = isa
    command = [sys.executable, "-u", str(ROOT / step), "--no-window", "--seed", "0"]
    command += ["--iterations", str(iterations)]
    return iterations / seconds_training(command, env)


def load():
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("steps", nargs="*", help="step scripts (default: all)")
    parser.add_argument(
        "--iterations",
        type=int,
        default=0,
        help="iterations of every run (default: about %d s of training each)" % SECONDS,
    )
    parser.add_argument("--rounds", type=int, default=1, help="runs of each set (default: 1)")
    parser.add_argument(
        "--onednn-isa", metavar="ISA", help="ONEDNN_MAX_CPU_ISA for oneDNN's runs (AVX2, ...)"
    )
    options = parser.parse_args(argv)
    name, shown, flags = processor()
    default = tensorflows_default()
    print("%s (%s, %s), flags: %s" % (name, platform.system(), platform.machine(), " ".join(shown)))
    print(
        "TensorFlow's default here: %s; load average %.1f at the start%s"
        % (
            "oneDNN's kernels" if default else "its own kernels",
            load(),
            "; oneDNN limited to %s" % options.onednn_isa if options.onednn_isa else "",
        )
    )
    print()
    print(
        "| step | iterations | oneDNN's (it/s) | TensorFlow's own (it/s) | faster "
        "| the steps pick (unset) |"
    )
    print("|---|---|---|---|---|---|")
    started = time.perf_counter()
    for step in options.steps or STEPS:
        step = pathlib.Path(step).name
        iterations = iterations_for(step, options.iterations)
        rates = {short: [] for short, _ in SETS}
        for round_ in range(options.rounds):
            order = SETS if round_ % 2 == 0 else SETS[::-1]
            for short, setting in order:
                rates[short].append(time_step(step, setting, iterations, options.onednn_isa))
        onednn, own = (statistics.median(rates[short]) for short, _ in SETS)
        faster = (
            "oneDNN's, %.2f times" % (onednn / own)
            if onednn >= own
            else "own, %.2f times" % (own / onednn)
        )
        print(
            "| %s | %d | %.0f | %.0f | %s | %s |"
            % (step.split("_")[1], iterations, onednn, own, faster, picked(step, flags, default)),
            flush=True,
        )
    print()
    print(
        "%.0f s in all; load average %.1f at the end (2 cores: above 2, other work shared them)"
        % (time.perf_counter() - started, load())
    )


if __name__ == "__main__":
    main()
