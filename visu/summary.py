"""The network a script built, described at the start of its run, as Keras's model.summary()
does: each layer with what it does, its output shape, its variables and their parameters, and
the total. It is read from the built graph and named by the script's own variables, so it shows
what the learner really built, whatever the drawing in the script's comment says.

A layer here is what one activation (relu, sigmoid, softmax, ...) closes: each trainable variable
belongs to the first activation its value flows into, or, in a layer without one, to the tensor
that the next layer's matmul or convolution takes.
A learner's page: docs/errors.md ("The network, described at the start of a run").
"""

import tensorflow.compat.v1 as tf

from visu.explain.learner import graph_keys, shape_text

ACTIVATIONS = {
    "Relu": "relu",
    "Relu6": "relu6",
    "Elu": "elu",
    "Selu": "selu",
    "LeakyRelu": "leaky relu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "Softmax": "softmax",
    "Softplus": "softplus",
}
_LAYER_OPS = ("MatMul", "BatchMatMulV2", "Conv2D", "DepthwiseConv2dNative")


def network_summary(graph, namespace):
    """The summary's lines as one text ("" when the graph has no trainable variable).
    namespace: the script's variables (its globals), which name the layers and variables."""
    with graph.as_default():
        variables = tf.trainable_variables()
    if not variables:
        return ""
    names = script_names(namespace)
    rows = [row(layer, names) for layer in layers(variables, names)]
    header = ("layer", "what it does", "output shape", "variables", "parameters")
    widths = [max(len(line[k]) for line in rows + [header]) for k in range(4)]
    lines = ["The network, as this script built it (from its graph):"]
    for line in [header] + rows:
        cells = [cell.ljust(width) for cell, width in zip(line[:4], widths)]
        lines.append("  " + "  ".join(cells) + "  " + line[4].rjust(len(header[4])))
    total = sum(parameters(v) for v in variables)
    lines.append(
        "  total: %s, %d trainable variables, %s parameters"
        % (_count(len(rows), "layer"), len(variables), "{:,}".format(total))
    )
    return "\n".join(lines)


def _count(n, what):
    return "%d %s%s" % (n, what, "" if n == 1 else "s")


def parameters(variable):
    """The number of values a variable holds."""
    count = 1
    for size in variable.shape.as_list():
        count *= size
    return count


def script_names(namespace):
    """The script's name of each TensorFlow object in its namespace, by graph_keys."""
    names = {}
    for name, value in namespace.items():
        if not name.startswith("_"):
            for key in graph_keys(value):
                names.setdefault(key, name)
    return names


class Layer:
    """A layer: the tensor it gives (its output), what it does, and its variables."""

    def __init__(self, output):
        self.output, self.variables, self.kinds = output, [], []


def layers(variables, names):
    """The layers the trainable variables make, in the order the graph computes them."""
    found = {}
    for variable in variables:
        output, kind = _layer_of(variable)
        key = output.name if output is not None else variable.name
        layer = found.setdefault(key, Layer(output))
        layer.variables.append(variable)
        if kind:
            layer.kinds.append(kind)
    ordered = sorted(found.values(), key=lambda layer: _order(layer))
    return ordered


def _order(layer):
    if layer.output is not None:
        return layer.output.op._id
    return min(v.handle.op._id for v in layer.variables)


def _layer_of(variable):
    """(the layer's output tensor or None, what the variable does in it) for one variable: the
    breadth-first walk from its value stops at the first activation, or at the next layer."""
    reads = [c for c in _consumers(variable.handle.op) if c.type == "ReadVariableOp"]
    kind = None
    todo, seen = [(read, None) for read in reads], set()
    while todo:
        op, came_in = todo.pop(0)
        for output in op.outputs:
            for consumer in output.consumers():
                if consumer.name in seen or consumer.name.startswith("gradients"):
                    continue
                seen.add(consumer.name)
                index = [t.name for t in consumer.inputs].index(output.name)
                if consumer.type in _LAYER_OPS and came_in is not None and index == 0:
                    return output, kind  # the next layer's input: this one has no activation
                if kind is None and came_in is None:
                    kind = _what(consumer, index)
                if consumer.type in ACTIVATIONS:
                    return consumer.outputs[0], kind
                todo.append((consumer, consumer.type))
    return None, kind


def _what(op, index):
    """What a variable does in the operation that first takes its value."""
    if op.type in ("MatMul", "BatchMatMulV2"):
        return "dense"
    if op.type == "Conv2D" and index == 1:
        height, width = op.inputs[1].shape.as_list()[:2]
        stride = op.get_attr("strides")[1]
        padding = op.get_attr("padding").decode()
        return "conv %dx%d, stride %d, %s" % (height, width, stride, padding)
    if "batchnorm" in op.name or op.type in ("FusedBatchNorm", "FusedBatchNormV3"):
        return "batch norm"
    return None


def _consumers(op):
    return [consumer for output in op.outputs for consumer in output.consumers()]


def row(layer, names):
    """(name, what it does, output shape, its variables, their parameters) of a layer, as text."""
    output = layer.output
    if output is None:
        name, shape, activation = "-", "-", None
    else:
        name = names.get(("tensor", output.name)) or "(%s)" % output.op.name
        shape = shape_text(None if output.shape.rank is None else output.shape.as_list())
        activation = ACTIVATIONS.get(output.op.type)
    kinds = list(dict.fromkeys(k for k in layer.kinds if k))
    kinds.sort(key=lambda kind: kind == "batch norm")  # dense or conv first
    what = ", ".join(kinds + ([activation] if activation else [])) or "-"
    listed = ", ".join(
        "%s %s" % (names.get(("op", v.handle.op.name), v.op.name), shape_text(v.shape.as_list()))
        for v in layer.variables
    )
    count = "{:,}".format(sum(parameters(v) for v in layer.variables))
    return name, what, shape, listed, count
