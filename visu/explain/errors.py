"""When a step, or a learner's copy of one, fails because of how its graph is built, fed or run:
one paragraph in the workshop's words instead of TensorFlow's traceback.

explain(error, script) reads the exception's traceback for the frames of the learner's own file
(the step or its copy), and names what went wrong by the names the script gives to its tensors,
variables and operations: its variables are searched for the TensorFlow objects the error is
about, by identity, so nothing needs a name= argument. Kinds explained:

  shapes      a layer that cannot be built: matmul, conv2d, add, reshape, concat (and any other
              operation, in general terms), with the shapes of what it was given; a matmul with
              the weights first is said so, and advice states the shapes it rests on
  depths      a convolution whose weights take fewer channels than its images have, which
              TensorFlow builds: refused when the graph is complete, the same on every processor
  types       two values of different types in one operation (float32 and int32)
  not fed     a placeholder that sess.run needs and the feed dictionary leaves out
  feed        a feed of the wrong shape or type, or a key that is not a placeholder
  fetch       something given to sess.run that is not a tensor or an operation, or one of another
              graph (an earlier run in the same notebook)
  not ready   a variable used before the initializer gave it a value, the optimizer's included
  running     any other error of TensorFlow's while sess.run computes, with where the operation
              was built; over a size made wrong earlier, the cause traced back to the line that
              made it (visu/explain/causes.py)
  keyword     a keyword that sess.run does not take: the deck's feed= (feed_dict=)
  in general  any other error of TensorFlow's, or one whose message no pattern of
              visu/explain/wording.py reads: the learner's line and TensorFlow's own reason

Anything else (a NameError, a typo, an error in the project's own code) gets None: Python's own
message says it best, and the script's sys.excepthook shows it with the traceback left to the
learner's own lines (hooks.py). The option --traceback shows TensorFlow's own error and the whole
traceback instead. A learner's page: docs/errors.md.
"""

import ast
import inspect
import linecache
import re

import numpy as np
import tensorflow as tf2
import tensorflow.compat.v1 as tf

from visu.explain import calls, causes, wording
from visu.explain.build_errors import (
    conv_advice,
    convolution_depths,
    raised_by_tensorflow,
    refused_while_building,
    types_differ,
)
from visu.explain.learner import (
    SESSION_RUN,
    Learner,
    depends_on,
    feeds_dropout,
    flat_fetches,
    names_and,
    op_of,
    shape_dims,
    shape_text,
)
from visu.explain.network import NetworkMistake
from visu.explain.training import built_while_training
from visu.option_names import TRACEBACK_OPTION

TRACEBACK_NOTE = "(TensorFlow's own error and traceback: run again with %s.)" % TRACEBACK_OPTION


def explain(error, script, iteration=None):
    """The paragraph for an error of the graph in the learner's script (a path), or None when the
    error is not one (Python's own message is then the right one). iteration: where training
    stopped, when the error came while training."""
    learner = Learner(error, script)
    if not learner.frames:
        return None
    kinds = (
        _network_mistake,
        _run_keyword,
        *calls.KINDS,
        convolution_depths,
        _not_fed,
        _not_ready,
        _fed_or_fetched,
        refused_while_building,
        types_differ,
    )
    for kind in kinds:
        text = kind(error, learner)
        if text:
            break
    else:
        text = _failed_while_running(error, learner) or _in_general(error, learner)
    if not text:
        return None
    start = "Training stopped at iteration %d: " % iteration if iteration is not None else ""
    return "%s%s%s" % (start, text, _traceback_note(error, learner))


def _traceback_note(error, learner):
    """Where TensorFlow raised the error, the note that --traceback shows its own: nothing when
    the project's checks, or Python, found the mistake (its traceback says no more)."""
    if isinstance(error, (NetworkMistake, calls.NotAFunction)):
        return ""
    if isinstance(error, tf.errors.OpError) or raised_by_tensorflow(learner):
        return " " + TRACEBACK_NOTE
    return ""


def _network_mistake(error, learner):
    """A mistake that the checks of what a workshop network is found (visu/explain/)."""
    return error.text if isinstance(error, NetworkMistake) else None


# --- feeding and running -----------------------------------------------------------------------


def _run_keyword(error, learner):
    """sess.run given a keyword it does not take, on the learner's own line: the deck's slides
    write sess.run([accuracy, cross_entropy], feed=test_data)."""
    found = wording.UNEXPECTED_KEYWORD.match(str(error))
    if not isinstance(error, TypeError) or not found or found["function"] != "run":
        return None
    if "Session" not in str(error).split("(", 1)[0] or learner.inside[-1] is not learner.frames[-1]:
        return None
    keyword = found["keyword"]
    taken = [name for name in inspect.signature(SESSION_RUN).parameters if name != "self"]
    if keyword in taken:
        return None
    source = linecache.getline(learner.frames[-1].f_code.co_filename, learner.lines[-1]).strip()
    fixed = re.sub(r"\b%s\s*=\s*" % keyword, "feed_dict=", source, count=1)
    example = ": %s" % fixed if fixed != source else ""
    return (
        "sess.run refused: %s. sess.run takes no %s=: its feeds go in feed_dict=%s (or second, "
        "without a keyword, as the steps write it)." % (learner.line, keyword, example)
    )


def _not_fed(error, learner):
    """A placeholder that what sess.run computes needs, left out of the feed dictionary."""
    found = wording.NOT_FED.search(str(getattr(error, "message", "")))
    if not isinstance(error, tf.errors.OpError) or not found or error.op is None:
        return None
    placeholder = error.op
    name = learner.describe(placeholder)
    run = learner.session_run()
    needing, feed_name = "", "the feed dictionary"
    if run:
        fetches, feed_dict, _ = run
        users = [
            learner.describe(op_of(f))
            for f in flat_fetches(fetches)
            if op_of(f) is not None and depends_on(op_of(f), placeholder)
        ]
        if users:
            needing = " %s need%s it." % (names_and(users), "s" if len(users) == 1 else "")
        feed_name = learner.value_name(feed_dict) or feed_name
    tensor = placeholder.outputs[0]
    value = (
        " (%s is dropout's keep probability: 1.0 when measuring, 0.75 when training)" % name
        if feeds_dropout(placeholder)
        else ""
    )
    dims = shape_dims(tensor.shape)
    kind = tensor.dtype.name + ("" if dims is None else ", shape %s" % shape_text(dims))
    return (
        "sess.run cannot compute: %s. The placeholder %s (%s) was not given a value.%s sess.run "
        "needs a value for every placeholder that what it computes depends on: add %s: <value> "
        "to %s%s." % (learner.line, name, kind, needing, name, feed_name, value)
    )


def _not_ready(error, learner):
    """A variable used before the initializer gave it a value: made after it, or never."""
    found = wording.NOT_READY.search(str(getattr(error, "message", "")))
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
    elif wording.OPTIMIZER_VARIABLE.match(variable_name):
        what = (
            "the optimizer's own variable %s (Adam keeps beta1_power, beta2_power and two "
            "averages for every weight, made by minimize())" % variable_name
        )
    else:
        what = "the variable %s" % variable_name
    if variable is not None and built_while_training(variable.op):
        return (
            "sess.run cannot compute: %s. %s was made inside training_step, at %s, after "
            "training started: it is made again at every iteration, and never initialised. Build "
            "it once, before training: move that line above training_step, before "
            "sess.run(tf.global_variables_initializer()), and keep only sess.run in "
            "training_step." % (learner.line, what[0].upper() + what[1:], made or "its line")
        )
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
            written = _key_as_written(feed_dict, key, learner)
            placeholder = written and _meant_placeholder(written, key, learner)
            if placeholder:
                return placeholder
            named = written or (learner.value_name(key) if not isinstance(key, str) else None)
            hint = ""
            if isinstance(key, str) and key in learner.frames[-1].f_globals:
                hint = " Use the placeholder itself: %s, not %r." % (key, key)
            return (
                "The feed dictionary's key %s is not a placeholder: its keys are the "
                "placeholders (X, Y_, ...), its values what they get.%s"
                % (named or repr(key)[:60], hint)
            )
        name = learner.describe(key.op)
        dims = shape_dims(key.shape)
        if isinstance(value, (tf.Tensor, tf2.Variable)):
            return (
                "%s is fed a TensorFlow tensor (%s), not a value: a feed gives a placeholder its "
                "values, a number or a numpy array. Give the value itself (for example 0.75), or "
                "compute it first with sess.run." % (name, learner.describe(op_of(value)))
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


def _key_as_written(feed_dict, key, learner):
    """How the script writes a key of the feed dictionary ({X: batch_X, step: i} -> "step"): the
    dictionary written with as many keys, whose other keys are the ones fed."""
    keys = list(feed_dict)
    index = next((n for n, k in enumerate(keys) if k is key), None)
    try:
        tree = ast.parse(learner.script.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    if index is None:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict) or len(node.keys) != len(keys) or None in node.keys:
            continue
        texts = [ast.unparse(k) for k in node.keys]
        others = [
            _looked_up(text, learner) is keys[n] for n, text in enumerate(texts) if n != index
        ]
        if not all(others) or not isinstance(node.keys[index], ast.Name):
            continue
        value = _looked_up(texts[index], learner)
        if value is key or (
            type(value) in (int, float) and type(key) in (int, float) and value == key
        ):
            return texts[index]
    return None


def _looked_up(name, learner):
    for namespace in learner.namespaces():
        if name in namespace:
            return namespace[name]
    return None


def _meant_placeholder(name, key, learner):
    """A feed's key that the script made a number (step = 0) where the workshop makes a
    placeholder: the line that made it, rewritten."""
    if not isinstance(key, (int, float)) or isinstance(key, bool):
        return None
    pattern = re.compile(r"^\s*%s\s*=(?!=)\s*-?[\d.]+\s*(#.*)?$" % re.escape(name))
    lines = linecache.getlines(str(learner.script))
    found = [n for n, text in enumerate(lines, 1) if pattern.match(text)]
    if not found:
        return None
    made = learner.where(str(learner.script), found[-1])
    return (
        "The feed dictionary's key %s is the number %r (made at %s), not a placeholder: a feed "
        "gives a placeholder a value, and %s is fed one at every iteration, as a placeholder is. "
        "Write: %s = tf.placeholder(tf.float32)" % (name, key, made, name, name)
    )


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
    if dims and len(dims) == len(fed) and dims[0] is not None and list(dims[1:]) == list(fed[1:]):
        return (
            "The first dimension counts the images fed at once, %d here: a training batch and "
            "the test feed different numbers of images. Leave it open: declare %s with None "
            "first, [None, %s]." % (fed[0], name, ", ".join(str(d) for d in dims[1:]))
        )
    return "Feed it values of shape %s, or declare %s with the shape of what you feed." % (
        shape_text(dims),
        name,
    )


def _fetch_problem(fetches, session, learner):
    for fetch in flat_fetches(fetches):
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
    inputs = names_and(
        [
            "%s %s" % (learner.describe(t.op), shape_text(shape_dims(t.shape)))
            for t in map(_as_written, op.inputs)
        ]
    )
    text = "sess.run cannot compute: %s. Computing %s%s%s failed, TensorFlow says: %s." % (
        learner.line,
        learner.describe(op),
        " (built at %s)" % built if built else "",
        " from %s" % inputs if inputs else "",
        _first_line(error.message).rstrip("."),
    )
    run = learner.session_run()
    cause = causes.story(op, error, learner, run[1] if run else None)
    return "%s %s" % (text, cause) if cause else text


def _as_written(tensor):
    """The tensor the learner gave a function of TensorFlow's, rather than the reshape the
    function made of it (softmax_cross_entropy_with_logits_v2 reshapes its logits and labels)."""
    while tensor.op.type == "Reshape" and "/" in tensor.op.name:
        tensor = tensor.op.inputs[0]
    return tensor


def _in_general(error, learner):
    """An error of TensorFlow's that no pattern of visu/explain/wording.py reads (a release that
    reworded its message, a kind not explained here): the learner's line, which names what failed,
    and TensorFlow's own reason, never its traceback alone. Python's own errors in a call (a keyword
    the function does not take, an argument missing) are not TensorFlow's: None."""
    message = _first_line(getattr(error, "message", None) or str(error))
    if isinstance(error, tf.errors.OpError):
        return "sess.run cannot compute: %s. TensorFlow says: %s." % (
            learner.line,
            message.rstrip("."),
        )
    if not isinstance(error, (ValueError, TypeError)) or not raised_by_tensorflow(learner):
        return None
    if wording.PYTHON_CALL.search(str(error)):
        return None
    message = wording.NODE_ANNOTATION.sub("", message).rstrip(".")
    if learner.session_run() is not None:
        return "sess.run refused: %s. TensorFlow says: %s." % (learner.line, message)
    return "The network cannot be built: %s. TensorFlow refused it: %s." % (learner.line, message)


def _conv_mismatch(op, learner):
    """A convolution whose weights expect fewer input channels than the images have: TensorFlow
    builds it (a grouped convolution, when they divide), and only fails to train it."""
    if op.type != "Conv2D" or len(op.inputs) < 2:
        return None
    images, weights = op.inputs[0], op.inputs[1]
    a_dims, w_dims = shape_dims(images.shape), shape_dims(weights.shape)
    if not a_dims or not w_dims or len(a_dims) != 4 or len(w_dims) != 4 or a_dims[3] == w_dims[2]:
        return None
    advice = conv_advice(
        (learner.describe(images.op), a_dims), (learner.describe(weights.op), w_dims)
    )
    return "The convolution built at %s does not fit: %s" % (
        learner.built_at(op) or op.name,
        advice,
    )


def _first_line(message):
    """TensorFlow's own reason, without its "Graph execution error" and node annotations."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(wording.ANNOTATIONS)]
    return useful[0] if useful else (lines[0] if lines else "")


class Explained(Exception):
    """An error of the script's graph that stopped the training, as the learner reads it: its
    paragraph (explain's). Its __cause__ is TensorFlow's error."""

    def __init__(self, paragraph):
        super().__init__(paragraph)
        self.paragraph = paragraph


def safe_explain(error, script, iteration=None):
    """explain(), or None if explaining failed: the error's own traceback is then shown, never
    hidden by a mistake here."""
    try:
        return explain(error, script, iteration)
    except Exception:
        return None
