"""What the benchmarks share: the steps, run in this process or timed in their own.

    from benchmarks.harness import ROOT, run_step, seconds_training

    step = run_step("mnist_3.1_convolutional_bigger_dropout.py", "--iterations", "500")
    step["sess"], step["training_step"], step["accuracy"], step["X"], ...

run_step runs a step as a learner runs it (its own file and command line, headless: --no-window),
except for its call to MnistDataVis.animate(training_step, iterations, batch_size, ...): by
default nothing trains, and the MnistDataVis object keeps the arguments of that call, by name, as
.animate_arguments. With animate="train" it trains as usual. With session_config, the step's
tf.Session() gets that ConfigProto. It returns the step's variables, as runpy.run_path gives them.

seconds_training runs a step's command in a process of its own and times its training, from its
first progress line to its last.

Not a benchmark itself: the benchmarks and tests/test_drawings.py import it, and the tests check
that every step still defines NAMES_USED. A benchmark run as a script (python benchmarks/x.py,
from any folder) first puts the repository on sys.path, then imports this as benchmarks.harness.
"""

import contextlib
import inspect
import io
import os
import pathlib
import runpy
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tensorflowvisu, mnistdata and visu, as the steps find them

from visu import progress, steps  # noqa: E402

STEPS = steps.files()  # the steps' scripts, from the one list of them (visu/steps.py)

# What the benchmarks and tests take from a step's namespace
NAMES_USED = (
    "sess",
    "training_step",
    "train_step",
    "accuracy",
    "cross_entropy",
    "X",
    "Y_",
    "Y",
    "I",
    "It",
    "mnist",
    "datavis",
    "options",
    "BATCH_SIZE",
)


def run_step(step, *arguments, animate=None, session_config=None, quiet=True):
    """Runs the step (a path, or a script name beside tensorflowvisu.py) with --no-window and
    `arguments`; returns its namespace.

    animate: None (nothing trains, the arguments are kept), "train", or a function called as
    animate(datavis, training_step, iterations, batch_size, ...) in place of MnistDataVis.animate.
    session_config: a tf.ConfigProto for the step's Session. quiet: hide what the step prints."""
    import matplotlib

    matplotlib.use("agg")
    import tensorflowvisu

    import tensorflow.compat.v1 as tf

    real_animate, real_session = tensorflowvisu.MnistDataVis.animate, tf.Session

    def keep_arguments(datavis, *args, **kwargs):
        call = inspect.signature(real_animate).bind(datavis, *args, **kwargs)
        call.apply_defaults()
        datavis.animate_arguments = dict(call.arguments)

    def configured_session(*args, **kwargs):
        return real_session(*args, **dict(kwargs, config=session_config))

    path = pathlib.Path(step) if pathlib.Path(step).is_file() else ROOT / step
    if animate is None:
        animate = keep_arguments
    elif animate == "train":
        animate = real_animate
    session = configured_session if session_config is not None else real_session
    replaced = [
        (sys, "argv", [str(path), "--no-window", *arguments]),
        (tensorflowvisu.MnistDataVis, "animate", animate),
        (tf, "Session", session),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in replaced]
    output = contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext()
    try:
        for owner, name, value in replaced:
            setattr(owner, name, value)
        with output:
            return runpy.run_path(str(path), run_name="__main__")
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


def utf8_output(env=None):
    """A copy of env (default: this process's) for a Python child whose output is read here as
    UTF-8: to a pipe, Python otherwise writes in the locale's code page, cp1252 on Windows."""
    return dict(os.environ if env is None else env, PYTHONIOENCODING="utf-8")


def seconds_training(command, env, cwd=None):
    """Seconds from the command's first progress line to its "max test accuracy" line; then the
    process is ended (a live window would wait to be closed)."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        encoding="utf-8",
        env=utf8_output(env),
        cwd=cwd or tempfile.gettempdir(),
    )
    start = end = None
    for line in process.stdout:
        if start is None and progress.is_progress_line(line):
            start = time.perf_counter()
        if progress.is_last_line(line):
            end = time.perf_counter()
            break
    process.kill()
    process.wait()
    if start is None or end is None:
        sys.exit("the run did not finish: %s" % " ".join(command))
    return end - start
