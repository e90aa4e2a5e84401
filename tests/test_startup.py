"""A run's first lines are the project's: TensorFlow's start-up log kept away unless asked for.

The lines TensorFlow writes at start-up on this machine are first recorded from a bare import
(python -c "import tensorflow ..."); a step run as a learner runs it must show none of them, and
show them all with --tf-log. The filter that keeps the lines worth a learner's attention is
tested on TensorFlow's two log formats (2.16 and 2.21) written out here.
"""

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from visu import startup

STEP = ROOT / "mnist_1.0_softmax.py"
MARKER = re.compile(r"\b[\w.]+\.cc:\d+\]")  # where a C++ log line comes from: cudart_stub.cc:31]


def run(command, cwd, mnist_dir, **extra_env):
    env = dict(os.environ, MPLBACKEND="agg", MNIST_DATA_DIR=str(mnist_dir), **extra_env)
    for name in ("TF_CPP_MIN_LOG_LEVEL", startup.TF_LOG_VARIABLE):
        if name not in extra_env:
            env.pop(name, None)
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, encoding="utf-8", timeout=300
    )


@pytest.fixture(scope="module")
def tensorflows_own_lines(mnist_dir, tmp_path_factory):
    """The places in TensorFlow's code that write to stderr when it starts, on this machine."""
    bare = run(
        [sys.executable, "-c", "import tensorflow as tf; tf.config.list_physical_devices()"],
        tmp_path_factory.mktemp("bare"),
        mnist_dir,
    )
    assert bare.returncode == 0, bare.stderr
    places = set(MARKER.findall(bare.stderr))
    if not places:
        pytest.skip("TensorFlow writes no start-up line on this machine: nothing to keep away")
    return places


def test_a_step_starts_with_the_projects_line_and_none_of_tensorflows(
    tensorflows_own_lines, mnist_dir, tmp_path
):
    done = run([sys.executable, str(STEP), "--iterations", "1", "--no-window"], tmp_path, mnist_dir)
    assert done.returncode == 0, done.stderr
    assert not set(MARKER.findall(done.stderr)) & tensorflows_own_lines, done.stderr
    assert "absl::InitializeLog" not in done.stderr
    assert done.stderr == ""  # nothing at all: the run went well
    first = next(line for line in done.stdout.splitlines() if line.startswith("TensorFlow "))
    assert re.fullmatch(
        r"TensorFlow 2\.\d+\.\d+\S*, "
        r"on (the CPU( with (oneDNN's|TensorFlow's own) kernels([:,] .+)?)?"
        r"|the GPU: .+|\d GPUs: .+)[.:] .*",
        first,
    )
    assert "--tf-log" in first


@pytest.mark.parametrize("how", ["option", "environment"])
def test_tf_log_shows_tensorflows_own_lines(how, tensorflows_own_lines, mnist_dir, tmp_path):
    command = [sys.executable, str(STEP), "--iterations", "1", "--no-window"]
    if how == "option":
        done = run(command + [startup.TF_LOG_OPTION], tmp_path, mnist_dir)
    else:
        done = run(command, tmp_path, mnist_dir, **{startup.TF_LOG_VARIABLE: "1"})
    assert done.returncode == 0, done.stderr
    assert tensorflows_own_lines <= set(MARKER.findall(done.stderr))
    assert "TensorFlow's own start-up messages are above" not in done.stdout
    assert "Its own start-up messages are above (--tf-log)" in done.stdout


def test_help_lists_the_tf_log_option(tmp_path):
    done = subprocess.run(
        [sys.executable, str(STEP), "--help"], cwd=tmp_path, capture_output=True, encoding="utf-8"
    )
    assert startup.TF_LOG_OPTION in done.stdout and startup.TF_LOG_VARIABLE in done.stdout


# --- which lines are kept ------------------------------------------------------------------------

TF_2_21 = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1795937381.674752    4396 cudart_stub.cc:31] Could not find cuda drivers on your \
machine, GPU will not be used.
I0000 00:00:1795937381.749085    4396 cpu_feature_guard.cc:227] This TensorFlow binary is \
optimized to use available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the \
appropriate compiler flags.
E0000 00:00:1795937393.860211    4422 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA \
error: Failed call to cuInit: UNKNOWN ERROR (303)
"""
TF_2_16 = """\
2024-06-01 10:00:00.000001: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on. \
You may see slightly different numerical results due to floating-point round-off errors from \
different computation orders. To turn them off, set the environment variable \
`TF_ENABLE_ONEDNN_OPTS=0`.
2024-06-01 10:00:00.000002: E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261] \
Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has \
already been registered
2024-06-01 10:00:00.000003: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT \
Warning: Could not find TensorRT
"""


@pytest.mark.parametrize("text", [TF_2_21, TF_2_16], ids=["2.21", "2.16"])
def test_the_usual_start_up_lines_are_all_dropped(text):
    assert startup.lines_that_matter(text) == []


def test_fatal_lines_other_errors_and_plain_text_are_kept_with_their_continuations():
    fatal = (
        "F0000 00:00:1795937381.674752    4396 cpu_feature_guard.cc:100] The TensorFlow library "
        "was compiled to use AVX instructions, but these aren't available on your machine."
    )
    error = "E0000 00:00:1795937393.860211    4422 bfc_allocator.cc:485] Out of memory"
    old_error = "2024-06-01 10:00:00.000004: E tensorflow/core/framework/op_kernel.cc:1] Failed"
    information = "I0601 10:00:00.000001   1234 some_pass.cc:437] Nothing wrong"
    text = "\n".join(
        [TF_2_21, fatal, "  a line continuing it", TF_2_16, error, information, "  its next line"]
        + [old_error, "ImportError: a plain line"]
    )
    kept = [fatal, "  a line continuing it", error, old_error, "ImportError: a plain line"]
    assert startup.lines_that_matter(text) == kept


def test_tf_log_is_asked_by_the_option_or_the_environment():
    assert startup.tensorflow_log_wanted(["--tf-log"], {})
    assert startup.tensorflow_log_wanted([], {"TF_LOG": "1"})
    assert not startup.tensorflow_log_wanted([], {"TF_LOG": "0"})
    assert not startup.tensorflow_log_wanted(["--iterations", "5"], {})


def test_a_processor_without_avx_gets_tensorflows_own_lines(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2\n", encoding="utf-8"
    )
    assert not startup.processor_runs_tensorflow("x86_64", cpuinfo)
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu sse sse2 avx avx2 fma\n", encoding="utf-8")
    assert startup.processor_runs_tensorflow("x86_64", cpuinfo)
    assert startup.processor_runs_tensorflow("arm64", tmp_path / "missing")


def test_stderr_is_sent_to_a_file_and_given_back(capfd):
    with startup._StderrToFile() as captured:
        os.write(2, b"from C++\n")
    os.write(2, b"after\n")
    assert captured.text == "from C++\n"
    assert capfd.readouterr().err == "after\n"


@pytest.mark.parametrize("setting", ["0", "1"])
@pytest.mark.parametrize(
    "step", [STEP, ROOT / "mnist_3.0_convolutional.py"], ids=["dense", "convolutional"]
)
def test_a_learners_tf_enable_onednn_opts_is_obeyed_and_named_in_the_start_line(
    setting, step, mnist_dir, tmp_path
):
    # whatever the project would pick for this step on this processor: the learner's word goes
    if startup.STARTED.gpus:
        pytest.skip("TensorFlow runs on this machine's GPU")
    code = (
        "import os, runpy, sys; sys.argv = [sys.argv[1], '--no-window', '--iterations', '1']; "
        "sys.path.insert(0, os.path.dirname(sys.argv[0])); "
        "runpy.run_path(sys.argv[0], run_name='__main__'); "
        "from tensorflow.python.util import _pywrap_util_port as port; "
        "print('oneDNN:', port.IsMklEnabled())"
    )
    done = run(
        [sys.executable, "-c", code, str(step)],
        tmp_path,
        mnist_dir,
        TF_ENABLE_ONEDNN_OPTS=setting,
    )
    assert done.returncode == 0, done.stderr
    onednn = "oneDNN: True" in done.stdout
    assert ("oneDNN: %s" % onednn) in done.stdout  # what TensorFlow ran on
    if setting == "0":
        assert not onednn
    line = next(line for line in done.stdout.splitlines() if line.startswith("TensorFlow "))
    assert ", on the CPU with %s" % startup.kernels.set_name(onednn) in line
    if onednn == (setting == "1"):  # not where this TensorFlow has no oneDNN (macOS)
        assert ", as TF_ENABLE_ONEDNN_OPTS=%s asks. " % setting in line


@pytest.mark.parametrize(
    "gpus, says",
    [
        ((), "on the CPU."),
        (("NVIDIA H200",), "on the GPU: NVIDIA H200."),
        (("A", "B"), "on 2 GPUs: A, B."),
    ],
)
def test_the_projects_line_says_where_tensorflow_runs(gpus, says, monkeypatch):
    monkeypatch.setattr(startup, "nvidia_driver_present", lambda: False)
    line = startup.describe(startup.Started("2.21.0", gpus, False, ()))
    assert line.startswith("TensorFlow 2.21.0, " + says)


def test_the_projects_line_gives_the_reason_for_the_kernels_only_where_it_holds(monkeypatch):
    monkeypatch.setattr(startup, "nvidia_driver_present", lambda: False)
    chosen = startup.kernels.Choice("1", ": 2.3 times faster for convolutions on this processor")
    line = startup.describe(startup.Started("2.21.0", (), False, (), True, chosen))
    assert line.startswith(
        "TensorFlow 2.21.0, on the CPU with oneDNN's kernels: 2.3 times faster for convolutions "
        "on this processor. ("
    )
    # asked for oneDNN's kernels, TensorFlow ran its own (its builds for macOS have no oneDNN)
    line = startup.describe(startup.Started("2.21.0", (), False, (), False, chosen))
    assert line.startswith("TensorFlow 2.21.0, on the CPU with TensorFlow's own kernels. (")
    asked = startup.kernels.Choice(None, ", as TF_ENABLE_ONEDNN_OPTS=0 asks", False)
    line = startup.describe(startup.Started("2.21.0", (), False, (), False, asked))
    assert ", on the CPU with TensorFlow's own kernels, as TF_ENABLE_ONEDNN_OPTS=0 asks. (" in line
