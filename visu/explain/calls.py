"""A call on the learner's line that cannot work as written: a module TensorFlow 2 or Keras 3
removed, a NumPy or math function given a tensor, an argument spelt as Keras or NumPy spell it, a
value where a function is expected, strides or padding in a form TensorFlow does not take, the
loss for digits given one-hot labels, an optimizer given what has no gradient, a digit compared
with a one-hot, bools averaged, two types in one operation (named where the type starts: a
placeholder's line). Each is one line: where, why, and
the learner's line rewritten as the workshop writes it.

The kinds are registered in the order visu/explain/errors.py tries them (KINDS): each takes (error,
learner) and returns its text or None.
A learner's page: docs/errors.md.
"""

import ast
import difflib
import inspect
import re

import numpy as np
import tensorflow.compat.v1 as tf

from visu.explain.learner import placeholders_behind
from visu.explain.network import digits_compared, one_hot_names

KINDS = []  # tried in the order they are written


def kind(function):
    KINDS.append(function)
    return function


def _source(learner):
    return learner.line.split(" (", 1)[1][:-1] if " (" in learner.line else ""


def _rewritten(source, pattern, replacement, count=0):
    changed, made = re.subn(pattern, replacement, source, count=count)
    return changed.strip() if made else None


# --- gone in TensorFlow 2 or Keras 3 -----------------------------------------------------------

# what the workshop writes instead of a removed module or function: (pattern of the learner's
# call, its rewriting or None, the sentence)
REMOVED = (
    (
        r"tf\.contrib\.layers\.flatten\(\s*(\w+)\s*\)",
        None,
        "tf.contrib is gone from TensorFlow 2; the steps flatten with tf.reshape(Y, [-1, N]), "
        "N the values per image (3.0: YY = tf.reshape(Y3, [-1, 7 * 7 * M]))",
    ),
    (
        r"tf\.contrib\.layers\.xavier_initializer\(\s*\)",
        "tf.glorot_uniform_initializer()",
        "tf.contrib is gone from TensorFlow 2; Xavier's initializer is "
        "tf.glorot_uniform_initializer",
    ),
    (
        r"tf\.contrib\.\w+(\.\w+)*",
        None,
        "tf.contrib is gone from TensorFlow 2; the steps build every layer from tf.matmul, "
        "tf.nn.conv2d and tf.Variable, by hand",
    ),
    (
        r"tf\.layers\.\w+",
        None,
        "tf.layers needs Keras 2, and TensorFlow now comes with Keras 3; the steps build a dense "
        "layer by hand: W = tf.Variable(tf.truncated_normal([n_in, n_out], stddev=0.1)), "
        "B = tf.Variable(tf.zeros([n_out])), Y = tf.nn.relu(tf.matmul(X, W) + B)",
    ),
)


@kind
def removed(error, learner):
    """A module or function of TensorFlow 1 that TensorFlow 2 or Keras 3 took away."""
    message = str(error)
    if not isinstance(error, (AttributeError, ModuleNotFoundError, ImportError)):
        return None
    source = _source(learner)
    if "tensorflow.examples" in message or "tensorflow.examples" in source:
        return (
            "%s: tensorflow.examples (input_data) is gone from TensorFlow 2. The steps load MNIST "
            "with the project's loader. Write: mnist = mnistdata.read_data_sets(one_hot=True, "
            "reshape=False)" % learner.line
        )
    gone = re.match(r"module '(tensorflow[\w.]*)' has no attribute '(\w+)'", message)
    keras = re.match(r"`(\w+)` is not available with Keras 3", message)
    if not gone and not keras:
        return None
    if gone and gone[1] == "tensorflow" and hasattr(tf, gone[2]):
        fix = "import tensorflow.compat.v1 as tf"
        return (
            "%s: tf.%s is TensorFlow 1's, and this tf is TensorFlow 2 (import tensorflow as tf). "
            "The steps import TensorFlow 1's API: Write: %s" % (learner.line, gone[2], fix)
        )
    for pattern, replacement, sentence in REMOVED:
        if re.search(pattern, source):
            fix = _rewritten(source, pattern, replacement) if replacement else None
            return "%s: %s.%s" % (learner.line, sentence, " Write: %s" % fix if fix else "")
    return None  # a name mistyped (tf.nn.rellu): Python's own message, with its "Did you mean"


# --- NumPy and math given a tensor ---------------------------------------------------------------

TENSORFLOW_OF = {
    "exp": "tf.exp",
    "log": "tf.log",
    "sqrt": "tf.sqrt",
    "square": "tf.square",
    "tanh": "tf.tanh",
    "mean": "tf.reduce_mean",
    "sum": "tf.reduce_sum",
    "max": "tf.reduce_max",
    "argmax": "tf.argmax",
    "maximum": "tf.maximum",
    "minimum": "tf.minimum",
    "matmul": "tf.matmul",
    "dot": "tf.matmul",
    "reshape": "tf.reshape",
    "equal": "tf.equal",
    "pow": "tf.pow",
    "power": "tf.pow",
    "abs": "tf.abs",
}


@kind
def numpy_given_a_tensor(error, learner):
    """np.exp(-step / 2000) or math.exp(...) where step is a placeholder: NumPy and math compute
    numbers now, and a tensor has no number until sess.run."""
    message = str(error)
    symbolic = "symbolic tf.Tensor" in message or re.search(r"not (Symbolic)?Tensor", message)
    if not symbolic or not isinstance(error, (NotImplementedError, TypeError)):
        return None
    source = _source(learner)
    for module in ("np", "numpy", "math"):
        for found in re.finditer(r"\b%s\.(\w+)\(" % module, source):
            function = found[1]
            if function not in TENSORFLOW_OF:
                continue
            fix = _rewritten(
                source, r"\b%s\.%s\(" % (module, function), TENSORFLOW_OF[function] + "("
            )
            return (
                "%s: %s.%s computes a number now, and is given a TensorFlow tensor, which has no "
                "value before sess.run. In the graph, use TensorFlow's own %s. Write: %s"
                % (learner.line, module, function, TENSORFLOW_OF[function], fix)
            )
    return None


# --- an argument spelt otherwise ---------------------------------------------------------------

# Keras's, NumPy's or a slip's spelling of an argument -> TensorFlow 1's
SPELT_OTHERWISE = {
    "std": "stddev",
    "sigma": "stddev",
    "scale": "stddev",
    "lr": "learning_rate",
    "dim": "axis",
    "keepdim": "keepdims",
    "keep_dims": "keepdims",
    "stride": "strides",
    "pool_size": "ksize",
    "kernel_size": "ksize",
    "size": "shape",
}


@kind
def argument_spelt_otherwise(error, learner):
    """tf.truncated_normal([784, 200], std=0.1), tf.train.AdamOptimizer(lr=0.003): a keyword the
    function does not take, rewritten with the one it takes."""
    found = re.search(r"unexpected keyword argument '(\w+)'", str(error))
    if not isinstance(error, TypeError) or not found:
        return None
    keyword = found[1]
    source = _source(learner)
    function, name = _called_with(source, keyword, learner)
    if function is None or "Session" in name:
        return None
    try:
        taken = [p for p in inspect.signature(function).parameters if p not in ("self", "name")]
    except (TypeError, ValueError):
        return None
    wanted = SPELT_OTHERWISE.get(keyword)
    if wanted not in taken:
        close = difflib.get_close_matches(keyword, taken, n=1, cutoff=0.6)
        wanted = close[0] if close else None
    if wanted is None:
        return "%s: %s takes no argument %s=; it takes %s." % (
            learner.line,
            name,
            keyword,
            ", ".join(taken),
        )
    fix = _rewritten(source, r"\b%s\s*=" % keyword, "%s=" % wanted, 1)
    return "%s: %s has no argument %s=; TensorFlow 1 spells it %s=. Write: %s" % (
        learner.line,
        name,
        keyword,
        wanted,
        fix,
    )


def _called_with(source, keyword, learner):
    """The function the learner's line calls with that keyword, and how the line names it."""
    try:
        tree = ast.parse(source.strip().rstrip(":"), mode="exec")
    except SyntaxError:
        return None, ""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(k.arg == keyword for k in node.keywords):
            name = ast.unparse(node.func)
            return _resolve(node.func, learner), name
    return None, ""


def _resolve(node, learner):
    """The object a dotted name of the learner's line is (tf.train.AdamOptimizer), from their
    frame's names: attribute look-ups only, nothing called."""
    if isinstance(node, ast.Name):
        for namespace in learner.namespaces():
            if node.id in namespace:
                return namespace[node.id]
        return None
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, learner)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


# --- a value where a function is expected --------------------------------------------------------


@kind
def not_a_function(error, learner):
    """cross_entropy() on a tensor, or a value given where the project calls a function."""
    found = re.match(r"'(\w+)' object is not callable", str(error))
    if not isinstance(error, TypeError) or not found:
        return None
    source = _source(learner)
    for namespace in learner.namespaces()[:1]:
        for name, value in namespace.items():
            if isinstance(value, (tf.Tensor, tf.Operation)) and re.search(
                r"\b%s\(\s*\)" % re.escape(name), source
            ):
                fix = _rewritten(source, r"\b%s\(\s*\)" % re.escape(name), name)
                return (
                    "%s: %s is a tensor, not a function: it is not called, sess.run computes it. "
                    "Write: %s" % (learner.line, name, fix)
                )
    return None


class NotAFunction(TypeError):
    """A value given to the project where it calls a function (animate's training_step)."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text


@kind
def value_for_a_function(error, learner):
    return error.text if isinstance(error, NotAFunction) else None


def training_function(compute_step, where, source_line):
    """Raises NotAFunction when animate is given a value instead of the training function:
    datavis.animate(training_step(0, True, True), ...) calls it once, and gives its result.
    where: the learner's call of animate, as '<file>, line <n> (<source>)'."""
    if callable(compute_step):
        return
    fix = re.sub(r"\btraining_step\([^()]*\)", "training_step", source_line or "")
    raise NotAFunction(
        "%s: animate is given %s where it takes the training function, which it calls at every "
        "iteration: give the function itself, without calling it.%s"
        % (
            where,
            "None" if compute_step is None else "a %s" % type(compute_step).__name__,
            " Write: %s" % fix.strip() if fix != source_line else "",
        )
    )


# --- a convolution's or a pooling's arguments, in the form TensorFlow takes ----------------------

# where each argument is, given without its keyword: (function, {argument: position})
WINDOWED = {
    "conv2d": {"strides": 2, "padding": 3},
    "max_pool": {"ksize": 1, "strides": 2, "padding": 3},
    "max_pool2d": {"ksize": 1, "strides": 2, "padding": 3},
    "avg_pool": {"ksize": 1, "strides": 2, "padding": 3},
    "avg_pool2d": {"ksize": 1, "strides": 2, "padding": 3},
}


@kind
def windows_as_tensorflow_takes_them(error, learner):
    """strides=[1, 2, 2] or padding="same" in tf.nn.conv2d or a pooling: strides and ksize take
    four numbers, one per dimension of [batch, height, width, channels], and padding is "SAME" or
    "VALID", in capitals. The learner's line rewritten so."""
    if not isinstance(error, (TypeError, ValueError)):
        return None
    source = _source(learner).strip()
    try:
        tree = ast.parse(source.rstrip(":"), mode="exec")
    except SyntaxError:
        return None
    changes, said = [], []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = ast.unparse(node.func).split(".")[-1]
        places = WINDOWED.get(function)
        if places is None:
            continue
        given = {k.arg: k.value for k in node.keywords if k.arg in places}
        for argument, position in places.items():
            if argument not in given and len(node.args) > position:
                given[argument] = node.args[position]
        for argument, value in given.items():
            if argument == "padding":
                text = value.value if isinstance(value, ast.Constant) else None
                if (
                    isinstance(text, str)
                    and text.upper() in ("SAME", "VALID")
                    and text != text.upper()
                ):
                    changes.append((value, '"%s"' % text.upper()))
                    said.append('padding is "SAME" or "VALID", in capitals')
            elif isinstance(value, ast.List) and len(value.elts) == 3:
                # 1, 2 or 4 numbers are taken (one for both sides, height and width, or one per
                # dimension): 3 are not, and the workshop writes 4
                numbers = [ast.unparse(e) for e in value.elts]
                numbers = [*numbers, "1"] if numbers[0] == "1" else ["1", *numbers]
                changes.append((value, "[%s]" % ", ".join(numbers)))
                said.append(
                    "%s= gives one number per dimension of the images [batch, height, width, "
                    "channels], 4 of them: [%s]" % (argument, ", ".join(numbers))
                )
    if not changes:
        return None
    fix = source
    for node, text in changes:
        segment = ast.get_source_segment(source, node)
        fix = fix.replace(segment, text, 1) if segment else fix
    return "%s: %s. Write: %s" % (learner.line, "; ".join(dict.fromkeys(said)), fix)


@kind
def loss_for_digits_given_one_hot(error, learner):
    """tf.nn.sparse_softmax_cross_entropy_with_logits takes each image's digit, and the workshop's
    labels are one-hot: the loss for one-hot labels is softmax_cross_entropy_with_logits_v2."""
    source = _source(learner)
    if (
        not isinstance(error, (TypeError, ValueError))
        or "sparse_softmax_cross_entropy" not in source
    ):
        return None
    one_hot = one_hot_names(learner.namespaces())
    found = re.search(r"labels\s*=\s*(\w+)", source)
    if not found or not one_hot(found[1]):
        return None
    fix = _rewritten(
        source,
        r"tf\.nn\.sparse_softmax_cross_entropy_with_logits\b",
        "tf.nn.softmax_cross_entropy_with_logits_v2",
    )
    return (
        "%s: tf.nn.sparse_softmax_cross_entropy_with_logits takes each image's correct digit (one "
        "number), and %s holds it one-hot (10 values, one of them 1). The loss for one-hot labels "
        "is the workshop's. Write: %s" % (learner.line, found[1], fix)
    )


@kind
def minimize_what_has_a_gradient(error, learner):
    """minimize(accuracy): the accuracy counts right answers through tf.argmax, which has no
    gradient: nothing tells the weights which way to move. The optimizer lowers the loss."""
    if not isinstance(error, ValueError) or "No gradients provided" not in str(error):
        return None
    source = _source(learner)
    found = re.search(r"minimize\(\s*(\w+)", source)
    if not found:
        return None
    given = next((ns[found[1]] for ns in learner.namespaces() if found[1] in ns), None)
    if not isinstance(given, tf.Tensor):
        return None
    loss = _the_loss(learner, given)
    fix = loss and _rewritten(source, r"minimize\(\s*%s\b" % found[1], "minimize(%s" % loss, 1)
    return (
        "%s: %s has no gradient: it is computed through tf.argmax (or a comparison), which says "
        "which digit, not how far from it, so nothing tells the weights which way to move. The "
        "optimizer lowers the loss, computed from the logits and the labels%s"
        % (learner.line, found[1], ". Write: %s" % fix if fix else ".")
    )


def _the_loss(learner, given):
    """The script's name for its loss: the scalar computed from a cross-entropy (or a log) that
    no other such scalar is computed from."""
    candidates = {}
    for namespace in learner.namespaces()[-1:]:
        for name, value in namespace.items():
            if not isinstance(value, tf.Tensor) or value is given or name.startswith("_"):
                continue
            if value.shape.rank != 0 or not value.dtype.is_floating:
                continue
            ops = _ancestor_ops(value.op)
            if any(op.type in LOSS_TYPES for op in ops.values()):
                candidates[name] = (value, ops)
    final = [
        name
        for name, (value, _) in candidates.items()
        if not any(value.op.name in ops and other != name for other, (_, ops) in candidates.items())
    ]
    return final[0] if len(final) == 1 else None


LOSS_TYPES = ("SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits", "Log")


def _ancestor_ops(op):
    seen, todo = {}, [op]
    while todo:
        current = todo.pop()
        if current.name in seen:
            continue
        seen[current.name] = current
        todo.extend(t.op for t in current.inputs)
    return seen


# --- two types in one operation ---------------------------------------------------------------


@kind
def digits_compared_with_one_hot(error, learner):
    """tf.equal(tf.argmax(Y, 1), Y_): a digit compared with a one-hot, refused for its types or
    its shapes: the line rewritten to compare digits with digits."""
    if not isinstance(error, (TypeError, ValueError)):
        return None
    found = digits_compared(_source(learner), one_hot_names(learner.namespaces()))
    if not found:
        return None
    one_hot, fix = found
    return (
        "%s: tf.equal compares a digit with a one-hot. tf.argmax gives each image's most probable "
        "digit (0 to 9), and %s holds each image's answer one-hot (10 values, one of them 1). "
        "Compare digits with digits: the correct digit is tf.argmax(%s, 1). Write: %s"
        % (learner.line, one_hot, one_hot, fix)
    )


@kind
def numbers_given_bools(error, learner):
    """tf.reduce_mean(correct_prediction): a mean of True and False, which TensorFlow does not
    take: cast to float32 first (True: 1.0, False: 0.0)."""
    if not isinstance(error, TypeError) or not re.search(r"DataType bool not in list", str(error)):
        return None
    source = _source(learner)
    for name in dict.fromkeys(re.findall(r"\b[A-Za-z_]\w*\b", source)):
        value = next((ns[name] for ns in learner.namespaces() if name in ns), None)
        if not isinstance(value, tf.Tensor) or value.dtype != tf.bool:
            continue
        made = learner.built_at(value.op)
        fix = _rewritten(
            source,
            r"(?<![\w.])%s\b(?!\s*=[^=])" % re.escape(name),
            "tf.cast(%s, tf.float32)" % name,
            1,
        )
        return (
            "%s: %s is bool, True or False for each image (made at %s), and this function "
            "computes with numbers. Cast it to float32 first: True is 1.0, False 0.0, and their "
            "mean is the share of True. Write: %s" % (learner.line, name, made or "its line", fix)
        )
    return None


@kind
def types_named(error, learner):
    """'+' given float32 and int32: the tensor of the odd type, and the line that made it."""
    found = re.search(
        r"Input '\w+' of '(\w+)' Op has type (\w+) that does not match type (\w+)", str(error)
    )
    if not isinstance(error, TypeError) or not found:
        return None
    odd = found[2] if found[3] == "float32" else found[3] if found[2] == "float32" else found[2]
    source = _source(learner)
    names = re.findall(r"\b[A-Za-z_]\w*\b", source)
    for name in dict.fromkeys(names):
        value = next((ns[name] for ns in learner.namespaces() if name in ns), None)
        dtype = getattr(value, "dtype", None)
        if getattr(dtype, "base_dtype", dtype) != tf.as_dtype(odd) or isinstance(value, np.ndarray):
            continue
        origin = _placeholder_of_type(value, odd)
        if origin is not None and origin is not getattr(value, "op", None):
            name = learner.name(origin) or origin.name
        value = origin.outputs[0] if origin is not None else value
        made = learner.built_at(value.op) if hasattr(value, "op") else None
        lineno = int(re.search(r"line (\d+)", made)[1]) if made else None
        fix = None
        if lineno:
            line = made.split(" (", 1)[1][:-1]
            fix = _rewritten(line, r"tf\.(int32|int64|float64|float16|int8|uint8)\b", "tf.float32")
            fix = fix or _rewritten(
                line, r"(tf\.(?:constant|fill)\(\s*)(-?\d+)(?=\s*[,)])", r"\1\2.0"
            )
        operation = {"AddV2": "'+'", "Add": "'+'", "Sub": "'-'", "Mul": "'*'"}.get(found[1])
        if origin is not None:  # the type starts at a placeholder: what the feeds are turned into
            return (
                "%s: %s takes values of one type, and is given %s and %s: %s is a placeholder of "
                "%s (made at %s), where the network's values, and the images fed to it, are "
                "float32. Declare it float32%s"
                % (
                    learner.line,
                    operation or found[1],
                    found[2],
                    found[3],
                    name,
                    odd,
                    made or "its line",
                    ". Write: %s" % fix if fix else ".",
                )
            )
        return (
            "%s: %s takes values of one type, and is given %s and %s: %s is %s (made at %s), "
            "where the network's values are float32. Make %s float32 (or convert it with "
            "tf.cast(%s, tf.float32))%s"
            % (
                learner.line,
                operation or found[1],
                found[2],
                found[3],
                name,
                odd,
                made or "this line",
                name,
                name,
                ". Write: %s" % fix if fix else ".",
            )
        )
    return None


def _placeholder_of_type(value, dtype):
    """The placeholder of that type a tensor is computed from (X behind XX = tf.reshape(X, ...)):
    where its type starts, and where it is to be changed. None when none is."""
    if not isinstance(value, tf.Tensor):
        return None
    found = [
        p
        for p in placeholders_behind(value.op)
        if p.outputs[0].dtype.base_dtype == tf.as_dtype(dtype)
    ]
    return found[0] if len(found) == 1 else None


@kind
def data_placeholder_of_another_type(error, learner):
    """A placeholder of the images (784 values each) or of the one-hot labels declared of another
    type than float32, where the learner's line fails: its own line, rewritten."""
    if not isinstance(error, (TypeError, ValueError)):
        return None
    source = _source(learner)
    for name in dict.fromkeys(re.findall(r"\b[A-Za-z_]\w*\b", source)):
        value = next((ns[name] for ns in learner.namespaces() if name in ns), None)
        if not isinstance(value, tf.Tensor) or value.op.type != "Placeholder":
            continue
        dims = value.shape.as_list() if value.shape.rank else None
        if not dims or len(dims) < 2 or None in dims[1:] or value.dtype.is_floating:
            continue
        if int(np.prod(dims[1:])) not in (784, 10):
            continue
        made = learner.built_at(value.op)
        line = made.split(" (", 1)[1][:-1] if made else ""
        fix = _rewritten(line, r"tf\.(u?int\d+|bool)\b", "tf.float32", 1)
        return (
            "%s: %s is a placeholder of %s (made at %s), where the images and the one-hot labels, "
            "and the network's values, are float32. Declare it float32%s"
            % (
                learner.line,
                name,
                value.dtype.name,
                made or "its line",
                ". Write: %s" % fix if fix else ".",
            )
        )
    return None


@kind
def labels_placeholder_one_hot(error, learner):
    """The placeholder the loss takes as its labels, declared with another shape than the one-hot
    labels' [None, 10], where a line that uses it fails: its own line, rewritten."""
    if not isinstance(error, (TypeError, ValueError)):
        return None
    source = _source(learner)
    for name in dict.fromkeys(re.findall(r"\b[A-Za-z_]\w*\b", source)):
        value = next((ns[name] for ns in learner.namespaces() if name in ns), None)
        if not isinstance(value, tf.Tensor) or value.op.type != "Placeholder":
            continue
        dims = value.shape.as_list() if value.shape.rank is not None else None
        if dims == [None, 10] or not _labels_of_a_loss(value):
            continue
        made = learner.built_at(value.op)
        line = made.split(" (", 1)[1][:-1] if made else ""
        fix = _rewritten(
            line, r"(placeholder\(\s*[\w.]+\s*,\s*(?:shape\s*=\s*)?)\[[^\]]*\]", r"\1[None, 10]", 1
        )
        return (
            "%s: %s, which the loss takes as its labels, is a placeholder of shape %s (made at "
            "%s): the labels come one-hot, 10 values per image, [None, 10]%s"
            % (
                learner.line,
                name,
                "[%s]" % ", ".join("None" if d is None else str(d) for d in dims)
                if dims
                else "unknown",
                made or "its line",
                ". Write: %s" % fix if fix else ".",
            )
        )
    return None


def _labels_of_a_loss(tensor, depth=4):
    """Whether a tensor goes, within a few operations, into a softmax cross-entropy's labels."""
    for consumer in tensor.consumers():
        if consumer.type in ("SoftmaxCrossEntropyWithLogits",) and consumer.inputs[1] is tensor:
            return True
        if depth > 1 and consumer.type in ("Reshape", "Identity", "StopGradient", "Cast"):
            if _labels_of_a_loss(consumer.outputs[0], depth - 1):
                return True
    return False
