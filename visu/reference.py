"""The solutions' curves, as files that ship with the project.

Each step's seed-0 full run leaves its curves in visu/solutions/<script stem>.csv, written by
benchmarks/run_steps.py from the progress lines the step printed: every training and test point,
one row per iteration, the test columns empty where there was no test. Losses are kept to two
decimals (the loss graph spans 0 to 100), accuracies as printed.

    # mnist_2.0_five_layers_sigmoid.py, seed 0, 10000 iterations: max test accuracy 0.9796, 119 s
    iteration,training accuracy,training loss,test accuracy,test loss
    0,0.13,229.82,0.1032,232.65
    20,0.25,224.78,0.2068,227.07
    ...
    120,0.47,137.32,,
A learner's page: docs/reading-the-curves.md (--against).
"""

import dataclasses
import pathlib
import re

import numpy as np

from visu import steps as step_list
from visu.shell import pasteable

SOLUTIONS = pathlib.Path(__file__).resolve().parent / "solutions"
COLUMNS = "iteration,training accuracy,training loss,test accuracy,test loss"
SUMMARY = re.compile(
    r"^# (?P<script>\S+), seed (?P<seed>\d+), (?P<iterations>\d+) iterations: "
    r"max test accuracy (?P<max>\S+), (?P<seconds>\d+) s$"
)


@dataclasses.dataclass
class Curves:
    """A run's curves: train and test as float arrays [3, points] (iteration, accuracy, loss)."""

    name: str  # what the graphs' legend calls it: "2.0", or a run folder's name
    train: np.ndarray
    test: np.ndarray
    iterations: int  # the run's last iteration
    seconds: float = float("nan")  # its wall time, where known

    def max_test_accuracy(self, until=None):
        """The best test accuracy, over the whole run or up to iteration `until`."""
        iterations, accuracies = self.test[0], self.test[1]
        if until is not None:
            accuracies = accuracies[iterations <= until]
        accuracies = accuracies[np.isfinite(accuracies)]
        return float(accuracies.max()) if accuracies.size else float("nan")


def _points(curves):
    return np.asarray([np.asarray(values, float) for values in curves]).reshape(3, -1)


def curves_text(script, seed, train, test, seconds):
    """The file's text. train and test: (iterations, accuracies, losses), any sequences."""
    train, test = _points(train), _points(test)
    rows = {}  # iteration -> its 4 fields
    for offset, (iterations, accuracies, losses) in ((0, train), (2, test)):
        for i, accuracy, loss in zip(iterations, accuracies, losses):
            fields = rows.setdefault(int(i), ["", "", "", ""])
            fields[offset : offset + 2] = ["%g" % accuracy, "%.2f" % loss]
    iterations = int(max(train[0].max(initial=0), test[0].max(initial=0)))
    best = test[1][np.isfinite(test[1])]
    summary = "# %s, seed %d, %d iterations: max test accuracy %.4f, %d s" % (
        script,
        seed,
        iterations,
        best.max() if best.size else float("nan"),
        round(seconds),
    )
    lines = [summary, COLUMNS]
    lines += [",".join([str(i)] + rows[i]) for i in sorted(rows)]
    return "\n".join(lines) + "\n"


def read_curves(path, name=None):
    """The curves in a file that curves_text wrote."""
    lines = pathlib.Path(path).read_text(encoding="utf-8").splitlines()
    summary = SUMMARY.match(lines[0]) if lines else None
    if summary is None or lines[1] != COLUMNS:
        raise ValueError("%s is not a curves file written by benchmarks/run_steps.py" % path)
    fields = np.array([line.split(",") for line in lines[2:]], dtype=object).reshape(-1, 5)
    present = fields != ""  # a point that is not a number is written "nan", not left empty
    values = np.where(present, fields, "nan").astype(float)
    train = values[present[:, 1]][:, [0, 1, 2]].T
    test = values[present[:, 3]][:, [0, 3, 4]].T
    return Curves(
        name=name or script_label(summary["script"]),
        train=train,
        test=test,
        iterations=int(summary["iterations"]),
        seconds=float(summary["seconds"]),
    )


def script_label(script):
    """mnist_2.0_five_layers_sigmoid.py -> 2.0"""
    return pathlib.Path(script).stem.split("_")[1]


# --- --against STEP: the curves a run is drawn against ---------------------------------------

TAGS = ("accuracy/training", "loss/training", "accuracy/test", "loss/test")  # as --logdir wrote


def steps():
    """The steps whose curves ship with the project: {"2.0": path of its curves file, ...}."""
    return {step.number: pathlib.Path(step.curves_file) for step in step_list.STEPS}


def against(text):
    """--against's value: the curves of a step ("2.0", or a step's script name) or of a run
    folder that --logdir wrote. Anything else stops the script at once, before the data loads,
    with one line saying what is wrong and what it takes."""
    shipped = steps()
    by_script = {path.stem: path for path in shipped.values()}
    script = pathlib.Path(text).name.removesuffix(".py")  # a name, or the path of a step
    if text in shipped:
        return read_curves(shipped[text])
    if script in by_script:
        return read_curves(by_script[script])
    folder = pathlib.Path(text).expanduser()
    if folder.is_dir():
        return read_run_folder(folder, text)
    raise SystemExit(_against_error(text, _what_it_is(text, folder, shipped)))


def _what_it_is(text, path, shipped):
    if path.suffix == ".py" and path.is_file():
        return (
            "%s is not one of the workshop's steps, whose curves ship with it; to compare with a "
            "run of your own, run it with --logdir DIR and give its run folder" % path.name
        )
    if re.fullmatch(r"\d\.\d", text):
        return "there is no step %s" % text
    if path.exists():
        return "this is a file, not a step nor a run folder"
    return "no step, step script or folder has this name"


def _against_error(text, why):
    return (
        "--against %s: %s. Give a step (%s), a step's script name "
        "(mnist_2.0_five_layers_sigmoid.py) or a run folder that --logdir wrote "
        "(DIR/<step>_seed<S>)." % (pasteable(text), why, ", ".join(steps()))
    )


def read_run_folder(folder, text=None):
    """The curves of a run that --logdir wrote into `folder`, read back from its event files."""
    text = text or str(folder)
    events = sorted(folder.glob("events.out.tfevents.*"))
    if not events:
        runs = sorted(path.name for path in folder.iterdir() if any(path.glob("events.out.*")))
        why = "no TensorBoard run in this folder"
        if runs:
            why += " (it holds the runs %s: give one of them)" % ", ".join(runs[:4])
        raise SystemExit(_against_error(text, why))
    import tensorflow as tf  # the steps import it already; only a run folder needs it here

    points = {tag: {} for tag in TAGS}  # tag -> {iteration: value}; a later event replaces
    for path in events:
        try:
            for event in tf.compat.v1.train.summary_iterator(str(path)):
                for value in event.summary.value:
                    if value.tag in points:
                        points[value.tag][event.step] = value.simple_value
        except tf.errors.OpError as error:  # a truncated or corrupt file
            why = "its event file %s cannot be read (%s)" % (path.name, error.message)
            raise SystemExit(_against_error(text, why)) from None
    if not points["accuracy/test"]:
        raise SystemExit(_against_error(text, "its TensorBoard run holds no test accuracy"))

    def curves(which):
        accuracy, loss = points["accuracy/" + which], points["loss/" + which]
        iterations = sorted(accuracy)
        return np.array([(i, accuracy[i], loss.get(i, np.nan)) for i in iterations]).T

    train, test = curves("training").reshape(3, -1), curves("test")
    return Curves(
        name=folder.resolve().name,
        train=train,
        test=test,
        iterations=int(max(train[0].max(initial=0), test[0].max())),
    )


# How far one network's max test accuracy moves when nothing but chance changes: from one
# processor's kernels to another's with the same seed (the steps' full runs on three: up to 0.0009
# apart, step 3.0's 0.9898 to 0.9907; python benchmarks/kernel_sets.py --iterations 0), and from
# one seed to the next (step 3.1's ten seeds: 0.9912 to 0.9934). docs/steps.md gives both. A run
# this close to the reference is the same as it, neither a win nor a loss.
SAME_WITHIN = 0.0025


def verdict(mine, theirs, name):
    """The difference of two max test accuracies (rounded as printed), and what it means against
    the noise of chance alone."""
    difference = round(mine - theirs, 4) + 0.0  # + 0.0: never -0.0000
    noise = "the processor's kernels and the seed alone move it by up to %.4f" % SAME_WITHIN
    if abs(difference) <= SAME_WITHIN:
        return "%+.4f: the same as %s; %s" % (difference, name, noise)
    where = "above" if difference > 0 else "below"
    return "%+.4f: %s %s, by more than chance: %s" % (difference, where, name, noise)


def comparison(reference, test_curves):
    """The line that ends a run drawn against `reference`: the run's max test accuracy against
    the reference's within the same iterations, and within its whole run; a difference within
    SAME_WITHIN is called the same."""
    iterations, accuracies = (np.asarray(values, float) for values in test_curves[:2])
    known = np.isfinite(accuracies)
    name = reference.name
    if not known.any():
        return "Against %s: this run has no test accuracy to compare with %s's %.4f." % (
            name,
            name,
            reference.max_test_accuracy(),
        )
    # to the 4 decimals printed, so that equal figures differ by +0.0000, never -0.0000
    mine, last = round(float(accuracies[known].max()), 4), int(iterations.max())
    line = "Against %s: max test accuracy %.4f within %d iterations" % (name, mine, last)
    if last < reference.iterations:
        tested = reference.test[0]
        tested_by_then = tested[tested <= last]
        if tested_by_then.size and tested_by_then.max() >= last / 2:
            theirs = round(reference.max_test_accuracy(until=last), 4)
            line += ", against %s's %.4f within the same %d (%s)" % (
                name,
                theirs,
                last,
                verdict(mine, theirs, name),
            )
        else:  # the reference had not tested since its start: its next test, not its untrained one
            after = tested[tested > last].min()
            theirs = round(reference.max_test_accuracy(until=after), 4)
            line += ", against %s's %.4f within %d (its first test after %d)" % (
                name,
                theirs,
                after,
                last,
            )
        line += " and %.4f within its full run of %d." % (
            reference.max_test_accuracy(),
            reference.iterations,
        )
    else:
        theirs = round(reference.max_test_accuracy(), 4)
        line += ", against %s's %.4f within its full run of %d (%s)." % (
            name,
            theirs,
            reference.iterations,
            verdict(mine, theirs, name),
        )
    return line
