"""The trained network, put to use: --try on image files, --save and --restore, the D key's pad.

A step gives MnistDataVis the network's answer once its session starts, in TF1 style:

    datavis.set_classifier(lambda images: sess.run(Y, {X: images, pkeep: 1.0}), sess)

(the feed is the step's own evaluation feed). MnistDataVis hands it to a TrainedNetwork, which
restores a saved network instead of training (--restore DIR), saves the trained one (--save DIR),
classifies image files after the training (--try FILE ...), and opens the drawing pad (key D).
"""

import numpy as np

from visu import checkpoint, digits
from visu.drawpad import DrawPad

NO_CLASSIFIER = (
    "{what} needs the network's answer, which this script does not give to the graphs. A step "
    "gives it once its session has started, with this line (and its own evaluation feed, such as "
    "pkeep: 1.0 where it uses dropout):\n"
    "    datavis.set_classifier(lambda images: sess.run(Y, {{X: images}}), sess)\n"
    "Every step of the workshop has it: copy it into your script."
)


def add_options(parser):
    """--try, --save and --restore, on the steps' argument parser."""
    parser.add_argument(
        "--try",
        dest="try_files",
        nargs="+",
        default=[],
        metavar="FILE",
        help="after training (or --restore), classify these images of digits: PNG or JPEG, any "
        "size, dark on light or light on dark; one line each",
    )
    parser.add_argument(
        "--save",
        type=checkpoint.usable_save_folder,  # a folder that cannot take it stops the script now
        metavar="DIR",
        help="keep the trained network in DIR (tf.train.Saver), to --restore it later",
    )
    parser.add_argument(
        "--restore",
        type=checkpoint.usable_restore_folder,
        metavar="DIR",
        help="load the network this step saved in DIR with --save, instead of training it",
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


class TrainedNetwork:
    """The network's answer, given by the step, and what the run options do with it."""

    def __init__(self, options):
        self.options = options
        self.classify = self.session = None
        self.restored = False
        self.pad = None  # the drawing pad, made the first time D is pressed

    def set_classifier(self, classify, session):
        """classify(images [n, 28, 28, 1]) -> probabilities [n, 10]; session: the step's."""
        self.classify, self.session = classify, session

    def _needed_by(self):
        """The options that need the network's answer, as they were given."""
        wanted = [("--try", self.options.try_files), ("--save", self.options.save)]
        wanted.append(("--restore", self.options.restore))
        return " and ".join(name for name, value in wanted if value)

    def check(self):
        """Stops the script before training when an option needs what the step does not give."""
        needed = self._needed_by()
        if needed and self.classify is None:
            raise SystemExit(NO_CLASSIFIER.format(what=needed))

    # -- --restore and --save --

    def restore(self, graphs):
        """--restore DIR: loads the saved network, and its graphs, instead of training. True if it
        did; a checkpoint of another step, or of a changed network, stops the script in one line."""
        if not self.options.restore:
            return False
        folder, step = self.options.restore, self.options.script.stem
        try:
            about, arrays = checkpoint.restore(self.session, folder, step)
        except checkpoint.RefusedCheckpoint as refused:
            raise SystemExit("--restore %s: %s" % (folder, refused)) from None
        put_graph_arrays(graphs, arrays)
        print(
            "Restored the network of %s from %s: trained for %d iterations, max test accuracy "
            "%.4f. No training this time."
            % (step, folder, about["iterations"], about.get("max_test_accuracy", 0.0))
        )
        self.restored = True
        return True

    def after_training(self, graphs, max_test_accuracy, not_a_number=False):
        """--save, then --try, once training is over (or the network restored). False if a file
        could not be classified or the network not saved: the run then ends with status 1."""
        ok = True
        if not_a_number and (self.options.save or self.options.try_files):
            print("--save and --try skipped: the network's numbers are not numbers any more.")
            return False
        if self.options.save:
            ok = self._save(graphs, max_test_accuracy)
        if self.options.try_files:
            print("The network on your images (--try): the digit, its probability, the runner-up")
            lines, failed = try_files(self.options.try_files, self.classify)
            print("\n".join(lines))
            ok = ok and not failed
        return ok

    def _save(self, graphs, max_test_accuracy):
        folder, step = self.options.save, self.options.script.stem
        iterations = last_iteration(graphs)
        try:
            checkpoint.save(
                self.session, folder, step, iterations, max_test_accuracy, graph_arrays(graphs)
            )
        except Exception as error:  # a full disk, a folder removed meanwhile: the graphs stay
            print("--save %s: the network could not be saved (%s)." % (folder, error))
            return False
        print(
            "Saved the network (%d iterations) to %s: --restore %s loads it."
            % (iterations, folder, folder)
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
            self.pad = DrawPad(graphs.fig, self.classify, on_answer=self._print_answer)
        graphs.show_graphs([])
        self.pad.show()
        return True

    def hide_pad(self, graphs, layout):
        """The graphs of `layout` back in place of the pad, if it shows."""
        if self.pad is not None and self.pad.shown:
            self.pad.hide()
            graphs.show_graphs(layout)

    @staticmethod
    def _print_answer(probabilities):
        print(
            "Your digit: %s. All ten, 0 to 9: %s"
            % (answer_text(probabilities), " ".join("%.4f" % p for p in probabilities))
        )


# --- what the graphs show, kept with a checkpoint ------------------------------------------------


def graph_arrays(graphs):
    """The graphs' data as arrays: the curves, the spreads' bands, the latest digit mosaics."""
    arrays = dict(
        train_curves=np.asarray(graphs.train_curves, np.float64).reshape(3, -1),
        test_curves=np.asarray(graphs.test_curves, np.float64).reshape(3, -1),
        band_iterations=np.asarray(graphs.band_iterations, np.float64),
        bands4=np.asarray(graphs.bands4, np.float64).reshape(-1, 8),
        bands5=np.asarray(graphs.bands5, np.float64).reshape(-1, 8),
    )
    for index, image in graphs.images.items():
        if image is not None:
            arrays["mosaic%d" % index] = np.asarray(image.get_array())
    return arrays


def put_graph_arrays(graphs, arrays):
    """The graphs' data back from graph_arrays(), as it was when the network was saved."""
    for curves, name in (
        (graphs.train_curves, "train_curves"),
        (graphs.test_curves, "test_curves"),
    ):
        for values, saved in zip(curves, arrays[name]):
            values[:] = saved.tolist()
    graphs.band_iterations[:] = arrays["band_iterations"].tolist()
    graphs.bands4[:] = list(arrays["bands4"])
    graphs.bands5[:] = list(arrays["bands5"])
    for index in graphs.images:
        if "mosaic%d" % index in arrays:
            graphs.show_image(index, arrays["mosaic%d" % index])


def last_iteration(graphs):
    """The last iteration the graphs show: how far the training went."""
    return int(max(graphs.train_curves[0][-1:] + graphs.test_curves[0][-1:] + [0]))
