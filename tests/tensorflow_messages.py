"""TensorFlow's messages that visu/explain/wording.py reads, made the way a learner's edit makes
them.

tests/test_tensorflow_wording.py checks each pattern of visu/explain/wording.py against the messages
recorded here from the lowest and the latest TensorFlow the project supports
(tensorflow_messages.txt), and against the TensorFlow installed, made again while it runs. To
record a TensorFlow's messages (its own sections of the file are replaced, the others kept):

    python tests/tensorflow_messages.py

from any virtual environment with the project's requirements (the lowest: pip install -r
requirements-test.txt -c .ci/lowest-versions.txt).
"""

import logging
import pathlib
import re
import sys

import numpy as np
import tensorflow as tf2
import tensorflow.compat.v1 as tf

RECORDED = pathlib.Path(__file__).resolve().with_name("tensorflow_messages.txt")
HEADER = "=== "


def _refused(build):
    """The message of the error that building raises (in a graph of its own)."""
    with tf.Graph().as_default():
        try:
            build()
        except (ValueError, TypeError) as error:
            return str(error)
    raise AssertionError("it was built")


def _failed(build, feed):
    """The message of the error sess.run raises: build() gives (what to run, feeds by name)."""
    graph = tf.Graph()
    with graph.as_default():
        fetch = build()
        with tf.Session(graph=graph) as session:
            session.run(tf.global_variables_initializer())
            feeds = {graph.get_tensor_by_name(name): value for name, value in feed().items()}
            try:
                session.run(fetch, feeds)
            except tf.errors.OpError as error:
                return _without_paths(error.message)
    raise AssertionError("it ran")


def _without_paths(message):
    """The message without the files and lines where it was made (they are this machine's)."""
    return re.sub(r'File "[^"]*", line \d+', 'File "<file>", line <n>', message)


def _images():
    return tf.placeholder(tf.float32, [None, 28, 28, 1], name="X")


def _weights(shape):
    return tf.Variable(tf.zeros(shape))


# --- while building ----------------------------------------------------------------------------


def matmul_on_images():
    return _refused(lambda: tf.matmul(_images(), _weights([784, 100])))


def conv_depth():
    def build():
        images = tf.nn.relu(tf.nn.conv2d(_images(), _weights([5, 5, 1, 4]), [1, 1, 1, 1], "SAME"))
        tf.nn.conv2d(images, _weights([5, 5, 3, 8]), [1, 2, 2, 1], "SAME")

    return _refused(build)


def biases_size():
    def build():
        flat = tf.reshape(_images(), [-1, 784])
        return tf.matmul(flat, _weights([784, 100])) + _weights([200])

    return _refused(build)


def reshape_count():
    return _refused(lambda: tf.reshape(_weights([7, 7, 12]), [-1, 500]))


def concat_unflattened():
    return _refused(
        lambda: tf.concat([tf.reshape(_weights([784, 10]), [-1]), _weights([30, 10])], 0)
    )


def int_biases():
    return _refused(
        lambda: (
            tf.matmul(tf.reshape(_images(), [-1, 784]), _weights([784, 10]))
            + tf.ones([10], tf.int32)
        )
    )


# --- while running -----------------------------------------------------------------------------


def _batch(rows=100):
    return np.zeros([rows, 28, 28, 1], np.float32)


def not_fed():
    def build():
        pkeep = tf.placeholder(tf.float32, name="pkeep")
        return tf.nn.dropout(tf.reshape(_images(), [-1, 784]), rate=1 - pkeep)

    return _failed(build, lambda: {"X:0": _batch()})


def not_ready():
    graph = tf.Graph()
    with graph.as_default():
        weights = _weights([784, 10])
        with tf.Session(graph=graph) as session:
            try:
                session.run(weights)
            except tf.errors.OpError as error:
                return _without_paths(error.message)
    raise AssertionError("it ran")


def logits_and_labels():
    def build():
        labels = tf.placeholder(tf.float32, [None, 10], name="labels")
        logits = tf.matmul(tf.reshape(_images(), [-1, 784 * 4]), _weights([784 * 4, 10]))
        return tf.nn.softmax_cross_entropy_with_logits_v2(logits=logits, labels=labels)

    return _failed(build, lambda: {"X:0": _batch(), "labels:0": np.zeros([100, 10], np.float32)})


def incompatible_shapes():
    def build():
        labels = tf.placeholder(tf.float32, [None, 10], name="labels")
        logits = tf.matmul(tf.reshape(_images(), [-1, 784 * 4]), _weights([784 * 4, 10]))
        return tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))

    return _failed(build, lambda: {"X:0": _batch(), "labels:0": np.zeros([100, 10], np.float32)})


def reshape_values():
    def build():
        images = tf.placeholder(tf.float32, [None, 6, 6, 12], name="X")
        return tf.reshape(images, [-1, 588])

    return _failed(build, lambda: {"X:0": np.zeros([100, 6, 6, 12], np.float32)})


def matrix_sizes():
    def build():
        images = tf.placeholder(tf.float32, [None, 7, 7, 12], name="X")
        return tf.matmul(tf.reshape(images, [100, -1]), _weights([588, 200]))

    return _failed(build, lambda: {"X:0": np.zeros([10000, 7, 7, 12], np.float32)})


# --- calls into TensorFlow ---------------------------------------------------------------------


def run_feed_keyword():
    graph = tf.Graph()
    with graph.as_default():
        images = _images()
        with tf.Session(graph=graph) as session:
            try:
                session.run(images, feed={images: _batch()})
            except TypeError as error:
                return str(error)
    raise AssertionError("it ran")


def _deprecation(call):
    """TensorFlow's log message when call() uses a deprecated spelling (each is logged once a
    process: the record of those already logged is cleared first)."""
    from tensorflow.python.util import deprecation

    getattr(deprecation, "_PRINTED_WARNING", {}).clear()
    messages = []

    class Keep(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    logger, handler = logging.getLogger("tensorflow"), Keep()
    logger.addHandler(handler)
    try:
        with tf.Graph().as_default():
            call(tf.placeholder(tf.float32, [None, 10]))
    finally:
        logger.removeHandler(handler)
    found = [m for m in messages if "deprecated" in m]
    assert found, "no deprecation logged"
    return _without_location(found[0])


def _without_location(message):
    """TensorFlow's "From <file>:<line>:" (this machine's) as "From <file>:<n>:"."""
    return re.sub(r"^From \S+:\d+:", "From <file>:<n>:", message)


def dropout_keep_prob():
    return _deprecation(lambda x: tf.nn.dropout(x, 0.75))


def softmax_cross_entropy_v1():
    return _deprecation(lambda x: tf.nn.softmax_cross_entropy_with_logits(logits=x, labels=x))


def initialize_all_variables():
    return _deprecation(lambda x: tf.initialize_all_variables().mark_used())


def to_float():
    return _deprecation(lambda x: tf.to_float(x))


def arg_max():
    return _deprecation(lambda x: tf.arg_max(x, 1))


def argmax_dimension():
    return _deprecation(lambda x: tf.argmax(x, dimension=1))


def softmax_dim():
    return _deprecation(lambda x: tf.nn.softmax(x, dim=-1))


# --- TensorFlow's names ------------------------------------------------------------------------


def _names(build):
    graph = tf.Graph()
    with graph.as_default():
        build()
    return graph


def optimizer_variables():
    def build():
        weights = _weights([784, 10])
        tf.train.AdamOptimizer(0.003).minimize(tf.reduce_sum(weights))

    graph = _names(build)
    with graph.as_default():
        names = [v.op.name for v in tf.global_variables()][1:]  # Adam's, not the weights
    return "\n".join(names)


def dropout_scope():
    def build():
        x = tf.placeholder(tf.float32, [None, 10], name="x")
        tf.nn.dropout(x, rate=0.25)
        tf.nn.dropout(x, rate=0.25)

    graph = _names(build)
    x = graph.get_tensor_by_name("x:0")
    return "\n".join(sorted(consumer.name for consumer in x.consumers()))


def gradients_scope():
    def build():
        weights = _weights([10])
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(weights * weights))

    graph = _names(build)
    return "\n".join(
        op.name for op in graph.get_operations() if op.type == "Mul" and "/" in op.name
    )


# pattern of visu/explain/wording.py -> {case: the function that makes its message}
MESSAGES = {
    "BUILD_REFUSAL": {
        "matmul-on-images": matmul_on_images,
        "conv-depth": conv_depth,
        "biases-size": biases_size,
        "reshape-count": reshape_count,
        "concat-unflattened": concat_unflattened,
    },
    "RESHAPE_TARGET": {"reshape-count": reshape_count},
    "TYPES_DIFFER": {"int-biases": int_biases},
    "NOT_FED": {"pkeep": not_fed},
    "NOT_READY": {"weights": not_ready},
    "LOGITS_AND_LABELS": {"rows": logits_and_labels},
    "INCOMPATIBLE_SHAPES": {"argmax": incompatible_shapes},
    "RESHAPE_VALUES": {"valid-padding": reshape_values},
    "MATRIX_SIZES": {"fixed-rows": matrix_sizes},
    "UNEXPECTED_KEYWORD": {"feed": run_feed_keyword},
    "DEPRECATED": {
        "dropout-keep_prob": dropout_keep_prob,
        "softmax_cross_entropy_with_logits": softmax_cross_entropy_v1,
        "initialize_all_variables": initialize_all_variables,
        "to_float": to_float,
        "arg_max": arg_max,
        "argmax-dimension": argmax_dimension,
        "softmax-dim": softmax_dim,
    },
    "OPTIMIZER_VARIABLE": {"adam": optimizer_variables},
    "DROPOUT_SCOPE": {"two-dropouts": dropout_scope},
    "GRADIENTS_SCOPE": {"minimize": gradients_scope},
}


def read_recorded(path=RECORDED):
    """{(pattern, case, version): message} from the recorded file."""
    recorded, key, lines = {}, None, []
    for line in path.read_text(encoding="utf-8").splitlines() + [HEADER + "end"]:
        if line.startswith(HEADER):
            if key:
                recorded[key] = "\n".join(lines).strip("\n")
            parts = line[len(HEADER) :].split()
            key, lines = (tuple(parts) if len(parts) == 3 else None), []
        elif key:
            lines.append(line)
    return recorded


def record(path=RECORDED):
    """Records this TensorFlow's messages in the file, in place of its own earlier ones."""
    version = tf2.__version__
    recorded = read_recorded(path) if path.exists() else {}
    recorded = {key: text for key, text in recorded.items() if key[2] != version}
    for pattern, cases in MESSAGES.items():
        for case, make in cases.items():
            recorded[(pattern, case, version)] = make()
    lines = [
        "# TensorFlow's messages that visu/explain/wording.py reads"
        " (tests/tensorflow_messages.py),",
        "# recorded from each TensorFlow the project supports: === <pattern> <case> <version>",
    ]
    order = {(p, c): i for i, (p, c) in enumerate((p, c) for p in MESSAGES for c in MESSAGES[p])}
    for key in sorted(recorded, key=lambda k: (order.get(k[:2], len(order)), k[2])):
        lines += ["%s%s" % (HEADER, " ".join(key)), recorded[key], ""]
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
    return version


if __name__ == "__main__":
    tf.disable_eager_execution()
    print("recorded TensorFlow %s's messages in %s" % (record(), RECORDED), file=sys.stderr)
