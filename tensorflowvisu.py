"""The workshop's graphs, and the places they are shown while the network learns.

What the step scripts use:
  parse_run_options(iterations=N)  the options every step shares (--help lists them)
  tf_format_mnist_images()         a graph op: (X, Y, Y_) as a mosaic of digits, misrecognised first
  MnistDataVis(options)            the graphs, fed by the training loop:
                                   append_training_curves_data, append_test_curves_data,
                                   append_data_histograms, update_image1, update_image2, animate,
                                   get_max_test_accuracy; and set_classifier, the network's answer
                                   (--try, the D key) and the network itself (what it learned, W)

The graphs are the rows of one table (visu/show/graphs.py): the workshop's six, and what the network
learned (key W).

MnistDataVis keeps what the run recorded (visu/record.py) and hands it, after every iteration, to
its outputs (visu/show/outputs.py): the view that visu/show/choose.py chooses (a window, a
notebook cell, or a PNG at the end), the movie (--save-movie) and the TensorBoard log (--logdir,
visu/show/tensorboard.py). The training never depends on where the graphs are shown: animate()
runs every iteration in all cases, and stops cleanly on Ctrl-C (a kernel interrupt), a closed
window or a loss that is not a number. The other parts are listed in visu/__init__.py.
A learner's page: docs/running.md.
"""

import contextlib
import inspect
import linecache
import pathlib
import sys

import visu.startup  # before tensorflow: imports it with its start-up log quieted

import tensorflow.compat.v1 as tf

from visu import notes, progress, reference, summary
from visu import options as run_options
from visu.explain import build_errors, calls, errors, hooks, spellings
from visu.explain import network as network_checks
from visu.explain import start as start_notes
from visu.explain import training as training_checks
from visu.interrupt import StopAtIterationEnd
from visu.options import jupyter_shell
from visu.record import Record
from visu.show import graphs as table
from visu.show.choose import choose_view
from visu.show.learned import NetworkProbe
from visu.show.mosaic import tf_format_mnist_images
from visu.show.outputs import MovieRecorder, output_path
from visu.show.tensorboard import TensorBoardLog
from visu.trained.network import TrainedNetwork

__all__ = ["parse_run_options", "tf_format_mnist_images", "MnistDataVis", "updates_due"]


def parse_run_options(argv=None, iterations=None, script=None):
    """Reads the options every step accepts, once (visu/options.py's RunOptions, never changed
    after); `iterations` is the step's own count (--iterations).

    argv: the arguments to read. By default the script's command line; inside a Jupyter kernel,
    that is what %run gives the script, and nothing when the script was started otherwise (runpy,
    exec), because sys.argv is then the kernel's own. script: the step's path, by default the
    script that calls this.
    """
    script = _calling_script() if script is None else pathlib.Path(script)
    arguments = run_options.script_arguments() if argv is None else argv
    options = run_options.parse(script, iterations, arguments)
    if not options.traceback:  # an error of the graph in the script: one paragraph
        hooks.report_uncaught(script, jupyter_shell())
    if not (options.tf_log or visu.startup.STARTED.shown):  # the codelab's spellings: one line
        spellings.report_spellings(script)
    return options


def _calling_script():
    """The step script that called parse_run_options (its __file__), else what sys.argv names."""
    caller = inspect.currentframe().f_back.f_back
    path = caller.f_globals.get("__file__") if caller else None
    if path is None and jupyter_shell() is None:
        path = sys.argv[0]
    return pathlib.Path(path or "mnist.py").resolve()


def _caller_namespace():
    """The variables of the script that made MnistDataVis: they name its layers."""
    return inspect.currentframe().f_back.f_back.f_globals


class MnistDataVis:
    """The graphs, fed by the training loop, shown where the run options and the place the
    script runs in allow: a window, a notebook cell, or a PNG at the end. title1 ... title6 give
    the workshop's six graphs other titles (steps 4.x: the activations in graphs 4 and 5)."""

    def __init__(
        self,
        options=None,
        title1=None,
        title2=None,
        title3=None,
        title4=None,
        title5=None,
        title6=None,
        dpi=70,
    ):
        self.options = options if options is not None else parse_run_options([])
        # the steps make MnistDataVis once their model is built: what TensorFlow lets through but
        # some processors refuse is refused here, on every one, before any window opens
        build_errors.check_convolutions(tf.get_default_graph())
        # what a workshop network is, held against the graph: its first mistake stops the run
        script = self.options.script
        self.network = script and network_checks.check_network(
            tf.get_default_graph(), _caller_namespace(), script
        )
        given = (title1, title2, title3, title4, title5, title6)
        titles = {graph.name: title for graph, title in zip(table.GRAPHS, given) if title}
        self.record = Record()
        self.graphs, self.view = choose_view(self.options, self.record, titles, dpi)
        self.graphs.show_graphs(self.options.graphs)
        self._layout, self._training = self.options.graphs, False
        if self.options.against:
            self.graphs.draw_against(self.options.against)
        self.graphs.fig.canvas.mpl_connect("key_press_event", self._on_key)
        self.trained = TrainedNetwork(self.options)  # --try, --save, --restore, the D key
        self._batch_size = 100
        # the start of a run: where TensorFlow runs, and the network (the steps make MnistDataVis
        # once their model is built: the graph is complete)
        print(visu.startup.describe(visu.startup.STARTED))
        network = summary.network_summary(tf.get_default_graph(), _caller_namespace())
        if network:
            print(network)
        self.tensorboard = None
        if self.options.logdir:
            run_name = "%s_seed%d" % (self.options.script.stem, self.options.seed)
            # the steps make MnistDataVis once their model is built: the graph is complete
            graph = tf.get_default_graph()
            self.tensorboard = TensorBoardLog(
                self.record, self.options.logdir, run_name, titles, graph
            )

    # -- data from the training loop --

    def append_training_curves_data(self, i, accuracy, loss, learning_rate=None):
        """Adds a point to the training curves and prints the workshop's training progress line."""
        self.record.add_training(i, accuracy, loss, learning_rate)
        print(progress.format_training_line(i, accuracy, loss, learning_rate))

    def append_test_curves_data(self, i, accuracy, loss):
        """Adds a point to the test curves and prints the workshop's test progress line."""
        self.record.add_test(i, accuracy, loss)
        print(progress.format_test_line(i, accuracy, loss, self._batch_size))

    def append_data_histograms(self, i, data4, data5):
        """Adds the spread of two sets of values (the weights and biases) to graphs 4 and 5."""
        self.record.add_spreads(i, data4, data5)

    def update_image1(self, im):
        """Graph 3: the training digits' mosaic."""
        self.record.set_mosaic("training_digits", im)

    def update_image2(self, im):
        """Graph 6: the test digits' mosaic; its y axis reads as the test accuracy where the red
        rows end."""
        self.record.set_mosaic("test_digits", im)

    def set_classifier(self, classify, session):
        """The network's answer: classify(images [n, 28, 28, 1]) -> probabilities [n, 10], run in
        the step's session. --try, --save, --restore and the D key use them; what the network
        learned (key W) is read through them too, with the step's own evaluation feed."""
        namespace = _caller_namespace()
        self.trained.set_classifier(classify, session, namespace)
        if session is not None:
            self.record.network = NetworkProbe(session, classify, namespace, self._drawn_digit)

    def _drawn_digit(self):
        """The digit drawn on the D key's pad ([28, 28, 1]), or None."""
        pad = self.trained.pad
        return pad.network_input if pad is not None else None

    def get_max_test_accuracy(self):
        return self.record.max_test_accuracy()

    # -- the keys (a window, or ipympl's figure) --

    def _on_key(self, event):
        if table.layout_of(event.key) is not None:
            self.trained.hide_pad(self.graphs, self._layout)
            self._layout = table.layout_of(event.key)
            self.graphs.show_graphs(self._layout)
        elif event.key in (" ", "space"):
            self.view.set_paused(not self.view.paused)
            if self._training and not self.view.paused:  # the network changes again: no pad
                self.trained.hide_pad(self.graphs, self._layout)
        elif event.key == "d":
            busy = self._training and not self.view.paused
            if not self.trained.toggle_pad(self.graphs, self._layout, busy):
                return
        else:
            return
        self.view.redraw_now()  # show the change now, paused or not

    # -- the training loop --

    def animate(
        self,
        compute_step,
        iterations,
        batch_size=100,
        train_data_update_freq=20,
        test_data_update_freq=100,
        more_tests_at_start=False,
        save_movie=False,
    ):
        """Calls compute_step(i, update_test_data, update_train_data) for i = 0 ... iterations.

        Each iteration trains on batch_size images (the epoch in the progress lines counts them).
        Training figures are asked for every train_data_update_freq iterations, test figures
        every test_data_update_freq (and at every training update before the first regular test,
        with more_tests_at_start), and both at the last iteration. A closed window, Ctrl-C (a
        kernel interrupt) or a loss that is not a number stops the training early; the max test
        accuracy and the graphs so far are kept either way.
        """
        self._batch_size = batch_size
        caller = inspect.currentframe().f_back  # the learner's call: animate(training_step, ...)
        source = linecache.getline(caller.f_code.co_filename, caller.f_lineno).strip()
        where = "%s, line %d (%s)" % (
            pathlib.Path(caller.f_code.co_filename).name,
            caller.f_lineno,
            source,
        )
        calls.training_function(compute_step, where, source)
        self.trained.check()  # before anything starts: what --try, --save, --restore need
        restored = self.trained.restore(self.record)  # --restore DIR: the saved network instead
        movie = None
        if save_movie or self.options.save_movie:
            movie = MovieRecorder(self.graphs, self.record, self._output_path)
        # the outputs, in the order they see each iteration's data: the log, the movie, the view
        outputs = [out for out in (self.tensorboard, movie) if out] + [self.view]
        for output in outputs:
            output.start()
        watch = training_checks.Watch(self.network) if self.network else None
        start = start_notes.Start(self.network) if self.network else None
        interrupt = StopAtIterationEnd().start()  # the record only ever holds whole iterations
        self._training, failed = True, None
        try:
            for i in range(0 if restored else iterations + 1):
                if self.view.closed:
                    print("The window was closed: training stopped at iteration %d." % i)
                    break
                schedule = (train_data_update_freq, test_data_update_freq, more_tests_at_start)
                try:
                    with watch.iteration(i) if watch else contextlib.nullcontext():
                        compute_step(i, *updates_due(i, iterations, *schedule))
                    if watch:
                        watch.after(i)  # the feeds and the graph, held to a workshop step's
                except Exception as error:  # told below, once the training is stopped
                    failed = error
                    break
                if start:  # a start far from an untrained network's: said at once
                    for note in start.after(i, self.record, watch.rows()):
                        print(note)
                        self.graphs.show_note(note)
                if self.record.not_a_number:
                    break  # _finish says why
                for output in outputs:
                    output.update()
                if interrupt.requested:
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            print("\nInterrupted (Ctrl-C, or the kernel interrupted): training stopped.")
        finally:
            interrupt.stop()
            self._training = False
            if movie:
                movie.finish()
        if failed is not None:
            failed = self._explained(failed, i)
        # Python's own error (not the graph's) ends the run at once, with its own message; the
        # graph's, and any with --traceback, once the graphs so far are kept
        if failed is None or isinstance(failed, errors.Explained) or self.options.traceback:
            failed = self._finish(failed)
        if failed is not None:
            raise failed

    def _output_path(self, suffix):
        return output_path(self.options.script, suffix)

    def _explained(self, error, i):
        """An error of the graph while training as its paragraph (errors.Explained); any other
        error, and any with --traceback, as it is."""
        if self.options.traceback:
            return error
        if isinstance(error, training_checks.TrainingMistake):
            paragraph = "Training stopped at iteration %d: %s" % (i, error.text)
        else:
            paragraph = errors.safe_explain(error, self.options.script, iteration=i)
        if paragraph is None:
            return error
        explained = errors.Explained(paragraph)
        explained.__cause__ = error
        return explained

    def _finish(self, error=None):
        """The end of a run, however it ended: the max test accuracy and the notes on the curves
        printed, the paragraph of the error that stopped it, the log written, the final graphs
        shown with the notes marked. Returns what ends the run: SystemExit(1) when it failed
        (an error of the graph, a loss that is not a number, what --try or --save could not do),
        else the error given (--traceback: TensorFlow's own), or None."""
        explained = isinstance(error, errors.Explained)
        if self.record.test_curves[0] or not explained:  # an error may come before any test
            print(progress.format_max_line(self.get_max_test_accuracy()))
        found = notes.read_curves(self.record.train_curves, self.record.test_curves)
        for kind, figures in found:
            print(notes.CURVE_NOTES[kind].format(**figures))
        if self.options.against:
            print(reference.comparison(self.options.against, self.record.test_curves))
        if self.record.not_a_number:
            i, which, value = self.record.not_a_number
            print(notes.LOSS_NOT_A_NUMBER.format(i=i, which=which, value=value), file=sys.stderr)
        if explained:
            print(error.paragraph, file=sys.stderr)
        if self.tensorboard:
            self.tensorboard.finish()  # on disk before a window waits to be closed
        used = self.trained.after_training(self.record, failed=explained)  # --save, --try
        self.graphs.mark_notes(found, self.record.last_iteration())
        self.view.finish()
        if self.record.not_a_number or explained or not used:
            return SystemExit(1)
        return error


def updates_due(i, iterations, train_data_update_freq, test_data_update_freq, more_tests_at_start):
    """(update_test_data, update_train_data) at iteration i: the figures animate() asks for."""
    update_train = i % train_data_update_freq == 0 or i == iterations
    update_test = (
        i % test_data_update_freq == 0
        or i == iterations
        or (more_tests_at_start and i < test_data_update_freq and update_train)
    )
    return update_test, update_train
