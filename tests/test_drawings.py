"""Each step's network drawing, checked against the graph the step really builds.

Every step is run in this process (benchmarks/harness.py: headless, animate replaced, so
nothing trains), then one iteration of its own training_step is run with its session watched, to
see what it feeds. Its drawing, the comment block under "# The network", is read line by line:

    X  [batch, 28, 28, 1]   text          a tensor and its shape ("batch": any number of images)
    |  what the layer does    W1 [..]  B1 [..]    a layer: dense or conv, batch norm, activation
    :  dropout, keep 0.75 when training           dropout on the tensor above, before the layer

and each of those is compared with the graph: every named shape, each layer's weights, kind,
patch size, stride and padding, batch norm with its offset and scale, activation, dropout with the
keep probability the training step feeds, and nothing in the graph that the drawing leaves out.
"""

import math
import re

import pytest
import tensorflow as tf

from benchmarks.harness import NAMES_USED, run_step
from conftest import ROOT
from visu import steps

STEPS = steps.files()

TENSOR = re.compile(r"^(?P<name>\w+)\s+\[(?P<dims>[^\]]*)\]")
LAYER = re.compile(r"^\|  (?P<what>.+?)\s{2,}(?P<variables>\w+ \[[^\]]*\](?:\s+\w+ \[[^\]]*\])*)$")
DROPOUT = re.compile(r"^:  dropout, keep (?P<keep>[0-9.]+) when training$")
WHAT = re.compile(
    r"^(?:dense|conv (?P<patch>\d+x\d+), stride (?P<stride>\d+), (?P<padding>SAME|VALID) padding)"
    r"(?:, batch norm \(offset (?P<offset>\w+)(?:, scale (?P<scale>\w+))?\))?"
    r", (?P<activation>relu|sigmoid|softmax)$"
)
SHAPE = re.compile(r"\b(\w+)\s+\[([^\]]*)\]")
ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "softmax": "Softmax"}
BOUNDARIES = ("Placeholder", "VarHandleOp", "ReadVariableOp")


# --- reading a drawing ---------------------------------------------------------------------------


def drawing_lines(source):
    """The drawing's lines, without their "#   " margin: the comment block under "# The network"."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# The network"))
    block = []
    for line in lines[start + 1 :]:
        if not line.startswith("#"):
            break
        if line.startswith("#   ") and line[4:5].strip():
            block.append(line[4:])
    return block


def read_drawing(lines):
    """(tensors, layers, problems): the tensor names top to bottom; per layer its input and output
    tensor, the WHAT match, its variable names and the dropout keep drawn before it (or None)."""
    tensors, layers, problems, keep, pending = [], [], [], None, None
    for line in lines:
        tensor, layer, dropout = TENSOR.match(line), LAYER.match(line), DROPOUT.match(line)
        if tensor:
            if tensors and pending is None:
                problems.append("%s: no layer drawn between %s and it" % (line, tensors[-1]))
            if pending:
                layers.append(dict(pending, output=tensor["name"]))
            tensors.append(tensor["name"])
            pending, keep = None, None
        elif dropout and tensors and pending is None and keep is None:
            keep = float(dropout["keep"])
        elif layer and tensors and pending is None:
            what = WHAT.match(layer["what"])
            if not what:
                problems.append("cannot read what this layer does: %r" % layer["what"])
                continue
            names = [name for name, _ in SHAPE.findall(layer["variables"])]
            pending = dict(input=tensors[-1], what=what, variables=names, keep=keep, line=line)
        else:
            problems.append("cannot read this line of the drawing: %r" % line)
    if pending or keep is not None:
        problems.append("the drawing ends with a layer or dropout, not with a tensor")
    return tensors, layers, problems


def drawn_shape(dims):
    return [None if d.strip() == "batch" else math.prod(map(int, d.split("*"))) for d in dims]


# --- comparing it with the graph -------------------------------------------------------------


def scope(op):
    return op.name.split("/")[0]


def in_scope(op, kind):
    return re.fullmatch(kind + r"(_\d+)?", scope(op)) is not None


def upstream(start, stop):
    """The ops that start depends on, walking back through inputs; not past the ops where stop
    is true (they are included)."""
    seen, todo = {}, [start]
    while todo:
        op = todo.pop()
        if op.name not in seen:
            seen[op.name] = op
            if not stop(op):
                todo.extend(tensor.op for tensor in op.inputs)
    return seen


class BuiltStep:
    """A step built in this process: its namespace, graph, variables and the feeds of one
    iteration of its training_step (the training run's, and the measuring runs')."""

    def __init__(self, namespace):
        self.ns = namespace
        self.sess = namespace["sess"]
        self.graph = self.sess.graph
        self.variables = {
            value.handle.op.name: name
            for name, value in namespace.items()
            if isinstance(value, tf.Variable)
        }
        self.forward = [op for op in self.graph.get_operations() if scope(op) != "gradients"]
        self.training_feed, self.measuring_feeds = self._watch_one_iteration()

    def _watch_one_iteration(self):
        runs, real_run = [], self.sess.run

        def watched_run(fetches, feed_dict=None, **kwargs):
            runs.append((fetches, feed_dict))
            return real_run(fetches, feed_dict, **kwargs)

        self.sess.run = watched_run
        try:
            self.ns["training_step"](0, True, True)
        finally:
            del self.sess.run
        train_step = self.ns["train_step"]

        def trains(fetches):
            return fetches is train_step or (isinstance(fetches, list) and train_step in fetches)

        training = [feed for fetches, feed in runs if trains(fetches)]
        assert len(training) == 1, "one training run per iteration, not %d" % len(training)
        return training[0], [feed for fetches, feed in runs if not trains(fetches)]

    def variable_read(self, op):
        """The namespace name of the variable a ReadVariableOp reads, or None."""
        if op.type == "ReadVariableOp":
            return self.variables.get(op.inputs[0].op.name)
        return None

    def weights_op(self, name):
        """The forward MatMul or Conv2D ops that multiply by variable `name`."""
        return [
            op
            for op in self.forward
            if op.type in ("MatMul", "Conv2D") and self.variable_read(op.inputs[1].op) == name
        ]

    def close(self):
        self.sess.close()


def check_drawing(source, step):
    """Everything in which the drawing in `source` and the graph of `step` (a BuiltStep) differ."""
    tensors, layers, problems = read_drawing(drawing_lines(source))
    ns, problems = step.ns, list(problems)
    text = "\n".join(drawing_lines(source))
    for name, dims in SHAPE.findall(text):
        if name not in ns or not hasattr(ns[name], "shape"):
            problems.append("%s [%s]: the step has no tensor or variable %s" % (name, dims, name))
        elif drawn_shape(dims.split(",")) != ns[name].shape.as_list():
            problems.append(
                "%s is drawn [%s], the graph has %s" % (name, dims, ns[name].shape.as_list())
            )
    mainline = {ns[name].op.name: name for name in tensors if name in ns}
    for layer in layers:
        problems += check_layer(layer, step, mainline)
    problems += check_nothing_left_out(text, layers, step)
    return problems


def check_layer(layer, step, mainline):
    ns, what, problems = step.ns, layer["what"], []
    name = "the layer %s -> %s" % (layer["input"], layer["output"])
    weights, *others = layer["variables"]
    ops = step.weights_op(weights)
    if len(ops) != 1:
        return ["%s: %s is not the weights of one dense or conv layer" % (name, weights)]
    if layer["output"] not in ns:
        return ["%s: the step has no tensor %s" % (name, layer["output"])]
    (op,) = ops
    # what the layer does
    if (what["patch"] is not None) != (op.type == "Conv2D"):
        problems.append("%s is drawn %s, the graph has %s" % (name, what.group(0), op.type))
    elif op.type == "Conv2D":
        strides = op.get_attr("strides")
        square = strides[0] == strides[3] == 1 and strides[1] == strides[2]
        built = {
            "conv": "%dx%d" % tuple(ns[weights].shape.as_list()[:2]),
            "stride": str(strides[1]) if square else str(strides),
            "padding": op.get_attr("padding").decode(),
        }
        drawn = {"conv": what["patch"], "stride": what["stride"], "padding": what["padding"]}
        problems += [
            "%s: %s %s drawn, %s in the graph" % (name, setting, drawn[setting], built[setting])
            for setting in built
            if drawn[setting] != built[setting]
        ]
    activation = ns[layer["output"]].op.type
    if activation != ACTIVATIONS[what["activation"]]:
        problems.append("%s: %s drawn, %s in the graph" % (name, what["activation"], activation))
    # its input: the tensor drawn above it, through dropout where drawn
    before = upstream(op.inputs[0].op, lambda o: o.name in mainline or o.type in BOUNDARIES)
    reached = sorted(mainline[o] for o in before if o in mainline)
    if reached != [layer["input"]]:
        problems.append("%s: the graph feeds it from %s" % (name, " and ".join(reached) or "none"))
    problems += check_dropout(name, layer["keep"], before.values(), step)
    # after the multiplication by the weights: batch norm, biases, activation
    after = upstream(ns[layer["output"]].op, lambda o: o is op or o.type in BOUNDARIES)
    problems += check_variables(name, what, others, after.values(), step)
    return problems


def check_dropout(name, keep, ops, step):
    rates = [op.inputs[1] for op in ops if in_scope(op, "dropout") and op.type == "GreaterEqual"]
    if keep is None:
        return ["%s: dropout in the graph, not in the drawing" % name] if rates else []
    if len(rates) != 1:
        return ["%s: dropout drawn, none in the graph" % name]
    trained = 1.0 - step.sess.run(rates[0], step.training_feed)
    problems = []
    if not math.isclose(trained, keep, abs_tol=1e-6):
        problems.append("%s: dropout keep %s drawn, training keeps %.6g" % (name, keep, trained))
    if any(step.sess.run(rates[0], feed) != 0 for feed in step.measuring_feeds):
        problems.append("%s: dropout also drops neurons when measuring" % name)
    return problems


def check_variables(name, what, others, ops, step):
    """The variables between the weights and the activation, and what each does: batch norm's
    offset (subtracted in tf.nn.batch_normalization) and scale (multiplied), or a bias (added)."""
    roles = {}
    for op in ops:
        variable = step.variable_read(op)
        if variable:
            users = [user for user in op.outputs[0].consumers() if scope(user) != "gradients"]
            for user in users:
                if in_scope(user, "batchnorm"):
                    role = {"Sub": "offset", "Mul": "scale"}.get(user.type, user.type)
                else:
                    role = "bias" if user.type in ("Add", "AddV2", "BiasAdd") else user.type
                roles[variable] = role
    batchnorm = any(in_scope(op, "batchnorm") for op in ops)
    problems = []
    if batchnorm != (what["offset"] is not None):
        problems.append("%s: batch norm %s the graph" % (name, "in" if batchnorm else "not in"))
    expected = {what["offset"]: "offset", what["scale"]: "scale"} if what["offset"] else {}
    expected.pop(None, None)
    for variable in others:
        expected.setdefault(variable, "bias")
    if roles != expected:
        drawn = ", ".join("%s as %s" % item for item in sorted(expected.items()))
        built = ", ".join("%s as %s" % item for item in sorted(roles.items()))
        problems.append("%s: drawn with %s; the graph uses %s" % (name, drawn, built))
    return problems


def check_nothing_left_out(text, layers, step):
    """What the graph has that the drawing does not show at all."""
    drawn = set(name for name, _ in SHAPE.findall(text))
    counts = {
        "dense or conv layers": (
            len(layers),
            sum(op.type in ("MatMul", "Conv2D") for op in step.forward),
        ),
        "activations": (len(layers), sum(op.type in ACTIVATIONS.values() for op in step.forward)),
        "dropouts": (
            sum(layer["keep"] is not None for layer in layers),
            len({scope(op) for op in step.forward if in_scope(op, "dropout")}),
        ),
        "batch norms": (
            sum(layer["what"]["offset"] is not None for layer in layers),
            len({scope(op) for op in step.forward if in_scope(op, "batchnorm")}),
        ),
    }
    problems = [
        "%d %s drawn, %d in the graph" % (in_drawing, what, in_graph)
        for what, (in_drawing, in_graph) in counts.items()
        if in_drawing != in_graph
    ]
    missing = sorted(set(step.variables.values()) - drawn)
    if missing:
        problems.append("variables not drawn: %s" % ", ".join(missing))
    return problems


# --- the tests -------------------------------------------------------------------------------


def build(script):
    return BuiltStep(run_step(script))


@pytest.fixture(scope="module", params=STEPS)
def step(request, mnist_dir):
    """(script name, its source, the step built in this process), one step at a time."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MNIST_DATA_DIR", str(mnist_dir))
        built = build(request.param)
    yield request.param, (ROOT / request.param).read_text(encoding="utf-8"), built
    built.close()


def test_drawing_shows_the_graph_the_step_builds(step):
    script, source, built = step
    assert check_drawing(source, built) == [], script


def test_step_defines_the_names_the_benchmarks_use(step):
    script, _, built = step
    assert [name for name in NAMES_USED if name not in built.ns] == [], script


def drifts(source):
    """Copies of the source whose drawing drifted from the code, each with a word of the problem
    the check must report: what a hasty edit of a step or of its drawing would leave."""
    lines = source.splitlines()
    layers = [i for i, line in enumerate(lines) if line.startswith("#   |  ")]
    first, last = layers[0], layers[-1]

    def edited(i, old, new):
        assert old in lines[i], (old, lines[i])
        return "\n".join(lines[:i] + [lines[i].replace(old, new, 1)] + lines[i + 1 :])

    activation = re.search(r"(relu|sigmoid)    ", lines[first]) if len(layers) > 1 else None
    if activation:
        swapped = "sigmoid" if activation[1] == "relu" else "relu"
        yield "activation", edited(first, activation[1] + " ", swapped + " "), swapped
    yield "softmax", edited(last, "softmax", "relu   "), "Softmax"
    weights = re.search(r"(W\w*) \[(\d+)", lines[first])
    wrong = int(weights[2]) + 1
    yield "a shape", edited(first, weights[0], "%s [%d" % (weights[1], wrong)), weights[1]
    dropouts = [i for i, line in enumerate(lines) if line.startswith("#   :  dropout")]
    if dropouts:
        yield "keep", edited(dropouts[0], "keep 0.75", "keep 0.5"), "keep 0.5"
        without = "\n".join(lines[: dropouts[0]] + lines[dropouts[0] + 1 :])
        yield "no dropout", without, "dropout in the graph, not in the drawing"
    else:
        added = lines[:first] + ["#   :  dropout, keep 0.75 when training"] + lines[first:]
        yield "dropout", "\n".join(added), "dropout drawn, none"
    if "conv " in lines[first]:
        yield "patch", edited(first, re.search(r"conv \d+x\d+", lines[first])[0], "conv 3x3"), "3x3"
        yield "stride", edited(first, "stride 1", "stride 2"), "stride 2"
        yield "padding", edited(first, "SAME padding", "VALID padding"), "padding VALID"
    if "batch norm" in lines[first]:
        without = re.sub(r", batch norm \([^)]*\)", "", lines[first])
        yield "no batch norm", "\n".join(lines[:first] + [without] + lines[first + 1 :]), "norm"
    if "scale S1" in lines[first]:
        yield "scale", edited(first, "offset B1, scale S1", "offset S1, scale B1"), "S1 as"


def test_a_drawing_that_drifts_from_the_code_fails(step):
    script, source, built = step
    missed = []
    for change, drifted, reported in drifts(source):
        problems = check_drawing(drifted, built)
        if not any(reported in problem for problem in problems):
            missed.append("%s (%r not in %s)" % (change, reported, problems))
    assert missed == [], script


def test_code_that_drifts_from_its_drawing_fails(mnist_dir, tmp_path, monkeypatch):
    """The original's 3.1 drift, the other way round: 6x6 patches drawn, 5x5 built."""
    source = (ROOT / "mnist_3.1_convolutional_bigger_dropout.py").read_text(encoding="utf-8")
    drifted = source.replace("tf.truncated_normal([6, 6, 1, K]", "tf.truncated_normal([5, 5, 1, K]")
    assert drifted != source
    (tmp_path / "mnist_drifted.py").write_text(drifted, encoding="utf-8")
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_dir))
    built = build(tmp_path / "mnist_drifted.py")
    try:
        problems = check_drawing(drifted, built)
    finally:
        built.close()
    assert "the layer X -> Y1: conv 6x6 drawn, 5x5 in the graph" in problems
    assert "W1 is drawn [6, 6, 1, 6], the graph has [5, 5, 1, 6]" in problems
