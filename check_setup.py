"""Is this machine ready for the workshop? Run `python check_setup.py` at home, before it.

One line per check, marked [ ok ], [FAIL] or [note] (worth knowing, but the workshop runs), with
what to do when it failed:
  Python       a version and platform TensorFlow ships for
  tensorflow, numpy, matplotlib   installed, and within the versions the tests run on
  MNIST        the four files found and verified, or downloaded now (MNIST_DATA_DIR honoured),
               so that the workshop itself needs no network
  window       whether the steps will show a live window, and if not, why and what instead;
               tried in a child process, where a toolkit that aborts or hangs is a [FAIL]
  speed        a short run of step 3.1, and from it how long each step's full run takes here;
               then one on the other set of CPU kernels, named with how to ask for it if faster
The exit status is 0 only when the workshop will run. The last line sums the check up for the
learner to send the instructor (docs/setup.md). Run from a room kit (room_kit.py), a line after
Python's says whether the kit holds wheels for this Python and system.

`python check_setup.py --python-only` checks the Python alone: README's install command runs it
before pip, so that an unsupported Python gets this explanation rather than pip's bare
"No matching distribution found for tensorflow".

This file must start on any Python 3, to explain what is wrong with it: its syntax stays that of
old versions, and numpy, matplotlib, TensorFlow and the project's modules are imported only inside
the checks that need them.
A learner's page: docs/setup-and-tests.md ("On a fresh machine").
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

from visu import kernels, progress, steps  # standard library only: they import before pip

ROOT = os.path.dirname(os.path.abspath(__file__))

# TensorFlow 2.21 ships wheels for these Pythons on Linux (x86_64, ARM64), macOS on Apple silicon
# and Windows (64-bit). Intel Macs stop at TensorFlow 2.16.2, for Python 3.10 to 3.12.
PYTHON_RANGE = ((3, 10), (3, 13))
INTEL_MAC_PYTHON_RANGE = ((3, 10), (3, 12))
SUPPORTED_MACHINES = {
    "Linux": ("x86_64", "amd64", "aarch64", "arm64"),
    "Windows": ("amd64", "x86_64"),
    "Darwin": ("arm64",),
}

# The versions the tests run on in CI: the lowest in the lower-bound run on the oldest Python
# (.ci/lowest-versions.txt, which requirements.txt's lower bounds equal), the highest series in
# the main run on the newest Python, which installs the latest releases (numpy 2.5 needs Python
# 3.12 or newer). tests/test_check_setup.py keeps these in step with those files.
TESTED_VERSIONS = {
    "tensorflow": ("2.16.2", "2.21"),
    "numpy": ("1.26.4", "2.5"),
    "matplotlib": ("3.9.4", "3.11"),
}

# Each step's full run on the project's 2-core machine (no GPU): iterations, and iterations per
# second over the whole run, start-up included (visu/steps.py: the table of the steps' results).
REFERENCE_RUNS = tuple((step.file, step.iterations, step.per_second) for step in steps.STEPS)
SPEED_STEP = "mnist_3.1_convolutional_bigger_dropout.py"
SPEED_ITERATIONS = 300  # about 3 s of training on the project's machine
SPEED_TIMEOUT_S = 120
SLOW = 0.5  # a machine at less than this share of the project's speed gets advice
# A machine whose load average (processes running or waiting for a processor, over the last
# minute) is at least this share of its processors before the timed run is too busy to time.
BUSY = 0.5

OK, FAIL, NOTE = "[ ok ]", "[FAIL]", "[note]"
INSTALL = "pip install -r requirements.txt"
NOT_INSTALLED = "not installed: " + INSTALL
DOES_NOT_IMPORT = (
    "installed but does not import (%s): reinstall it, pip install --force-reinstall -r "
    "requirements.txt"
)


class Result(object):
    """One line of the check: its mark (OK, FAIL or NOTE) and what it says."""

    def __init__(self, mark, text):
        self.mark, self.text = mark, text

    def __str__(self):
        return "%s %s" % (self.mark, self.text)

    def __repr__(self):
        return "Result(%r, %r)" % (self.mark, self.text)


def _dotted(version):
    return ".".join(str(part) for part in version)


# --- Python ----------------------------------------------------------------------------------


def this_machine():
    """(system, machine) as the checks name them: 'Linux', 'Darwin' or 'Windows', and the
    processor, '32-bit' for a 32-bit Python, 'x86_64-rosetta' for an Intel Python that runs
    translated on an Apple-silicon Mac."""
    system, machine = platform.system(), platform.machine().lower()
    if struct.calcsize("P") == 4:
        machine = "32-bit"
    elif system == "Darwin" and machine == "x86_64" and _rosetta():
        machine = "x86_64-rosetta"
    return system, machine


def _rosetta():
    try:
        answer = subprocess.check_output(["sysctl", "-n", "sysctl.proc_translated"])
    except (OSError, subprocess.SubprocessError):
        return False
    return answer.strip() == b"1"


def _use_python(wanted, system):
    """How to get Python `wanted` and make the virtual environment with it."""
    if system == "Windows":
        get, make = "from python.org, or `uv python install %s`", "`py -%s -m venv .venv`"
    else:
        get = "from python.org, or `pyenv install %s`, or `uv python install %s`"
        make = "`python%s -m venv .venv`"
    get, make = get.replace("%s", wanted), make.replace("%s", wanted)
    return (
        "Install Python %s (%s), make the virtual environment with it (%s, or `uv venv --python "
        "%s`), and install there." % (wanted, get, make, wanted)
    )


def check_python(version=None, system=None, machine=None):
    """Is this Python one that TensorFlow ships for, on this system and processor?"""
    shown = tuple(version or sys.version_info[:3])
    version = shown[:2]
    if system is None or machine is None:
        system, machine = this_machine()
    name = "Python %s on %s %s" % (_dotted(shown), system, machine)
    if machine == "32-bit":
        return Result(
            FAIL,
            "%s: TensorFlow needs a 64-bit Python. Install the 64-bit Python 3.13 from "
            "python.org and make the virtual environment with it." % name,
        )
    rosetta = machine == "x86_64-rosetta"
    intel_mac = system == "Darwin" and machine in ("x86_64", "x86_64-rosetta")
    if intel_mac:
        lowest, highest = INTEL_MAC_PYTHON_RANGE
        tensorflow = "on an Intel Mac, TensorFlow stops at 2.16.2, which supports"
    elif machine in SUPPORTED_MACHINES.get(system, ()):
        lowest, highest = PYTHON_RANGE
        tensorflow = "TensorFlow 2.21 supports"
    else:
        return Result(
            FAIL,
            "%s: TensorFlow ships no release for this system and processor (it does for Linux "
            "on x86_64 or ARM64, Windows 64-bit on x86_64, and macOS). Use such a machine, or a "
            "cloud notebook (Colab): the steps run there with %%run." % name,
        )
    supported = "%s Python %s to %s" % (tensorflow, _dotted(lowest), _dotted(highest))
    if rosetta:
        advice = (
            "This Intel Python runs translated (Rosetta) on an Apple-silicon Mac, where a native "
            "(arm64) Python gets TensorFlow 2.21, and runs faster. " + _use_python("3.13", system)
        )
    else:
        advice = _use_python(_dotted(highest), system)
    if lowest <= version <= highest:
        if rosetta:
            return Result(NOTE, "%s: supported (%s). %s" % (name, supported, advice))
        return Result(OK, "%s: supported (%s)" % (name, supported))
    if version > highest:
        problem = "TensorFlow has no release for Python %s %s" % (
            _dotted(version),
            "on an Intel Mac" if intel_mac else "yet",
        )
    else:
        problem = "too old for TensorFlow"
    return Result(
        FAIL,
        "%s: %s (%s), so pip cannot install it. %s" % (name, problem, supported, advice),
    )


# --- tensorflow, numpy, matplotlib -------------------------------------------------------------


def _version_tuple(text):
    found = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    return tuple(int(part or 0) for part in found.groups()) if found else (0, 0, 0)


def installed_version(name):
    """(version, None) of the importable package, or (None, why it cannot be used)."""
    import importlib

    try:
        module = importlib.import_module(name)
    except ImportError as error:
        if getattr(error, "name", None) == name:
            return None, NOT_INSTALLED
        return None, DOES_NOT_IMPORT % _one_line(error)
    except Exception as error:  # a broken install can raise anything while importing
        return None, DOES_NOT_IMPORT % _one_line(error)
    return str(getattr(module, "__version__", "unknown")), None


def _one_line(error):
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    return (lines[-1] if lines else type(error).__name__).strip()


def check_package(name, version, problem=None, tested=None):
    """Is the installed version of name (None with the problem when it is not usable) within
    the versions the tests run on?"""
    lowest, highest = tested or TESTED_VERSIONS[name]
    tested_text = "tested: %s to %s.x" % (lowest, highest)
    if version is None:
        return Result(FAIL, "%s %s" % (name, problem))
    found, low, high = _version_tuple(version), _version_tuple(lowest), _version_tuple(highest)
    if found < low:
        return Result(
            FAIL,
            "%s %s is older than the oldest tested (%s): %s upgrades it"
            % (name, version, tested_text, INSTALL),
        )
    if found[0] > high[0]:
        return Result(
            FAIL,
            '%s %s is a major version the workshop was never tested with (%s): pip install "%s<%d"'
            % (name, version, tested_text, name, high[0] + 1),
        )
    if found[:2] > high[:2]:
        return Result(
            NOTE,
            "%s %s is newer than the newest tested (%s): probably fine; if a step fails, pip "
            'install "%s<%d.%d"' % (name, version, tested_text, name, high[0], high[1] + 1),
        )
    return Result(OK, "%s %s (%s)" % (name, version, tested_text))


ILLEGAL_INSTRUCTION = (-4, 0xC000001D)  # SIGILL on Linux and macOS; its status on Windows


def python_command():
    """This Python, with the options it runs under that change where it finds packages."""
    flags = (("-I", "isolated"), ("-E", "ignore_environment"), ("-s", "no_user_site"))
    options = [option for option, flag in flags if getattr(sys.flags, flag, 0)]
    return [sys.executable] + options + (["-S"] if sys.flags.no_site else [])


def utf8_output(environ):
    """A copy of environ for a Python child whose output is read here as UTF-8: writing to a pipe,
    Python otherwise uses the locale's code page (cp1252 on Windows), and a path with an accent
    would come out garbled. errors="replace" on this side covers a child run with -E or -I."""
    env = dict(environ)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def tensorflow_version():
    """(version, None) or (None, why), from importing TensorFlow in a separate process: on a
    processor without the instructions its build needs, the import kills the process."""
    probe = subprocess.Popen(
        python_command() + ["-c", "import tensorflow; print(tensorflow.__version__)"],
        env=utf8_output(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="replace",
    )
    out, err = probe.communicate()
    if probe.returncode == 0:
        return out.strip().splitlines()[-1], None
    if probe.returncode in ILLEGAL_INSTRUCTION:
        return None, (
            "installed, but this processor cannot run it: its import stops on an instruction the "
            "processor lacks (TensorFlow's builds need AVX). Use a newer machine, or a cloud "
            "notebook (Colab), where the steps run with %run"
        )
    if "No module named 'tensorflow'" in err:
        return None, NOT_INSTALLED
    return None, DOES_NOT_IMPORT % _one_line(err or "exit status %d" % probe.returncode)


def check_packages():
    results = []
    for name in ("numpy", "matplotlib"):
        version, problem = installed_version(name)
        results.append(check_package(name, version, problem))
    version, problem = tensorflow_version()
    results.append(check_package("tensorflow", version, problem))
    return results


# --- the MNIST files ---------------------------------------------------------------------------


def check_data(data_dir=None, mirrors=None):
    """The four MNIST files where the steps look for them: found, or downloaded, and verified."""
    try:
        import mnistdata
    except ImportError as error:
        return Result(
            FAIL, "MNIST files not checked: %s is not installed: %s" % (error.name, INSTALL)
        )
    folder = mnistdata.resolve_data_dir(data_dir)
    missing = mnistdata.missing_files(folder)
    try:
        paths = mnistdata.find_or_download(folder, mirrors or mnistdata.MIRRORS)
        for path in paths.values():
            mnistdata.load_idx_file(path)
    except mnistdata.MnistDataError as error:
        return Result(FAIL, str(error))
    if missing:
        return Result(OK, "MNIST files downloaded into %s and verified" % folder)
    return Result(OK, "MNIST files found in %s and verified" % folder)


# --- the window --------------------------------------------------------------------------------


# A figure opens in a second or two; a toolkit still at it after this would hang every step.
WINDOW_TIMEOUT_S = 30
# The child process that opens the window, so that a toolkit that aborts, crashes or hangs takes
# it down rather than this check.
WINDOW_PROBE = "import sys; sys.path.insert(0, %r); import check_setup; check_setup.probe_window()"
# How a process a toolkit brought down ends, in words: a signal's negative number (Linux, macOS),
# the same as a shell reports it (128 + the signal), or Windows' statuses (abort() exits with 3).
CRASHES = {
    -6: "aborted Python (SIGABRT)",
    134: "aborted Python (SIGABRT)",
    3: "aborted Python (exit status 3)",
    0xC0000409: "aborted Python (status 0xC0000409)",
    -11: "crashed Python (segmentation fault)",
    139: "crashed Python (segmentation fault)",
    0xC0000005: "crashed Python (access violation, status 0xC0000005)",
}
# A line of a toolkit's stderr that says what went wrong, rather than what follows it.
TROUBLE = re.compile(r"error|fail|could not|cannot|can't|unable|abort", re.IGNORECASE)
# The Python packages of window toolkits, as pip names them (Tk comes with Python itself).
TOOLKIT_PACKAGES = (
    ("PyQt6", "PyQt6"),
    ("PySide6", "PySide6"),
    ("PyQt5", "PyQt5"),
    ("PySide2", "PySide2"),
    ("gi", "PyGObject"),
    ("wx", "wxPython"),
)


def check_window(timeout=WINDOW_TIMEOUT_S):
    """Will a step show a live window here? The same reasoning as the steps (tensorflowvisu),
    tried in a child process: a toolkit that aborts, crashes or hangs there is a [FAIL] line here,
    since every step would open its window the same way."""
    try:
        import matplotlib  # noqa: F401  (only whether it imports: the child process uses it)

        from visu import options
    except ImportError as error:
        return Result(FAIL, "window not checked: %s is not installed: %s" % (error.name, INSTALL))
    except Exception as error:  # a broken install, or an MPLBACKEND that names no backend
        return Result(FAIL, "window not checked: matplotlib " + DOES_NOT_IMPORT % _one_line(error))
    if options.jupyter_shell() is not None:  # %run check_setup.py in a notebook
        return Result(OK, "in this notebook, `%run mnist_1.0_softmax.py` shows the graphs live")
    reported, status, stderr = _run_window_probe(timeout)
    backend = reported.get("backend")
    # Once the window was tried, a crash or hang at exit would come after a step's training.
    if "reason" in reported:
        reason = reported["reason"]
        if reason is None and reported.get("note"):  # the steps open Tk's window instead
            return Result(NOTE, "window: " + reported["note"])
        if reason is None:
            return Result(OK, "a live window will open (matplotlib's %s backend)" % backend)
        return Result(
            NOTE,
            "no live window: %s.%s The steps train all the same and save the final six graphs as "
            "a PNG; in a Jupyter notebook, `%%run mnist_1.0_softmax.py` in a cell shows them live."
            % (reason, _missing_toolkit()),
        )
    return broken_window(
        backend, status, _last_words(stderr), reported.get("package"), timeout=timeout
    )


def probe_window():
    """check_window's child process: opens a figure as a step does
    (visu.show.backends.window_figure) and
    prints on stdout, one JSON object a line, matplotlib's backend and its toolkit's package before
    it tries, then why there is no window (null: a window opened). A toolkit that brings the
    process down leaves only the first line."""
    import matplotlib
    import matplotlib.pyplot as plt

    from visu.show import backends

    backend = matplotlib.get_backend()  # imports the backend, and with it its toolkit
    packages = [package for module, package in TOOLKIT_PACKAGES if module in sys.modules]
    print(json.dumps({"backend": backend, "package": packages[0] if packages else None}))
    sys.stdout.flush()
    notes = []  # Qt's window given up for Tk's, where Qt cannot start
    figure, reason = backends.window_figure(say=notes.append)
    if figure is not None:
        plt.close(figure)
    print(
        json.dumps(
            {
                "reason": None if reason is None else _one_line(reason),
                "backend": matplotlib.get_backend(),
                "note": notes[0] if notes else None,
            }
        )
    )


def _run_window_probe(timeout):
    """(what probe_window reported, as one dict; its exit status, None if it was stopped after
    `timeout` seconds; what it wrote on stderr)."""
    probe = subprocess.Popen(
        python_command() + ["-c", WINDOW_PROBE % ROOT],
        env=utf8_output(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        encoding="utf-8",
        errors="replace",  # a toolkit's messages, in whatever encoding it writes them
    )
    try:
        out, err = probe.communicate(timeout=timeout)
        status = probe.returncode
    except subprocess.TimeoutExpired:
        probe.kill()
        out, err = probe.communicate()
        status = None
    reported = {}
    for line in out.splitlines():
        try:
            found = json.loads(line)
        except ValueError:  # a line the toolkit printed itself
            continue
        if isinstance(found, dict):
            reported.update(found)
    return reported, status, err


def _how_it_stopped(status):
    if status in CRASHES:
        return CRASHES[status]
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = "signal %d" % -status
        return "stopped Python (%s)" % name
    return "stopped Python (exit status %s)" % (hex(status) if status > 0xFFFF else status)


def _last_words(stderr):
    """The toolkit's own explanation on stderr, as one short line: the first sentence of its last
    line that says something went wrong (else of its last line), or None if it wrote nothing."""
    lines = []
    for line in stderr.splitlines():
        if line.startswith("Fatal Python error"):  # Python's report of the crash (faulthandler)
            break
        if line.strip():
            lines.append(line.strip())
    if not lines:
        return None
    troubled = [line for line in lines if TROUBLE.search(line)]
    sentence = re.split(r"(?<=\.)\s+", (troubled or lines)[-1])[0]
    return sentence if len(sentence) <= 200 else sentence[:197] + "..."


def _toolkit(backend):
    """The window toolkit of one of matplotlib's own backends (qtagg, gtk4cairo, ...), or None."""
    name = (backend or "").lower()
    if name.startswith("module://"):
        return None
    for part, toolkit in (("qt", "Qt"), ("gtk", "GTK"), ("wx", "wx"), ("tk", "Tk")):
        if part in name:  # gtk before tk, which is part of its name
            return toolkit
    return "macOS" if name == "macosx" else None


def _use_backend(backend, system):
    """How to give the steps matplotlib's `backend`, in the terminal that runs them."""
    if system == "Windows":
        command = '`set MPLBACKEND=%s` (PowerShell: `$env:MPLBACKEND = "%s"`)' % (backend, backend)
    else:
        command = "`export MPLBACKEND=%s`" % backend
    return command + " in the terminal before the steps"


def broken_window(backend, status, said=None, package=None, system=None, timeout=WINDOW_TIMEOUT_S):
    """The [FAIL] line for a window whose opening brought down the process with exit `status`,
    or hung it (status None) for `timeout` seconds: what its toolkit `said` last, and what to do.
    `package`: the toolkit's Python package, if known."""
    system = system or platform.system()
    toolkit = _toolkit(backend)
    if toolkit:
        window = "the %s window (matplotlib's %s backend)" % (toolkit, backend)
    elif backend:
        window = "the window of matplotlib's %s backend" % backend
    else:
        window = "a window with matplotlib"
    if status is None:
        what = "did not finish in %g s (it hangs), and would hang every step" % timeout
    else:
        what = "%s, and would stop every step" % _how_it_stopped(status)
    text = "window: opening %s %s the same way" % (window, what)
    if said:
        text += ' (its last message: "%s")' % said
    if toolkit == "Qt" and system == "Linux":
        advice = (
            "Qt 6.5 and later need a system package for their window on Linux, which pip does not "
            "install: `sudo apt install libxcb-cursor0` (Debian, Ubuntu; Fedora: `sudo dnf "
            "install xcb-util-cursor`). Or use Tk's window instead: %s"
            % _use_backend("TkAgg", system)
        )
    elif toolkit == "Tk":
        advice = "Run the steps without a window instead (they save their graphs as a PNG): %s" % (
            _use_backend("Agg", system)
        )
    elif toolkit and package:
        advice = "Use Tk's window instead: %s, or `pip uninstall %s` for matplotlib to pick Tk" % (
            _use_backend("TkAgg", system),
            package,
        )
    else:
        advice = "Use Tk's window instead: %s" % _use_backend("TkAgg", system)
    return Result(FAIL, "%s. %s." % (text, advice))


def _missing_toolkit():
    """Why a Linux machine with a display may still get no window: Python without tkinter."""
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not display or not sys.platform.startswith("linux"):
        return ""
    try:
        import tkinter  # noqa: F401  (only whether it imports)
    except ImportError:
        return (
            " This Python has no tkinter, the window toolkit matplotlib uses by default: install "
            "it (Debian, Ubuntu: `sudo apt install python3-tk`) or use a Python that has it."
        )
    return ""


# --- the speed ---------------------------------------------------------------------------------


def time_speed_step(
    iterations=SPEED_ITERATIONS, timeout=SPEED_TIMEOUT_S, kernel_set=None, said=None
):
    """Runs step 3.1 headless for `iterations` in a scratch folder, on the CPU kernels the steps
    pick here, or on those TF_ENABLE_ONEDNN_OPTS=`kernel_set` asks; its start line (the one
    saying where TensorFlow runs) is appended to the list `said`, if given.

    Returns (start-up seconds until its first progress line, iterations per second from there
    to "max test accuracy") or raises RuntimeError saying what went wrong."""
    command = python_command() + [
        "-u",
        os.path.join(ROOT, SPEED_STEP),
        "--no-window",
        "--iterations",
        str(iterations),
    ]
    scratch = tempfile.mkdtemp(prefix="check_setup_")  # the step's PNG goes there
    env = utf8_output(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")
    if kernel_set is not None:
        env[kernels.VARIABLE] = kernel_set
    try:
        started = time.perf_counter()
        step = subprocess.Popen(
            command,
            cwd=scratch,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            encoding="utf-8",
            errors="replace",
        )
        timer = threading.Timer(timeout, step.kill)
        timer.start()
        first = last = None
        tail = []
        try:
            for line in step.stdout:
                now = time.perf_counter()
                tail = (tail + [line.rstrip()])[-5:]
                if said is not None and line.startswith("TensorFlow "):
                    said.append(line.rstrip())
                if first is None and progress.is_progress_line(line):
                    first = now
                elif progress.is_last_line(line):
                    last = now
            step.wait()
        finally:
            timer.cancel()
            step.stdout.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if step.returncode != 0 or first is None or last is None:
        if time.perf_counter() - started >= timeout:
            raise RuntimeError(
                "step 3.1 did not finish %d iterations in %d s" % (iterations, timeout)
            )
        raise RuntimeError(
            "step 3.1 stopped (exit status %s): %s"
            % (step.returncode, " / ".join(line for line in tail if line) or "no output")
        )
    return first - started, iterations / (last - first)


def predicted_times(startup_s, rate):
    """[(step, predicted seconds of its full run here)], from step 3.1's short run here.

    A full 3.1 run here takes about startup_s + its iterations / rate; each step takes its
    reference time scaled by how much longer (or shorter) that is than 3.1's reference time."""
    iterations, per_s = dict((run[0], run[1:]) for run in REFERENCE_RUNS)[SPEED_STEP]
    factor = (startup_s + iterations / rate) / (iterations / per_s)
    return [(step, factor * iterations / per_s) for step, iterations, per_s in REFERENCE_RUNS]


def _duration(seconds):
    if seconds < 90:
        return "%d s" % round(seconds)
    return "%.0f min" % (seconds / 60) if seconds >= 600 else "%.1f min" % (seconds / 60)


def _times(relative):
    """A speed relative to the project's machine, never rounded to 0: 12, 1.3, 0.5, 0.04."""
    if relative >= 10:
        return "%.0f" % relative
    return "%.1f" % relative if relative >= 0.1 else "%.1g" % relative


def machine_load():
    """(the load average over the last minute, the processors) where the system tells it (Linux,
    macOS), else None (Windows)."""
    getloadavg = getattr(os, "getloadavg", None)  # not on Windows
    if getloadavg is None:
        return None
    try:
        return getloadavg()[0], os.cpu_count() or 1
    except OSError:  # the system could not tell
        return None


def speed_result(startup_s, rate, load=None):
    """The speed line: step 3.1's rate here, and each step's predicted full run. load: what
    machine_load() said just before the run, which says whether other work slowed it."""
    times = predicted_times(startup_s, rate)
    here = dict(times)[SPEED_STEP]
    reference = dict((step, its / per_s) for step, its, per_s in REFERENCE_RUNS)[SPEED_STEP]
    relative = reference / here  # this machine's speed, the project's machine's being 1
    steps = ", ".join("%s %s" % (step.split("_")[1], _duration(seconds)) for step, seconds in times)
    text = (
        "speed: step 3.1 trains at %.0f iterations/s here, %s times the speed of the project's "
        "2-core machine; each step's full run, without a window, would take about: %s"
        % (rate, _times(relative), steps)
    )
    busy = load is not None and load[0] >= BUSY * load[1]
    if busy:
        text += (
            ". Measured on a busy machine: a load of %.1f on %d processors when the run started "
            "(programs running or waiting for a processor, averaged over the last minute), so "
            "the step had only part of the processors and these times are likely too long; run "
            "the check again once the other programs are done" % load
        )
    if relative >= SLOW:
        return Result(NOTE if busy else OK, text)
    longest = max(times, key=lambda item: item[1])
    return Result(
        NOTE,
        text + ". %s: in the workshop, show graph 3 alone (--graphs 3) or train "
        "without the window (--no-window), and shorten the long steps (%s: --iterations 2000)."
        % ("If it is still slow then" if busy else "This machine is slow", longest[0]),
    )


def check_speed(iterations=SPEED_ITERATIONS, timeout=SPEED_TIMEOUT_S):
    load = machine_load()  # before the run: what else keeps the processors busy
    said = []
    try:
        startup_s, rate = time_speed_step(iterations, timeout, said=said)
    except RuntimeError as error:
        return Result(FAIL, "speed: %s" % error)
    result = speed_result(startup_s, rate, load)
    return with_the_faster_kernels(result, rate, said, iterations, timeout)


# --- the speed: the other set of CPU kernels ---------------------------------------------------

KERNELS_FASTER = 1.15  # the other set's speed over the steps' that is worth a note, noise aside


def kernel_set_of(start_line):
    """True (oneDNN's kernels) or False (TensorFlow's own) as a step's start line names them;
    None where it names neither (a GPU)."""
    for onednn in (True, False):
        if "on the CPU with " + kernels.set_name(onednn) in start_line:
            return onednn
    return None


def with_the_faster_kernels(result, rate, said, iterations, timeout):
    """The speed line, with a note when step 3.1 trains faster here on the other set of CPU
    kernels than on the steps' (timed now, as long)."""
    used = kernel_set_of(said[0]) if said else None
    if used is None:
        return result
    other_said = []
    try:
        other_rate = time_speed_step(iterations, timeout, "0" if used else "1", other_said)[1]
    except RuntimeError:  # nothing to say about it: the speed line stands
        return result
    if not other_said or kernel_set_of(other_said[0]) != (not used):  # no such set here
        return result
    advice = kernels_advice(used, rate, other_rate)
    if advice is None:
        return result
    return Result(NOTE, "%s. %s" % (result.text.rstrip("."), advice))


def kernels_advice(onednn, rate, other_rate, system=None):
    """What to say when step 3.1 trains at other_rate on the other set of CPU kernels, against
    `rate` on the steps' (oneDNN's if `onednn`): None unless the other is clearly faster."""
    if other_rate < rate * KERNELS_FASTER:
        return None
    setting = "0" if onednn else "1"
    assign = "%s=%s" % (kernels.VARIABLE, setting)
    if (system or platform.system()) == "Windows":
        how = "in the terminal, before the steps: `set %s` (cmd.exe) or `$env:%s = %s` (PowerShell)"
        how = how % (assign, kernels.VARIABLE, '"%s"' % setting)
    else:
        how = "`%s python %s`" % (assign, SPEED_STEP)
    return (
        "On %s step 3.1 trains %.1f times as fast here (%.0f iterations/s). For the "
        "convolutional steps (3.0, 3.1, 4.2), ask for them %s"
        % (kernels.set_name(not onednn), other_rate / rate, other_rate, how)
    )


# --- the room kit, and the line to send back ---------------------------------------------------

KIT_MANIFEST = "room-kit.json"  # room_kit.py's description of a kit, beside its workshop/ folder


def check_kit(root=ROOT, version=None, system=None, machine=None):
    """Run from a room kit (room_kit.py), whose workshop/ folder holds this file: does the kit
    hold wheels for this Python on this system? None when not run from a kit."""
    path = os.path.join(os.path.dirname(root), KIT_MANIFEST)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as file:
        parts = json.load(file)["parts"]
    version = "%d.%d" % tuple(version or sys.version_info[:2])
    if system is None or machine is None:
        system, machine = this_machine()
    here = [part for part in parts if part["system"] == system and machine in part["machines"]]
    pythons = sorted(set(part["python"] for part in here), key=_version_tuple)
    if version in pythons:
        return Result(
            OK, "the room kit has wheels for Python %s on %s" % (version, here[0]["words"])
        )
    held = "; ".join(
        "%s: Python %s" % (words, ", ".join(p["python"] for p in parts if p["words"] == words))
        for words in sorted(set(part["words"] for part in parts))
    )
    if pythons:
        use = "py -%s" % pythons[-1] if system == "Windows" else "python%s" % pythons[-1]
        todo = (
            "Install Python %s (python.org) and run the kit's install script with it (PYTHON=%s "
            "before it%s), or install from the network instead (docs/setup.md)"
            % (pythons[-1], use, ": set PYTHON=%s in cmd.exe" % use if system == "Windows" else "")
        )
    else:
        todo = "Install from the network instead (docs/setup.md), or pair with a neighbour"
    return Result(
        FAIL,
        "the room kit has no wheels for Python %s on %s %s (it holds %s). %s."
        % (version, system, machine, held, todo),
    )


def _operating_system():
    system, machine = this_machine()
    if system == "Darwin":
        return "macOS %s %s" % (platform.mac_ver()[0], machine)
    if system == "Windows":
        return "Windows %s %s" % (platform.release(), machine)
    return "%s %s" % (system, machine)


# Which check a line is, from its words (the first pattern found names it).
CHECK_NAMES = (
    ("room kit", r"the room kit"),
    ("Python", r"^Python "),
    ("tensorflow", r"^tensorflow "),
    ("numpy", r"^numpy "),
    ("matplotlib", r"^matplotlib "),
    ("MNIST", r"MNIST"),
    ("speed", r"^speed"),
    ("window", r"window"),
)


def _check_name(text):
    return next((name for name, pattern in CHECK_NAMES if re.search(pattern, text)), "a check")


def send_back_line(results):
    """The check in one line, for the learner to send the instructor: ready or not, Python,
    TensorFlow, the system, the window's toolkit and step 3.1's predicted time, from the
    results' lines."""
    failed = [_check_name(result.text) for result in results if result.mark == FAIL]
    tensorflow, window, speed = "not installed", "not checked", "not measured"
    for result in results:
        text = result.text
        found = re.match(r"tensorflow (\d\S*) ", text)
        if found:
            tensorflow = found.group(1)
        elif text.startswith("tensorflow "):
            tensorflow = "not usable"
        backend = re.search(r"matplotlib's (\S+) backend", text)
        if "no live window" in text:
            window = "none (PNG at the end)"
        elif "in this notebook" in text:
            window = "notebook"
        elif result.mark == FAIL and backend:
            window = "broken (%s)" % (_toolkit(backend.group(1)) or backend.group(1))
        elif backend or text.startswith("window:"):
            name = backend.group(1) if backend else "TkAgg"  # Qt given up for Tk's window
            window = _toolkit(name) or name
        minutes = re.search(r"\b3\.1 (\d+(?:\.\d)?) (s|min)\b", text)
        if text.startswith("speed:") and minutes:
            value = float(minutes.group(1)) / (60 if minutes.group(2) == "s" else 1)
            speed = "%.1f min" % value
    return (
        "Send this line back: %s | Python %s | TensorFlow %s | %s | window: %s | step 3.1: %s"
        % (
            "READY" if not failed else "NOT READY (%s)" % ", ".join(failed),
            platform.python_version(),
            tensorflow,
            _operating_system(),
            window,
            speed,
        )
    )


# --- all together --------------------------------------------------------------------------------


def parse_options(argv=None):
    parser = argparse.ArgumentParser(
        description="Checks that this machine is ready for the workshop; exit status 0 when it is."
    )
    parser.add_argument(
        "--python-only",
        action="store_true",
        help="check only the Python version and platform (before installing anything)",
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=SPEED_ITERATIONS,
        metavar="N",
        help="iterations of the timed run of step 3.1 (default: %d)" % SPEED_ITERATIONS,
    )
    parser.add_argument(
        "--window-timeout",
        type=_seconds,
        default=WINDOW_TIMEOUT_S,
        metavar="S",
        help="seconds a window may take to open before its toolkit counts as hung "
        "(default: %d)" % WINDOW_TIMEOUT_S,
    )
    parser.add_argument(
        "--mirror",
        action="append",
        metavar="URL",
        help="download missing MNIST files from this base URL instead of the usual mirrors "
        "(repeat for several)",
    )
    return parser.parse_args(argv)


def _seconds(text):
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError("expected a number of seconds above 0, got %r" % text)
    return seconds


def run_checks(options):
    """Yields each check's result, in order, as soon as it is known."""
    python = check_python()
    yield python
    kit = check_kit()
    if kit is not None:  # run from a room kit: does it hold wheels for this Python?
        yield kit
        if kit.mark == FAIL:
            return
    if options.python_only:
        return
    if python.mark == FAIL:
        yield Result(
            NOTE,
            "the other checks wait for a supported Python: in the virtual environment made "
            "with it, run `%s`, then this check again" % INSTALL,
        )
        return
    packages = check_packages()
    for result in packages:
        yield result
    data = check_data(mirrors=options.mirror)
    yield data
    yield check_window(options.window_timeout)
    if any(result.mark == FAIL for result in [data] + packages):
        yield Result(NOTE, "speed: not measured, because of the failure above")
    else:
        yield check_speed(options.iterations)


def python_to_type(executable=None, prefix=None, base_prefix=None, folder=None):
    """How to start the Python that runs this check: `python` where it is what the shell finds
    (an activated environment, or one on PATH), or the path of the workshop's own environment
    (.venv/bin/python; .venv\\Scripts\\python on Windows) where it was started without activating
    it, as docs/setup.md does: there `python` would be another Python, without TensorFlow."""
    executable = executable or sys.executable
    prefix = sys.prefix if prefix is None else prefix
    base_prefix = sys.base_prefix if base_prefix is None else base_prefix
    folder = folder or os.getcwd()
    activated = os.environ.get("VIRTUAL_ENV")
    same = activated and os.path.realpath(activated) == os.path.realpath(prefix)
    if prefix == base_prefix or same:
        return "python"
    try:
        relative = os.path.relpath(executable, folder)
    except ValueError:  # another drive, on Windows
        return "python"
    if relative.startswith(os.pardir):
        return "python"
    return os.path.splitext(relative)[0] if relative.lower().endswith(".exe") else relative


def main(argv=None):
    options = parse_options(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter
    failed = False
    results = []
    try:
        for result in run_checks(options):
            print(result)
            sys.stdout.flush()
            results.append(result)
            failed = failed or result.mark == FAIL
    except KeyboardInterrupt:
        print("The check was interrupted.")
        return 130
    if failed:
        print("Not ready: fix the [FAIL] lines above, then run this check again.")
    elif not options.python_only:
        print("Ready for the workshop: %s mnist_1.0_softmax.py" % python_to_type())
    if not options.python_only:
        print(send_back_line(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
