"""Machine-made one-token edits over the nine steps, and what each one's learner is told.

    python benchmarks/mistake_edits.py                 # 120 edits, seed 29, 100 iterations each
    python benchmarks/mistake_edits.py --edits 40 --seed 3 --list

Each edit changes one token of a step's network, loss, accuracy, optimizer or training function
(a name for another name of the script, a number for another number, an operator for another, a
TensorFlow function for another of its kind), as a slip of the keyboard or of the mind would. The
edited copy is written beside the steps and run as benchmarks/harness.py runs a step (its own file
and command line, the real MnistDataVis and training, headless), on MNIST cut to 6000 training
and 1000 test images, for 100 iterations. What it ends in:

  breaking edits (the run stops):
    cause       a paragraph that says what is wrong in the learner's names
    place only  a paragraph that gives the learner's line and TensorFlow's reason only
    python      no paragraph: Python's own message (a NameError, a SyntaxError, ...)
    traceback   no paragraph, and the error comes from inside TensorFlow
  edits that run on:
    trains badly    the training accuracy still at chance at the end, or a first loss far from
                    an untrained network's 230, or a negative one; early note: a "Note:" line
                    printed while it trained
    not a number    stopped by a loss that is not a number (its own paragraph)
    trains          anything else (many edits change nothing that matters in 100 iterations)

The figures depend on the project's answers only: run it at two commits to compare them.
"""

import argparse
import contextlib
import io
import math
import os
import pathlib
import random
import shutil
import signal
import sys
import tempfile
import tokenize
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # from any folder
import mnistdata  # noqa: E402

from benchmarks.harness import ROOT, STEPS, run_step  # noqa: E402

NUMBERS = ["0", "1", "10", "0.5", "100", "-1", "2", "0.0001", "1000"]
OPERATORS = ["+", "-", "*", "/"]
FUNCTIONS = [
    ["reduce_mean", "reduce_sum", "reduce_max"],
    ["relu", "sigmoid", "tanh", "softmax"],
    ["argmax", "argmin"],
    ["exp", "log"],
    ["matmul", "multiply"],
]
SECONDS = 120  # one edit's limit: an edit that makes a huge layer is not waited for


def edits(seed, count):
    """count one-token edits, seeded: (step, line number, the line, the edited line)."""
    rng = random.Random(seed)
    candidates = []
    for step in STEPS:
        source = (ROOT / step).read_text(encoding="utf-8")
        lines = source.splitlines()
        start = next(n for n, line in enumerate(lines, 1) if "tf.placeholder(" in line)
        end = next(n for n, line in enumerate(lines, 1) if line.startswith("datavis.animate("))
        names = sorted(
            {t.string for t in _tokens(source) if t.type == tokenize.NAME and t.string[0].isupper()}
        )
        for token in _tokens(source):
            row, col = token.start
            if not start <= row < end or token.start[0] != token.end[0]:
                continue
            for new in _replacements(token, names):
                candidates.append((step, row, col, token.string, new))
    chosen = rng.sample(candidates, min(count, len(candidates)))
    found = []
    for step, row, col, old, new in chosen:
        line = (ROOT / step).read_text(encoding="utf-8").splitlines()[row - 1]
        found.append((step, row, line, line[:col] + new + line[col + len(old) :]))
    return found


def _tokens(source):
    return list(tokenize.generate_tokens(io.StringIO(source).readline))


def _replacements(token, names):
    text = token.string
    if token.type == tokenize.NUMBER:
        return [n for n in NUMBERS if n != text][:3]
    if token.type == tokenize.OP and text in OPERATORS:
        return [o for o in OPERATORS if o != text]
    if token.type == tokenize.NAME:
        for group in FUNCTIONS:
            if text in group:
                return [f for f in group if f != text]
        if text in names:
            return [n for n in names if n != text and n[0] == text[0]][:4]
    return []


def small_mnist():
    full = mnistdata.read_data_sets(one_hot=True, reshape=False)
    cut = (full.train.images[:6000], full.train.labels[:6000])
    test = (full.test.images[:1000], full.test.labels[:1000])

    def read_data_sets(data_dir=None, one_hot=True, reshape=False, seed=0, **_):
        return mnistdata.Datasets(
            train=mnistdata.DataSet(*cut, shuffle=True, seed=seed), test=mnistdata.DataSet(*test)
        )

    return read_data_sets


class TooLong(Exception):
    pass


def _too_long(signum, frame):
    raise TooLong()


def outcome(path, iterations):
    """What the edited copy ends in (see the module's docstring), and the text said."""
    from visu.explain import errors
    from visu.explain.learner import TENSORFLOW_FOLDER, inside

    out, err = io.StringIO(), io.StringIO()
    signal.signal(signal.SIGALRM, _too_long)
    signal.alarm(SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            run_step(path, "--iterations", str(iterations), animate="train", quiet=False)
    except TooLong:
        return "too long", ""
    except SystemExit as stopped:
        text = err.getvalue().strip()
        if "not a finite number" in text:
            return "not a number", text
        if stopped.code and text:
            return _paragraph_kind(text), text
        return "python", text
    except Exception as error:
        paragraph = errors.safe_explain(error, path)
        if paragraph:
            return _paragraph_kind(paragraph), paragraph
        frames = []
        traceback = error.__traceback__
        while traceback is not None:
            frames.append(traceback.tb_frame.f_code.co_filename)
            traceback = traceback.tb_next
        from_tensorflow = frames and inside(frames[-1], TENSORFLOW_FOLDER)
        return ("traceback" if from_tensorflow else "python"), "%s: %s" % (
            type(error).__name__,
            str(error).splitlines()[0] if str(error) else "",
        )
    finally:
        signal.alarm(0)
    printed = out.getvalue()
    notes = [line for line in printed.splitlines() if line.startswith("Note: ")]
    if _trains_badly(printed):
        return ("trains badly, early note" if notes else "trains badly, no note"), " ".join(notes)
    return "trains", " ".join(notes)


def _paragraph_kind(text):
    if ("TensorFlow says:" in text or "TensorFlow refused it:" in text) and (
        "The cause:" not in text
    ):
        return "place only"
    return "cause"


def _trains_badly(printed):
    from visu import progress

    points = progress.read_training_points(printed)
    if not points:
        return False
    first, last = points[0], points[-1]
    untrained = 100 * math.log(10)
    far = not untrained / 3 <= first[2] <= untrained * 3
    negative = any(point[2] < 0 for point in points)
    return last[1] <= 0.2 or far or negative


KINDS = [
    "cause",
    "place only",
    "python",
    "traceback",
    "not a number",
    "trains badly, early note",
    "trains badly, no note",
    "trains",
    "too long",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=120)
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--list", action="store_true", help="print each edit and its outcome")
    options = parser.parse_args()
    import matplotlib

    matplotlib.use("agg")
    mnistdata.read_data_sets = small_mnist()
    folder = tempfile.mkdtemp()
    os.chdir(folder)  # each run saves its graphs in the current folder: a temporary one
    counts = {kind: 0 for kind in KINDS}
    for step, row, before, after in edits(options.seed, options.edits):
        lines = (ROOT / step).read_text(encoding="utf-8").splitlines(keepends=True)
        lines[row - 1] = after + "\n"
        path = ROOT / ("my_edit_%s_%s" % (uuid.uuid4().hex[:8], step))
        path.write_text("".join(lines), encoding="utf-8")
        try:
            kind, text = outcome(path, options.iterations)
        finally:
            path.unlink(missing_ok=True)
        counts[kind] += 1
        if options.list:
            print("%-26s %s:%d  %s  ->  %s" % (kind, step, row, before.strip(), after.strip()))
            if text:
                print("    " + text[:400].replace("\n", " "))
    breaking = sum(counts[k] for k in ("cause", "place only", "python", "traceback"))
    badly = counts["trains badly, early note"] + counts["trains badly, no note"]
    print(
        "%d edits (seed %d, %d iterations each)" % (options.edits, options.seed, options.iterations)
    )
    print("breaking edits: %d" % breaking)
    for kind in ("cause", "place only", "python", "traceback"):
        print("  %-12s %d" % (kind, counts[kind]))
    print("stopped by a loss that is not a number: %d" % counts["not a number"])
    print("train badly: %d, with an early note: %d" % (badly, counts["trains badly, early note"]))
    print("train: %d; too long: %d" % (counts["trains"], counts["too long"]))
    os.chdir(ROOT)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
