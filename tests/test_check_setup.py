"""check_setup.py, the check a learner runs before the workshop: each line on both sides, its
exit status, and the figures it keeps in step with the docs, requirements.txt and CI."""

import ast
import functools
import http.server
import importlib.util
import io
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import threading
import tokenize

import pytest

import check_setup
from check_setup import FAIL, NOTE, OK
from conftest import ROOT, encoding_warnings_fail, qt_without_its_x_library, skip_or_fail_in_ci


def run_check(*args, env=None, python=(sys.executable,)):
    """python check_setup.py ARGS as a learner runs it, from another folder."""
    return subprocess.run(
        [*python, str(ROOT / "check_setup.py"), *args],
        cwd=ROOT.parent,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )


def headless_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("MPLBACKEND", None)
    env.update(extra)
    return env


def marks(output):
    return [line[:6] for line in output.splitlines() if line.startswith("[")]


# --- the whole check, as a learner runs it ---------------------------------------------------


def test_a_ready_machine_passes_every_check_and_exits_0(mnist_dir):
    env = encoding_warnings_fail(headless_env(MNIST_DATA_DIR=str(mnist_dir)))  # and its children
    done = run_check("--iterations", "20", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert marks(done.stdout) == [OK, OK, OK, OK, OK, NOTE, lines[6][:6]]  # speed: ok or slow
    assert lines[4] == "%s MNIST files found in %s and verified" % (OK, mnist_dir)
    assert lines[5].startswith(NOTE + " no live window: no display was found.")
    assert "save the final six graphs as a PNG" in lines[5] and "%run" in lines[5]
    assert re.match(r"\[(ok|note)\] speed: step 3\.1 trains at \d+ iterations/s", lines[6])
    # python, or this environment's path where it runs without being activated
    assert re.fullmatch(
        r"Ready for the workshop: (python|\S*python) mnist_1\.0_softmax\.py", lines[-2]
    )
    minutes = re.search(r"3\.1 (\d+(?:\.\d)?) (s|min)", lines[6]).groups()
    said = float(minutes[0]) / (60 if minutes[1] == "s" else 1)
    assert lines[-1] == (
        "Send this line back: READY | Python %s | TensorFlow %s | %s | window: none (PNG at the "
        "end) | step 3.1: %.1f min"
        % (
            platform.python_version(),
            re.match(r"\[ ok \] tensorflow (\S+) ", lines[3])[1],
            check_setup._operating_system(),
            said,
        )
    )
    assert "Traceback" not in done.stderr


def test_missing_files_and_no_mirror_reachable_fail_the_check_with_exit_1(tmp_path):
    folder = tmp_path / "data"
    done = run_check("--mirror", dead_url(), env=headless_env(MNIST_DATA_DIR=str(folder)))
    assert done.returncode == 1
    data_line = [line for line in done.stdout.splitlines() if "MNIST" in line][0]
    assert data_line.startswith(FAIL + " The MNIST files ")
    assert "could not be downloaded from any mirror" in data_line
    assert "MNIST_DATA_DIR" in data_line  # how to supply the files by hand
    assert "%s speed: not measured" % NOTE in done.stdout
    assert done.stdout.splitlines()[-2].startswith("Not ready: fix the [FAIL] lines")
    assert done.stdout.splitlines()[-1].startswith("Send this line back: NOT READY (MNIST) | ")
    assert done.stdout.splitlines()[-1].endswith(" | step 3.1: not measured")
    assert not folder.exists()  # nothing half-written left behind
    assert "Traceback" not in done.stderr


def test_before_anything_is_installed_each_missing_package_says_to_install_them():
    done = run_check(python=(sys.executable, "-S"))  # -S: no site-packages, as before pip
    assert done.returncode == 1
    for name in ("numpy", "matplotlib", "tensorflow"):
        assert "%s %s not installed: pip install -r requirements.txt" % (FAIL, name) in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_python_only_checks_the_python_alone_before_installing():
    done = run_check("--python-only", python=(sys.executable, "-S"))
    assert done.returncode == 0, done.stdout
    assert marks(done.stdout) == [OK]
    assert done.stdout.startswith("%s Python %d.%d." % ((OK,) + sys.version_info[:2]))


# check_setup.py, and the project's modules it imports before anything is installed
BEFORE_PIP = (
    "check_setup.py",
    "visu/__init__.py",
    "visu/kernels.py",
    "visu/progress.py",
    "visu/steps.py",
)


@pytest.mark.parametrize("path", BEFORE_PIP)
def test_the_check_parses_on_python_3_8_to_explain_itself_there(path):
    source = (ROOT / path).read_text(encoding="utf-8")
    ast.parse(source, feature_version=(3, 8))
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    f_strings = [
        token.start
        for token in tokens
        if token.type == getattr(tokenize, "FSTRING_START", None)
        or (token.type == tokenize.STRING and re.match(r"[rRbBuU]*[fF]", token.string))
    ]
    assert f_strings == []  # no f-strings either: Pythons before 3.6 parse it too


def test_the_modules_the_check_imports_import_nothing_but_the_standard_library():
    imported = set()
    for path in BEFORE_PIP:
        module = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        for node in module.body:  # what importing it imports
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module.split(".")[0])
    assert imported - {"visu"} <= sys.stdlib_module_names, imported - sys.stdlib_module_names


# --- Python ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "version, system, machine",
    [
        ((3, 10), "Linux", "x86_64"),
        ((3, 13), "Linux", "aarch64"),
        ((3, 11), "Windows", "amd64"),
        ((3, 13), "Darwin", "arm64"),
        ((3, 12), "Darwin", "x86_64"),
    ],
)
def test_python_versions_tensorflow_ships_for_pass(version, system, machine):
    assert check_setup.check_python(version, system, machine).mark == OK


def test_python_3_14_fails_and_says_to_make_the_environment_with_3_13():
    result = check_setup.check_python((3, 14, 0), "Linux", "x86_64")
    assert result.mark == FAIL
    assert "TensorFlow has no release for Python 3.14 yet" in result.text
    for how in ("python.org", "pyenv install 3.13", "uv python install 3.13", "python3.13 -m venv"):
        assert how in result.text


def test_python_too_old_fails():
    result = check_setup.check_python((3, 9, 18), "Windows", "amd64")
    assert result.mark == FAIL and "Python 3.9.18 on Windows amd64: too old" in result.text


def test_intel_mac_stops_at_python_3_12():
    result = check_setup.check_python((3, 13), "Darwin", "x86_64")
    assert result.mark == FAIL
    assert "TensorFlow stops at 2.16.2" in result.text and "Install Python 3.12" in result.text


@pytest.mark.parametrize(
    "system, machine, says",
    [
        ("Windows", "arm64", "no release for this system and processor"),
        ("Linux", "32-bit", "needs a 64-bit Python"),
    ],
)
def test_platforms_without_tensorflow_fail(system, machine, says):
    result = check_setup.check_python((3, 12), system, machine)
    assert result.mark == FAIL and says in result.text


def test_an_intel_python_on_an_apple_silicon_mac_is_told_to_use_a_native_one():
    translated = check_setup.check_python((3, 12), "Darwin", "x86_64-rosetta")
    assert (
        translated.mark == NOTE
        and "a native (arm64) Python gets TensorFlow 2.21" in translated.text
    )
    too_new = check_setup.check_python((3, 13), "Darwin", "x86_64-rosetta")
    assert too_new.mark == FAIL and "a native (arm64) Python" in too_new.text


# --- tensorflow, numpy, matplotlib -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(check_setup.TESTED_VERSIONS))
def test_versions_from_the_lowest_to_the_newest_tested_series_pass(name):
    lowest, highest = check_setup.TESTED_VERSIONS[name]
    assert check_setup.check_package(name, lowest).mark == OK
    assert check_setup.check_package(name, highest + ".99").mark == OK


def test_a_version_older_than_tested_fails_and_says_how_to_upgrade():
    result = check_setup.check_package("numpy", "1.26.3")
    assert result.mark == FAIL
    assert "numpy 1.26.3 is older than the oldest tested" in result.text
    assert "pip install -r requirements.txt" in result.text


def test_a_newer_minor_version_is_a_note_and_a_newer_major_one_fails():
    newer = check_setup.check_package("matplotlib", "3.12.0")
    assert newer.mark == NOTE and 'pip install "matplotlib<3.12"' in newer.text
    major = check_setup.check_package("tensorflow", "3.0.0")
    assert major.mark == FAIL and 'pip install "tensorflow<3"' in major.text


def test_a_package_that_is_not_installed_fails():
    version, problem = check_setup.installed_version("no_such_package_for_the_workshop")
    result = check_setup.check_package("numpy", version, problem)
    assert str(result) == "[FAIL] numpy not installed: pip install -r requirements.txt"


def test_the_versions_this_suite_runs_on_are_within_the_tested_range():
    """In CI's main run (the latest releases) and its lower-bound run (.ci/lowest-versions.txt):
    when a new release is installed, the newest tested series must be updated with it."""
    if not os.environ.get("CI"):
        pytest.skip(
            "CI only (CI=true): there it says when TESTED_VERSIONS must follow a new release; on "
            "a learner's machine a new numpy or matplotlib series would fail it, not the project"
        )
    for result in check_setup.check_packages():
        assert result.mark == OK, result


def test_lowest_tested_versions_are_requirements_lower_bounds_and_what_ci_pins():
    lower_bounds = dict(
        re.findall(
            r"^(\w+)>=([\d.]+)", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.M
        )
    )
    pins = dict(
        re.findall(
            r"^(\w+)==([\d.]+)",
            (ROOT / ".ci/lowest-versions.txt").read_text(encoding="utf-8"),
            re.M,
        )
    )
    lowest = {name: versions[0] for name, versions in check_setup.TESTED_VERSIONS.items()}
    assert lower_bounds == pins == lowest
    assert "-c .ci/lowest-versions.txt" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_readme_and_the_docs_state_the_supported_versions_the_check_uses():
    readme, docs = (
        (ROOT / "README.md").read_text(encoding="utf-8"),
        (ROOT / "docs/setup-and-tests.md").read_text(encoding="utf-8"),
    )
    (low, high), (_, intel_high) = check_setup.PYTHON_RANGE, check_setup.INTEL_MAC_PYTHON_RANGE
    for text in (readme, docs):
        assert "Python %d.%d to %d.%d" % (low + high) in text
        assert (
            ".venv/bin/python check_setup.py --python-only\n"
            "    .venv/bin/python -m pip install -r requirements.txt\n"
            "    .venv/bin/python check_setup.py\n" in text
        )
    assert "Python %d.%d at most" % intel_high in docs
    assert "TensorFlow %s to %s" % check_setup.TESTED_VERSIONS["tensorflow"] in docs


# --- the MNIST files -------------------------------------------------------------------------


def dead_url():
    """A local address where nothing listens: the download fails at once, without the network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return "http://127.0.0.1:%d/" % port


@pytest.fixture
def mirror(mnist_dir):
    """A real HTTP server on this machine serving the four gzipped MNIST files."""
    handler = functools.partial(QuietHandler, directory=str(mnist_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d/" % server.server_address[1]
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_files_present_are_found_and_verified(mnist_dir):
    result = check_setup.check_data(mnist_dir, mirrors=[dead_url()])
    assert str(result) == "%s MNIST files found in %s and verified" % (OK, mnist_dir)


def test_missing_files_are_downloaded_and_verified(tmp_path, mirror, mnist_dir):
    if not all((mnist_dir / (name + ".gz")).exists() for name in check_setup_files()):
        pytest.skip("the mirror serves the gzipped files, and %s has others" % mnist_dir)
    result = check_setup.check_data(tmp_path / "data", mirrors=[mirror])
    assert str(result) == "%s MNIST files downloaded into %s and verified" % (OK, tmp_path / "data")
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == sorted(
        name + ".gz" for name in check_setup_files()
    )


def test_missing_files_with_no_mirror_reachable_fail_with_the_loaders_explanation(tmp_path):
    result = check_setup.check_data(tmp_path / "data", mirrors=[dead_url()])
    assert result.mark == FAIL
    assert "could not be downloaded from any mirror" in result.text
    assert "copy the four MNIST files" in result.text


def test_a_corrupt_file_fails_and_names_it(tmp_path, mnist_dir):
    for path in mnist_dir.iterdir():
        shutil.copy(path, tmp_path)
    labels = tmp_path / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:-100])  # truncated
    result = check_setup.check_data(tmp_path, mirrors=[dead_url()])
    assert result.mark == FAIL
    assert result.text.startswith("The MNIST file %s is truncated" % labels)


def check_setup_files():
    import mnistdata

    return mnistdata.FILE_NAMES


# --- the window ------------------------------------------------------------------------------

WINDOW_CHECK = "import check_setup; print(check_setup.check_window(%s))"


def window_check(env, *launcher, timeout_s=check_setup.WINDOW_TIMEOUT_S):
    done = subprocess.run(
        [*launcher, sys.executable, "-c", WINDOW_CHECK % timeout_s],
        cwd=ROOT,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


# Window toolkits that bring down the Python opening a figure, as matplotlib's module:// backends:
# one aborts with a message on stderr, as Qt does without its platform plugin, one never returns.
ABORTING_TOOLKIT = r"""
import os
import sys

from matplotlib.backend_bases import FigureCanvasBase


class FigureCanvas(FigureCanvasBase):
    def __init__(self, figure=None):
        sys.stderr.write(
            "aborting_toolkit: could not load the platform plugin\n"
            "This toolkit failed to start because no platform plugin could be initialized. "
            "Reinstalling the application may fix this problem.\n\n"
            "Available platform plugins are: none.\n\n"
        )
        sys.stderr.flush()
        os.abort()
"""

HANGING_TOOLKIT = """
import time

from matplotlib.backend_bases import FigureCanvasBase


class FigureCanvas(FigureCanvasBase):
    def __init__(self, figure=None):
        time.sleep(3600)
"""


def toolkit_env(tmp_path, name, source, **extra):
    """An environment whose matplotlib backend is module://name, the toolkit written here."""
    (tmp_path / (name + ".py")).write_text(source, encoding="utf-8")
    return headless_env(MPLBACKEND="module://" + name, PYTHONPATH=str(tmp_path), **extra)


def test_a_display_that_does_not_answer_is_named():
    line = window_check(headless_env(DISPLAY=":4321"))
    assert line.startswith(NOTE + " no live window: the display :4321 could not be opened.")


def test_a_window_opens_on_a_real_display(xvfb, backend):
    display, _ = xvfb
    line = window_check(headless_env(DISPLAY=display, MPLBACKEND=backend))
    expected = OK + " a live window will open (matplotlib's %s backend)" % backend
    assert line.lower() == expected.lower()


def test_a_toolkit_that_aborts_python_fails_the_window_line_and_the_other_checks_run(
    tmp_path, mnist_dir
):
    env = toolkit_env(tmp_path, "aborting_toolkit", ABORTING_TOOLKIT, MNIST_DATA_DIR=str(mnist_dir))
    done = run_check("--iterations", "20", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert marks(done.stdout) == [OK, OK, OK, OK, OK, FAIL, lines[6][:6]]
    window = lines[5]
    assert window.startswith(
        FAIL + " window: opening the window of matplotlib's module://aborting_toolkit backend "
        "aborted Python (SIGABRT)"
    )
    # the toolkit's own explanation, its first sentence, not the list it printed after it
    assert (
        '"This toolkit failed to start because no platform plugin could be initialized."' in window
    )
    assert "Reinstalling" not in window and "Available" not in window
    assert "`export MPLBACKEND=TkAgg`" in window  # what to do
    assert re.match(r"\[(ok|note)\] speed: step 3\.1 trains at", lines[6])
    assert lines[-2].startswith("Not ready: fix the [FAIL] lines")
    assert lines[-1].startswith("Send this line back: NOT READY (window) | ")
    assert " | window: broken (module://aborting_toolkit) | " in lines[-1]
    assert "Traceback" not in done.stderr


def test_a_toolkit_that_hangs_is_stopped_after_window_timeout_and_fails_the_window_line(tmp_path):
    env = toolkit_env(
        tmp_path, "hanging_toolkit", HANGING_TOOLKIT, MNIST_DATA_DIR=str(tmp_path / "data")
    )
    # long enough for the child to import matplotlib and name its backend on a busy machine
    done = run_check("--window-timeout", "15", "--mirror", dead_url(), env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    window = [line for line in done.stdout.splitlines() if "window" in line][0]
    assert window.startswith(
        FAIL + " window: opening the window of matplotlib's module://hanging_toolkit backend did "
        "not finish in 15 s"
    )
    assert "would hang every step" in window and "`export MPLBACKEND=TkAgg`" in window
    assert done.stdout.splitlines()[-2].startswith("Not ready: fix the [FAIL] lines")
    assert "Traceback" not in done.stderr


def test_the_window_timeout_is_an_option_documented_in_help():
    assert check_setup.parse_options([]).window_timeout == check_setup.WINDOW_TIMEOUT_S
    assert check_setup.parse_options(["--window-timeout", "5"]).window_timeout == 5
    done = run_check("--help")
    assert "--window-timeout S" in done.stdout


def test_qt_without_its_platform_plugin_is_caught_and_told_the_package_it_needs(xvfb):
    if importlib.util.find_spec("PyQt6") is None:
        skip_or_fail_in_ci("PyQt6 is not installed (pip install PyQt6)")
    # a platform plugin that does not exist: Qt aborts as when its xcb plugin cannot load
    display, _ = xvfb
    env = headless_env(DISPLAY=display, MPLBACKEND="QtAgg", QT_QPA_PLATFORM="no_such_platform")
    line = window_check(env)
    assert line.startswith(
        FAIL
        + " window: opening the Qt window (matplotlib's QtAgg backend) aborted Python (SIGABRT)"
    )
    assert "no Qt platform plugin could be initialized" in line
    assert "`sudo apt install libxcb-cursor0`" in line and "`export MPLBACKEND=TkAgg`" in line


def test_qt_whose_x_library_is_missing_is_a_note_that_the_steps_open_tks_window(xvfb):
    # Qt 6.5 and later on Linux without libxcb-cursor0: the steps see it coming and use Tk
    launcher = qt_without_its_x_library()
    display, _ = xvfb
    line = window_check(headless_env(DISPLAY=display, MPLBACKEND="QtAgg"), *launcher)
    assert line.startswith(NOTE + " window: Qt's window cannot start here (")
    assert "libxcb-cursor.so.0" in line and "sudo apt install libxcb-cursor0" in line
    assert line.endswith("The graphs use Tk's window instead.")


@pytest.mark.parametrize(
    "backend, system, says, not_said",
    [
        (
            "qtagg",
            "Linux",
            ["`sudo apt install libxcb-cursor0`", "xcb-util-cursor", "`export MPLBACKEND=TkAgg`"],
            ["set MPLBACKEND"],
        ),
        ("QtAgg", "Windows", ["`set MPLBACKEND=TkAgg`", "pip uninstall PyQt6"], ["apt", "export"]),
        ("gtk4agg", "Linux", ["the GTK window", "`export MPLBACKEND=TkAgg`"], ["libxcb"]),
        ("tkagg", "Darwin", ["the Tk window", "`export MPLBACKEND=Agg`", "PNG"], ["TkAgg`"]),
    ],
)
def test_a_crashing_window_says_what_to_do_for_its_toolkit_and_system(
    backend, system, says, not_said
):
    result = check_setup.broken_window(backend, -6, None, "PyQt6", system)
    assert result.mark == FAIL
    assert [text for text in says if text not in result.text] == [], result.text
    assert [text for text in not_said if text in result.text] == [], result.text


# --- the speed -------------------------------------------------------------------------------


def reference_seconds():
    return {step: iterations / per_s for step, iterations, per_s in check_setup.REFERENCE_RUNS}


def test_a_machine_as_fast_as_the_projects_is_predicted_its_reference_times():
    step_31 = reference_seconds()[check_setup.SPEED_STEP]
    times = dict(check_setup.predicted_times(startup_s=0.0, rate=10000 / step_31))
    assert times == pytest.approx(reference_seconds())


def test_a_machine_half_as_fast_is_predicted_twice_the_times_and_gets_advice():
    step_31 = reference_seconds()[check_setup.SPEED_STEP]
    startup = 5.0
    rate = 10000 / (2 * step_31 - startup)  # start-up and training together: twice as long
    times = dict(check_setup.predicted_times(startup, rate))
    assert times == pytest.approx({s: 2 * t for s, t in reference_seconds().items()})
    slow = check_setup.speed_result(startup, rate * 0.9)
    assert slow.mark == NOTE and "--graphs 3" in slow.text and "--no-window" in slow.text
    assert check_setup.speed_result(startup, rate * 1.2).mark == OK


def test_a_very_slow_machine_reads_as_a_figure_never_as_0_0_times():
    step_31 = reference_seconds()[check_setup.SPEED_STEP]
    for share, said in ((1 / 25, "0.04 times"), (0.5, "0.5 times"), (1.34, "1.3 times")):
        rate = 10000 / (step_31 / share)  # no start-up: the run takes 1/share of the reference
        text = check_setup.speed_result(0.0, rate).text
        assert "%s the speed of the project's 2-core machine" % said in text
        assert "0.0 times" not in text


def test_a_run_timed_on_a_busy_machine_says_so_and_how_busy():
    step_31 = reference_seconds()[check_setup.SPEED_STEP]
    rate = 10000 / step_31  # as fast as the project's machine, all the same
    busy = check_setup.speed_result(0.0, rate, load=(9.04, 2))
    assert busy.mark == NOTE
    assert "Measured on a busy machine: a load of 9.0 on 2 processors" in busy.text
    assert "run the check again once the other programs are done" in busy.text
    slow = check_setup.speed_result(0.0, rate / 4, load=(9.04, 2))
    assert slow.mark == NOTE and "If it is still slow then" in slow.text
    assert "This machine is slow" not in slow.text
    for quiet in (None, (0.3, 2)):  # no load known (Windows), or a quiet machine
        result = check_setup.speed_result(0.0, rate, load=quiet)
        assert result.mark == OK and "busy" not in result.text


def test_the_load_is_read_where_the_system_tells_it_and_nothing_said_where_not(monkeypatch):
    load = check_setup.machine_load()
    if hasattr(os, "getloadavg"):
        assert load[0] == pytest.approx(os.getloadavg()[0], abs=2.0) and load[1] == os.cpu_count()
    monkeypatch.delattr(os, "getloadavg", raising=False)  # as on Windows
    assert check_setup.machine_load() is None


def test_a_step_that_does_not_finish_in_time_fails_the_speed_line(mnist_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_dir))
    result = check_setup.check_speed(iterations=100000, timeout=2)
    assert str(result) == "%s speed: step 3.1 did not finish 100000 iterations in 2 s" % FAIL


# --- the speed: the other set of CPU kernels -------------------------------------------------


def test_the_start_line_says_which_kernel_set_ran():
    line = "TensorFlow 2.21.0, on the CPU with %s: 2.3 times faster. (Its own ...)"
    assert check_setup.kernel_set_of(line % "oneDNN's kernels") is True
    assert check_setup.kernel_set_of(line % "TensorFlow's own kernels") is False
    assert check_setup.kernel_set_of("TensorFlow 2.21.0, on the GPU: NVIDIA H200. (...)") is None


def test_the_other_kernel_set_is_named_only_when_clearly_faster():
    assert check_setup.kernels_advice(True, 100.0, 110.0) is None  # within the noise
    assert check_setup.kernels_advice(False, 100.0, 50.0) is None
    advice = check_setup.kernels_advice(False, 40.0, 100.0, "Linux")
    assert advice.startswith(
        "On oneDNN's kernels step 3.1 trains 2.5 times as fast here (100 iterations/s). For the "
        "convolutional steps (3.0, 3.1, 4.2), ask for them `TF_ENABLE_ONEDNN_OPTS=1 python "
        "mnist_3.1_convolutional_bigger_dropout.py`"
    )


def test_on_windows_the_advice_gives_cmd_and_powershell_forms():
    advice = check_setup.kernels_advice(True, 40.0, 100.0, "Windows")
    assert "On TensorFlow's own kernels step 3.1 trains 2.5 times as fast" in advice
    assert "`set TF_ENABLE_ONEDNN_OPTS=0` (cmd.exe)" in advice
    assert '`$env:TF_ENABLE_ONEDNN_OPTS = "0"` (PowerShell)' in advice


@pytest.mark.skipif(sys.platform == "win32", reason="the POSIX form of the advice")
@pytest.mark.parametrize("steps_set", [False, True], ids=["own", "oneDNN"])
def test_the_advised_command_runs_the_step_on_the_other_set(steps_set, mnist_dir, tmp_path):
    # as a learner follows it: the command from the advice, in a shell whose own setting differs
    advice = check_setup.kernels_advice(steps_set, 40.0, 100.0, "Linux")
    command = re.search(r"`([^`]+)`", advice).group(1)
    assert command.endswith(check_setup.SPEED_STEP)
    env = dict(headless_env(MNIST_DATA_DIR=str(mnist_dir)), MPLBACKEND="agg")
    env["TF_ENABLE_ONEDNN_OPTS"] = "1" if not steps_set else "0"
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    command = command.replace("python ", "python -u %s/" % ROOT) + " --no-window --iterations 1"
    done = subprocess.run(
        ["sh", "-c", command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("TensorFlow "))
    wanted, ran = not steps_set, check_setup.kernel_set_of(line)
    if ran is wanted:
        assert ", as TF_ENABLE_ONEDNN_OPTS=%d asks. " % wanted in line
    else:  # only where this TensorFlow has no oneDNN (its builds for macOS)
        assert wanted and ran is False and "oneDNN" not in line


# --- pytest.ini: warnings are errors for the project's own code only --------------------------

WARNINGS_TESTS = """
import warnings

import numpy


def test_warning_from_a_test():
    warnings.warn("from a test", UserWarning)


def test_warning_from_a_project_module():
    warnings.warn_explicit("from the project", DeprecationWarning, "tensorflowvisu.py", 1,
                           module="tensorflowvisu")


def test_warning_from_a_third_party_module():
    warnings.warn_explicit("from a package", DeprecationWarning, "pyparsing/util.py", 1,
                           module="pyparsing.util")


def test_warning_that_numpy_raises_on_a_tests_own_line():
    numpy.float64(1.0) / 0.0  # "divide by zero", attributed to this line
"""


def test_warnings_fail_the_projects_own_code_only(tmp_path):
    tests = tmp_path / "test_warnings_scratch.py"
    tests.write_text(WARNINGS_TESTS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pytest.ini"), "-p", "no:cacheprovider"]
        + ["-rA", "--rootdir", str(tmp_path), str(tests)],
        cwd=tmp_path,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
    )
    found = re.findall(r"^(PASSED|FAILED) \S+::(\w+)", done.stdout, re.M)
    outcomes = {name: outcome for outcome, name in found}
    assert outcomes == {
        "test_warning_from_a_test": "FAILED",
        "test_warning_from_a_project_module": "FAILED",
        "test_warning_from_a_third_party_module": "PASSED",
        "test_warning_that_numpy_raises_on_a_tests_own_line": "FAILED",
    }, done.stdout
    assert "DeprecationWarning: from a package" in done.stdout  # shown in the summary


# --- the line to send back --------------------------------------------------------------------


def test_the_line_to_send_back_names_the_failed_checks_the_toolkit_and_step_3_1s_minutes():
    results = [
        check_setup.Result(OK, "Python 3.12.1 on Windows amd64: supported (...)"),
        check_setup.Result(OK, "numpy 2.4.1 (tested: 1.26.4 to 2.4.x)"),
        check_setup.Result(FAIL, "matplotlib not installed: pip install -r requirements.txt"),
        check_setup.Result(OK, "tensorflow 2.21.0 (tested: 2.16.2 to 2.21.x)"),
        check_setup.Result(FAIL, "The MNIST files are missing from C:\\data and could not ..."),
        check_setup.Result(OK, "a live window will open (matplotlib's qtagg backend)"),
        check_setup.Result(OK, "speed: step 3.1 trains at 60 iterations/s here, ...; each step's "
                           "full run, without a window, would take about: 1.0 9 s, 3.0 2.0 min, "
                           "3.1 75 s, 4.2 13 min"),
    ]  # fmt: skip
    line = check_setup.send_back_line(results)
    fields = line.split(" | ")
    assert fields[0] == "Send this line back: NOT READY (matplotlib, MNIST)"
    assert fields[1:3] == ["Python %s" % platform.python_version(), "TensorFlow 2.21.0"]
    assert fields[4:] == ["window: Qt", "step 3.1: 1.2 min"]
    tk = check_setup.send_back_line(
        [
            check_setup.Result(
                NOTE,
                "window: Qt's window cannot start here (...). The graphs use Tk's window instead.",
            )
        ]  # fmt: skip
    )
    assert " | window: Tk | " in tk and "NOT READY" not in tk
    assert tk.endswith("TensorFlow not installed | %s | window: Tk | step 3.1: not measured"
                       % check_setup._operating_system())  # fmt: skip


def test_ready_names_the_environments_python_where_it_was_not_activated(tmp_path, monkeypatch):
    """docs/setup.md runs check_setup with .venv/bin/python, no activate script: `python` would
    then start another Python, so the ready line names the one that ran the check."""
    venv = tmp_path / ".venv"
    python = str(venv / "bin" / "python")
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    named = check_setup.python_to_type(python, str(venv), "/usr", str(tmp_path))
    assert named == os.path.join(".venv", "bin", "python")
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))  # activated: `python` is this one
    assert check_setup.python_to_type(python, str(venv), "/usr", str(tmp_path)) == "python"
    monkeypatch.delenv("VIRTUAL_ENV")
    assert check_setup.python_to_type("/usr/bin/python3", "/usr", "/usr", str(tmp_path)) == "python"
    elsewhere = str(tmp_path / "other")  # an environment outside the workshop's folder
    assert check_setup.python_to_type(python, str(venv), "/usr", elsewhere) == "python"
