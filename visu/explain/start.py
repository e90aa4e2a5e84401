"""A healthy start, noted at once: at iteration 0 an untrained network's loss is near 100 x ln 10
(about 230: ten digits equally likely, for a batch of 100 images) and its accuracy near 0.1; a
cross-entropy is never negative; a network still at chance after its first 100 iterations is not
learning. A run that starts elsewhere gets one note, in the terminal and in the window, as soon as
its figures show it: naming the cause where what the note checked rules the others out (the
initial weights' scale, the learning rate, what the loss adds up), else saying what it saw.

The checks are registered in the order they run; each speaks once per run.
A learner's page: docs/errors.md.
"""

import math

import numpy as np

from visu.explain.learner import shape_dims
from visu.explain.network import _value_shape, const_value, rewritten

CHECKS = []  # (name, function(network, record, rows)), in the order they run
UNTRAINED_LOSS = 100 * math.log(10)  # 230.26: the loss of ten equally likely digits, x100
FAR = 3.0  # a start 3 times above or below it is far off (the steps start within 15% of it)
CLIMB = 10.0  # a training loss 10 times its start, early, is diverging
CHANCE = 0.2  # notes.NEAR_CHANCE: twice a guess's 0.1
LEARNING_BY = 100  # iterations by which every step is well above chance (its shipped curves)
WORKSHOP_STDDEV = 0.1
WORKSHOP_RATES = {"Adam": 0.003, "GradientDescent": 0.005}


def start_check(function):
    CHECKS.append(function)
    return function


class Start:
    """The start of a run, watched: after(i, record, rows) returns the notes to give now."""

    def __init__(self, network):
        self.network = network
        self.said = set()

    def after(self, i, record, rows=None):
        notes = []
        if i > LEARNING_BY or self.said:  # one note a run: the first cause explains the rest
            return notes
        for found in CHECKS:
            if found.__name__ in self.said:
                continue
            text = found(self.network, record, rows)
            if text:
                self.said.add(found.__name__)
                notes.append(text)
                break  # one cause at a time: the first found explains the rest
        return notes


def _training(record):
    iterations, accuracies, losses = (np.asarray(v, float) for v in record.train_curves)
    return iterations, accuracies, losses


@start_check
def weights_start_the_same(net, record, rows):
    """All the weights of a network of two layers or more start at one value (tf.zeros, tf.ones,
    tf.constant): every neuron of a layer computes the same and gets the same update."""
    found = _constant_weights(net)
    if not found:
        return None
    names, value, first = found
    fix = None
    line = net.line(first)
    if line:
        fix = rewritten(
            net.script.source(line),
            r"tf\.(?:zeros|ones)\(\s*(\[[^\]]*\])[^()]*\)"
            r"|tf\.(?:constant|fill)\(\s*(?:(\[[^\]]*\])\s*,\s*)?[-\d.]+(?:\s*,\s*tf\.float32)?"
            r"(?:\s*,\s*(?:shape\s*=\s*)?(\[[^\]]*\]))?\s*\)",
            lambda m: "tf.truncated_normal(%s, stddev=0.1)" % (m[1] or m[2] or m[3]),
            1,
        )
    return (
        "Note: %s start at %s: every neuron of a layer computes the same and gets the same "
        "update, so they never differ, and each layer works as one neuron: the network is not "
        "learning all it could.%s The workshop starts weights at small random values, each "
        "layer's its own: %s"
        % (
            names,
            "zero" if value == 0 else "%g" % value,
            " At %g, they are also %s: each layer multiplies the values it is given by as many "
            "weights as it has inputs." % (value, "large")
            if abs(value) > 3 * WORKSHOP_STDDEV
            else "",
            "as %s (%s): %s" % (net.name(first), net.script.at(line), fix)
            if fix
            else "tf.truncated_normal([...], stddev=0.1).",
        )
    )


@start_check
def accuracy_is_a_share(net, record, rows):
    """An accuracy is the share of images whose digit is right: between 0 and 1."""
    _, accuracies, _ = _training(record)
    test = np.asarray(record.test_curves[1], float)
    seen = [v for v in list(accuracies) + list(test) if np.isfinite(v) and not 0 <= v <= 1]
    if not seen:
        return None
    text = (
        "Note: the accuracy is %g, where an accuracy is the share of images whose digit is right, "
        "between 0 and 1." % seen[0]
    )
    found = _accuracy_line(net)
    if found is None:
        return text
    name, line = found
    fix = rewritten(net.script.source(line), r"tf\.reduce_sum\(", "tf.reduce_mean(", 1)
    if fix is None:
        return text + " What %s (%s) computes is not one." % (name, net.script.at(line))
    return text + (
        " %s (%s) adds up the images' right answers instead of averaging them. Write: %s"
        % (name, net.script.at(line), fix)
    )


def _accuracy_line(net):
    """(name, line) of the script's accuracy: its scalar computed from its own tf.equal."""
    for name, value in net.script.namespaces()[0].items():
        op = getattr(value, "op", None)
        if name.startswith("_") or op is None or getattr(value, "shape", None) is None:
            continue
        if value.shape.rank != 0 or not net.script.made_by_script(op):
            continue
        seen, todo = set(), [op]
        while todo:
            current = todo.pop()
            if current.name in seen:
                continue
            seen.add(current.name)
            if current.type == "Equal" and net.script.made_by_script(current):
                line = net.script.assigned_at(name)
                return (name, line) if line else None
            if current.type in ("Cast", "Mean", "Sum", "Identity", "Mul", "RealDiv"):
                todo.extend(t.op for t in current.inputs)
    return None


@start_check
def cross_entropy_negative(net, record, rows):
    iterations, _, losses = _training(record)
    test_losses = np.asarray(record.test_curves[2], float)
    negative = [v for v in list(losses) + list(test_losses) if np.isfinite(v) and v < 0]
    if not negative:
        return None
    line = net.line(net.loss.op) or net.script.assigned_at(net.name(net.loss.op) or "")
    loss_ops = {net.graph.get_operation_by_name(n).type for n in net.chain}
    name = net.name(net.loss.op) or "the loss"
    text = "Note: the loss is %.2f, and a cross-entropy is never negative." % negative[0]
    if "Log" in loss_ops and "Neg" not in loss_ops and line:
        fix = rewritten(net.script.source(line), r"^(\s*\w+\s*=\s*)(?!-)", r"\1-", 1)
        return text + (
            " %s (%s) has no minus sign: the cross-entropy is -sum(Y_ * log(Y)), and without it "
            "the optimizer makes the network ever more wrong. Write: %s"
            % (name, net.script.at(line), fix)
        )
    return text + " What %s computes%s is not one." % (
        name,
        " (%s)" % net.script.at(line) if line else "",
    )


@start_check
def loss_starts_far_off(net, record, rows):
    """The first training loss far from an untrained network's 230."""
    iterations, accuracies, losses = _training(record)
    if not iterations.size or iterations[0] != 0 or not np.isfinite(losses[0]):
        return None
    first = losses[0]
    if first < 0:
        return None
    seen = (
        "Note: the loss starts at %.2f at iteration 0, where an untrained network's is near 230 "
        "(100 x ln 10: ten digits equally likely, for a batch of 100 images)." % first
    )
    name = net.name(net.loss.op) or "the loss"
    line = net.script.assigned_at(name) if net.name(net.loss.op) else net.line(net.loss.op)
    where = " (%s)" % net.script.at(line) if line else ""
    test = np.asarray(record.test_curves[2], float)
    batch, tested = rows or (None, None)
    if test.size and batch and tested and tested != batch and first > 0:
        ratio, expected = test[0] / first, tested / batch
        if abs(ratio / expected - 1) < 0.25:
            seen = (
                "Note: the test loss starts at %.2f at iteration 0, and the training loss at "
                "%.2f." % (test[0], first)
            )
            summed = _summing_line(net)
            fix = summed and rewritten(
                net.script.source(summed),
                r"tf\.reduce_sum\(\s*(\w+)\s*\)",
                r"tf.reduce_mean(\1) * 100.0",
                1,
            )
            return seen + (
                " The test loss is %.0f times the training loss, as many times as the %d test "
                "images are more than the %d of a batch: %s adds up the images' losses instead "
                "of averaging them. The workshop averages, x100%s"
                % (
                    ratio,
                    tested,
                    batch,
                    name + (" (%s)" % net.script.at(summed) if summed else where),
                    ". Write: %s" % fix if fix else ": tf.reduce_mean(...) * 100.0.",
                )
            )
    if UNTRAINED_LOSS / FAR <= first <= UNTRAINED_LOSS * FAR:
        return None
    if abs(first / UNTRAINED_LOSS * 100 - 1) < 0.3:
        fix = line and net.script.source(line).strip() + " * 100.0"
        return seen + (
            " %s%s is 100 times smaller: the mean over the batch without the workshop's x100, "
            "so its curves sit at the bottom of graph 2. Write: %s" % (name, where, fix)
        )
    if first > UNTRAINED_LOSS * FAR:
        big = _big_initial_weights(net)
        if big:
            (variable, stddev, made), fix = big
            return seen + (
                " %s starts with stddev=%g (%s), %g times the workshop's 0.1: weights that big "
                "make the softmax near-certain of wrong digits from the start. Write: %s"
                % (variable, stddev, net.script.at(made), stddev / WORKSHOP_STDDEV, fix)
            )
    if first > UNTRAINED_LOSS * FAR:  # large weights, or a loss scaled otherwise: said as seen
        return seen + (
            " Weights that start large, or a loss that %s%s computes otherwise than the "
            "workshop's cross-entropy, start it there." % (name, where)
        )
    return seen + " What %s%s computes is not scaled as the workshop's cross-entropy." % (
        name,
        where,
    )


@start_check
def loss_climbs(net, record, rows):
    """The training loss climbing far above its start in the first iterations: diverging."""
    iterations, _, losses = _training(record)
    if iterations.size < 2 or not UNTRAINED_LOSS / FAR <= losses[0] <= UNTRAINED_LOSS * FAR:
        return None
    top = int(np.nanargmax(losses))
    if not losses[top] > CLIMB * losses[0]:
        return None
    seen = "Note: the loss climbed from %.2f at iteration 0 to %.2f at iteration %d." % (
        losses[0],
        losses[top],
        iterations[top],
    )
    rate = _learning_rate(net, record)
    if rate and rate[1] <= 0:
        return seen + _rate_advice(
            net, rate, "the optimizer climbs the loss instead of going down it"
        )
    if rate and rate[1] >= 10 * rate[0]:
        return seen + _rate_advice(
            net, rate, "too high: updates that big throw the weights past the loss's minimum"
        )
    return seen + " The updates make the network worse, not better."


@start_check
def still_at_chance(net, record, rows):
    """Still near chance at iteration 100: not learning."""
    iterations, accuracies, losses = _training(record)
    late = iterations >= LEARNING_BY
    if not late.any():
        return None
    accuracy = accuracies[late][0]
    if accuracy > CHANCE:
        return None
    seen = (
        "Note: the training accuracy is %.2f at iteration %d, near chance (a guess gets 0.1): "
        "the network is not learning." % (accuracy, iterations[late][0])
    )
    if losses[late][0] > 2 * losses[0] > 0:  # what it saw: the updates make it worse
        seen += " Its loss climbed from %.2f at iteration 0 to %.2f." % (losses[0], losses[late][0])
    rate = _learning_rate(net, record)
    if rate and rate[1] <= 0:
        return seen + _rate_advice(
            net, rate, "the optimizer climbs the loss instead of going down it"
        )
    if rate and rate[1] >= 10 * rate[0]:
        return seen + _rate_advice(net, rate, "too high: the updates overshoot")
    if rate and rate[1] <= rate[0] / 100:
        return seen + _rate_advice(net, rate, "too low: the weights barely move")
    zeros = _zero_weights(net)
    if zeros:
        return seen + (
            " %s start at zero: every neuron of a layer computes the same and gets the same "
            "update, so they never differ. The workshop starts weights at small random values: "
            "tf.truncated_normal([...], stddev=0.1)." % zeros
        )
    return seen


# --- what the notes read from the graph ---------------------------------------------------------


def _summing_line(net):
    for name in net.chain:
        op = net.graph.get_operation_by_name(name)
        if op.type == "Sum" and net.script.made_by_script(op) and net.line(op):
            return net.line(op)
    return None


def _big_initial_weights(net):
    """(name, stddev, line) of the first weight of the chain that starts 3 times or more above
    the workshop's 0.1, and its line rewritten."""
    for handle in net.variables:
        if not net.on_chain(handle) or not net.name(handle):
            continue
        stddev = _stddev(handle)
        line = net.line(handle)
        if stddev is None or stddev < 3 * WORKSHOP_STDDEV or line is None:
            continue
        source = net.script.source(line)
        fix = rewritten(source, r"stddev\s*=\s*[\w.]+", "stddev=0.1", 1) or rewritten(
            source, r"((?:truncated|random)_normal\(\s*\[[^\]]*\])\s*\)", r"\1, stddev=0.1)", 1
        )
        if fix is None:
            continue
        return (net.name(handle), stddev, line), fix
    return None


def _stddev(handle):
    """A variable's starting stddev, when it starts from tf.truncated_normal or random_normal."""
    for op in handle.graph.get_operations():
        if op.type in ("AssignVariableOp", "Assign") and op.inputs and op.inputs[0].op is handle:
            value = op.inputs[1].op
            if value.type in ("AddV2", "Add") and value.inputs[0].op.type == "Mul":
                product = value.inputs[0].op
                if product.inputs[0].op.type in ("TruncatedNormal", "RandomStandardNormal"):
                    found = const_value(product.inputs[1])
                    return float(found) if found is not None and found.size == 1 else None
    return None


def _zero_weights(net):
    """The weights of a network of two layers or more that all start at zero."""
    weights = [
        h for h in net.variables if net.on_chain(h) and len(shape_dims(_value_shape(h)) or []) >= 2
    ]
    if len(weights) < 2 or not all(_starts_at_zero(h) for h in weights):
        return None
    return "%s (all of them)" % ", ".join(net.name(h) or h.name for h in weights)


def _starts_at_zero(handle):
    for op in handle.graph.get_operations():
        if op.type in ("AssignVariableOp", "Assign") and op.inputs and op.inputs[0].op is handle:
            value = const_value(op.inputs[1])
            if value is None and op.inputs[1].op.type == "Fill":
                value = const_value(op.inputs[1].op.inputs[1])
            return value is not None and not np.any(value)
    return False


def _learning_rate(net, record):
    """(the workshop's rate for this optimizer, the rate at the start, the optimizer op) or None."""
    for op in net.graph.get_operations():
        if "Apply" not in op.type:
            continue
        kind = next((k for k in WORKSHOP_RATES if k in op.type), None)
        if kind is None:
            return None
        index = 5 if kind == "Adam" else 1
        value = const_value(op.inputs[index]) if len(op.inputs) > index else None
        if value is None and record.learning_rates:
            value = record.learning_rates[0][1]
        if value is None:
            return None
        return WORKSHOP_RATES[kind], float(np.asarray(value).reshape(-1)[0]), op, kind
    return None


def _rate_advice(net, rate, why):
    workshop, value, op, kind = rate
    line = net.line(op)
    fix = None
    if line:
        source = net.script.source(line)
        fix = rewritten(
            source, r"(Optimizer\(\s*(?:learning_rate\s*=\s*)?)[\d.e-]+", r"\g<1>%g" % workshop, 1
        )
    lr_line = None
    if fix is None:
        for name in ("lr", "learning_rate"):
            lr_line = net.script.assigned_at(name)
            if lr_line:
                fix = rewritten(
                    net.script.source(lr_line),
                    r"^(\s*\w+\s*=\s*)-?[\d.]+(e-?\d+)?\s*$",
                    r"\g<1>%g" % workshop,
                )
                break
    where = net.script.at(line) if line else "its optimizer"
    if value <= 0:
        compared = "is negative (the workshop's, for %s: %g)" % (kind, workshop)
    else:
        compared = "is %.3g times the workshop's %g for %s" % (value / workshop, workshop, kind)
    text = " The learning rate, %g (%s), %s: %s." % (
        value,
        net.script.at(lr_line) if lr_line else where,
        compared,
        why,
    )
    return text + (" Write: %s" % fix if fix else "")


def _constant_weights(net):
    """(names, value, the first weight) when all the weights of a network of two layers or more
    start at one value, else None."""
    weights = [
        h for h in net.variables if net.on_chain(h) and len(shape_dims(_value_shape(h)) or []) >= 2
    ]
    values = [_starting_value(h) for h in weights]
    if len(weights) < 2 or any(v is None for v in values):
        return None
    names = "%s (all of them)" % ", ".join(net.name(h) or h.name for h in weights)
    return names, values[0], weights[0]


def _starting_value(handle):
    """The one value a variable starts at, everywhere (tf.zeros, tf.ones, tf.constant), or None."""
    for op in handle.graph.get_operations():
        if op.type in ("AssignVariableOp", "Assign") and op.inputs and op.inputs[0].op is handle:
            value = const_value(op.inputs[1])
            if value is None and op.inputs[1].op.type == "Fill":
                value = const_value(op.inputs[1].op.inputs[1])
            if value is None or not np.size(value):
                return None
            flat = np.reshape(value, -1)
            return float(flat[0]) if np.all(flat == flat[0]) else None
    return None
