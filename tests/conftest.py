"""Shared fixtures: where the real MNIST files are, the repository's root, and a virtual screen
(Xvfb) with the toolkits whose windows the real-window tests open on it."""

import importlib.util
import os
import pathlib
import re
import select
import shutil
import subprocess
import sys
import time

import mnistdata

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCREEN = (1600, 1000)  # the virtual screen's size in pixels

# The Pythons the tests start write their output in UTF-8, as the tests read it (encoding="utf-8"):
# to a pipe they would write in the locale's code page otherwise, cp1252 on Windows.
os.environ["PYTHONIOENCODING"] = "utf-8"

# The files that take longest (several minutes between them: real training runs, real kernels)
# start first, so that pytest.ini's two processes finish together rather than one waiting on
# the last of them.
SLOWEST_FIRST = [
    "test_steps.py",
    "test_notebook.py",
    "test_try_and_checkpoints.py",
    "test_against.py",
]


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.path.name
        return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # a stable sort: each file's own tests keep their order


# The project's own modules as a warning names them (a step or check_setup.py run as a script is
# __main__): a warnings filter's module field, given in PYTHONWARNINGS, must match the whole name.
PROJECT_MODULES = ["__main__", "tensorflowvisu", "mnistdata", "check_setup"] + [
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for path in sorted((ROOT / "visu").rglob("*.py"))
]


def encoding_warnings_fail(env):
    """env for a Python child (and the Pythons it starts) in which the project's code opening a
    text file without naming its encoding stops it with an EncodingWarning: on Windows that file
    would be read or written in the locale's code page (cp1252), not UTF-8. Third-party code's
    EncodingWarnings are ignored: not the project's to fix."""
    filters = ["ignore::EncodingWarning"]  # the filters given last take precedence
    filters += ["error::EncodingWarning:%s" % module for module in PROJECT_MODULES]
    return dict(env, PYTHONWARNDEFAULTENCODING="1", PYTHONWARNINGS=",".join(filters))


def skip_or_fail_in_ci(reason):
    """Skips the test on a learner's machine; fails it in CI (CI=true), where everything it needs
    is installed."""
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI provides it, so this is an error there)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def mnist_dir():
    """The folder holding the real MNIST files: MNIST_DATA_DIR, else data/ beside the scripts.

    On a learner's machine without the files the real-data tests skip; in CI (CI=true) they fail,
    because CI is where they must run."""
    candidates = list(dict.fromkeys([mnistdata.resolve_data_dir(), mnistdata.DEFAULT_DATA_DIR]))
    for folder in candidates:
        if not mnistdata.missing_files(folder):
            return folder
    skip_or_fail_in_ci(
        "the real MNIST files are not in %s (set MNIST_DATA_DIR)" % ", ".join(map(str, candidates))
    )


# --- a virtual screen, and the toolkits a window opens in there --------------------------------


@pytest.fixture
def xvfb(tmp_path):
    """A fresh Xvfb on a free display number; yields (DISPLAY, path of its XWD screen file)."""
    missing = [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]
    if missing:
        skip_or_fail_in_ci(
            "%s not installed (apt-get install xvfb xdotool)" % " and ".join(missing)
        )
    fbdir = tmp_path / "framebuffer"
    fbdir.mkdir()
    log = tmp_path / "xvfb.log"
    read_end, write_end = os.pipe()
    with open(log, "wb") as log_file:
        # -displayfd: Xvfb picks a free display, and writes its number once it accepts clients
        server = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "%dx%dx24" % SCREEN,
                "-nolisten",
                "tcp",
                "-fbdir",
                str(fbdir),
                # No reset when the last client leaves: a client connecting during the reset is
                # turned away, as Qt's is when matplotlib has just opened and closed the display
                # to check it (xserver issue 1102).
                "-noreset",
            ],
            pass_fds=[write_end],
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + 20
        while not number.endswith(b"\n") and time.monotonic() < deadline and server.poll() is None:
            if select.select([read_end], [], [], 0.2)[0]:
                chunk = os.read(read_end, 16)
                if not chunk:
                    break
                number += chunk
        if not number.strip().isdigit():
            server.kill()
            server.wait()
            pytest.fail(
                "Xvfb did not start: %s" % log.read_text(encoding="utf-8", errors="replace")[-2000:]
            )
        yield ":" + number.decode().strip(), fbdir / "Xvfb_screen0"
    finally:
        os.close(read_end)
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


# The toolkits the window is tested in, by matplotlib's backend names (MPLBACKEND): what opens a
# window of each on its own, and the library that is loaded once the step's window is one of it.
TOOLKITS = {
    "TkAgg": ("import tkinter; tkinter.Tk().destroy()", re.compile(r"/libtk[\d.]*\.so")),
    "QtAgg": (
        "from PyQt6.QtWidgets import QApplication, QWidget; app = QApplication([]); "
        "window = QWidget(); window.show(); app.processEvents(); window.close()",
        re.compile(r"/libQt\d*Widgets\.so"),
    ),
}


def toolkit_opens_a_window(backend, display):
    """Skips the test (fails it in CI) unless the backend's toolkit opens a window on the display:
    Qt without its X libraries ends the process (abort), Tk without tkinter raises."""
    env = dict(os.environ, DISPLAY=display)
    env.pop("WAYLAND_DISPLAY", None)
    check = subprocess.run(
        [sys.executable, "-c", TOOLKITS[backend][0]],
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
    )
    if check.returncode != 0:
        skip_or_fail_in_ci(
            "%s cannot open a window (exit status %d): %s"
            % (backend, check.returncode, check.stderr.strip()[-300:])
        )


@pytest.fixture(params=list(TOOLKITS))
def backend(request, xvfb):
    """The backend a test's step runs with, once its toolkit has opened a window on the virtual
    screen."""
    toolkit_opens_a_window(request.param, xvfb[0])
    return request.param


def hidden_library_launcher(name):
    """A command prefix that runs its command with the system library `name` unreadable, as on a
    machine without its package: in a mount namespace of its own (root, Linux), /dev/null is
    mounted over the library's file. None where that cannot be done."""
    found = sorted(pathlib.Path("/usr/lib").glob("*/%s" % name)) + sorted(
        pathlib.Path("/lib").glob("*/%s" % name)
    )
    if not found or shutil.which("unshare") is None or os.geteuid() != 0:
        return None
    hide = 'mount --bind /dev/null "$0" && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", hide, str(found[0].resolve())]


def qt_without_its_x_library():
    """The launcher of hidden_library_launcher for Qt's libxcb-cursor.so.0, with PyQt6 installed:
    Qt 6.5 and later on a Linux machine without libxcb-cursor0. Skips the test (fails it in CI)
    where that cannot be made."""
    if importlib.util.find_spec("PyQt6") is None:
        skip_or_fail_in_ci("PyQt6 is not installed (pip install PyQt6)")
    launcher = hidden_library_launcher("libxcb-cursor.so.0")
    if launcher is None:
        skip_or_fail_in_ci("hiding libxcb-cursor.so.0 needs root, unshare and the library")
    return launcher
