"""What a run has recorded so far: the points of the curves, the bands of graphs 4 and 5 and the
latest digit mosaics. The figure draws it; the outputs (window, notebook, PNG, movie, TensorBoard
log) read it; none of them keeps data of its own. A learner's page: docs/running.md ("The
window").
"""

import math

import numpy as np

from visu.show import graphs as table

BAND_QUANTILES = np.linspace(0.0, 1.0, 8)  # min, the 6 boundaries of 7 equal-count buckets, max


def percentile_bands(values):
    """The 8 boundaries of the 7 bands: min, the 6 inner boundaries holding equal counts, max.

    Values that are not finite (a diverged network) are left out; all NaN when none is finite."""
    values = np.ravel(values)
    finite = values[np.isfinite(values)]
    return np.quantile(finite, BAND_QUANTILES) if finite.size else np.full(8, np.nan)


def finite(values):
    """The values as floats, NaN in place of infinities, so that drawing never fails on them."""
    values = np.asarray(values, float)
    return np.where(np.isfinite(values), values, np.nan)


class Record:
    """The curves as ([iteration], [accuracy], [loss]) lists, the bands of each graph of bands
    (weights, biases) as one row of 8 boundaries per training update, the mosaics by graph name
    (training_digits, test_digits), all by the names of visu/show/graphs.py. `changes` counts every
    addition, so that an output can tell whether it has seen the latest data.

    `network`: the trained network itself (visu/show/learned.py), once the step gave its answer:
    what it learned is read from it only when a graph shows it, never recorded."""

    def __init__(self):
        self.train_curves = ([], [], [])  # iteration, accuracy, loss
        self.test_curves = ([], [], [])
        self.learning_rates = []  # (iteration, learning rate), where the step passes one
        self.band_iterations = []
        # the graphs of bands (the table's, in its order: weights, biases) -> their rows of 8
        # boundaries
        self.bands = {name: [] for name in table.names_of("bands")}
        self.spreads = None  # (iteration, {graph of bands: its values}): the latest
        self.mosaics = {}  # graph name -> its latest mosaic
        self.network = None  # visu.show.learned.NetworkProbe, once the step gave its answer
        self.not_a_number = None  # (iteration, "training" or "test", value): the first loss
        self.changes = 0
        self.restored = False  # True once --restore filled it from a saved run

    def add_training(self, i, accuracy, loss, learning_rate=None):
        self._add(self.train_curves, "training", i, accuracy, loss)
        if learning_rate is not None:
            self.learning_rates.append((i, float(learning_rate)))

    def add_test(self, i, accuracy, loss):
        self._add(self.test_curves, "test", i, accuracy, loss)

    def _add(self, curves, which, i, accuracy, loss):
        for values, value in zip(curves, (i, accuracy, loss)):
            values.append(float(value))
        if not math.isfinite(float(loss)) and self.not_a_number is None:
            self.not_a_number = (i, which, float(loss))
        self.changes += 1

    def add_spreads(self, i, *values):
        """The spreads of the values the graphs of bands show, in the table's order (graphs 4 and
        5: the weights and biases, or what a step shows there instead)."""
        bands = [percentile_bands(each) for each in values]  # before any append
        self.band_iterations.append(i)
        for rows, new in zip(self.bands.values(), bands):
            rows.append(new)
        self.spreads = (i, dict(zip(self.bands, values)))
        self.changes += 1

    def set_mosaic(self, name, im):
        self.mosaics[name] = im
        self.changes += 1

    def last_iteration(self):
        """The last iteration with a point on the curves (1 before any, to scale an empty axis)."""
        return max(self.train_curves[0][-1:] + self.test_curves[0][-1:] + [1])

    def max_test_accuracy(self):
        accuracies = finite(self.test_curves[1])
        return float(np.nanmax(accuracies)) if np.isfinite(accuracies).any() else 0.0
