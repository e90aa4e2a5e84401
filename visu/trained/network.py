"""The trained network, put to use: --try on image files, --save and --restore, the D key's pad.

A step gives MnistDataVis the network's answer once its session starts, in TF1 style:

    datavis.set_classifier(lambda images: sess.run(Y, {X: images, pkeep: 1.0}), sess)

(the feed is the step's own evaluation feed). MnistDataVis hands it to a TrainedNetwork, which
restores a saved network instead of training (--restore DIR), saves the trained one (--save DIR),
classifies image files after the training (--try FILE ...), and opens the drawing pad (key D).
The options themselves are read in options.py.
A learner's page: docs/your-digits.md.
"""

import sys

import numpy as np

from visu import summary
from visu.explain import errors
from visu.shell import pasteable
from visu.trained import checkpoint, digits
from visu.trained.drawpad import DrawPad

NO_CLASSIFIER = (
    "{what} needs the network's answer, which this script does not give to the graphs. A step "
    "gives it once its session has started, with this line (and its own evaluation feed, such as "
    "pkeep: 1.0 where it uses dropout):\n"
    "    datavis.set_classifier(lambda images: sess.run(Y, {{X: images}}), sess)\n"
    "Every step of the workshop has it: copy it into your script."
)


def answer_text(probabilities):
    """The network's answer in a few words: '7 (98.2%), then 1 (1.1%)'."""
    first, second = np.argsort(-np.asarray(probabilities), kind="stable")[:2]
    return "%d (%.1f%%), then %d (%.1f%%)" % (
        first,
        100 * probabilities[first],
        second,
        100 * probabilities[second],
    )


def try_files(paths, classify):
    """One line per file, in their order: the digit, its probability and the runner-up, or why the
    file was not classified; and how many were not."""
    inputs, reasons = {}, {}
    for index, path in enumerate(paths):
        try:
            inputs[index] = digits.file_to_mnist(path)
        except digits.NotADigit as reason:
            reasons[index] = str(reason)
    answers = {}
    if inputs:
        probabilities = np.asarray(classify(np.stack(list(inputs.values()))))
        answers = dict(zip(inputs, probabilities))
    lines = [
        "%s: %s"
        % (path, answer_text(answers[k]) if k in answers else "not classified: " + reasons[k])
        for k, path in enumerate(paths)
    ]
    return lines, len(reasons)


class AnswerFailed(Exception):
    """The network's answer could not be computed; the message is the paragraph that says why."""


class TrainedNetwork:
    """The network's answer, given by the step, and what the run options do with it."""

    def __init__(self, options):
        self.options = options
        self.classify = self.session = None
        self.names = {}  # a variable's operation -> its name in the script (W1, B1, ...)
        self.pad = None  # the drawing pad, made the first time D is pressed

    def set_classifier(self, classify, session, namespace=None):
        """classify(images [n, 28, 28, 1]) -> probabilities [n, 10]; session: the step's;
        namespace: the script's variables, whose names a refused checkpoint's line uses."""
        self.classify, self.session = classify, session
        found = summary.script_names(namespace or {})
        self.names = {key: name for (kind, key), name in found.items() if kind == "op"}

    def _needed_by(self):
        """The options that need the network's answer, as they were given."""
        wanted = [("--try", self.options.try_files), ("--save", self.options.save)]
        wanted.append(("--restore", self.options.restore))
        return " and ".join(name for name, value in wanted if value)

    def check(self):
        """Stops the script before training when an option needs what the step does not give, or
        when the network's answer fails (a blank image tried): not after a long training."""
        needed = self._needed_by()
        if needed and self.classify is None:
            raise SystemExit(NO_CLASSIFIER.format(what=needed))
        if self.options.try_files:
            try:
                self.answer(np.zeros((1, digits.SIZE, digits.SIZE, 1), np.float32))
            except AnswerFailed as failed:
                raise SystemExit(str(failed)) from None

    def answer(self, images):
        """The network's probabilities for images [n, 28, 28, 1]; AnswerFailed says why not (a
        step's classifier line that does not fit its network), in the learner's words."""
        try:
            return np.asarray(self.classify(images))
        except Exception as error:
            paragraph = errors.safe_explain(error, self.options.script)
            if paragraph is None:
                first = (str(error).strip().splitlines() or [type(error).__name__])[0]
                paragraph = "The network's answer (datavis.set_classifier) failed: %s" % first
            raise AnswerFailed(paragraph) from None

    # -- --restore and --save --

    def restore(self, record):
        """--restore DIR: loads the saved network, and what its run recorded, instead of training.
        True if it did. Any script whose variables are the checkpoint's (names and shapes) takes
        it, a learner's copy of the step that saved it too; any other stops in one line."""
        if not self.options.restore:
            return False
        folder, step = self.options.restore, self.options.script.stem
        try:
            about, arrays = checkpoint.restore(self.session, folder, step, self.names)
        except checkpoint.RefusedCheckpoint as refused:
            raise SystemExit("--restore %s: %s" % (pasteable(folder), refused)) from None
        restore_record(record, arrays)
        saved_by = (
            step
            if about["step"] == step
            else "%s (the same variables as %s's)"
            % (
                about["step"],
                step,
            )
        )
        print(
            "Restored the network of %s from %s: trained for %d iterations, max test accuracy "
            "%.4f. No training this time."
            % (saved_by, folder, about["iterations"], about.get("max_test_accuracy", 0.0))
        )
        return True

    def after_training(self, record, failed=False):
        """--save, then --try, once training is over (or the network restored). False if a file
        could not be classified or the network not saved: the run then ends with status 1. A run
        that failed (a loss not a number, an error of the graph) is neither saved nor tried."""
        ok = True
        if (failed or record.not_a_number) and (self.options.save or self.options.try_files):
            print("--save and --try skipped: the run failed (above).")
            return False
        if self.options.save:
            ok = self._save(record)
        if self.options.try_files:
            print("The network on your images (--try): the digit, its probability, the runner-up")
            try:
                lines, not_classified = try_files(self.options.try_files, self.answer)
            except AnswerFailed as failed:
                print(failed, file=sys.stderr)
                return False
            print("\n".join(lines))
            ok = ok and not not_classified
        return ok

    def _save(self, record):
        folder, step = self.options.save, self.options.script.stem
        iterations, best = last_iteration(record), record.max_test_accuracy()
        try:
            checkpoint.save(self.session, folder, step, iterations, best, record_arrays(record))
        except Exception as error:  # a full disk, a folder removed meanwhile: the graphs stay
            print("--save %s: the network could not be saved (%s)." % (pasteable(folder), error))
            return False
        print(
            "Saved the network (%d iterations) to %s: --restore %s loads it."
            % (iterations, folder, pasteable(folder))
        )
        return True

    # -- the drawing pad (key D) --

    def toggle_pad(self, graphs, layout, busy):
        """D: the pad in place of the graphs, or the graphs (`layout`) back. Not while training
        runs (busy): the network would change under the pen. True if the figure changed."""
        if self.pad is not None and self.pad.shown:
            self.hide_pad(graphs, layout)
            return True
        if self.classify is None:
            print(NO_CLASSIFIER.format(what="Drawing a digit (D)"))
            return False
        if busy:
            print("D: the drawing pad opens once training is done, or paused (Space).")
            return False
        if self.pad is None:
            self.pad = DrawPad(graphs.fig, self._answer_or_say, on_answer=self._print_answer)
        graphs.show_graphs([])
        self.pad.show()
        return True

    def hide_pad(self, graphs, layout):
        """The graphs of `layout` back in place of the pad, if it shows."""
        if self.pad is not None and self.pad.shown:
            self.pad.hide()
            graphs.show_graphs(layout)

    def _answer_or_say(self, images):
        """The pad's way to the network: its answer, or None once the paragraph is printed."""
        try:
            return self.answer(images)
        except AnswerFailed as failed:
            print(failed, file=sys.stderr)
            return None

    @staticmethod
    def _print_answer(probabilities):
        print(
            "Your digit: %s. All ten, 0 to 9: %s"
            % (answer_text(probabilities), " ".join("%.4f" % p for p in probabilities))
        )


# --- what the graphs show, kept with a checkpoint ------------------------------------------------


# The arrays' names in a checkpoint saved before the graphs had names (graph 3 was index 2, ...)
EARLIER_NAMES = {
    "bands4": "bands_weights",
    "bands5": "bands_biases",
    "mosaic2": "mosaic_training_digits",
    "mosaic5": "mosaic_test_digits",
}


def record_arrays(record):
    """What the run recorded, as arrays: the curves, the learning rates, the spreads' bands and
    the latest digit mosaics (by the graphs' names)."""
    arrays = dict(
        train_curves=np.asarray(record.train_curves, np.float64).reshape(3, -1),
        test_curves=np.asarray(record.test_curves, np.float64).reshape(3, -1),
        learning_rates=np.asarray(record.learning_rates, np.float64).reshape(-1, 2),
        band_iterations=np.asarray(record.band_iterations, np.float64),
    )
    for name, rows in record.bands.items():
        arrays["bands_" + name] = np.asarray(rows, np.float64).reshape(-1, 8)
    for name, mosaic in record.mosaics.items():
        arrays["mosaic_" + name] = np.asarray(mosaic)
    return arrays


def restore_record(record, arrays):
    """The record as it was when the network was saved, from record_arrays() (what is missing,
    from a checkpoint of an earlier version, stays empty)."""
    arrays = {EARLIER_NAMES.get(name, name): values for name, values in arrays.items()}
    empty = dict(
        train_curves=np.zeros((3, 0)),
        test_curves=np.zeros((3, 0)),
        learning_rates=np.zeros((0, 2)),
        band_iterations=np.zeros(0),
    )
    arrays = {**empty, **arrays}
    for curves, name in (
        (record.train_curves, "train_curves"),
        (record.test_curves, "test_curves"),
    ):
        for values, saved in zip(curves, arrays[name]):
            values[:] = saved.tolist()
    record.learning_rates[:] = [(int(i), rate) for i, rate in arrays["learning_rates"].tolist()]
    record.band_iterations[:] = arrays["band_iterations"].tolist()
    for name, rows in record.bands.items():
        rows[:] = list(arrays.get("bands_" + name, np.zeros((0, 8))))
    record.restored = True
    for name in arrays:
        if name.startswith("mosaic_"):
            record.mosaics[name[len("mosaic_") :]] = arrays[name]
    record.changes += 1  # the outputs draw it


def last_iteration(record):
    """The last iteration the record shows: how far the training went (0 before any)."""
    return int(max(record.train_curves[0][-1:] + record.test_curves[0][-1:] + [0]))
