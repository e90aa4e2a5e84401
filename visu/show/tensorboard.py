"""--logdir: the run as TensorBoard event files, written by TensorFlow's own FileWriter (no
tensorboard package needed), beside the runs of other steps. An Output like the views
(visu/show/outputs.py): it reads the record after every iteration and writes what is new. A
learner's page: docs/tensorboard.md."""

import io
import pathlib

import matplotlib.image
import numpy as np
import tensorflow.compat.v1 as tf

from visu.options import logdir_error
from visu.shell import pasteable
from visu.show import graphs as table
from visu.show.drawings import DRAWINGS
from visu.show.outputs import Output

# The digit mosaics, and the first layer's weights as pictures, are logged as images at the first
# test update, then at the first one at or past each of 1, 2, 5, 10, 20, 50, 100, ... iterations
# (three a decade, so that the early learning shows), and at the last one: 8 to 10 of each for
# 10000 iterations.
IMAGE_MILESTONES = [m * 10**e for e in range(15) for m in (1, 2, 5)]
HISTOGRAM_BUCKETS = 30
FLUSH_SECONDS = 10  # how far behind a TensorBoard watching the run live can be


def new_run_folder(logdir, name):
    """A new, empty folder for this run: logdir/name, else name_run2, name_run3, ... mkdir is
    atomic, so two runs never share a folder, even when started at the same moment."""
    k = 1
    while True:
        folder = logdir / (name if k == 1 else "%s_run%d" % (name, k))
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            k += 1
        except OSError as error:  # the folder became unwritable after the options were read
            raise SystemExit(logdir_error(str(logdir), error)) from None


def tag(title):
    """A graph's title as a TensorBoard tag: "Activations, conv layers": activations_conv_layers."""
    return "_".join("".join(c if c.isalnum() else " " for c in title.lower()).split())


def histogram_proto(values, buckets=HISTOGRAM_BUCKETS):
    """The finite values as a TensorBoard histogram, equal-width buckets; None if none is finite."""
    values = np.ravel(values)
    if not values.size:
        return None
    low, high = values.min(), values.max()
    if not (np.isfinite(low) and np.isfinite(high)):  # a NaN or an infinity: a diverged network
        values = values[np.isfinite(values)]
        if not values.size:
            return None
        low, high = values.min(), values.max()
    if low == high:
        counts, limits = [values.size], [high]
    else:
        counts, edges = np.histogram(values, buckets, range=(low, high))
        limits = edges[1:]  # right edges: TensorBoard takes min as the first bucket's left one
    return tf.HistogramProto(
        min=float(low),
        max=float(high),
        num=values.size,
        sum=float(values.sum(dtype=np.float64)),
        sum_squares=float(np.dot(values, values)),
        bucket_limit=np.asarray(limits, float).tolist(),
        bucket=np.asarray(counts, float).tolist(),
    )


def image_proto(im):
    """An RGB image with values in [0, 1] (a digit mosaic, the weights' pictures) as a PNG for
    TensorBoard."""
    pixels = np.clip(np.nan_to_num(np.asarray(im, np.float32), nan=1.0), 0.0, 1.0)
    buffer = io.BytesIO()
    matplotlib.image.imsave(
        buffer,
        (pixels * 255 + 0.5).astype(np.uint8),
        format="png",
        pil_kwargs={"compress_level": 1},  # on the mosaics: faster than the default, no larger
    )
    return tf.Summary.Image(
        height=pixels.shape[0],
        width=pixels.shape[1],
        colorspace=4,  # imsave writes RGBA
        encoded_image_string=buffer.getvalue(),
    )


class TensorBoardLog(Output):
    """The run in a new folder, logdir/<step>_seed<S>.

    What each graph of the table is logged as, its drawing says (visu/show/drawings.py): the
    curves' points as scalars tagged <graph name>/training and /test (accuracy/training,
    loss/test, ...), with learning_rate where the step passes one; the graphs of bands (4 and 5)
    as histograms and the mosaics (3 and 6) as images, tagged by their titles (weights, biases,
    training_digits, test_digits); the first layer's weights as pictures, tagged by the title of
    what the network learned (where the step gives its network); and the TensorFlow graph for
    the graph view.

    titles: {graph name: title} where the step gives its own (visu/show/graphs.py has the
    others)."""

    def __init__(self, record, logdir, run_name, titles, graph):
        self.record = record
        self.logdir = pathlib.Path(logdir)
        self.folder = new_run_folder(self.logdir, run_name)
        if tf.executing_eagerly():  # FileWriter refuses eager mode; the steps' graphs never are
            with tf.Graph().as_default():
                self._writer = tf.summary.FileWriter(str(self.folder), flush_secs=FLUSH_SECONDS)
        else:
            self._writer = tf.summary.FileWriter(
                str(self.folder), graph=graph, flush_secs=FLUSH_SECONDS
            )
        titles = {**{graph.name: graph.title for graph in table.GRAPHS}, **titles}
        self._tags = {graph.name: tag(titles[graph.name]) for graph in table.GRAPHS}
        self._logged = {  # "scalars", "histogram", "image": the graphs logged so
            kind: [g for g in table.GRAPHS if DRAWINGS[g.kind].LOGGED_AS == kind]
            for kind in ("scalars", "histogram", "image")
        }
        self._written = {"training": 0, "test": 0, "rates": 0}  # points written so far
        self._spreads_written = None
        self._mosaics_logged_at = None
        self._milestones = iter(IMAGE_MILESTONES)
        self._next_milestone = 0
        print(
            "TensorBoard: this run is logged to %s (to see it: tensorboard --logdir %s)"
            % (self.folder, pasteable(self.logdir))
        )

    def update(self):
        """Writes what the record got since the last call."""
        record = self.record
        rates = dict(record.learning_rates[self._written["rates"] :])
        self._written["rates"] = len(record.learning_rates)
        self.write_curves("training", record.train_curves, rates)
        new_test = self.write_curves("test", record.test_curves, {})
        if record.spreads is not None and record.spreads[0] != self._spreads_written:
            self.write_spreads()
        if new_test and record.mosaics and self._at_milestone():
            self.write_mosaics()
            while self._next_milestone <= self._last_test():
                self._next_milestone = next(self._milestones)

    def write_spreads(self):
        """What the graphs of bands (4 and 5) show, as histograms."""
        i = self._spreads_written = self.record.spreads[0]
        graphs = self._logged["histogram"]
        histograms = [(g, histogram_proto(DRAWINGS[g.kind].logged(g, self.record))) for g in graphs]
        self._write(i, [(self._tags[g.name], "histo", h) for g, h in histograms if h is not None])

    def write_curves(self, which, curves, rates):
        """The curves' points not written yet; whether there were any."""
        start = self._written[which]
        for point in zip(*(values[start:] for values in curves)):  # (iteration, accuracy, loss)
            i = point[0]
            values = [
                (g.name + "/" + which, point[g.settings["column"]]) for g in self._logged["scalars"]
            ]
            if i in rates:
                values.append(("learning_rate", rates[i]))
            self._write(i, [(t, "simple_value", float(value)) for t, value in values])
        self._written[which] = len(curves[0])
        return len(curves[0]) > start

    def _write(self, i, values):
        """values: (tag, field of Summary.Value, value) triples, one event at step i."""
        summary = tf.Summary(value=[tf.Summary.Value(**{"tag": t, f: v}) for t, f, v in values])
        self._writer.add_summary(summary, int(i))

    def _last_test(self):
        return int(self.record.test_curves[0][-1]) if self.record.test_curves[0] else 0

    def _at_milestone(self):
        return self._last_test() >= self._next_milestone

    def write_mosaics(self):
        """The graphs logged as images: the mosaics, and the first layer's weights as pictures
        where the step gives its network."""
        self._mosaics_logged_at = self._last_test()
        images = [(g, DRAWINGS[g.kind].logged(g, self.record)) for g in self._logged["image"]]
        images = [(self._tags[g.name], im) for g, im in images if im is not None]
        self._write(self._last_test(), [(t, "image", image_proto(im)) for t, im in images])

    def finish(self):
        """Logs what is left, the last mosaics if not yet done, and writes everything to disk."""
        if self._writer is None:
            return
        self.update()
        if self.record.mosaics and self._mosaics_logged_at != self._last_test():
            self.write_mosaics()
        self._writer.close()
        self._writer = None
        print("TensorBoard: run written to %s" % self.folder)
