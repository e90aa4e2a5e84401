"""TensorFlow's start, quiet: importing this module imports TensorFlow and finds its devices.

Left alone, TensorFlow writes about ten lines of its C++ log to stderr when it is imported and
when its first Session looks for devices: "Could not find cuda drivers", the instructions its
binary could use, and on a Linux machine without a GPU "E0000 ... failed call to cuInit: ...
UNKNOWN ERROR (303)", which a notebook shows in red. None of it is wrong, and a learner reading
"ERROR" stops. Here the import and the device search run with the process's stderr (file
descriptor 2, where the C++ log goes) sent to a temporary file; only the lines that say something
is really wrong are written back, and every run starts with one line of the project's own instead
(describe(): TensorFlow's version, the CPU or the GPU it runs on). TF_CPP_MIN_LOG_LEVEL=2 during
the import (unless already set) keeps TensorFlow's later information and warnings away too: its
level is read once, at the import.

What was measured with TensorFlow 2.21 on Linux: TF_CPP_MIN_LOG_LEVEL hides the cuInit error and
the instruction-set note, but not "WARNING: All log messages before absl::InitializeLog()..." nor
"Could not find cuda drivers", written by absl before TensorFlow's own log level applies: only the
redirection hides those.

Before the import, visu/kernels.py chooses TensorFlow's CPU kernels for the running step on this
processor (oneDNN's or its own: TF_ENABLE_ONEDNN_OPTS, set for the import only, unless the learner
set it), and the project's line says which and why.

Everything is shown, as TensorFlow writes it, with the option --tf-log or the environment
variable TF_LOG=1, on a processor without the AVX instructions TensorFlow's x86 builds need
(its import then stops the process, and its own last line says why), and when the import fails.
A learner's page: docs/errors.md ("TensorFlow's start-up lines").
"""

import os
import platform
import re
import sys
import tempfile
from typing import NamedTuple, Optional

from visu import kernels
from visu.option_names import TF_LOG_OPTION, TF_LOG_VARIABLE, jupyter_shell

QUIET_LOG_LEVEL = "2"  # TensorFlow's C++ log: errors only, no information or warnings

# One line of TensorFlow's C++ log: absl's format (TensorFlow 2.17 on) or TensorFlow's older one
# (2.16: "2024-05-01 10:00:00.000000: I tensorflow/core/util/port.cc:113] ...").
_LOG_LINE = re.compile(
    r"^(?:(?P<absl>[IWEF])\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ |"
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: (?P<tf>[IWEF]) )\S+:\d+\] "
)
_ABSL_NOTE = "WARNING: All log messages before absl::InitializeLog() is called"
# Errors that only say there is no GPU to use (the project's own line says where TensorFlow runs)
_NO_GPU = re.compile(r"cuInit|CUDA|cuda|cuDNN|cuFFT|cuBLAS|TensorRT|GPU|computation placer")


class Started(NamedTuple):
    """How TensorFlow started: its version, its GPUs' names, whether its own start-up lines were
    shown (--tf-log), and the lines kept from them because they say something is wrong."""

    version: str
    gpus: tuple
    shown: bool
    kept: tuple
    onednn: Optional[bool] = None  # whether the CPU runs oneDNN's kernels; None: not known
    choice: Optional[kernels.Choice] = None  # the CPU kernels chosen for this run, and why


def tensorflow_log_wanted(argv=None, environ=None):
    """Whether TensorFlow's own start-up lines are asked for: --tf-log on the command line (read
    here, before the options are parsed, because TensorFlow starts when the step imports it), or
    TF_LOG set to anything but 0 or nothing."""
    argv = sys.argv[1:] if argv is None else argv
    environ = os.environ if environ is None else environ
    return TF_LOG_OPTION in argv or environ.get(TF_LOG_VARIABLE, "0") not in ("", "0")


def processor_runs_tensorflow(machine=None, cpuinfo="/proc/cpuinfo"):
    """False on an x86 Linux machine whose processor lacks AVX, which TensorFlow's x86 builds
    need: importing TensorFlow there stops the process, and its own last line is the explanation."""
    machine = (machine or platform.machine()).lower()
    if machine not in ("x86_64", "amd64"):
        return True
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as info:
            flags = next((line for line in info if line.startswith("flags")), None)
    except OSError:
        return True  # not Linux, or no /proc: nothing to check
    return flags is None or "avx" in flags.split()


def lines_that_matter(text):
    """The lines of TensorFlow's start-up log worth a learner's attention: fatal lines, errors
    other than "no GPU here", and anything that is not a log line (with its continuation lines).
    Dropped: absl's note, information, warnings, and the errors that only say there is no GPU."""
    kept, keeping = [], True
    for line in text.splitlines():
        header = _LOG_LINE.match(line)
        if header:
            severity = header.group("absl") or header.group("tf")
            keeping = severity == "F" or (severity == "E" and not _NO_GPU.search(line))
        elif line.startswith(_ABSL_NOTE):
            keeping = False
            continue
        elif not line.strip():
            continue
        # a line that is not a log line continues the one before it, if that one was a log line
        if keeping:
            kept.append(line)
    return kept


class _StderrToFile:
    """File descriptor 2 sent to a temporary file while in the block; .text holds what came."""

    def __enter__(self):
        self.text = ""
        self._file = tempfile.TemporaryFile()
        _flush_stderr()
        try:
            self._saved = os.dup(2)
        except OSError:  # no stderr at all (pythonw): nothing to quiet
            self._saved = None
            return self
        os.dup2(self._file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        if self._saved is not None:
            _flush_stderr()
            os.dup2(self._saved, 2)
            os.close(self._saved)
        self._file.seek(0)
        self.text = self._file.read().decode("utf-8", "replace")
        self._file.close()
        return False


def _flush_stderr():
    if sys.stderr is not None:
        sys.stderr.flush()


def start_tensorflow(argv=None, environ=None):
    """Imports TensorFlow and finds its devices, quietly unless asked (see the module's doc).
    Returns a Started. When the import fails, all its lines are written back, then it raises.
    The CPU kernels are chosen first (visu/kernels.py), where TensorFlow is not imported yet."""
    if "tensorflow" in sys.modules:  # a notebook's own cell imported it: its kernels are set
        choice = kernels.Choice(None, kernels.STARTED_BEFORE)
    else:
        choice = kernels.apply(in_jupyter=jupyter_shell() is not None)
    try:
        if tensorflow_log_wanted(argv, environ) or not processor_runs_tensorflow():
            tf = _import_tensorflow()
            return Started(tf.__version__, _gpu_names(tf), True, (), onednn_kernels(), choice)
        return _start_quietly(choice)
    finally:
        # TensorFlow has read it (onednn_kernels() asks): a child process, a step run from this
        # one, makes its own choice, and finds the learner's setting as the learner left it
        if choice.setting is not None:
            del os.environ[kernels.VARIABLE]


def _start_quietly(choice):
    # imported before (a notebook's own cell): its import's lines came then, its devices' not yet
    quiet_level = "tensorflow" not in sys.modules and "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    if quiet_level:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = QUIET_LOG_LEVEL
    captured, failed = _StderrToFile(), True
    try:
        with captured:
            tf = _import_tensorflow()
            gpus = _gpu_names(tf)  # finds the devices now: the first Session's lines come here
            onednn = onednn_kernels()  # TensorFlow 2.16 says "oneDNN custom operations are on" now
        failed = False
    finally:
        if quiet_level:  # child processes get the environment the run had
            del os.environ["TF_CPP_MIN_LOG_LEVEL"]
        if failed:
            sys.stderr.write(captured.text)
    kept = lines_that_matter(captured.text)
    if kept:
        print("\n".join(kept), file=sys.stderr)
    return Started(tf.__version__, gpus, False, tuple(kept), onednn, choice)


def _import_tensorflow():
    import tensorflow as tf

    return tf


def _gpu_names(tf):
    """The names of the GPUs TensorFlow will use ("NVIDIA H200"), in order."""
    names = []
    for index, gpu in enumerate(tf.config.list_physical_devices("GPU")):
        try:
            details = tf.config.experimental.get_device_details(gpu)
        except Exception:  # details are not given for every kind of GPU
            details = {}
        names.append(details.get("device_name") or "GPU %d" % index)
    return tuple(names)


def onednn_kernels():
    """Whether TensorFlow runs oneDNN's CPU kernels or its own (None: this release does not say).
    It picks them by processor (oneDNN on x86 with AVX-512 VNNI, BF16 or AMX), or as
    TF_ENABLE_ONEDNN_OPTS says; the two move a run's figures by a few test images."""
    try:
        from tensorflow.python.util import _pywrap_util_port

        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return None


def nvidia_driver_present():
    """Whether this machine has an NVIDIA GPU with its driver loaded (Linux)."""
    return os.path.exists("/proc/driver/nvidia/version")


def describe(started):
    """The project's one line at the start of a run: TensorFlow's version and where it runs."""
    if len(started.gpus) == 1:
        where = "on the GPU: %s" % started.gpus[0]
    elif started.gpus:
        where = "on %d GPUs: %s" % (len(started.gpus), ", ".join(started.gpus))
    elif nvidia_driver_present():
        where = (
            "on the CPU: this machine has an NVIDIA GPU, but TensorFlow cannot use it (on Linux, "
            "pip install 'tensorflow[and-cuda]' adds the CUDA libraries it needs)"
        )
    elif started.onednn is None:
        where = "on the CPU"
    else:
        where = "on the CPU with " + kernels.set_name(started.onednn)
        if started.choice is not None and started.choice.explains(started.onednn):
            where += started.choice.why
    if started.shown:
        return "TensorFlow %s, %s. Its own start-up messages are above (%s)." % (
            started.version,
            where,
            TF_LOG_OPTION,
        )
    return "TensorFlow %s, %s. (Its own start-up messages: %s, or %s=1.)" % (
        started.version,
        where,
        TF_LOG_OPTION,
        TF_LOG_VARIABLE,
    )


STARTED = start_tensorflow()
