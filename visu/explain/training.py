"""The feeds and the training, held to what a workshop step does, while its first iterations run.

At iteration 0 every sess.run of training_step is watched (what it computes, what it is fed, from
which line): the optimizer must run, the initializer must not (the weights keep what they learn),
dropout's rate must be the share dropped, the test figures must measure the network as it is (no
dropout, the statistics the step means for testing), and every update the network needs (batch
norm's moving averages) must run. At iteration 1 the graph must not have grown: an operation
built inside training_step is built again at every iteration. The checks are registered in the
order they run; the first that finds a mistake stops the training with its paragraph.
A learner's page: docs/errors.md.
"""

import contextlib
import pathlib
import re
import sys

import numpy as np
import tensorflow.compat.v1 as tf

from visu.explain.learner import feeds_dropout, flat_fetches, op_of, ops_behind
from visu.explain.network import _optimizer_scope, rewritten

AFTER_FIRST_ITERATION = []  # checks of iteration 0's runs, in the order they run
UPDATES = ("AssignSubVariableOp", "AssignSub", "AssignAddVariableOp", "AssignAdd")
_PROJECT_FILE = pathlib.Path(__file__).resolve().parent.parent.parent / "tensorflowvisu.py"


def after_first_iteration(function):
    AFTER_FIRST_ITERATION.append(function)
    return function


class TrainingMistake(RuntimeError):
    """A mistake of the feeds or the training found in the first iterations: its paragraph."""

    def __init__(self, text):
        super().__init__(text)
        self.text = text


class Run:
    """One sess.run of iteration 0: what it computes, its feeds, the line that called it."""

    def __init__(self, fetches, feed_dict, line, local_names):
        self.ops = [op_of(f) for f in flat_fetches(fetches) if op_of(f) is not None]
        self.computes = set()
        for op in self.ops:
            self.computes |= _with_control(op)
        self.feeds = {}
        for key, value in (feed_dict or {}).items():
            if isinstance(key, tf.Tensor):
                self.feeds[key.op.name] = (key.op, value)
        self.line = line
        self.feed_name = next(
            (name for name, v in local_names.items() if v is feed_dict and feed_dict is not None),
            None,
        )

    def trains(self):
        return any("Apply" in name or name.endswith("/update") for name in self.computes)

    def rows(self, images):
        fed = self.feeds.get(images.name)
        return None if fed is None else np.shape(fed[1])[0] if np.ndim(fed[1]) else None


def _with_control(op):
    """The names of the operations that run when op runs."""
    return {current.name for current in ops_behind(op, control=True)}


class Watch:
    """Watches the first iterations of training for the network's mistakes."""

    def __init__(self, network):
        self.network = network
        self.runs = []
        self.count = None

    @contextlib.contextmanager
    def iteration(self, i):
        """Around compute_step(i): at iteration 0, every sess.run is recorded."""
        if i != 0:
            yield
            return
        session_class = next(c for c in tf.Session.__mro__ if "run" in vars(c))
        real_run = session_class.run
        script = self.network.script.script
        runs = self.runs

        # the same arguments as BaseSession.run, and its name: a call that Python refuses
        # (sess.run(..., feed=...)) is refused on the learner's line, with Python's own message
        def recording_run(session, fetches, feed_dict=None, options=None, run_metadata=None):
            frame = sys._getframe(1)
            while frame is not None and not _same(frame.f_code.co_filename, script):
                frame = frame.f_back
            if frame is not None:
                try:
                    runs.append(Run(fetches, feed_dict, frame.f_lineno, frame.f_locals))
                except Exception:  # never in the way of the learner's run
                    pass
            return real_run(session, fetches, feed_dict, options, run_metadata)

        recording_run.__qualname__ = real_run.__qualname__
        session_class.run = recording_run
        try:
            yield
        finally:
            session_class.run = real_run

    def rows(self):
        """(images in a training batch, images in a test) as iteration 0 fed them, or None."""
        images = self.network.images
        training = [run.rows(images) for run in self.runs if run.trains()]
        tests = [
            run.rows(images)
            for run in self.runs
            if not run.trains() and self.network.loss.op.name in run.computes
        ]
        tests = [rows for rows in tests if rows not in (None, *training)]
        return (training[0], tests[0]) if training and training[0] and tests else None

    def after(self, i):
        """After compute_step(i): raises TrainingMistake for the first mistake found."""
        graph = self.network.graph
        if i == 0:
            self.count = len(graph.get_operations())
            for found in AFTER_FIRST_ITERATION:
                text = found(self.network, self.runs)
                if text:
                    raise TrainingMistake(text)
        elif i == 1 and self.count is not None:
            text = graph_grows(self.network, graph.get_operations()[self.count :])
            if text:
                raise TrainingMistake(text)


def _same(filename, script):
    try:
        return pathlib.Path(filename).resolve() == script
    except (OSError, ValueError):
        return False


def built_while_training(op):
    """Whether an operation was built by the training function animate calls, after training
    had started (its creation's call stack goes through animate)."""
    return any(
        frame.name == "animate" and _same(frame.filename, _PROJECT_FILE)
        for frame in getattr(op, "traceback", None) or []
    )


# --- after iteration 0 --------------------------------------------------------------------------


@after_first_iteration
def training_step_trains(net, runs):
    """training_step runs the optimizer: at iteration 0, one of its sess.run computes it."""
    if not runs or any(run.trains() for run in runs):
        return None
    named = None
    for name, value in net.script.namespaces()[0].items():
        op = op_of(value) if not isinstance(value, (list, tuple, dict)) else None
        if op is not None and not name.startswith("_"):
            if any("Apply" in n for n in _with_control(op)):
                named = name
                break
    if named is None:
        return None
    line = net.script.assigned_at(named)
    feed = next((run.feed_name for run in runs if run.feed_name), None)
    return (
        "training_step never runs %s (%s): at iteration 0 its sess.run computed figures, and "
        "no sess.run computed %s, so the weights never change. Each iteration runs it once, fed "
        "a batch: sess.run(%s, %s)."
        % (
            named,
            net.script.at(line) if line else "the optimizer",
            named,
            named,
            feed or "{X: batch_X, Y_: batch_Y}",
        )
    )


@after_first_iteration
def weights_start_over_once(net, runs):
    """The initializer run by training_step: every weight given its starting value again at
    every iteration, so nothing learned is kept."""
    weights = {h.name for h in net.variables}
    for run in runs:
        assigns = [
            name
            for name in run.computes
            if _assigns_a_weight(net.graph.get_operation_by_name(name), weights)
        ]
        if not assigns:
            continue
        if any(built_while_training(op) for op in run.ops):
            return None  # built in training_step too: graph_grows says both, at iteration 1
        return (
            "training_step runs the initializer: %s. It gives every weight its starting value "
            "again at every iteration, so what each step learned is lost and the network never "
            "learns. Run it once, before training, as the steps do, and keep only the training "
            "in training_step: take this line out of it." % net.script.at(run.line)
        )
    return None


def _assigns_a_weight(op, weights):
    return (
        op.type in ("AssignVariableOp", "Assign")
        and not _optimizer_scope(op.name)
        and bool(op.inputs)
        and op.inputs[0].op.name in weights
    )


@after_first_iteration
def dropout_rate_is_the_share_dropped(net, runs):
    """tf.nn.dropout(Y, rate=pkeep): rate is the share of neurons dropped, and pkeep, fed 1.0 in
    the test, the share kept: the test would drop them all."""
    training = [run for run in runs if run.trains()]
    if not training:
        return None
    rated = {}
    for op in net.graph.get_operations():
        if not re.match(r"^dropout(_\d+)?/GreaterEqual$", op.name) or len(op.inputs) < 2:
            continue
        rate = op.inputs[1].op
        while rate.type in ("Identity", "Cast") and rate.inputs:
            rate = rate.inputs[0].op
        if rate.type == "Placeholder" and net.line(op):
            rated.setdefault(rate.name, (rate, []))[1].append(net.line(op))
    for name, (placeholder, lines) in rated.items():
        tested = [run.feeds[name][1] for run in runs if not run.trains() and name in run.feeds]
        trained = training[0].feeds.get(name)
        if not tested or trained is None or np.ndim(tested[0]) or float(tested[0]) != 1.0:
            continue
        named = net.name(placeholder) or placeholder.name
        line = lines[0]
        fix = rewritten(
            net.script.source(line),
            r"rate\s*=\s*%s\b" % re.escape(named),
            "rate=1 - %s" % named,
            1,
        )
        more = lines[1:]
        return (
            "Dropout's rate is %s: %s%s. rate= is the share of neurons dropped, and %s is fed %g "
            "in training and 1.0 in the test: the share kept. As it is, the test drops every "
            "neuron; rate=1 - %s drops %g of them in training, none in the test.%s"
            % (
                named,
                net.script.at(line),
                " (and line%s %s)" % ("s" if len(more) > 1 else "", ", ".join(map(str, more)))
                if more
                else "",
                named,
                float(trained[1]),
                named,
                1 - float(trained[1]),
                " Write: %s" % fix if fix else "",
            )
        )
    return None


@after_first_iteration
def test_measures_the_network_as_it_is(net, runs):
    """The test figures: no dropout, and batch norm's statistics for testing."""
    training = [run for run in runs if run.trains()]
    if not training or net.images is None:
        return None
    rows = training[0].rows(net.images)
    tests = [
        run
        for run in runs
        if not run.trains()
        and net.loss.op.name in run.computes
        and run.rows(net.images) not in (None, rows)
    ]
    for run in tests:
        for name, (placeholder, value) in run.feeds.items():
            if placeholder.outputs[0].shape.rank not in (None, 0) or np.ndim(value):
                continue
            trained = training[0].feeds.get(name)
            kind = placeholder.outputs[0].dtype
            if kind == tf.bool and trained is not None and bool(value) == bool(trained[1]):
                fixed_value, what = (
                    (not bool(value)),
                    "the statistics of the test images themselves, as training uses each "
                    "batch's, instead of the moving averages the step keeps for testing",
                )
            elif kind.is_floating and feeds_dropout(placeholder) and float(value) != 1.0:
                fixed_value, what = 1.0, "dropout: a share of its neurons switched off"
            else:
                continue
            return _feed_mistake(net, run, placeholder, value, fixed_value, what)
    return None


def _feed_mistake(net, run, placeholder, value, fixed, what):
    name = net.name(placeholder) or placeholder.name
    line = net.script.assigned_at(run.feed_name) if run.feed_name else None
    line = line or run.line
    source = net.script.source(line)
    fix = rewritten(
        source, r"(\b%s\s*:\s*)[\w.]+" % re.escape(name), r"\g<1>%s" % _literal(fixed), 1
    )
    return (
        "The test figures measure the network with %s: %s gives %s %s (%s). The test measures "
        "the network as it is: %s: %s.%s"
        % (
            what,
            net.script.at(line),
            name,
            _literal(value),
            "as training does" if placeholder.outputs[0].dtype == tf.bool else "while testing",
            name,
            _literal(fixed),
            " Write: %s" % fix if fix else "",
        )
    )


def _literal(value):
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    return repr(float(value))


@after_first_iteration
def every_update_runs(net, runs):
    """An update the network needs (batch norm's moving averages), made and never run."""
    ran = set()
    for run in runs:
        ran |= run.computes
    updates = [
        op
        for op in net.graph.get_operations()
        if op.type in UPDATES
        and not _optimizer_scope(op.name)
        and op.name not in ran
        and net.script.made_by_script(op)
    ]
    if not updates:
        return None
    named = []
    for name, value in net.script.namespaces()[0].items():
        op = op_of(value) if not isinstance(value, (list, tuple, dict)) else None
        if op is not None and not name.startswith("_"):
            covers = _with_control(op)
            count = sum(u.name in covers for u in updates)
            if count:
                named.append((count, name))
    if not named:
        return None
    _, group = max(named)
    training = next((run for run in runs if run.trains()), None)
    fix = None
    if training is not None:
        fix = rewritten(
            net.script.source(training.line),
            r"sess\.run\(\s*(\w+)\s*,",
            r"sess.run([\1, %s]," % group,
            1,
        )
    line = net.script.assigned_at(group)
    return (
        "%s (%s) is made and never run: no sess.run of training_step computes it, so the moving "
        "averages the test figures use never move. Run it with each training step%s"
        % (group, net.script.at(line) if line else "", ". Write: %s" % fix if fix else ".")
    )


# --- at iteration 1 -----------------------------------------------------------------------------


def graph_grows(net, new_ops):
    """Operations built again at iteration 1 by the script: the graph grows at every iteration."""
    lines = {}
    for op in new_ops:
        line = net.line(op)
        if line is not None:
            lines.setdefault(line, []).append(op)
    if not lines:
        return None
    line = min(lines)
    source = net.script.source(line)
    again = ""
    if "initializer" in source:
        again = (
            " It runs the initializer again, too: every weight starts over at every iteration, "
            "so the network never learns."
        )
    return (
        "training_step builds new operations at every iteration: %s built %d at iteration 1 and "
        "builds as many at each one after, so the graph grows and every iteration is slower than "
        "the last.%s Build the graph once, before training: move this line above training_step "
        "(before sess.run(tf.global_variables_initializer()) when it makes variables, such as an "
        "optimizer's), and keep only sess.run in training_step."
        % (net.script.at(line), sum(len(ops) for ops in lines.values()), again)
    )
