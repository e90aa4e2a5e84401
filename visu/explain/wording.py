"""TensorFlow's wording: every pattern that reads one of its messages (or one of Python's, about a
call into TensorFlow), in one place.

A release of TensorFlow may reword a message. Each pattern here is tested against the messages
recorded from the lowest and the latest TensorFlow the project supports, and against the message
of the TensorFlow installed (tests/test_tensorflow_wording.py, tests/tensorflow_messages.txt), so
that a rewording fails the one test that names its pattern. Where no pattern reads a message, the
errors are still explained in general terms (visu/explain/errors.py): the learner's line, the names
of what failed, and TensorFlow's own first line.

PATTERNS names them all, with what each reads.
A learner's page: docs/errors.md.
"""

import re

# --- while the graph is built ------------------------------------------------------------------

# Shape inference's refusal: "<what> for '{{node MatMul}} = BatchMatMulV2[...](Placeholder,
# MatMul/ReadVariableOp)' with input shapes: [?,28,28,1], [784,100]."
BUILD_REFUSAL = re.compile(
    r"^(?P<what>.*?) for '\{\{node (?P<node>[^}]+)\}\} = (?P<type>\w+)(?:\[.*?\])?"
    r"\((?P<inputs>[^)]*)\)' with input shapes: (?P<shapes>.*?)(?: and with .*)?\.?$",
    re.S,
)

# One shape in BUILD_REFUSAL's list: [?,28,28,1], or ? (any shape)
SHAPE = re.compile(r"\[[^\]]*\]|\?")

# What a reshape was asked for, at the end of its refusal: "... and with input tensors computed as
# partial shapes: input[1] = [?,785]."
RESHAPE_TARGET = re.compile(r"input\[1\] = (?P<shape>\[[^\]]*\])")

# "Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of argument 'x'."
TYPES_DIFFER = re.compile(
    r"Input '\w+' of '(?P<op>\w+)' Op has type (?P<one>\w+) that does not match type "
    r"(?P<other>\w+) of argument"
)

# --- while sess.run computes -------------------------------------------------------------------

NOT_FED = re.compile(r"You must feed a value for placeholder tensor '(?P<name>[^']+)'")

# A variable read before the initializer gave it a value (resource variables, and the older kind)
NOT_READY = re.compile(
    r"Could not find variable (?P<a>\S+?)\. |Attempting to use uninitialized value (?P<b>\S+)"
    r"|Error while reading resource variable (?P<c>\S+) from Container"
)

# The loss given more or fewer rows of logits than of labels
LOGITS_AND_LABELS = re.compile(
    r"logits and labels must be (?:broadcastable|same size): "
    r"logits_size=\[(?P<logits>\d+),\d+\] labels_size=\[(?P<labels>\d+),\d+\]"
)

# An operation on two tensors whose sizes differ (tf.equal of the two argmax, an addition)
INCOMPATIBLE_SHAPES = re.compile(
    r"Incompatible shapes: \[(?P<one>[\d,]*)\] vs\. \[(?P<other>[\d,]*)\]"
)

# A reshape asked for rows that the values do not fill
RESHAPE_VALUES = re.compile(
    r"Input to reshape is a tensor with (?P<values>\d+) values, but the requested shape "
    r"(?:requires a multiple of|has) (?P<asked>\d+)"
)

# A matrix product whose inner sizes differ, once the batch is known
MATRIX_SIZES = re.compile(
    r"Matrix size-incompatible: In\[0\]: \[(?P<a>[\d,]+)\], In\[1\]: \[(?P<b>[\d,]+)\]"
)

# The lines of an OpError's message that are TensorFlow's annotations, not its reason
ANNOTATIONS = ("Graph execution error", "Detected at node", "File ", "Node:", "[[", "Original ")

# Where a refusal names the operation in TensorFlow's terms, to the end of the message: " for
# '{{node MatMul}} = BatchMatMulV2[...](...)' with input shapes: ..." (the general paragraph
# names it by the learner's line instead)
NODE_ANNOTATION = re.compile(r" for '\{\{node .*$", re.S)

# --- calls into TensorFlow ---------------------------------------------------------------------

# Python's own message for a keyword that a function does not take: sess.run(..., feed=...)
UNEXPECTED_KEYWORD = re.compile(
    r"^(?:\w+\.)?(?P<function>\w+)\(\) got an unexpected keyword argument '(?P<keyword>\w+)'"
)

# Python's own errors in a call, which are the learner's to read as Python writes them
PYTHON_CALL = re.compile(
    r"\(\) (?:got an unexpected keyword argument|missing \d+ required|takes \d+ positional|"
    r"takes from \d+ to \d+ positional|got multiple values for argument)"
)

# TensorFlow's log record for a deprecated function or argument that still works: "From
# <where>: calling dropout (from tensorflow.python.ops.nn_ops) with keep_prob is deprecated and
# will be removed in a future version.\nInstructions for updating:\n<what to write instead>"
DEPRECATED = re.compile(
    r"^From (?P<where>.+?): (?:calling )?(?P<function>[\w.]+) \(from (?P<module>[\w.]+)\)"
    r"(?: with (?P<argument>\w+))? is deprecated and will be removed [^\n]*\n"
    r"Instructions for updating:\n(?P<instead>.*)$",
    re.S,
)

# --- TensorFlow's names ------------------------------------------------------------------------

# The variables an optimizer makes for itself: "beta1_power", "Variable_3/Adam_1", ...
OPTIMIZER_VARIABLE = re.compile(
    r"^(beta[12]_power.*|.+/(Adam|Momentum|RMSProp|Adagrad|Ftrl|Adadelta)\w*)$"
)

# The operations tf.nn.dropout makes, in their name scope: "dropout/...", "dropout_1/..."
DROPOUT_SCOPE = re.compile(r"^dropout(_\d+)?/")

# The operations of the gradients that minimize() adds: "gradients/...", "gradients_1/..."
GRADIENTS_SCOPE = re.compile(r"^gradients(_\d+)?/")

PATTERNS = {
    "BUILD_REFUSAL": "shape inference's refusal of a layer while the graph is built",
    "RESHAPE_TARGET": "the shape a refused tf.reshape was asked for",
    "TYPES_DIFFER": "two types in one operation",
    "NOT_FED": "a placeholder left out of the feed",
    "NOT_READY": "a variable used before the initializer ran",
    "LOGITS_AND_LABELS": "the loss given more or fewer rows of logits than of labels",
    "INCOMPATIBLE_SHAPES": "two tensors of different sizes in one operation, while running",
    "RESHAPE_VALUES": "a reshape whose rows the values do not fill, while running",
    "MATRIX_SIZES": "a matrix product whose inner sizes differ, while running",
    "UNEXPECTED_KEYWORD": "a keyword that sess.run does not take (the deck's feed=)",
    "PYTHON_CALL": "Python's own errors in a call, left to Python's message",
    "DEPRECATED": "TensorFlow's log record for a deprecated spelling that still works",
    "OPTIMIZER_VARIABLE": "the names of an optimizer's own variables",
    "DROPOUT_SCOPE": "the names of the operations tf.nn.dropout makes",
    "GRADIENTS_SCOPE": "the names of the operations of the gradients",
}


def numbers(text):
    """The sizes in a shape as a message writes it ("25,10"), as a list of ints."""
    return [int(n) for n in text.split(",") if n]
