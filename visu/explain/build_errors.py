"""Errors while the learner's script builds its graph: a layer whose shapes do not fit (matmul,
conv2d, an addition, reshape, concat, or any other operation in general terms), two values of
different types in one operation, or a convolution whose depths TensorFlow lets through but whose
fate depends on the processor; each explained with the script's names and what to do.
A learner's page: docs/errors.md ("What is explained").
"""

import numpy as np
import tensorflow.compat.v1 as tf

from visu.explain import wording
from visu.explain.learner import (
    FUNCTIONS,
    OPERATORS,
    TENSORFLOW_FOLDER,
    inside,
    placeholders_behind,
    shape_dims,
    shape_text,
    variable_behind,
)

# --- building the graph ------------------------------------------------------------------------


class ConvolutionDepths(ValueError):
    """A convolution whose weights take fewer input channels than its images have, found in the
    complete graph (check_convolutions). Shape inference lets it through when they divide (it
    reads it as a grouped convolution); then oneDNN's kernels train it and TensorFlow's own refuse
    it at the first sess.run, so a learner's machine decides. The workshop refuses it on all."""

    def __init__(self, op):
        channels, taken = _depths(op)
        super().__init__("%s: %s channels, weights for %s" % (op.name, channels, taken))
        self.op = op


def _depths(op):
    """A Conv2D's (input channels, the weights' input channels), each None where unknown."""
    images, weights = (shape_dims(t.shape) for t in op.inputs[:2])
    return (
        images[3] if images and len(images) == 4 else None,
        weights[2] if weights and len(weights) == 4 else None,
    )


def check_convolutions(graph):
    """Raises ConvolutionDepths for the first convolution of the graph whose depths differ."""
    for op in graph.get_operations():
        if op.type == "Conv2D" and len(op.inputs) >= 2:
            channels, taken = _depths(op)
            if None not in (channels, taken) and channels != taken:
                raise ConvolutionDepths(op)


def convolution_depths(error, learner):
    """The paragraph for ConvolutionDepths: the convolution's own line, its names, the fix."""
    if not isinstance(error, ConvolutionDepths):
        return None
    op = error.op
    images, weights = op.inputs[0], op.inputs[1]
    advice = conv_advice(
        (learner.describe(images.op), shape_dims(images.shape)),
        (learner.describe(weights.op), shape_dims(weights.shape)),
    )
    return (
        "The network cannot be built: %s. %s TensorFlow itself lets this through (it reads it as "
        "a grouped convolution, which some processors train and others refuse), so the workshop "
        "stops it here, on every machine." % (learner.built_at(op) or learner.line, advice)
    )


def refused_while_building(error, learner):
    """A layer whose shapes do not fit, refused by shape inference while the graph is built."""
    if not isinstance(error, ValueError) or not raised_by_tensorflow(learner):
        return None
    refusal = wording.BUILD_REFUSAL.match(str(error).strip())
    if not refusal:
        return None
    graph = tf.get_default_graph()
    inputs, ops = [], []
    for name, shape in zip(refusal["inputs"].split(","), wording.SHAPE.findall(refusal["shapes"])):
        name = name.strip().split(":")[0]
        try:
            op = graph.get_operation_by_name(name)
        except (KeyError, ValueError):
            op = None
        inputs.append((learner.describe(op) if op is not None else name, shape_dims(shape)))
        ops.append(op)
    kind, what = refusal["type"], refusal["what"].strip()
    if kind in ("MatMul", "BatchMatMulV2") and len(inputs) == 2:
        advice = (
            weights_first(ops[0], ops[1], None, learner)
            or _flatten_advice(inputs[0], ops[0], inputs[1], learner)
            or _matmul_advice(*inputs)
        )
    elif kind == "Conv2D" and len(inputs) == 2:
        advice = conv_advice(*inputs)
    elif kind in ("AddV2", "Add", "BiasAdd", "Sub", "Mul") and len(inputs) == 2:
        advice = _swapped_before(ops, inputs, learner) or _elementwise_advice(
            *inputs, ops[0], learner
        )
    elif kind == "Reshape" and inputs:
        advice = _reshape_advice(inputs[0], str(error))
    elif kind == "ConcatV2":
        advice = _concat_advice(inputs[:-1])
    else:
        given = ", ".join("%s %s" % (name, shape_text(dims)) for name, dims in inputs)
        advice = "%s (%s) cannot be made from %s: %s." % (
            FUNCTIONS.get(kind, kind),
            refusal["node"],
            given,
            what.rstrip("."),
        )
    return "The network cannot be built: %s. %s" % (learner.line, advice)


def raised_by_tensorflow(learner):
    """Whether the error was raised inside TensorFlow's own code, called by the learner's."""
    return inside(learner.inside[-1].f_code.co_filename, TENSORFLOW_FOLDER)


def _size(dims):
    """The number of values per image of a shape [batch, ...], or None if not known."""
    if dims is None or len(dims) < 2 or None in dims[1:]:
        return None
    return int(np.prod(dims[1:]))


def _matmul_advice(left, right):
    (a, a_dims), (b, b_dims) = left, right
    text = "tf.matmul multiplies %s %s by %s %s" % (a, shape_text(a_dims), b, shape_text(b_dims))
    if a_dims is None or b_dims is None or len(b_dims) < 2 or not a_dims:
        return text + ": a matrix product needs two matrices, [rows, n] and [n, columns]."
    last, first = a_dims[-1], b_dims[-2]
    text += (
        ": a matrix product takes [batch, n] by [n, columns], so the last dimension of %s (%s) "
        "must equal the first dimension of %s (%s)." % (a, last, b, first)
    )
    if len(a_dims) > 2:
        size = _size(a_dims)
        flat = "XX" if a == "X" else "YY"  # the steps' names for flattened images
        return text + (
            " %s still holds images, %s: flatten them into lines first, as the steps do: "
            "%s = tf.reshape(%s, [-1, %s]), then tf.matmul(%s, %s)%s."
            % (
                a,
                shape_text(a_dims),
                flat,
                a,
                size or "...",
                flat,
                b,
                "" if size in (None, first) else ", with %s [%s, %s]" % (b, size, b_dims[-1]),
            )
        )
    return text + (
        " The weights of a dense layer are [neurons in, neurons out]: give %s %s rows, the values "
        "each image has coming in from the layer before, or change that layer to give %s."
        % (b, last, first)
    )


def _flatten_advice(flat, op, weights, learner):
    """When a matmul's input is a tf.reshape that did not flatten each image whole: the steps'
    YY = tf.reshape(Y3, [-1, 7 * 7 * M]) with a wrong count."""
    if op is None or op.type != "Reshape":
        return None
    source = op.inputs[0]
    size, (name, dims) = _size(shape_dims(source.shape)), flat
    if size is None or not dims or dims[-1] in (None, size):
        return None
    source_dims = shape_dims(source.shape)
    return (
        "%s = tf.reshape(%s, [-1, %s]) does not flatten each image of %s %s whole: each has "
        "%s = %d values. Flatten with [-1, %d]%s."
        % (
            name,
            learner.describe(source.op),
            dims[-1],
            learner.describe(source.op),
            shape_text(source_dims),
            "*".join(str(d) for d in source_dims[1:]),
            size,
            size,
            ""
            if weights[1] and weights[1][0] == size
            else ", and give %s %d rows" % (weights[0], size),
        )
    )


def conv_advice(images, weights):
    (a, a_dims), (w, w_dims) = images, weights
    text = "tf.nn.conv2d convolves %s %s with the weights %s %s" % (
        a,
        shape_text(a_dims),
        w,
        shape_text(w_dims),
    )
    if a_dims is not None and len(a_dims) != 4:
        return text + (
            ": a convolution takes images, [batch, height, width, channels], and %s is not: "
            "give it images, X itself or the output of the convolution before." % a
        )
    if w_dims is None or len(w_dims) != 4:
        return text + (
            ": a convolution's weights are [patch height, patch width, input channels, output "
            "channels], four dimensions."
        )
    channels = a_dims[3] if a_dims else None
    return text + (
        ": a convolution's weights are [patch height, patch width, input channels, output "
        "channels], so the third dimension of %s (%s) must be the channels of %s, %s (the output "
        "channels of the layer before). Make %s [%s, %s, %s, %s]."
        % (w, w_dims[2], a, channels, w, w_dims[0], w_dims[1], channels, w_dims[3])
    )


def weights_first(a_op, b_op, product, learner, added=None):
    """When a matrix product has the weights and the data in each other's places,
    tf.matmul(W1, XX): what that makes, and the product the other way round. product: its result,
    when the error came later, at the addition of `added` (name, shape: the biases), else None."""
    if a_op is None or b_op is None or variable_behind(a_op.outputs[0]) is None:
        return None
    data = [p for p in placeholders_behind(b_op) if p.outputs[0].shape.rank]
    if not data or placeholders_behind(a_op):
        return None
    a, b = learner.describe(a_op), learner.describe(b_op)
    a_dims, b_dims = shape_dims(a_op.outputs[0].shape), shape_dims(b_op.outputs[0].shape)
    images = max(data, key=lambda p: p.outputs[0].shape.rank)
    source = learner.describe(images)
    text = (
        "tf.matmul(%s, %s) has the weights and the data in each other's places: %s %s is a "
        "weight (a tf.Variable), and %s %s %s."
        % (
            a,
            b,
            a,
            shape_text(a_dims),
            b,
            shape_text(b_dims),
            "is the data" if b == source else "comes from the data, %s" % source,
        )
    )
    if product is not None:
        text += (
            " Weights first, the product is %s whatever the number of images (TensorFlow cannot "
            "check it while the batch size is unknown), and %s cannot be added to it."
            % (
                shape_text(shape_dims(product.shape)),
                "%s %s" % (added[0], shape_text(added[1])) if added else "the next value",
            )
        )
    text += " A dense layer takes the data first, one row per image: tf.matmul(%s, %s)" % (b, a)
    if not (a_dims and len(a_dims) == 2 and b_dims and len(b_dims) == 2):
        return text + "."
    text += " gives [batch, %s], one row of %s values per image" % (a_dims[-1], a_dims[-1])
    if added and added[1] == [a_dims[-1]]:
        text += ", and %s %s adds to it" % (added[0], shape_text(added[1]))
    return text + "."


def _swapped_before(ops, inputs, learner):
    """An addition that fails because the matrix product before it has its operands swapped:
    the biases are not what is wrong."""
    for index, op in enumerate(ops):
        if op is not None and op.type in ("MatMul", "BatchMatMulV2") and len(op.inputs) == 2:
            added = inputs[1 - index]
            a, b = op.inputs[0].op, op.inputs[1].op
            text = weights_first(a, b, op.outputs[0], learner, added)
            if text:
                return text
    return None


def _elementwise_advice(left, right, product, learner):
    (a, a_dims), (b, b_dims) = left, right
    text = "%s %s and %s %s do not fit together: their last dimensions must be equal" % (
        a,
        shape_text(a_dims),
        b,
        shape_text(b_dims),
    )
    layer = _layer_weights(product, learner)
    if layer and b_dims and len(b_dims) == 1 and a_dims and len(a_dims) > 1:
        (w, w_dims), kind = layer
        neurons, before = w_dims[-1], w_dims[-2]
        unit = "channel" if kind == "conv" else "neuron"
        text += (
            ". Biases hold one value per %s of their layer, and its weights %s %s give %s %ss: "
            "%s must be [%s]" % (unit, w, shape_text(w_dims), neurons, unit, b, neurons)
        )
        if b_dims[0] == before:  # the size of the layer before: the biases are what is wrong
            return text + " (%s has %s values, as many as the layer before gives)." % (b, before)
        made = list(w_dims[:-1]) + [b_dims[0]]
        return text + (
            "; or, if the layer is meant to have %s %ss, %s must be %s (and the next layer's "
            "weights take %s %s)."
            % (
                b_dims[0],
                unit,
                w,
                shape_text(made),
                b_dims[0],
                "channels" if unit == "channel" else "rows",
            )
        )
    return text + " (or one of them 1)."


def _layer_weights(product, learner):
    """((name, shape), "dense" or "conv") of the weights of a matmul or a convolution whose
    result an addition takes, when the data comes first and the weights are a variable."""
    if product is None or product.type not in ("MatMul", "BatchMatMulV2", "Conv2D"):
        return None
    data, weights = product.inputs[0], product.inputs[1]
    dims = shape_dims(weights.shape)
    if variable_behind(weights) is None or not dims or not placeholders_behind(data.op):
        return None
    return (learner.describe(weights.op), dims), "conv" if product.type == "Conv2D" else "dense"


def _reshape_advice(source, message):
    a, a_dims = source
    target = wording.RESHAPE_TARGET.search(message)
    target = shape_text(shape_dims(target["shape"])) if target else "the shape asked for"
    size = _size(a_dims)
    text = "tf.reshape cannot turn %s %s into %s" % (a, shape_text(a_dims), target)
    if size is None:
        return text + ": the number of values must stay the same."
    return text + (
        ": each image has %d values there (%s), and they must all fit in the new shape. Flatten "
        "with tf.reshape(%s, [-1, %d]), and give the next layer's weights %d rows."
        % (size, " x ".join(str(d) for d in a_dims[1:]), a, size, size)
    )


def _concat_advice(parts):
    listed = ", ".join("%s %s" % (name, shape_text(dims)) for name, dims in parts)
    return (
        "tf.concat joins %s: they must have the same number of dimensions, and the same sizes "
        "except along the axis they are joined on. To put all weights (or biases) in one line, "
        "as allweights does, flatten each one first: tf.reshape(W, [-1])." % listed
    )


def types_differ(error, learner):
    """Two values of different types in one operation (an int32 constant added to float32)."""
    found = wording.TYPES_DIFFER.search(str(error))
    if not isinstance(error, TypeError) or not found or not raised_by_tensorflow(learner):
        return None
    operation = OPERATORS.get(found["op"])
    operation = "'%s'" % operation if operation else FUNCTIONS.get(found["op"], found["op"])
    return (
        "The network cannot be built: %s. %s takes values of one type, and is given %s and %s: "
        "TensorFlow does not convert between them. The workshop's tensors are all float32: make "
        "the other one float32 too (tf.constant(0.1, tf.float32, [K]), tf.ones([K])), or convert "
        "it with tf.cast(..., tf.float32)."
        % (learner.line, operation, found["one"], found["other"])
    )
