"""When a step, or a learner's copy of one, fails because of how its graph is built, fed or run:
one paragraph in the workshop's words instead of TensorFlow's traceback.

explain(error, script) reads the exception's traceback for the frames of the learner's own file
(the step or its copy), and names what went wrong by the names the script gives to its tensors,
variables and operations: its variables are searched for the TensorFlow objects the error is
about, by identity, so nothing needs a name= argument. Kinds explained:

  shapes      a layer that cannot be built: matmul, conv2d, add, reshape, concat (and any other
              operation, in general terms), with the shapes of what it was given
  types       two values of different types in one operation (float32 and int32)
  not fed     a placeholder that sess.run needs and the feed dictionary leaves out
  feed        a feed of the wrong shape or type, or a key that is not a placeholder
  fetch       something given to sess.run that is not a tensor or an operation, or one of another
              graph (an earlier run in the same notebook)
  not ready   a variable used before the initializer gave it a value, the optimizer's included
  running     any other error of TensorFlow's while sess.run computes, with where the operation
              was built

Anything else (a NameError, a typo, an error in the project's own code) gets None: Python's own
message says it best. The option --traceback shows TensorFlow's own traceback instead.
"""

import linecache
import pathlib
import re
import sys

import numpy as np
import tensorflow as tf2
import tensorflow.compat.v1 as tf

from visu.options import TRACEBACK_OPTION

TRACEBACK_NOTE = "(TensorFlow's own error and traceback: run again with %s.)" % TRACEBACK_OPTION
_TENSORFLOW_FOLDER = pathlib.Path(tf2.__file__).resolve().parent

# Shape inference's refusal while building: "<what> for '{{node MatMul}} = BatchMatMulV2[...]
# (Placeholder, MatMul/ReadVariableOp)' with input shapes: [?,28,28,1], [784,100]."
_BUILD_REFUSAL = re.compile(
    r"^(?P<what>.*?) for '\{\{node (?P<node>[^}]+)\}\} = (?P<type>\w+)(?:\[.*?\])?"
    r"\((?P<inputs>[^)]*)\)' with input shapes: (?P<shapes>.*?)(?: and with .*)?\.?$",
    re.S,
)
_SHAPE = re.compile(r"\[[^\]]*\]|\?")
_TYPES_DIFFER = re.compile(
    r"Input '\w+' of '(?P<op>\w+)' Op has type (?P<one>\w+) that does not match type "
    r"(?P<other>\w+) of argument"
)
_NOT_FED = re.compile(r"You must feed a value for placeholder tensor '(?P<name>[^']+)'")
_NOT_READY = re.compile(
    r"Could not find variable (?P<a>\S+?)\. |Attempting to use uninitialized value (?P<b>\S+)"
    r"|Error while reading resource variable (?P<c>\S+) from Container"
)
# Adam's and the other optimizers' own variables: "beta1_power", "Variable_3/Adam_1", ...
_OPTIMIZER_VARIABLE = re.compile(
    r"^(beta[12]_power.*|.+/(Adam|Momentum|RMSProp|Adagrad|Ftrl|Adadelta)\w*)$"
)
_FUNCTIONS = {  # op types as the script wrote them, for tensors it gave no name
    "MatMul": "tf.matmul",
    "BatchMatMulV2": "tf.matmul",
    "Conv2D": "tf.nn.conv2d",
    "Relu": "tf.nn.relu",
    "Sigmoid": "tf.nn.sigmoid",
    "Softmax": "tf.nn.softmax",
    "Tanh": "tf.nn.tanh",
    "Reshape": "tf.reshape",
    "ConcatV2": "tf.concat",
    "Exp": "tf.exp",
    "Log": "tf.log",
    "ArgMax": "tf.argmax",
    "Equal": "tf.equal",
    "Cast": "tf.cast",
    "Mean": "tf.reduce_mean",
    "Sum": "tf.reduce_sum",
    "SoftmaxCrossEntropyWithLogits": "tf.nn.softmax_cross_entropy_with_logits_v2",
}
_OPERATORS = {"AddV2": "+", "Add": "+", "BiasAdd": "+", "Sub": "-", "Mul": "*", "RealDiv": "/"}


def explain(error, script, iteration=None):
    """The paragraph for an error of the graph in the learner's script (a path), or None when the
    error is not one (Python's own message is then the right one). iteration: where training
    stopped, when the error came while training."""
    learner = Learner(error, script)
    if not learner.frames:
        return None
    for kind in (_not_fed, _not_ready, _fed_or_fetched, _refused_while_building, _types_differ):
        text = kind(error, learner)
        if text:
            break
    else:
        text = _failed_while_running(error, learner)
    if not text:
        return None
    start = "Training stopped at iteration %d: " % iteration if iteration is not None else ""
    return "%s%s %s" % (start, text, TRACEBACK_NOTE)


class Learner:
    """The learner's side of an error: the frames of their file (innermost last), and the names
    their script gives to TensorFlow's objects."""

    def __init__(self, error, script):
        self.script = pathlib.Path(script).resolve()
        frames = _frames(error.__traceback__)  # (frame, line) pairs, the outermost first
        self.frames = [f for f, _ in frames if _same_file(f.f_code.co_filename, self.script)]
        self.lines = [n for f, n in frames if _same_file(f.f_code.co_filename, self.script)]
        self.inside = [f for f, _ in frames]  # all of them, TensorFlow's included
        self._names = {}
        for namespace in self.namespaces():
            for name, value in namespace.items():
                if not name.startswith("__"):
                    for key in graph_keys(value):
                        self._names.setdefault(key, name)

    def namespaces(self):
        """The learner's names, innermost first: a function's own, then the script's."""
        frames = list(reversed(self.frames))
        return [f.f_locals for f in frames] + [frames[0].f_globals] if frames else []

    @property
    def line(self):
        """The learner's line where it failed, as '<file>, line <n> (<source>)'."""
        return self.where(self.frames[-1].f_code.co_filename, self.lines[-1])

    def where(self, filename, lineno):
        source = linecache.getline(filename, lineno).strip()
        return "%s, line %d (%s)" % (self.script.name, lineno, source)

    def built_at(self, op):
        """Where the learner's file built an operation, or None when it did not."""
        for frame in reversed(list(getattr(op, "traceback", None) or [])):
            if _same_file(frame.filename, self.script):
                return self.where(frame.filename, frame.lineno)
        return None

    def name(self, thing):
        """The script's name for a tensor, variable or operation, else None."""
        for key in graph_keys(thing):
            if key in self._names:
                return self._names[key]
        return None

    def value_name(self, value):
        """The script's name for any other value (a feed dictionary, a number), by identity."""
        for namespace in self.namespaces():
            for name, candidate in namespace.items():
                if candidate is value and not name.startswith("__"):
                    return name
        return None

    def session_run(self):
        """The arguments of the sess.run call the error came from: (fetches, feed_dict, session),
        or None."""
        for frame in self.inside:
            code = frame.f_code
            if code.co_name == "run" and code.co_filename.endswith("session.py"):
                local = frame.f_locals
                if "fetches" in local and "self" in local:
                    return local["fetches"], local.get("feed_dict"), local["self"]
        return None

    def describe(self, op, depth=2):
        """An operation's output as the script wrote it: its name, else an expression of named
        parts: tf.matmul(Y1, W2), Y3 + B3, ..."""
        name = self.name(op)
        if name:
            return name
        if op.type in ("ReadVariableOp", "Identity") and op.inputs:
            return self.describe(op.inputs[0].op, depth)
        if op.type in ("VarHandleOp", "VariableV2"):
            return "a variable (%s)" % op.name
        if op.type == "Placeholder":
            return "a placeholder (%s)" % op.name
        if op.type == "Const":
            value = tf.make_ndarray(op.get_attr("value"))
            return "%g" % value.reshape(-1)[0] if value.size == 1 else "a constant"
        if depth == 0:
            return "..."
        parts = [self.describe(t.op, depth - 1) for t in op.inputs]
        if op.type in _OPERATORS and len(parts) == 2:
            return "%s %s %s" % (parts[0], _OPERATORS[op.type], parts[1])
        function = _FUNCTIONS.get(op.type)
        if function is None and "/" in op.name:  # made by a function: tf.nn.dropout, ...
            return "the result of %s (%s)" % (op.name.split("/")[0], op.name)
        if function is None:
            return "%s (%s)" % (op.type, op.name)
        shown = parts[:1] if op.type in ("Reshape", "ConcatV2") else parts[:2]
        return "%s(%s%s)" % (function, ", ".join(shown), ", ..." if parts[len(shown) :] else "")


def _frames(traceback):
    frames = []
    while traceback is not None:
        frames.append((traceback.tb_frame, traceback.tb_lineno))
        traceback = traceback.tb_next
    return frames


def _same_file(filename, script):
    try:
        return pathlib.Path(filename).resolve() == script
    except (OSError, ValueError):
        return False


def graph_keys(value):
    """How an object of TensorFlow's is found again: by its operation's name (a variable by the
    operation that holds it)."""
    try:
        if isinstance(value, tf2.Variable):
            return [("op", value.handle.op.name)]
        if isinstance(value, tf.Tensor) and not tf.executing_eagerly():
            return [("tensor", value.name)] + (
                [("op", value.op.name)] if value.value_index == 0 else []
            )
        if isinstance(value, tf.Operation):
            return [("op", value.name)]
    except (AttributeError, ValueError, RuntimeError):  # an eager tensor, a deleted variable
        return []
    return []


def shape_text(dims):
    """A shape as the steps' drawings write it: [batch, 28, 28, 1]; None: unknown."""
    if dims is None:
        return "of any shape"
    if not dims:
        return "[] (one number)"
    texts = [
        "batch" if d is None and i == 0 else "?" if d is None else str(d)
        for i, d in enumerate(dims)
    ]
    return "[%s]" % ", ".join(texts)


def _dims(shape):
    """A TensorShape, or a shape as TensorFlow's messages write it ([?,28,28,1], ?), as a list
    (None for an unknown size) or None for an unknown rank."""
    if isinstance(shape, str):
        if shape == "?":
            return None
        inside = shape.strip("[]")
        return [None if d.strip() == "?" else int(d) for d in inside.split(",")] if inside else []
    shape = tf.TensorShape(shape)
    return None if shape.rank is None else shape.as_list()


# --- building the graph ------------------------------------------------------------------------


def _refused_while_building(error, learner):
    """A layer whose shapes do not fit, refused by shape inference while the graph is built."""
    if not isinstance(error, ValueError) or not _raised_by_tensorflow(learner):
        return None
    refusal = _BUILD_REFUSAL.match(str(error).strip())
    if not refusal:
        return None
    graph = tf.get_default_graph()
    inputs, ops = [], []
    for name, shape in zip(refusal["inputs"].split(","), _SHAPE.findall(refusal["shapes"])):
        name = name.strip().split(":")[0]
        try:
            op = graph.get_operation_by_name(name)
        except (KeyError, ValueError):
            op = None
        inputs.append((learner.describe(op) if op is not None else name, _dims(shape)))
        ops.append(op)
    kind, what = refusal["type"], refusal["what"].strip()
    if kind in ("MatMul", "BatchMatMulV2") and len(inputs) == 2:
        advice = _flatten_advice(inputs[0], ops[0], inputs[1], learner) or _matmul_advice(*inputs)
    elif kind == "Conv2D" and len(inputs) == 2:
        advice = _conv_advice(*inputs)
    elif kind in ("AddV2", "Add", "BiasAdd", "Sub", "Mul") and len(inputs) == 2:
        advice = _elementwise_advice(*inputs)
    elif kind == "Reshape" and inputs:
        advice = _reshape_advice(inputs[0], str(error))
    elif kind == "ConcatV2":
        advice = _concat_advice(inputs[:-1])
    else:
        given = ", ".join("%s %s" % (name, shape_text(dims)) for name, dims in inputs)
        advice = "%s (%s) cannot be made from %s: %s." % (
            _FUNCTIONS.get(kind, kind),
            refusal["node"],
            given,
            what.rstrip("."),
        )
    return "The network cannot be built: %s. %s" % (learner.line, advice)


def _raised_by_tensorflow(learner):
    """Whether the error was raised inside TensorFlow's own code, called by the learner's."""
    innermost = learner.inside[-1].f_code.co_filename
    return _inside(innermost, _TENSORFLOW_FOLDER)


def _inside(filename, folder):
    try:
        return pathlib.Path(filename).resolve().is_relative_to(folder)
    except (OSError, ValueError):
        return False


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
    size, (name, dims) = _size(_dims(source.shape)), flat
    if size is None or not dims or dims[-1] in (None, size):
        return None
    source_dims = _dims(source.shape)
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


def _conv_advice(images, weights):
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


def _elementwise_advice(left, right):
    (a, a_dims), (b, b_dims) = left, right
    text = "%s %s and %s %s do not fit together: their last dimensions must be equal" % (
        a,
        shape_text(a_dims),
        b,
        shape_text(b_dims),
    )
    if a_dims and b_dims and len(b_dims) == 1 and len(a_dims) > 1:
        return text + (
            ". Biases hold one value per neuron of their layer (per channel after a "
            "convolution): %s must be [%s], like the last dimension of the layer's weights."
            % (b, a_dims[-1])
        )
    return text + " (or one of them 1)."


def _reshape_advice(source, message):
    a, a_dims = source
    target = re.search(r"input\[1\] = (\[[^\]]*\])", message)
    target = shape_text(_dims(target.group(1))) if target else "the shape asked for"
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


def _types_differ(error, learner):
    """Two values of different types in one operation (an int32 constant added to float32)."""
    found = _TYPES_DIFFER.search(str(error))
    if not isinstance(error, TypeError) or not found or not _raised_by_tensorflow(learner):
        return None
    operation = _OPERATORS.get(found["op"])
    operation = "'%s'" % operation if operation else _FUNCTIONS.get(found["op"], found["op"])
    return (
        "The network cannot be built: %s. %s takes values of one type, and is given %s and %s: "
        "TensorFlow does not convert between them. The workshop's tensors are all float32: make "
        "the other one float32 too (tf.constant(0.1, tf.float32, [K]), tf.ones([K])), or convert "
        "it with tf.cast(..., tf.float32)."
        % (learner.line, operation, found["one"], found["other"])
    )


# --- feeding and running -----------------------------------------------------------------------


def _not_fed(error, learner):
    """A placeholder that what sess.run computes needs, left out of the feed dictionary."""
    found = _NOT_FED.search(str(getattr(error, "message", "")))
    if not isinstance(error, tf.errors.OpError) or not found or error.op is None:
        return None
    placeholder = error.op
    name = learner.describe(placeholder)
    run = learner.session_run()
    needing, feed_name = "", "the feed dictionary"
    if run:
        fetches, feed_dict, _ = run
        users = [
            learner.describe(_op_of(f))
            for f in _flat(fetches)
            if _op_of(f) is not None and _depends_on(_op_of(f), placeholder)
        ]
        if users:
            needing = " %s need%s it." % (_and(users), "s" if len(users) == 1 else "")
        feed_name = learner.value_name(feed_dict) or feed_name
    tensor = placeholder.outputs[0]
    value = (
        " (%s is dropout's keep probability: 1.0 when measuring, 0.75 when training)" % name
        if _feeds_dropout(placeholder)
        else ""
    )
    dims = _dims(tensor.shape)
    kind = tensor.dtype.name + ("" if dims is None else ", shape %s" % shape_text(dims))
    return (
        "sess.run cannot compute: %s. The placeholder %s (%s) was not given a value.%s sess.run "
        "needs a value for every placeholder that what it computes depends on: add %s: <value> "
        "to %s%s." % (learner.line, name, kind, needing, name, feed_name, value)
    )


def _not_ready(error, learner):
    """A variable used before the initializer gave it a value: made after it, or never."""
    found = _NOT_READY.search(str(getattr(error, "message", "")))
    if not isinstance(error, tf.errors.OpError) or not found:
        return None
    variable_name = found["a"] or found["b"] or found["c"]
    graph = error.op.graph if error.op is not None else tf.get_default_graph()
    with graph.as_default():
        variable = next((v for v in tf.global_variables() if v.op.name == variable_name), None)
    name = learner.name(variable) if variable is not None else None
    made = learner.built_at(variable.op) if variable is not None else None
    if name:
        what = "the variable %s" % name
    elif _OPTIMIZER_VARIABLE.match(variable_name):
        what = (
            "the optimizer's own variable %s (Adam keeps beta1_power, beta2_power and two "
            "averages for every weight, made by minimize())" % variable_name
        )
    else:
        what = "the variable %s" % variable_name
    made = " It was made at %s." % made if made else ""
    return (
        "sess.run cannot compute: %s. %s has no value yet.%s sess.run(tf.global_variables_"
        "initializer()) gives a value to the variables that exist when it is made, and this one "
        "did not exist then (or it never ran). Run it once the whole network and its optimizer "
        "are built, just before training, as the steps do."
        % (learner.line, what[0].upper() + what[1:], made)
    )


def _fed_or_fetched(error, learner):
    """A feed of the wrong shape or type, a feed key that is not a placeholder, or a fetch that
    is not a tensor of this graph: refused by sess.run before anything is computed."""
    if isinstance(error, tf.errors.OpError) or not isinstance(error, (TypeError, ValueError)):
        return None
    run = learner.session_run()
    if run is None:
        return None
    fetches, feed_dict, session = run
    problem = _feed_problem(feed_dict or {}, learner) or _fetch_problem(fetches, session, learner)
    return "sess.run refused: %s. %s" % (learner.line, problem) if problem else None


def _feed_problem(feed_dict, learner):
    for key, value in feed_dict.items():
        if not isinstance(key, tf.Tensor):
            named = learner.value_name(key) if not isinstance(key, str) else None
            hint = ""
            if isinstance(key, str) and key in learner.frames[-1].f_globals:
                hint = " Use the placeholder itself: %s, not %r." % (key, key)
            return (
                "The feed dictionary's key %s is not a placeholder: its keys are the "
                "placeholders (X, Y_, ...), its values what they get.%s"
                % (named or repr(key)[:60], hint)
            )
        name = learner.describe(key.op)
        dims = _dims(key.shape)
        if isinstance(value, (tf.Tensor, tf2.Variable)):
            return (
                "%s is fed a TensorFlow tensor (%s), not a value: a feed gives a placeholder its "
                "values, a number or a numpy array. Give the value itself (for example 0.75), or "
                "compute it first with sess.run." % (name, learner.describe(_op_of(value)))
            )
        try:
            array = np.asarray(value, key.dtype.as_numpy_dtype)
        except (TypeError, ValueError) as refused:
            return "%s (%s) is fed %s, which cannot be turned into %s numbers (%s)." % (
                name,
                key.dtype.name,
                learner.value_name(value) or type(value).__name__,
                key.dtype.name,
                refused,
            )
        if not key.shape.is_compatible_with(array.shape):
            fed = learner.value_name(value) or "a value"
            return "%s is a placeholder of shape %s, and is fed %s of shape %s. %s" % (
                name,
                shape_text(dims),
                fed,
                shape_text(list(array.shape)),
                _feed_shape_advice(name, dims, array.shape),
            )
    return None


def _feed_shape_advice(name, dims, fed):
    if dims and len(dims) == 4 and len(fed) == 2:
        return (
            "The images come flattened, one line of %d values each: mnistdata.read_data_sets("
            "reshape=False) gives them as [N, 28, 28, 1], as the steps load them; or declare %s "
            "= tf.placeholder(tf.float32, [None, %d])." % (fed[1], name, fed[1])
        )
    if dims and len(dims) == 2 and len(fed) == 4:
        return (
            "The images come as 28x28x1 squares: declare %s = tf.placeholder(tf.float32, [None, "
            "28, 28, 1]) and flatten it in the graph with tf.reshape(%s, [-1, 784]), as the "
            "steps do; or load them with mnistdata.read_data_sets(reshape=True)." % (name, name)
        )
    if dims and len(dims) == 2 and len(fed) == 1:
        return (
            "The labels come as digits, not one-hot: load them with mnistdata.read_data_sets("
            "one_hot=True), as the steps do."
        )
    return "Feed it values of shape %s, or declare %s with the shape of what you feed." % (
        shape_text(dims),
        name,
    )


def _fetch_problem(fetches, session, learner):
    for fetch in _flat(fetches):
        if (
            isinstance(fetch, (tf.Tensor, tf.Operation, tf2.Variable))
            and not tf.executing_eagerly()
        ):
            if fetch.graph is not session.graph:
                return (
                    "%s belongs to another graph than this session's: one made before "
                    "tf.reset_default_graph(), or by an earlier run in this notebook. Fetch what "
                    "this run built." % (learner.name(fetch) or fetch.name)
                )
            continue
        if isinstance(fetch, str):
            continue
        named = learner.value_name(fetch)
        return (
            "%s is %s, not something TensorFlow computes: sess.run takes tensors and operations "
            "(accuracy, train_step, ...) and gives back their values.%s"
            % (
                named or "one of the things asked for",
                _kind_of(fetch),
                (" %s is no tensor here: was it given a value of its own?" % named)
                if named
                else "",
            )
        )
    return None


def _kind_of(value):
    if value is None:
        return "None"
    if isinstance(value, (int, float, np.number)):
        return "the number %r" % value
    if callable(value):
        return "a function (%s)" % getattr(value, "__name__", type(value).__name__)
    return "a %s" % type(value).__name__


def _failed_while_running(error, learner):
    """Any other error of TensorFlow's while sess.run computes: what failed, built where."""
    if not isinstance(error, tf.errors.OpError) or error.op is None:
        return None
    op = getattr(error.op, "_original_op", None) or error.op  # a gradient: its layer's op
    conv = _conv_mismatch(op, learner)
    if conv:
        return "sess.run cannot compute: %s. %s" % (learner.line, conv)
    built = learner.built_at(op)
    inputs = _and(
        ["%s %s" % (learner.describe(t.op), shape_text(_dims(t.shape))) for t in op.inputs]
    )
    return "sess.run cannot compute: %s. Computing %s%s%s failed, TensorFlow says: %s." % (
        learner.line,
        learner.describe(op),
        " (built at %s)" % built if built else "",
        " from %s" % inputs if inputs else "",
        _first_line(error.message).rstrip("."),
    )


def _conv_mismatch(op, learner):
    """A convolution whose weights expect fewer input channels than the images have: TensorFlow
    builds it (a grouped convolution, when they divide), and only fails to train it."""
    if op.type != "Conv2D" or len(op.inputs) < 2:
        return None
    images, weights = op.inputs[0], op.inputs[1]
    a_dims, w_dims = _dims(images.shape), _dims(weights.shape)
    if not a_dims or not w_dims or len(a_dims) != 4 or len(w_dims) != 4 or a_dims[3] == w_dims[2]:
        return None
    advice = _conv_advice(
        (learner.describe(images.op), a_dims), (learner.describe(weights.op), w_dims)
    )
    return "The convolution built at %s does not fit: %s" % (
        learner.built_at(op) or op.name,
        advice,
    )


def _first_line(message):
    """TensorFlow's own reason, without its "Graph execution error" and node annotations."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    skip = ("Graph execution error", "Detected at node", "File ", "Node:", "[[", "Original ")
    useful = [line for line in lines if not line.startswith(skip)]
    return useful[0] if useful else (lines[0] if lines else "")


# --- the graph ---------------------------------------------------------------------------------


def _flat(fetches):
    """The things asked of sess.run, out of their lists, tuples and dictionaries."""
    if isinstance(fetches, dict):
        return [f for value in fetches.values() for f in _flat(value)]
    if isinstance(fetches, (list, tuple)):
        return [f for value in fetches for f in _flat(value)]
    return [fetches]


def _op_of(thing):
    if isinstance(thing, tf2.Variable):
        return thing.handle.op
    if isinstance(thing, tf.Tensor):
        return thing.op
    return thing if isinstance(thing, tf.Operation) else None


def _depends_on(op, wanted):
    """Whether computing op needs the operation wanted."""
    seen, todo = set(), [op]
    while todo:
        current = todo.pop()
        if current is wanted:
            return True
        if current.name in seen:
            continue
        seen.add(current.name)
        todo.extend(t.op for t in current.inputs)
        todo.extend(current.control_inputs)
    return False


def _feeds_dropout(op, depth=3):
    """Whether the operation's value goes into tf.nn.dropout within a few operations (pkeep
    does through rate=1 - pkeep)."""
    consumers = [consumer for output in op.outputs for consumer in output.consumers()]
    if any(consumer.name.startswith("dropout") for consumer in consumers):
        return True
    return depth > 1 and any(_feeds_dropout(consumer, depth - 1) for consumer in consumers)


def _and(names):
    names = list(dict.fromkeys(names))
    if not names:
        return ""
    return names[0] if len(names) == 1 else "%s and %s" % (", ".join(names[:-1]), names[-1])


# --- where the paragraph replaces the traceback --------------------------------------------------


def report_uncaught(script, shell=None):
    """From now on, an uncaught error of the graph in the script is its paragraph on stderr: in a
    script run by python, through sys.excepthook (the exit status stays 1); in a Jupyter kernel
    (shell: IPython's), through the shell's traceback display, for the cell running now only."""
    if shell is not None:
        _report_in_cell(shell, script)
    else:
        previous = getattr(sys.excepthook, "previous", sys.excepthook)
        sys.excepthook = _ExceptHook(script, previous)


class _ExceptHook:
    """sys.excepthook: the paragraph for an error of the script's graph, else the hook before."""

    def __init__(self, script, previous):
        self.script, self.previous = script, previous

    def __call__(self, kind, error, traceback):
        paragraph = safe_explain(error, self.script)
        if paragraph is None:
            self.previous(kind, error, traceback)
        else:
            print(paragraph, file=sys.stderr)


def _report_in_cell(shell, script):
    """IPython shows a cell's error (and a %run script's) with shell.showtraceback: for this cell,
    an error of the script's graph is shown as its paragraph instead; the next cell is as before."""
    installed = shell.__dict__.get("showtraceback")
    if isinstance(installed, _CellReport):  # a second step run in the same cell
        installed.script = script
        return
    shell.showtraceback = _CellReport(shell, script, installed)
    shell.events.register("post_run_cell", shell.showtraceback.restore)


class _CellReport:
    """shell.showtraceback for one cell: gives an error of the script's graph the paragraph as
    what IPython shows of it (its _render_traceback_), then shows it as IPython does."""

    def __init__(self, shell, script, before):
        self.shell, self.script, self.before = shell, script, before
        self.show = before or shell.showtraceback

    def __call__(self, exc_tuple=None, *args, **kwargs):
        error = (exc_tuple or sys.exc_info())[1]
        paragraph = safe_explain(error, self.script) if isinstance(error, Exception) else None
        if paragraph is not None:
            error._render_traceback_ = lambda: [paragraph]
        return self.show(exc_tuple, *args, **kwargs)

    def restore(self, *result):
        if self.before is None:
            self.shell.__dict__.pop("showtraceback", None)
        else:
            self.shell.showtraceback = self.before
        self.shell.events.unregister("post_run_cell", self.restore)


def safe_explain(error, script, iteration=None):
    """explain(), or None if explaining failed: the error's own traceback is then shown, never
    hidden by a mistake here."""
    try:
        return explain(error, script, iteration)
    except Exception:
        return None
