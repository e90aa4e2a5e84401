"""What the network learned, read from the trained network itself, only when it is shown (key W,
--graphs W) or logged (--logdir): the first layer's weights as pictures, and one digit going
through the network, each layer's output by the script's own name, to the ten probabilities.

The layers are the ones the network summary finds (summary.py), in the built graph, named by the
script's variables. The digit goes through them with the step's own evaluation feed: the one its
classifier line gives session.run (datavis.set_classifier(lambda images: sess.run(Y, {X: images,
pkeep: 1.0}), sess)), seen once by running that line on a blank image. So no step says more than
it already does.

    probe = NetworkProbe(session, classify, namespace, drawn)
    probe.first_layer()   FirstLayer: its weights as tiles [n, height, width], or None
    probe.passage()       Passage: the digit, and each layer's output for it, or None
A learner's page: docs/running.md ("What the network learned").
"""

import collections
import math
import types

import numpy as np
import tensorflow.compat.v1 as tf

from visu import summary
from visu.explain.learner import shape_text

SIDE = 28  # MNIST's images: a dense layer's weights from the 784 pixels are 28x28 pictures
MOST_NEURON_TILES = 48  # a dense first layer's neurons drawn: 8 by 6 pictures stay readable
# The first test digit the network gets wrong is looked for in chunks, up to a limit: at 99% the
# first mistake is usually in the first chunk, and the search costs one forward pass of it.
SEARCH_CHUNK, SEARCH_LIMIT = 200, 2000

FirstLayer = collections.namedtuple(
    "FirstLayer",
    [
        "name",  # the weights' name in the script: W, W1
        "shape",  # the weights' shape, as the summary writes it: [784, 10]
        "kind",  # "dense" (28x28 pictures of the pixels' weights), "conv" (filters), "matrix"
        "tiles",  # [n, height, width]: the pictures drawn
        "total",  # how many neurons or filters the layer has (tiles may show fewer)
        "labels",  # a label per tile (the digits, when the first layer is the last), or None
        "output",  # the layer's output's name: Y, Y1
    ],
)
Passage = collections.namedtuple(
    "Passage",
    [
        "digit",  # [28, 28]: the input
        "about",  # where it comes from, in a few words
        "label",  # the correct digit, when known (a test digit), else None
        "layers",  # [LayerOutput], in the order the graph computes them, the last one the answer
    ],
)
LayerOutput = collections.namedtuple("LayerOutput", ["name", "what", "values"])


class NetworkProbe:
    """Reads what the network learned from its session, when asked. classify and session: the
    step's (set_classifier); namespace: the script's variables; drawn(): the digit drawn on the D
    pad ([28, 28, 1]), or None."""

    def __init__(self, session, classify, namespace, drawn=lambda: None):
        self.session, self._classify, self._namespace = session, classify, namespace
        self._drawn = drawn
        self._layers = None  # [(name, what, Layer)], found at the first use
        self._feed = None  # Feed: the step's evaluation feed, seen once
        self._feed_seen = False
        self.problem = None  # why the digit's passage or the weights could not be read, last time

    # -- the layers, as the summary finds them --

    def layers(self):
        if self._layers is None:
            with self.session.graph.as_default():
                variables = tf.trainable_variables()
            names = summary.script_names(self._namespace)
            found = summary.layers(variables, names) if variables else []
            rows = [summary.row(layer, names) for layer in found]
            self._names = {key: name for (kind, key), name in names.items() if kind == "op"}
            self._layers = [(row[0], row[1], layer) for row, layer in zip(rows, found)]
        return self._layers

    # -- the first layer's weights --

    def first_layer(self):
        """The first layer's weights as pictures, or None (no layer with weights, or they could
        not be read: self.problem says why)."""
        try:
            return self._first_layer()
        except RUN_ERRORS as error:
            self.problem = could_not_run(error)
            return None

    def _first_layer(self):
        layers = self.layers()
        if not layers:
            return None
        output, _, layer = layers[0]
        weights = [v for v in layer.variables if v.shape.rank in (2, 4)]
        if not weights:
            return None
        variable = weights[0]
        values = self.session.run(variable)
        name = self._names.get(variable.handle.op.name, variable.op.name)
        last = len(layers) == 1  # one layer: its neurons are the ten digits'
        return first_layer_tiles(values, name, output, last)

    # -- one digit through the network --

    def passage(self):
        """The digit (drawn on the pad, else the first test digit the network gets wrong) and each
        layer's output for it; None when they cannot be read (self.problem says why)."""
        self.problem = None
        try:
            return self._passage()
        except RUN_ERRORS as error:  # a learner's network that does not run as it is
            self.problem = could_not_run(error)
            return None

    def _passage(self):
        feed = self._evaluation_feed()
        layers = [
            (name, what, layer.output)
            for name, what, layer in self.layers()
            if layer.output is not None
        ]
        if feed is None or not layers:
            self.problem = self.problem or "the network's layers were not found in its graph"
            return None
        outputs = [tensor for _, _, tensor in layers]
        drawn = self._drawn()
        if drawn is not None:
            digit, about, label = np.asarray(drawn, np.float32), "the digit drawn on the pad", None
        else:
            found = self._first_mistake(feed, outputs[-1])
            if found is None:
                return None
            digit, about, label = found
        values = self.session.run(
            outputs, {feed.images: digit.reshape(1, *feed.shape), **feed.rest}
        )
        return Passage(
            digit.reshape(SIDE, SIDE),
            about,
            label,
            [LayerOutput(name, what, value[0]) for (name, what, _), value in zip(layers, values)],
        )

    def _evaluation_feed(self):
        """The step's evaluation feed (Feed), seen by running its classifier line once on a blank
        image; None if it could not be seen."""
        if not self._feed_seen:
            self._feed_seen = True
            blank = np.zeros((1, SIDE, SIDE, 1), np.float32)
            self._feed = seen_feed(self.session, self._classify, blank)
        if self._feed is None:
            self.problem = "the network's answer (datavis.set_classifier) could not be run"
        return self._feed

    def _first_mistake(self, feed, answer):
        """(digit [28, 28, 1], about, label) of the first test digit the network gets wrong,
        else of the first test digit; None when the script has no test set."""
        test = test_set(self._namespace)
        if test is None:
            self.problem = "no test digits in the script (mnist.test)"
            return None
        images, labels = test
        for start in range(0, min(len(images), SEARCH_LIMIT), SEARCH_CHUNK):
            chunk = images[start : start + SEARCH_CHUNK]
            fed = {feed.images: chunk.reshape(-1, *feed.shape), **feed.rest}
            answers = self.session.run(answer, fed)
            wrong = np.flatnonzero(
                np.argmax(answers, axis=-1) != labels[start : start + len(chunk)]
            )
            if wrong.size:
                index = start + int(wrong[0])
                about = "test digit #%d, the first the network gets wrong" % index
                return images[index], about, int(labels[index])
        about = "test digit #0 (no mistake in the first %d)" % min(len(images), SEARCH_LIMIT)
        return images[0], about, int(labels[0])


RUN_ERRORS = (tf.errors.OpError, ValueError, TypeError)  # what session.run raises on a bad graph


def could_not_run(error):
    """Why the network could not be read, in a few words: the error's first line."""
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return "the network could not be run (%s)" % first[:200]


Feed = collections.namedtuple("Feed", ["images", "shape", "rest"])  # the key, one image's shape


def seen_feed(session, classify, images):
    """Feed: the key classify feeds `images` to (and the shape it gives one image), and the rest
    of the feed it gives session.run, seen by running it once with session.run watched; None if
    it failed or fed them nowhere."""
    feeds, run = [], session.run

    def watched(fetches, feed_dict=None, *args, **kwargs):
        feeds.append(dict(feed_dict or {}))
        return run(fetches, feed_dict, *args, **kwargs)

    session.run = watched  # this session only, for this one call
    try:
        classify(images)
    except Exception:
        return None
    finally:
        del session.run
    for feed in feeds:
        for key, value in feed.items():
            if isinstance(value, np.ndarray) and np.shares_memory(value, images):
                rest = {k: v for k, v in feed.items() if k is not key}
                return Feed(key, tuple(value.shape[1:]), rest)
    return None


def test_set(namespace):
    """(images, digits) of the script's test set: the first of its values with .test.images and
    .test.labels (mnistdata's), the labels as digits; None if it has none."""
    for value in list(namespace.values()):
        if isinstance(value, (types.ModuleType, type)):
            continue
        test = getattr(value, "test", None)
        images, labels = getattr(test, "images", None), getattr(test, "labels", None)
        if isinstance(images, np.ndarray) and isinstance(labels, np.ndarray) and len(images):
            digits = labels.argmax(axis=-1) if labels.ndim == 2 else labels
            return images, digits
    return None


# --- the pictures -------------------------------------------------------------------------------


def first_layer_tiles(values, name, output, last):
    """FirstLayer of the weights' values: a dense layer's neurons as 28x28 pictures of the
    weights from each pixel (all ten when they are the digits', else the first few), a
    convolution's filters one per output channel (averaged over its input channels)."""
    shape = shape_text(list(values.shape))
    if values.ndim == 4:  # [height, width, channels in, channels out]
        tiles = values.mean(axis=2).transpose(2, 0, 1)
        return FirstLayer(name, shape, "conv", tiles, len(tiles), None, output)
    rows, neurons = values.shape
    side = math.isqrt(rows)
    if side * side != rows:  # not from a square picture: the matrix itself
        return FirstLayer(name, shape, "matrix", values.T[None], neurons, None, output)
    tiles = values.T[:MOST_NEURON_TILES].reshape(-1, side, side)
    labels = [str(k) for k in range(neurons)] if last and neurons == 10 else None
    return FirstLayer(name, shape, "dense", tiles, neurons, labels, output)


def mosaic(tiles, columns, gap=1):
    """Tiles [n, height, width] in a grid of `columns`, NaN in the gaps between them and after
    the last tile."""
    n, height, width = tiles.shape
    rows = -(-n // columns)
    cells = np.full((rows * columns, height + gap, width + gap), np.nan, np.float32)
    cells[:n, :height, :width] = tiles
    grid = cells.reshape(rows, columns, height + gap, width + gap).transpose(0, 2, 1, 3)
    grid = grid.reshape(rows * (height + gap), columns * (width + gap))
    return grid[: grid.shape[0] - gap, : grid.shape[1] - gap]


def best_columns(n, tile_shape, aspect, gap=1):
    """The number of columns that shows n tiles biggest in an area `aspect` times as wide as
    high (the fewest rows among equals)."""
    height, width = (side + gap for side in tile_shape)

    def size(columns):
        rows = -(-n // columns)
        return min(aspect / (columns * width), 1.0 / (rows * height))

    return max(range(1, n + 1), key=lambda columns: (size(columns), columns))


def symmetric_limit(values):
    """The largest size among the finite values (1 when there is none): a diverging colour map
    centred on 0 spans -limit to +limit."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0
