"""The learner's network held to what a workshop network is, once its graph is complete (when the
script makes MnistDataVis), before anything trains.

A workshop network is a chain: the images placeholder, the layers (each a product with weights,
a bias added, an activation, maybe dropout), the logits, the loss, the accuracy. The data comes
from placeholders and the weights and biases are Variables, so every operand is known by where it
comes from, never by its shape. The checks below are registered in the order they run (the first
that finds a mistake stops the run with its paragraph): the data placeholders (any number of
images), the loss (its arguments, what the optimizer is given, the softmax's cross-entropy), the
softmax's axis, dropout that the test can switch off, the accuracy (digits compared with digits,
along the digits' axis), every weight on the chain once (a Keras layer's own weights named),
every layer kept, every bias fitting its layer. Each names the learner's tensors
and lines, and where it proposes a fix, the fix is the learner's line rewritten.
A learner's page: docs/errors.md.
"""

import ast
import linecache
import math
import pathlib
import re

import numpy as np
import tensorflow.compat.v1 as tf

from visu.explain.learner import (
    FUNCTIONS,
    Learner,
    graph_keys,
    ops_behind,
    placeholders_behind,
    shape_dims,
    shape_text,
)

CHECKS = []  # the checks before training, in the order they run (the order they are written)

PRODUCTS = ("MatMul", "BatchMatMulV2", "Conv2D")
ELEMENTWISE = ("AddV2", "Add", "BiasAdd", "Sub", "Mul")
LOSSES = ("SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits")
PASS_THROUGH = ("Identity", "ReadVariableOp", "Reshape")
DIGITS = 10
ACTIVATIONS = ("Relu", "Sigmoid", "Tanh", "Softmax")


def check(function):
    """Registers a check of the complete graph: function(network) -> paragraph or None."""
    CHECKS.append(function)
    return function


class NetworkMistake(ValueError):
    """A mistake found in the complete graph: its paragraph, raised before training so that the
    learner's script stops there (visu/explain/errors.py tells it as it is)."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text


class Script(Learner):
    """The learner's script as the checks find it: its names (its variables, by identity) and the
    lines that built each operation. No error is needed: the names come from its namespace."""

    def __init__(self, path, namespace):
        self.script = pathlib.Path(path).resolve()
        self.frames, self.lines, self.inside = [], [], []
        self._namespace = dict(namespace)
        self._names = {}
        for name, value in self._namespace.items():
            if not name.startswith("__"):
                for key in graph_keys(value):
                    self._names.setdefault(key, name)

    def namespaces(self):
        return [self._namespace]

    def source(self, lineno):
        """The code of one line of the script, without its comment."""
        text = linecache.getline(str(self.script), lineno).rstrip("\n")
        return text.split("  # ", 1)[0].rstrip()

    def at(self, lineno):
        return self.where(str(self.script), lineno)

    def assigned_at(self, name):
        """The line that gives the script's variable `name` its value (the last one), or None."""
        pattern = re.compile(r"^\s*%s\s*=(?!=)" % re.escape(name))
        lines = linecache.getlines(str(self.script))
        found = [n for n, text in enumerate(lines, 1) if pattern.match(text)]
        return found[-1] if found else None


def rewritten(source, pattern, replacement, count=0):
    """The line with the change made, or None when the pattern is not in it."""
    changed, made = re.subn(pattern, replacement, source, count=count)
    return changed.strip() if made else None


def digits_compared(source, one_hot):
    """The line's tf.equal(...) rewritten to compare digits with digits, when one of its operands
    is a one-hot tensor (one_hot(name) says which names are) and the other a digit (an argmax,
    maybe cast): tf.equal(tf.argmax(Y, 1), Y_) -> tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1)).
    Returns (the one-hot operand's text, the rewritten line) or None."""
    code = source.strip()
    try:
        tree = ast.parse(code.rstrip(":"), mode="exec")
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) != 2:
            continue
        if not ast.unparse(node.func).endswith("equal"):
            continue
        subjects, bare = [], []
        for arg in node.args:
            while _called(arg, "cast") and arg.args:
                arg = arg.args[0]
            if _called(arg, "argmax") and arg.args:
                subjects.append(ast.unparse(arg.args[0]))
                bare.append(False)
            else:
                subjects.append(ast.unparse(arg))
                bare.append(True)
        one_hot_bare = [s for s, b in zip(subjects, bare) if b and one_hot(s)]
        if not one_hot_bare or any(b and not one_hot(s) for s, b in zip(subjects, bare)):
            continue
        fixed = "%s(tf.argmax(%s, 1), tf.argmax(%s, 1))" % (ast.unparse(node.func), *subjects)
        segment = ast.get_source_segment(code, node)
        if segment is None:
            continue
        return one_hot_bare[0], code.replace(segment, fixed, 1)
    return None


def _called(node, function):
    return isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == function


def one_hot_names(namespaces):
    """one_hot(name): whether the name is, in these namespaces, a tensor of 10 values per image."""

    def one_hot(name):
        for namespace in namespaces:
            if name in namespace:
                dims = (
                    shape_dims(getattr(namespace[name], "shape", None))
                    if isinstance(namespace[name], tf.Tensor)
                    else None
                )
                return bool(dims) and len(dims) == 2 and dims[-1] == DIGITS
        return False

    return one_hot


class Network:
    """The graph as a workshop network: its loss (what the optimizer minimises), the chain of
    operations the loss is computed from, the placeholders, and the script's weights and biases."""

    def __init__(self, graph, namespace, script):
        self.graph = graph
        self.script = Script(script, namespace)
        ops = graph.get_operations()
        self.loss = _loss_of(graph, ops)
        self.chain = (
            {op.name for op in ops_behind(self.loss.op)} if self.loss is not None else set()
        )
        placeholders = [op for op in ops if op.type == "Placeholder"]
        self.images = _images_placeholder(placeholders)
        self.labels = next(
            (
                p
                for p in placeholders
                if len(shape_dims(p.outputs[0].shape) or []) == 2
                and shape_dims(p.outputs[0].shape)[-1] == DIGITS
                and p.outputs[0].dtype.is_floating
            ),
            None,
        )
        with graph.as_default():
            trainable = tf.trainable_variables()
        self.variables = [
            op
            for op in (_handle(v) for v in trainable)
            if self.script.made_by_script(op) and not _optimizer_scope(op.name)
        ]

    def on_chain(self, op):
        return op.name in self.chain

    def is_data(self, tensor):
        return self.images is not None and self.images in placeholders_behind(tensor.op)

    def uses(self, handle, chain_only=True):
        """The operations that take a variable's value (through its reads), on the chain only."""
        found, todo, seen = [], [t for t in handle.outputs], set()
        while todo:
            tensor = todo.pop()
            for consumer in tensor.consumers():
                if consumer.name in seen or _optimizer_scope(consumer.name):
                    continue
                seen.add(consumer.name)
                if consumer.type in ("ReadVariableOp", "Identity"):
                    todo.extend(consumer.outputs)
                elif not chain_only or self.on_chain(consumer):
                    found.append(consumer)
        return found

    def line(self, op):
        return self.script.line_number(op)

    def name(self, thing):
        return self.script.name(thing)

    def describe(self, op):
        return self.script.describe(op)

    def mistakes(self):
        """The first mistake the checks find, as its paragraph, or None."""
        if self.loss is None or self.images is None:
            return None  # not a workshop network: nothing to hold it to
        for found in CHECKS:
            text = found(self)
            if text:
                return text
        return None


def check_network(graph, namespace, script):
    """Raises NetworkMistake for the first mistake in the complete graph; returns the Network,
    or None when the graph is no workshop network (no optimizer, no images placeholder)."""
    network = Network(graph, namespace, script)
    if network.loss is None or network.images is None:
        return None  # not a workshop network: nothing to hold it to, now or while it trains
    text = network.mistakes()
    if text:
        raise NetworkMistake(text)
    return network


# --- the graph ---------------------------------------------------------------------------------


def _loss_of(graph, ops):
    """The tensor the (first) optimizer minimises: what tf.gradients starts from, found by the
    shape it is asked (a loss of unknown shape) or by the gradient its first gradient op is of."""
    for op in ops:
        if op.type != "Fill" or not re.match(r"^gradients(_\d+)?/grad_ys_0$", op.name):
            continue
        shape = op.inputs[0].op
        if shape.type == "Shape" and shape.inputs:
            return shape.inputs[0]
        for consumer in op.outputs[0].consumers():
            found = re.match(r"^gradients(?:_\d+)?/(.+?)_grad/", consumer.name)
            try:
                return graph.get_operation_by_name(found[1]).outputs[0] if found else None
            except (KeyError, ValueError):
                continue
    return None


def _images_placeholder(placeholders):
    """The images: the float placeholder holding 784 values per image (28x28x1 or flattened)."""
    for op in placeholders:
        dims = shape_dims(op.outputs[0].shape)
        if dims and len(dims) >= 2 and None not in dims[1:] and math.prod(dims[1:]) == 784:
            return op
    return None


def _handle(variable):
    return variable.handle.op if hasattr(variable, "handle") else variable.op


def _optimizer_scope(name):
    return bool(
        re.match(r"^(gradients(_\d+)?|\w*(Adam|GradientDescent|Momentum|RMSProp)\w*)/", name)
    )


def source_op(tensor):
    """The operation behind a tensor, through reads, identities and the reshapes a function of
    TensorFlow's made of its argument."""
    op = tensor.op
    while op.type in PASS_THROUGH and op.inputs and (op.type != "Reshape" or "/" in op.name):
        op = op.inputs[0].op
    return op


def variables_behind(op):
    """The variable operations an operation's value is computed from."""
    return [current for current in ops_behind(op) if current.type in ("VarHandleOp", "VariableV2")]


def const_value(tensor):
    """A constant's value (through casts and identities), else None."""
    op = tensor.op
    while op.type in ("Cast", "Identity") and op.inputs:
        op = op.inputs[0].op
    if op.type != "Const":
        return None
    return tf.make_ndarray(op.get_attr("value"))


# --- the checks, in the order they run --------------------------------------------------------


@check
def data_takes_any_number_of_images(net):
    """The images' and labels' placeholders leave their first dimension open (None): it counts
    the images fed at once, 100 in a training batch and all the test images when testing."""
    for placeholder in (net.images, net.labels):
        if placeholder is None:
            continue
        dims = shape_dims(placeholder.outputs[0].shape)
        if not dims or dims[0] is None:
            continue
        line = net.line(placeholder)
        name = net.name(placeholder) or placeholder.name
        fix = line and rewritten(
            net.script.source(line),
            r"(placeholder\(\s*[^\[\]]*?(?:shape\s*=\s*)?\[)\s*[^,\]]+",
            r"\g<1>None",
            1,
        )
        return (
            "%s holds %d images, no more and no fewer: %s. The first dimension of a placeholder "
            "of data counts the images fed at once: a training batch holds %s, the test feeds "
            "all its images, so it is left open: None.%s"
            % (
                name,
                dims[0],
                net.script.at(line) if line else placeholder.name,
                "100" if dims[0] != 100 else "100 (BATCH_SIZE)",
                " Write: %s" % fix if fix else "",
            )
        )
    return None


@check
def loss_takes_logits_and_labels(net):
    """softmax_cross_entropy_with_logits: the logits (before the softmax) as logits=, the one-hot
    correct answers as labels=."""
    for op in net.graph.get_operations():
        if op.type not in LOSSES or not net.on_chain(op):
            continue
        logits, labels = source_op(op.inputs[0]), source_op(op.inputs[1])
        line = net.line(op)
        if line is None:
            continue
        source = net.script.source(line)
        where = net.script.at(line)
        logits_name, labels_name = net.describe(logits), net.describe(labels)
        if variables_behind(labels) and not variables_behind(logits):
            fix = rewritten(
                source,
                r"logits\s*=\s*(\w+)\s*,\s*labels\s*=\s*(\w+)",
                r"logits=\2, labels=\1",
            ) or rewritten(
                source, r"labels\s*=\s*(\w+)\s*,\s*logits\s*=\s*(\w+)", r"labels=\2, logits=\1"
            )
            return (
                "The loss is given its two arguments in each other's places: %s. logits= takes "
                "what the network computes (%s is the correct answers) and labels= the correct "
                "answers (%s comes from the weights). Write: %s"
                % (
                    where,
                    logits_name,
                    labels_name,
                    fix or "logits=%s, labels=%s" % (labels_name, logits_name),
                )
            )
        width = (shape_dims(logits.outputs[0].shape) or [None])[-1]
        if variables_behind(logits) and width not in (None, DIGITS):
            return (
                "The loss is given %s as its logits: %s. %s holds %d values per image, where the "
                "logits hold one per digit, 10: the values of the last layer, before its softmax."
                % (logits_name, where, logits_name, width)
            )
        if logits.type == "Softmax":
            before = net.name(logits.inputs[0].op)
            fix = before and rewritten(
                source, r"logits\s*=\s*%s\b" % re.escape(logits_name), "logits=%s" % before
            )
            made = net.line(logits)
            if not fix and made and made != line and net.name(logits):
                # Ylogits = tf.nn.softmax(...): the logits are what the softmax is given
                fix = rewritten(net.script.source(made), r"tf\.nn\.softmax\((.*)\)\s*$", r"\1", 1)
                where = "%s, given %s, made at %s" % (where, logits_name, net.script.at(made))
            return (
                "The loss is given probabilities as its logits: %s. %s is already a softmax, and "
                "the loss applies one itself: two softmaxes squeeze every answer towards 0.1, so "
                "the network learns slowly if at all. Give it the values before the softmax%s"
                % (where, logits_name, ". Write: %s" % fix if fix else ".")
            )
        if net.labels is not None and net.labels not in placeholders_behind(labels):
            fix = rewritten(
                source,
                r"labels\s*=\s*%s\b" % re.escape(labels_name),
                "labels=%s" % net.name(net.labels),
            )
            return (
                "The loss is not given the correct answers: %s. labels=%s is not the one-hot "
                "labels placeholder %s, which the feeds give the correct digits. Write: %s"
                % (
                    where,
                    labels_name,
                    net.name(net.labels),
                    fix or "labels=%s" % net.name(net.labels),
                )
            )
    return None


@check
def log_takes_probabilities(net):
    """A hand-written cross-entropy -sum(Y_ * log(Y)): log of the softmax's probabilities."""
    for op in net.graph.get_operations():
        if op.type != "Log" or not net.on_chain(op) or not net.script.made_by_script(op):
            continue
        given = source_op(op.inputs[0])
        seen = [given] + [
            t.op for t in given.inputs if given.type in ("Maximum", "ClipByValue", "AddV2", "Add")
        ]
        if any(o.type in ("Softmax", "Sigmoid") for o in seen):
            continue
        line = net.line(op)
        name = net.describe(given)
        softmax = next(
            (c for c in given.outputs[0].consumers() if c.type == "Softmax" and net.name(c)), None
        )
        fix = None
        if softmax is not None and line:
            fix = rewritten(
                net.script.source(line),
                r"log\(\s*%s\s*\)" % re.escape(name),
                "log(%s)" % net.name(softmax),
            )
        return (
            "The cross-entropy takes the log of %s, which is not a probability: %s. "
            "-sum(Y_ * log(Y)) needs Y, the softmax's probabilities (between 0 and 1)%s"
            % (
                name,
                net.script.at(line) if line else "its line",
                ". Write: %s" % fix if fix else ".",
            )
        )
    return None


@check
def loss_uses_the_correct_answers(net):
    if net.labels is None or net.labels in placeholders_behind(net.loss.op):
        return None
    line = net.line(net.loss.op)
    return (
        "The loss does not use the correct answers: %s does not depend on %s, the placeholder the "
        "feeds give the one-hot labels, so there is nothing to learn from. The loss compares the "
        "network's answers with %s: tf.nn.softmax_cross_entropy_with_logits_v2(logits=..., "
        "labels=%s)."
        % (
            net.script.at(line) if line else net.describe(net.loss.op),
            net.name(net.labels),
            net.name(net.labels),
            net.name(net.labels),
        )
    )


@check
def accuracy_along_the_digits(net):
    """tf.argmax(Y, 1): the most probable digit of each image, along the digits' axis."""
    for op in net.graph.get_operations():
        if op.type != "ArgMax" or not net.script.made_by_script(op):
            continue
        dims = shape_dims(op.inputs[0].shape)
        axis = const_value(op.inputs[1])
        if not dims or dims[-1] != DIGITS or axis is None:
            continue
        if int(axis) in (len(dims) - 1, -1):
            continue
        line = net.line(op)
        name = net.describe(op.inputs[0].op)
        fix = line and rewritten(
            net.script.source(line),
            r"argmax\(\s*(\w+)\s*,\s*(axis\s*=\s*|dimension\s*=\s*)?%d\s*\)" % int(axis),
            r"argmax(\1, \g<2>1)",
        )
        return (
            "The accuracy compares the wrong axis: %s. tf.argmax(%s, %d) takes, for each digit, "
            "the image that is most probably it (axis %d is the %s); the most probable digit of "
            "each image is along axis 1, the 10 digits. Write: %s"
            % (
                net.script.at(line) if line else "tf.argmax",
                name,
                int(axis),
                int(axis),
                "batch" if int(axis) == 0 else "axis %d" % int(axis),
                fix or "tf.argmax(%s, 1)" % name,
            )
        )
    one_hot = one_hot_names(net.script.namespaces())
    for op in net.graph.get_operations():
        if op.type != "Equal" or not net.script.made_by_script(op) or not net.line(op):
            continue
        sources = [_through_casts(t.op) for t in op.inputs]
        wide = [s for s in sources if (shape_dims(s.outputs[0].shape) or [None])[-1] == DIGITS]
        found = digits_compared(net.script.source(net.line(op)), one_hot)
        if not wide or not found:
            continue
        return _digits_text(net.script.at(net.line(op)), found)
    for op in net.graph.get_operations():
        if op.type != "Equal" or not net.script.made_by_script(op):
            continue
        compared = [t.op for t in op.inputs if t.op.type == "ArgMax"]
        for argmax in compared:
            dims = shape_dims(argmax.inputs[0].shape)
            if len(compared) != 2 or not dims or dims[-1] in (None, DIGITS):
                continue
            line = net.line(op)
            name = net.describe(argmax.inputs[0].op)
            made = net.line(argmax.inputs[0].op)
            if made and made != line:
                name_made = "%s (made at line %d)" % (name, made)
            else:
                name_made = name
            return (
                "The accuracy compares %s, which is not the network's answers: %s. %s is %s, and "
                "the accuracy compares the most probable of 10 digits, tf.argmax(Y, 1), with the "
                "correct one, tf.argmax(%s, 1)."
                % (
                    name,
                    net.script.at(line) if line else "its line",
                    name_made,
                    shape_text(dims),
                    net.name(net.labels) if net.labels is not None else "Y_",
                )
            )
    for name, value in net.script.namespaces()[0].items():
        if not isinstance(value, bool) or name.startswith("_"):
            continue
        line = net.script.assigned_at(name)
        source = net.script.source(line) if line else ""
        if "==" not in source or "tf." not in source:
            continue
        fix = rewritten(source, r"=\s*(.+?)\s*==\s*(.+)$", r"= tf.equal(\1, \2)")
        return (
            "%s is %s, a Python bool, not a tensor: %s. == between two tensors compares the "
            "Python objects, not their values, so the accuracy is a constant. tf.equal compares "
            "them image by image. Write: %s" % (name, value, net.script.at(line), fix)
        )
    return None


def _through_casts(op):
    while op.type in ("Cast", "Identity") and op.inputs:
        op = op.inputs[0].op
    return op


def _digits_text(where, found):
    """tf.equal given a digit and a one-hot: what it compares, and the line rewritten."""
    one_hot, fix = found
    if "argmax" not in where:  # neither side is a digit
        return (
            "The accuracy compares 10 values with 10 values: %s. tf.equal compares them one by "
            "one, where the accuracy compares each image's most probable digit, tf.argmax(..., "
            "1), with its correct digit. Write: %s" % (where, fix)
        )
    return (
        "The accuracy compares a digit with a one-hot: %s. tf.argmax gives each image's most "
        "probable digit (0 to 9), and %s holds each image's answer one-hot (10 values, one of them "
        "1). Compare digits with digits: the correct digit is tf.argmax(%s, 1). Write: %s"
        % (where, one_hot, one_hot, fix)
    )


@check
def loss_is_the_cross_entropy_the_optimizer_lowers(net):
    """The optimizer lowers the loss: minimize(-cross_entropy) raises it."""
    op = net.loss.op
    if op.type != "Neg" or not net.name(op.inputs[0].op):
        return None
    name = net.name(op.inputs[0].op)
    if net.labels is None or net.labels not in placeholders_behind(op):
        return None
    minimizer = next(
        (o for o in net.graph.get_operations() if "Apply" in o.type and net.line(o)), None
    )
    line = net.line(minimizer) if minimizer is not None else None
    fix = line and rewritten(
        net.script.source(line), r"minimize\(\s*-\s*%s\b" % re.escape(name), "minimize(%s" % name
    )
    return (
        "The optimizer is given -%s: %s. minimize() makes what it is given smaller, and -%s "
        "smaller is %s larger: every step makes the network more wrong. Give it the loss itself%s"
        % (
            name,
            net.script.at(line) if line else "the optimizer's line",
            name,
            name,
            ". Write: %s" % fix if fix else ".",
        )
    )


@check
def loss_for_one_of_ten_digits(net):
    """The loss for one digit of ten: softmax_cross_entropy_with_logits_v2. A sigmoid's
    cross-entropy treats the 10 digits as 10 separate yes-or-no answers."""
    for op in net.graph.get_operations():
        if not re.match(r"^logistic_loss(_\d+)?/", op.name) or not net.on_chain(op):
            continue
        line = net.line(op)
        if line is None or not net.script.made_by_script(op):
            continue
        fix = rewritten(
            net.script.source(line),
            r"tf\.nn\.sigmoid_cross_entropy_with_logits\b",
            "tf.nn.softmax_cross_entropy_with_logits_v2",
        )
        return (
            "The loss is a sigmoid's cross-entropy: %s. It scores each of the 10 digits as a "
            "yes-or-no of its own, where each image is one digit of ten: the workshop's loss is "
            "the softmax's cross-entropy, which the softmax of the network's answers goes with%s"
            % (net.script.at(line), ". Write: %s" % fix if fix else ".")
        )
    return None


@check
def softmax_along_the_digits(net):
    """tf.nn.softmax(Ylogits): each image's probabilities over its 10 digits, along the last
    axis. Along axis 0, each digit's probabilities over the images of the batch."""
    for op in net.graph.get_operations():
        if op.type != "Softmax" or not net.script.made_by_script(op) or not op.inputs:
            continue
        given = op.inputs[0].op
        if given.type != "Transpose" or not given.inputs or not net.line(op):
            continue
        dims = shape_dims(given.inputs[0].shape)
        if not dims or dims[-1] != DIGITS:
            continue
        line = net.line(op)
        source = net.script.source(line)
        fix = rewritten(
            source, r"(softmax\(\s*[\w.]+)\s*,\s*(?:(?:axis|dim)\s*=\s*)?-?\d+\s*\)", r"\1)", 1
        )
        name = net.describe(given.inputs[0].op)
        return (
            "The softmax is taken along the wrong axis: %s. Each image's 10 values become its "
            "digits' probabilities along the last axis, the digits; along axis 0, the images of "
            "the batch, each digit gets probabilities over the images instead. tf.nn.softmax(%s) "
            "takes the last axis%s"
            % (net.script.at(line), name, ". Write: %s" % fix if fix else ".")
        )
    return None


@check
def dropout_switched_off_for_testing(net):
    """Dropout's rate fed by a placeholder (rate=1 - pkeep), so that the test, fed pkeep 1.0,
    measures the network without it. A constant rate drops neurons in the test too."""
    for op in net.graph.get_operations():
        found = re.match(r"^(dropout(_\d+)?)/GreaterEqual$", op.name)
        if not found or len(op.inputs) < 2 or not net.on_chain(op):
            continue
        rate = const_value(op.inputs[1])
        if rate is None or not np.size(rate) or float(np.reshape(rate, -1)[0]) == 0:
            continue
        line = net.line(op)
        if line is None:
            continue
        spare = [
            p
            for p in net.graph.get_operations()
            if p.type == "Placeholder"
            and p.outputs[0].shape.rank in (None, 0)
            and p.outputs[0].dtype.is_floating
            and not p.outputs[0].consumers()
            and net.name(p)
        ]
        source = net.script.source(line)
        fix = None
        if len(spare) == 1:
            fix = rewritten(source, r"rate\s*=\s*[\d.]+", "rate=1 - %s" % net.name(spare[0]), 1)
        return (
            "Dropout's rate is a constant, %g: %s. The test feed cannot switch it off, so the "
            "test figures measure the network with a share of its neurons dropped. The workshop "
            "feeds it: rate=1 - pkeep, pkeep a placeholder fed 0.75 in training and 1.0 in the "
            "test%s"
            % (
                float(np.reshape(rate, -1)[0]),
                net.script.at(line),
                ". Write: %s" % fix if fix else ".",
            )
        )
    return None


@check
def every_weight_used_once(net):
    """Each weight and bias of the script in one place of the chain: one used twice is named with
    both lines (and the one left unused, where there is one of its shape)."""
    unused = [h for h in net.variables if not net.uses(h)]
    for handle in net.variables:
        uses = sorted(
            {net.line(op): op for op in net.uses(handle) if net.line(op)}.items(),
            key=lambda item: item[0],
        )
        if len(uses) < 2:
            continue
        name = net.name(handle) or handle.name
        (first, _), (second, _) = uses[0], uses[1]
        shape = shape_dims(handle.outputs[0].shape) or shape_dims(_value_shape(handle))
        spare = [h for h in unused if shape_dims(_value_shape(h)) == shape and net.name(h)]
        text = (
            "%s is used in two places of the network: %s and %s. Each layer has weights and "
            "biases of its own." % (name, net.script.at(first), net.script.at(second))
        )
        if len(spare) == 1:
            other = net.name(spare[0])
            fix = rewritten(net.script.source(second), r"\b%s\b" % re.escape(name), other, 1)
            text += " %s (%s) is made and used nowhere: the second is meant to be %s. Write: %s" % (
                other,
                net.script.at(net.line(spare[0])) if net.line(spare[0]) else "",
                other,
                fix,
            )
        return text
    return None


def _value_shape(handle):
    try:
        return handle.get_attr("shape")
    except ValueError:
        return handle.outputs[0].shape


@check
def every_layer_on_the_chain(net):
    """Every weight and bias the script makes is in the chain the loss is computed from, and so
    is every dropout it makes: one made and left out is named, with the line that skipped it."""
    for handle in net.variables:
        if net.on_chain(handle):
            continue
        name = net.name(handle) or handle.name
        made = net.line(handle)
        users = net.uses(handle, chain_only=False)
        layer = _named_result(net, users)
        if layer is None:
            foreign = _layer_of_its_own(net, handle)
            if foreign:
                return foreign
            return (
                "%s is made (%s) and used nowhere in the network: the loss is not computed from "
                "it. Each weight and bias the script makes belongs to one layer, on the way from "
                "the images to the loss: use it in its layer, or take it out."
                % (name, net.script.at(made) if made else handle.name)
            )
        return _left_out(net, layer, "%s, made at line %s, goes into" % (name, made))
    for op in net.graph.get_operations():
        if not re.match(r"^dropout(_\d+)?/", op.name) or not op.outputs:
            continue
        if op.outputs[0].consumers():
            continue
        named = net.name(op)
        if named and net.is_data(op.outputs[0]):
            return _left_out(net, op, "%s is the dropout of" % named, dropout=True)
    return None


def _layer_of_its_own(net, unused):
    """A weight of the script left unused where a layer of Keras's (tf.keras.layers.Dense) takes
    its place with weights it made itself: that layer, its line, and the workshop's line that
    uses the script's own weights instead."""
    with net.graph.as_default():
        trainable = tf.trainable_variables()
    foreign = [
        _handle(v)
        for v in trainable
        if net.on_chain(_handle(v)) and not net.script.made_by_script(_handle(v))
    ]
    shape = shape_dims(_value_shape(unused))
    for kernel in foreign:
        if shape_dims(_value_shape(kernel)) != shape or not net.line(kernel):
            continue
        line = net.line(kernel)
        source = net.script.source(line)
        text = (
            "%s makes weights of its own (%s %s): %s. So %s (%s) is used nowhere. The workshop "
            "builds each layer by hand, from the weights and biases the script makes"
            % (
                _layer_call(source) or "This layer",
                kernel.name,
                shape_text(shape),
                net.script.at(line),
                net.name(unused),
                net.script.at(net.line(unused)) if net.line(unused) else unused.name,
            )
        )
        product = next((op for op in net.uses(kernel) if op.type in PRODUCTS), None)
        target = re.match(r"^\s*(\w+)\s*=", source)
        if product is None or product.type != "MatMul" or not target or len(shape) != 2:
            return text + "."
        data = [t for t in product.inputs if net.is_data(t)]
        bias = next(
            (
                h
                for h in net.variables
                if not net.uses(h) and shape_dims(_value_shape(h)) == [shape[1]] and net.name(h)
            ),
            None,
        )
        activation = _activation_after(product)
        if not data:
            return text + "."
        value = "tf.matmul(%s, %s)" % (net.describe(data[0].op), net.name(unused))
        if bias is not None:
            value += " + %s" % net.name(bias)
        if activation:
            value = "%s(%s)" % (activation, value)
        return text + ". Write: %s = %s" % (target[1], value)
    return None


def _activation_after(op, depth=3):
    """The activation function applied to an operation's value within a few operations."""
    for consumer in op.outputs[0].consumers():
        if consumer.type in ACTIVATIONS:
            return FUNCTIONS[consumer.type]
        if depth > 1 and consumer.type in ELEMENTWISE + ("Identity",):
            found = _activation_after(consumer, depth - 1)
            if found:
                return found
    return None


def _layer_call(source):
    found = re.search(r"(tf\.keras\.layers\.\w+|keras\.layers\.\w+|layers\.\w+)", source)
    return found[1] if found else None


def _named_result(net, users):
    """The nearest named tensor of the script computed from these operations (Y3 from W3)."""
    todo, seen = list(users), set()
    while todo:
        op = todo.pop(0)
        if op.name in seen:
            continue
        seen.add(op.name)
        if net.name(op) and net.line(op) and net.is_data(op.outputs[0]):
            return op
        todo.extend(c for t in op.outputs for c in t.consumers() if not _optimizer_scope(c.name))
    return None


def _left_out(net, layer, start, dropout=False):
    """The layer (a named op) that the chain skips: what it was computed from, and the line of the
    chain that takes that instead of it."""
    layer_name = net.name(layer)
    inputs = _data_inputs(net, layer)
    came_from = inputs[0].op if inputs else None
    skipping = None
    if came_from is not None:
        for consumer in came_from.outputs[0].consumers():
            if (
                net.on_chain(consumer)
                and net.line(consumer)
                and net.line(consumer) != net.line(layer)
            ):
                skipping = consumer
                break
    if dropout:
        text = "%s %s (%s), and nothing uses it" % (
            start,
            net.name(came_from) if came_from is not None else "a layer",
            net.script.at(net.line(layer)),
        )
    else:
        text = "%s %s (%s), but the loss does not depend on %s" % (
            start,
            layer_name,
            net.script.at(net.line(layer)),
            layer_name,
        )
    if skipping is None:
        return text + ": that layer is left out of the network."
    before = net.name(came_from)
    line = net.line(skipping)
    text = "%s: %s takes %s, the tensor %s was made from, so %s is left out" % (
        text,
        net.script.at(line),
        before,
        layer_name,
        layer_name,
    )
    if shape_dims(layer.outputs[0].shape) != shape_dims(came_from.outputs[0].shape):
        return text + ": give the next layer %s, with weights that take its %s values." % (
            layer_name,
            (shape_dims(layer.outputs[0].shape) or ["?"])[-1],
        )
    fix = rewritten(net.script.source(line), r"\b%s\b" % re.escape(before), layer_name, 1)
    return text + ". Give it %s. Write: %s" % (layer_name, fix)


def _data_inputs(net, op):
    """The named data (not the weights) a layer's value is computed from, through the layer's
    own operations: Y3 = relu(matmul(Y2, W3) + B3) -> Y2."""
    todo, seen, found = [op], set(), []
    while todo:
        current = todo.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        for tensor in current.inputs:
            if not net.is_data(tensor):
                continue
            if net.name(tensor.op) or tensor.op.type == "Placeholder":
                found.append(tensor)
            else:
                todo.append(tensor.op)
    return found


@check
def every_bias_fits_its_layer(net):
    """A bias added to a layer holds one value per neuron (or channel): a broadcast that changes
    the layer's shape, or a single number for all neurons, is refused."""
    for op in net.graph.get_operations():
        if op.type not in ELEMENTWISE or "/" in op.name or not net.on_chain(op):
            continue
        if not net.script.made_by_script(op) or len(op.inputs) != 2:
            continue
        data = [t for t in op.inputs if net.is_data(t)]
        params = [t for t in op.inputs if not net.is_data(t) and variables_behind(t.op)]
        if len(data) != 1 or len(params) != 1 or op.type == "Mul":
            continue
        d, p, o = (shape_dims(t.shape) for t in (data[0], params[0], op.outputs[0]))
        if d is None or p is None or o is None or not d or d[-1] is None:
            continue
        bias = source_op(params[0])
        name = net.describe(bias)
        neurons = d[-1]
        line = net.line(op)
        if o == d and p and p[-1] == neurons and len(p) == 1:
            continue
        made = net.line(bias)
        value = _initial_value(bias)
        fix = "%s = tf.Variable(%s)" % (
            name,
            "tf.zeros([%d])" % neurons
            if not value
            else "tf.constant(%s, tf.float32, [%d])" % (value, neurons),
        )
        if o != d:
            what = "turns %s %s into %s: adding it broadcasts, and changes the layer's shape" % (
                net.describe(data[0].op),
                shape_text(d),
                shape_text(o),
            )
        else:
            what = "is %s for the %d %s of the layer" % (
                "one number" if math.prod(p) == 1 else shape_text(p),
                neurons,
                "channels" if len(d) == 4 else "neurons",
            )
        return (
            "The bias %s does not fit its layer: %s. %s %s %s. A bias holds one value per %s: "
            "make it [%d] where it is made (%s). Write: %s"
            % (
                name,
                net.script.at(line) if line else op.name,
                name,
                shape_text(p),
                what,
                "channel" if len(d) == 4 else "neuron",
                neurons,
                "line %s" % made if made else "its line",
                fix,
            )
        )
    return None


def _initial_value(handle):
    """The bias's starting value when it starts as one number (0.1), else None ('0': zeros)."""
    for op in handle.graph.get_operations():
        if op.type in ("AssignVariableOp", "Assign") and op.inputs and op.inputs[0].op is handle:
            value = const_value(op.inputs[1])
            if value is not None and value.size and (value == value.reshape(-1)[0]).all():
                first = float(value.reshape(-1)[0])
                return None if first == 0 else "%g" % first
            fill = op.inputs[1].op
            if fill.type == "Fill":
                first = const_value(fill.inputs[1])
                if first is not None:
                    return None if float(first) == 0 else "%g" % float(first)
    return None
