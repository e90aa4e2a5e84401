"""The learner's script as an error finds it: the frames of its own file in a traceback, the
names it gives to the TensorFlow objects an error is about (its variables, searched by identity),
their shapes, and a few questions about the graph (what an operation depends on, whether it feeds
dropout). visu/explain/errors.py and visu/explain/build_errors.py explain errors with them.
A learner's page: docs/errors.md.
"""

import linecache
import pathlib

import tensorflow as tf2
import tensorflow.compat.v1 as tf

from visu.explain import wording

TENSORFLOW_FOLDER = pathlib.Path(tf2.__file__).resolve().parent
SESSION_RUN = tf.Session.run  # every session's run (BaseSession's), found by its code

FUNCTIONS = {  # op types as the script wrote them, for tensors it gave no name
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

OPERATORS = {"AddV2": "+", "Add": "+", "BiasAdd": "+", "Sub": "-", "Mul": "*", "RealDiv": "/"}


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
        source = source.split("  # ", 1)[0].rstrip()  # the line's code, without its comment
        return "%s, line %d (%s)" % (self.script.name, lineno, source)

    def built_at(self, op):
        """Where the learner's file built an operation, or None when it did not."""
        for frame in reversed(list(getattr(op, "traceback", None) or [])):
            if _same_file(frame.filename, self.script):
                return self.where(frame.filename, frame.lineno)
        return None

    def line_number(self, op):
        """The line of the learner's file that built an operation, or None."""
        for frame in reversed(list(getattr(op, "traceback", None) or [])):
            if _same_file(frame.filename, self.script):
                return frame.lineno
        return None

    def made_by_script(self, op):
        """Whether the learner's own line made an operation, itself or through a function of
        TensorFlow's, rather than through a function of the project's (the digit mosaics)."""
        for frame in reversed(list(getattr(op, "traceback", None) or [])):
            if not inside(frame.filename, TENSORFLOW_FOLDER):
                return _same_file(frame.filename, self.script)
        return False

    def name(self, thing):
        """The script's name for a tensor, variable or operation, else None."""
        for key in graph_keys(thing):
            if key in self._names:
                return self._names[key]
        return None

    def value_name(self, value):
        """The script's name for any other value (a feed dictionary, a number), by identity. A
        number or a string held by two names has none: Python shares one 0 among all the names
        that hold it (step = 0, and i at iteration 0)."""
        if isinstance(value, (int, float, complex, str, bytes, type(None))):
            names = {
                name
                for namespace in self.namespaces()
                for name, candidate in namespace.items()
                if candidate is value and not name.startswith("__")
            }
            return names.pop() if len(names) == 1 else None
        for namespace in self.namespaces():
            for name, candidate in namespace.items():
                if candidate is value and not name.startswith("__"):
                    return name
        return None

    def session_run(self):
        """The arguments of the sess.run call the error came from: (fetches, feed_dict, session),
        or None."""
        for frame in self.inside:
            if frame.f_code is SESSION_RUN.__code__:
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
        if op.type == "Reshape" and "/" in op.name and op.inputs:  # made inside a function
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
        if op.type in OPERATORS and len(parts) == 2:
            return "%s %s %s" % (parts[0], OPERATORS[op.type], parts[1])
        function = FUNCTIONS.get(op.type)
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
    """Whether a frame's file is the learner's script (a resolved path): the one comparison the
    paragraphs, the hooks (hooks.py) and the spellings (spellings.py) make."""
    try:
        return pathlib.Path(filename).resolve() == script
    except (OSError, ValueError):
        return False


def inside(filename, folder):
    """Whether a file is inside a folder (TensorFlow's package, the project's)."""
    try:
        return pathlib.Path(filename).resolve().is_relative_to(folder)
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


def shape_dims(shape):
    """A TensorShape, or a shape as TensorFlow's messages write it ([?,28,28,1], ?), as a list
    (None for an unknown size) or None for an unknown rank."""
    if isinstance(shape, str):
        if shape == "?":
            return None
        inside = shape.strip("[]")
        return [None if d.strip() == "?" else int(d) for d in inside.split(",")] if inside else []
    shape = tf.TensorShape(shape)
    return None if shape.rank is None else shape.as_list()


# --- the graph ---------------------------------------------------------------------------------


def flat_fetches(fetches):
    """The things asked of sess.run, out of their lists, tuples and dictionaries."""
    if isinstance(fetches, dict):
        return [f for value in fetches.values() for f in flat_fetches(value)]
    if isinstance(fetches, (list, tuple)):
        return [f for value in fetches for f in flat_fetches(value)]
    return [fetches]


def op_of(thing):
    if isinstance(thing, tf2.Variable):
        return thing.handle.op
    if isinstance(thing, tf.Tensor):
        return thing.op
    return thing if isinstance(thing, tf.Operation) else None


def ops_behind(op, control=False):
    """The operations op is computed from, op first, each once (depth first, as they are found):
    through its inputs, and with control, through what must run before it too."""
    seen, todo = set(), [op]
    while todo:
        current = todo.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        yield current
        todo.extend(t.op for t in current.inputs)
        if control:
            todo.extend(current.control_inputs)


def depends_on(op, wanted):
    """Whether computing op needs the operation wanted."""
    return any(current is wanted for current in ops_behind(op, control=True))


def placeholders_behind(op):
    """The placeholders an operation's value depends on: what it is computed from, once fed."""
    return [current for current in ops_behind(op) if current.type == "Placeholder"]


def variable_behind(tensor):
    """The variable operation whose value a tensor is (read directly), or None."""
    op = tensor.op
    while op.type in ("ReadVariableOp", "Identity") and op.inputs:
        op = op.inputs[0].op
    return op if op.type in ("VarHandleOp", "VariableV2") else None


def feeds_dropout(op, depth=3):
    """Whether the operation's value goes into tf.nn.dropout within a few operations (pkeep
    does through rate=1 - pkeep)."""
    consumers = [consumer for output in op.outputs for consumer in output.consumers()]
    if any(wording.DROPOUT_SCOPE.match(consumer.name) for consumer in consumers):
        return True
    return depth > 1 and any(feeds_dropout(consumer, depth - 1) for consumer in consumers)


def names_and(names):
    names = list(dict.fromkeys(names))
    if not names:
        return ""
    return names[0] if len(names) == 1 else "%s and %s" % (", ".join(names[:-1]), names[-1])
