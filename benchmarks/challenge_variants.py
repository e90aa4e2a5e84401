"""The challenge's menu (deck step 13): variants of the convolutional network, and how each did.

    python benchmarks/challenge_variants.py             # every variant: seed 0, 5000 iterations
    python benchmarks/challenge_variants.py --list      # the variants and what each changes
    python benchmarks/challenge_variants.py 8-16-32 --iterations 300   # a quick check of one

Every variant is step 3.1 (mnist_3.1_convolutional_bigger_dropout.py) with some of its settings
changed, as a learner would change them: the channels of its three convolutional layers, the size
of the first layer's patches, and the probability of keeping a neuron of the dense layer while
training (1.0: no dropout). 4-8-12 with 5x5 patches and no dropout is step 3.0's network. Each
copy is made and edited in a temporary folder, checked to differ from 3.1 in those lines only, and
run headless (--no-window) from there. For each: max test accuracy, the first iteration at or above
0.99, and the wall and CPU time; then the menu, a comment block for the end of steps 3.0 and 3.1,
with each variant's time against step 3.0's (in CPU time: a busy machine disturbs it less).

Each variant runs the first 5000 of a full run's 10000 iterations (same seed, same decaying learning
rate, so the same curve up to there). By 5000 the learning rate is down to 0.00035 from 0.003 and
the curves have flattened: steps 3.0 and 3.1 reach within 0.0005 of their full runs' max test
accuracy (their shipped curves, visu/solutions/). Half the iterations make the menu affordable to
measure again, about an hour for all eight on a slow 2-core machine.
"""

import argparse
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # from any folder
from benchmarks.harness import ROOT, utf8_output  # noqa: E402
from visu import progress  # noqa: E402

STEP = "mnist_3.1_convolutional_bigger_dropout.py"
ITERATIONS = 5000  # of a full run's 10000: see above

# name: (channels of the 3 conv layers, first patch size, keep probability of the dense layer)
VARIANTS = {
    "step-3.0": ((4, 8, 12), 5, 1.0),
    "4-8-12-dropout": ((4, 8, 12), 5, 0.75),
    "6-12-24-5x5-no-dropout": ((6, 12, 24), 5, 1.0),
    "6-12-24-no-dropout": ((6, 12, 24), 6, 1.0),
    "step-3.1": ((6, 12, 24), 6, 0.75),
    "6-12-24-keep-0.5": ((6, 12, 24), 6, 0.5),
    "8-16-32": ((8, 16, 32), 6, 0.75),
    "12-24-48": ((12, 24, 48), 6, 0.75),
}

# The lines of step 3.1 a variant changes: what they say in 3.1, and the same line made from
# a variant's settings.
EDITS = (
    ("K, L, M, N = 6, 12, 24, 200", "K, L, M, N = {0}, {1}, {2}, 200"),
    (
        "[6, 6, 1, K], stddev=0.1))  # 6x6 patches",
        "[{3}, {3}, 1, K], stddev=0.1))  # {3}x{3} patches",
    ),
    ("step: i, pkeep: 0.75})", "step: i, pkeep: {4}}})"),
)


def variant_source(channels, patch, keep):
    """Step 3.1's source with the variant's settings; stops if 3.1 no longer has those lines."""
    source = (ROOT / STEP).read_text(encoding="utf-8")
    settings = (*channels, patch, keep)
    for original, template in EDITS:
        if source.count(original) != 1:
            sys.exit("%s no longer has the line %r once: update EDITS" % (STEP, original))
        source = source.replace(original, template.format(*settings))
    return source


def describe(channels, patch, keep):
    dropout = "none" if keep == 1.0 else "keep %g" % keep
    return "%-9s %-9s %-12s" % (" ".join(map(str, channels)), "%dx%d" % (patch, patch), dropout)


def run(name, settings, seed, iterations, folder):
    """Runs one variant from its own copy; returns its max test accuracy, the first iteration at
    or above 0.99 (None if never), and its wall and CPU seconds."""
    script = folder / ("my_3.1_%s.py" % name)
    script.write_text(variant_source(*settings), encoding="utf-8")
    command = [sys.executable, str(script), "--no-window", "--seed", str(seed)]
    command += ["--iterations", str(iterations)]
    environment = utf8_output(dict(os.environ, PYTHONPATH=str(ROOT)))  # the copy is elsewhere
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(
        command, cwd=folder, capture_output=True, encoding="utf-8", env=environment
    )
    seconds, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if done.returncode != 0:
        sys.exit("%s failed (exit %d):\n%s" % (name, done.returncode, done.stderr[-3000:]))
    points = progress.read_test_points(done.stdout)
    tests = np.array([(p.i, p.accuracy, p.loss) for p in points], float).reshape(-1, 3).T
    above = tests[0][tests[1] >= 0.99]
    return tests[1].max(), (int(above[0]) if above.size else None), seconds, cpu


def menu(results, iterations, seed):
    """The comment block that ends steps 3.0 and 3.1. Each variant's time is given against step
    3.0's, in CPU time, which the machine's other work disturbs less than wall time."""
    base = results.get("step-3.0", (None, None, None, None))[3]
    lines = [
        "# The challenge (deck step 13): variants of steps 3.0 and 3.1, seed %d, each run for only"
        % seed,
        "# the first %d iterations of a full run: max test accuracy and first test at or above "
        "0.99" % iterations,
        "# within those %d (the headers give the full runs'), time against step 3.0's. One seed "
        "each:" % iterations,
        "# the seed alone moves step 3.1's max by about 0.002 (docs/steps.md), so a smaller "
        "difference",
        "# may be luck. To measure them again: python benchmarks/challenge_variants.py",
        "#   channels  1st patch dropout      max test accuracy  above 0.99 from  time",
    ]
    for name, (best, above, _, cpu) in results.items():
        time_taken = "x %.1f" % (cpu / base) if base else "%.0f s CPU" % cpu
        row = "#   %s %-18.4f %-16s %s" % (
            describe(*VARIANTS[name]),
            best,
            above if above is not None else "-",
            time_taken,
        )
        lines.append(row + ("  (%s)" % name.replace("-", " ") if "step" in name else ""))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "variants", nargs="*", metavar="VARIANT", help="variants to run (default: all; --list)"
    )
    parser.add_argument("--list", action="store_true", help="list the variants and stop")
    parser.add_argument("--seed", type=int, default=0, help="the runs' seed (default: 0)")
    parser.add_argument(
        "--iterations",
        type=int,
        default=ITERATIONS,
        metavar="N",
        help="iterations of each variant (default: %(default)s)",
    )
    args = parser.parse_args()
    unknown = [name for name in args.variants if name not in VARIANTS]
    if unknown:
        parser.error("unknown variant %s; --list lists them" % ", ".join(unknown))
    if args.list:
        for name, settings in VARIANTS.items():
            print("%-24s %s" % (name, describe(*settings)))
        return
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in args.variants or VARIANTS:
            results[name] = run(
                name, VARIANTS[name], args.seed, args.iterations, pathlib.Path(folder)
            )
            best, above, seconds, cpu = results[name]
            print(
                "%-24s %s max test accuracy %.4f, above 0.99 from %s, %.0f s (%.0f s CPU)"
                % (name, describe(*VARIANTS[name]), best, above or "-", seconds, cpu),
                flush=True,
            )
    print()
    print(menu(results, args.iterations, args.seed))


if __name__ == "__main__":
    main()
