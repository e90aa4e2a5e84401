"""Windows' traps, tested on Linux, since many learners are on Windows and the tests do not run
there: text files read or written in the locale's code page (cp1252) instead of UTF-8, a workshop
folder whose path has spaces and accents, printed commands that break when pasted, and modules or
functions Windows does not have."""

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys

import mnistdata

import pytest
from PIL import Image

from conftest import ROOT, encoding_warnings_fail
from visu.shell import pasteable

STEP = "mnist_1.0_softmax.py"
ITERATIONS = 20

# --- every text file the project opens names its encoding ----------------------------------------

# the project's own code: what learners run, and the benchmarks, docs' scripts and tests around it
OWN_CODE = sorted(
    path
    for pattern in ("*.py", "visu/**/*.py", "benchmarks/*.py", "docs/*.py", "tests/*.py")
    for path in ROOT.glob(pattern)
)
SUBPROCESS_CALLS = {"run", "Popen", "check_output", "call", "check_call"}
TEMPORARY_FILES = {"TemporaryFile", "NamedTemporaryFile", "SpooledTemporaryFile"}


def argument(call, position, name):
    """The call's argument given at `position` (None: only by name) or as `name`, or None."""
    if position is not None and len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def text_mode(mode, default="r"):
    """Whether a mode argument (an ast node, or None) opens in text mode; a mode that is not a
    literal counts as text: its encoding must be given all the same."""
    value = default if mode is None else getattr(mode, "value", "")
    return not (isinstance(value, str) and "b" in value)


def opens_text_in_the_locales_encoding(call):
    """Whether the call opens a text file or a text pipe without saying its encoding."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    owner = getattr(func.value, "id", None) if isinstance(func, ast.Attribute) else None
    if name in ("read_text", "write_text"):  # pathlib: encoding is the first argument after data
        return argument(call, 0 if name == "read_text" else 1, "encoding") is None
    if name in ("open", "fdopen") and owner in (None, "io", "os"):  # open(file, mode, ...)
        return text_mode(argument(call, 1, "mode")) and argument(call, 3, "encoding") is None
    if name == "open" and owner not in ("Image", "gzip"):  # a Path's open(mode, ...)
        return text_mode(argument(call, 0, "mode")) and argument(call, 2, "encoding") is None
    if owner == "subprocess" and name in SUBPROCESS_CALLS:
        text = [k.value for k in call.keywords if k.arg in ("text", "universal_newlines", "errors")]
        given = [value for value in text if getattr(value, "value", True) not in (False, None)]
        return bool(given) and argument(call, None, "encoding") is None
    if owner == "tempfile" and name in TEMPORARY_FILES:
        return text_mode(argument(call, 0, "mode"), "w+b") and argument(call, 3, "encoding") is None
    return False


def calls_in_the_locales_encoding(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    lines = sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and opens_text_in_the_locales_encoding(node)
    )
    return ["%s:%d" % (os.path.relpath(path, ROOT), line) for line in lines]


def test_the_finder_of_text_files_without_an_encoding_finds_each_kind_and_passes_binary_ones(
    tmp_path,
):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "open(a)\nopen(a, 'w')\npath.read_text()\npath.write_text(t)\nio.open(a, mode='r')\n"
        "subprocess.run(c, text=True)\nsubprocess.Popen(c, universal_newlines=True)\n"
        "path.open('a')\ntempfile.TemporaryFile('w+')\n"
        "open(a, 'rb')\nopen(a, encoding='utf-8')\npath.read_text('utf-8')\n"
        "path.write_text(t, encoding='utf-8')\nsubprocess.run(c, text=True, encoding='utf-8')\n"
        "subprocess.run(c, capture_output=True)\nImage.open(a)\ngzip.open(a)\n"
        "tempfile.TemporaryFile()\nos.fdopen(handle, 'wb')\n",
        encoding="utf-8",
    )
    found = [int(place.split(":")[1]) for place in calls_in_the_locales_encoding(sample)]
    assert found == list(range(1, 10))


def test_every_text_file_and_pipe_the_project_opens_names_its_encoding():
    found = [place for path in OWN_CODE for place in calls_in_the_locales_encoding(path)]
    assert not found, (
        "text files or pipes opened in the locale's encoding (cp1252 on a Windows machine, so an "
        "é in them breaks): give encoding='utf-8' at %s" % ", ".join(found)
    )


# --- a step run from a folder with spaces and accents, as a learner runs it -----------------------


def own_problems(stderr):
    """The lines of stderr that are not TensorFlow's start-up log."""
    noise = re.compile(r"^(WARNING: All log messages|[IWE]\d{4} |To enable the following)")
    return [line for line in stderr.splitlines() if line.strip() and not noise.match(line)]


@pytest.fixture(scope="module")
def workshop(tmp_path_factory, mnist_dir):
    """The workshop copied into "my workshop é ü" (its MNIST files in data/ there), step 1.0
    trained from that folder with --logdir and --save, then restored with the --restore its last
    lines print, pasted back, and --try on a digit saved as "mon chiffre é.png". Opening a text file
    without its encoding is an error in the project's code there (conftest.encoding_warnings_fail).
    Returns (the folder, the training run, the restored run)."""
    folder = tmp_path_factory.mktemp("windows") / "my workshop é ü"
    shutil.copytree(ROOT / "visu", folder / "visu", ignore=shutil.ignore_patterns("__pycache__"))
    for name in (STEP, "tensorflowvisu.py", "mnistdata.py"):
        shutil.copy(ROOT / name, folder / name)
    (folder / "data").mkdir()
    for path in mnistdata.find_files(mnist_dir).values():
        shutil.copy(path, folder / "data" / path.name)
    digit = mnistdata.read_data_sets(mnist_dir).test.images[0, :, :, 0]
    Image.fromarray((digit * 255).round().astype("uint8")).save(folder / "mon chiffre é.png")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MNIST_DATA_DIR")}
    env = encoding_warnings_fail(dict(env, MPLBACKEND="agg"))

    def run(*args):
        return subprocess.run(
            [sys.executable, STEP, "--no-window", *args],
            cwd=folder,
            env=env,
            capture_output=True,
            encoding="utf-8",
            timeout=300,
        )

    trained = run("--iterations", str(ITERATIONS), "--logdir", "runs é", "--save", "kept é")
    assert trained.returncode == 0, trained.stdout[-2000:] + trained.stderr[-2000:]
    pasted = re.search(r": (--restore .+) loads it\.$", trained.stdout, re.M)
    assert pasted, trained.stdout[-3000:]
    restored = run(*shlex.split(pasted.group(1)), "--try", "mon chiffre é.png")
    return folder, trained, restored


def test_a_step_copied_into_a_folder_with_spaces_and_accents_trains_logs_and_saves_there(
    workshop,
):
    folder, trained, _ = workshop
    assert "Loaded MNIST from %s (60000 training" % (folder / "data") in trained.stdout
    assert "max test accuracy: " in trained.stdout
    assert (folder / STEP.replace(".py", ".png")).stat().st_size > 10000
    assert list((folder / "runs é" / "mnist_1.0_softmax_seed0").glob("events.out.tfevents.*"))
    assert (folder / "kept é" / "network.json").is_file()
    assert not own_problems(trained.stderr), trained.stderr[-3000:]


def test_the_restore_command_a_save_prints_restores_when_pasted_and_tries_a_file_with_accents(
    workshop,
):
    _, trained, restored = workshop
    assert 'to kept é: --restore "kept é" loads it.' in trained.stdout
    assert restored.returncode == 0, restored.stdout[-2000:] + restored.stderr[-2000:]
    assert "Restored the network of mnist_1.0_softmax from kept é" in restored.stdout
    answer = re.compile(r"^mon chiffre é\.png: \d \(\d+\.\d%\), then \d \(", re.M)
    assert answer.search(restored.stdout), restored.stdout[-2000:]
    assert not own_problems(restored.stderr), restored.stderr[-3000:]


def test_the_tensorboard_command_a_run_prints_gives_its_folder_back_when_pasted(workshop):
    folder, trained, _ = workshop
    command = re.search(r"\(to see it: (tensorboard --logdir .+)\)$", trained.stdout, re.M)
    assert command, trained.stdout[-3000:]
    assert shlex.split(command.group(1)) == ["tensorboard", "--logdir", str(folder / "runs é")]


# --- paths in printed commands ------------------------------------------------------------------

PATHS = ["kept", "kept é", "my runs/kept", "/tmp/Zoë's runs", "a&b (2)", "$HOME", 'a "b"', "C:\\x"]


@pytest.mark.parametrize("path", PATHS)
def test_a_quoted_path_pasted_into_a_posix_shell_is_the_path(path):
    assert shlex.split("--restore " + pasteable(path, windows=False)) == ["--restore", path]


def test_a_path_is_quoted_only_when_a_shell_would_split_or_change_it():
    assert pasteable("kept") == "kept"
    assert pasteable("données/kept_2.0") == "données/kept_2.0"  # accents alone need no quotes
    assert pasteable("kept é") == '"kept é"'
    assert pasteable("/tmp/a&b") == '"/tmp/a&b"'
    assert pasteable("C:\\Users\\Zoë\\kept", windows=True) == "C:\\Users\\Zoë\\kept"
    assert pasteable("C:\\Users\\Zoë\\my runs", windows=True) == '"C:\\Users\\Zoë\\my runs"'
    assert pasteable("$HOME/runs", windows=False) == "'$HOME/runs'"  # what double quotes expand
    assert pasteable("") == '""'


# --- nothing on a step's path that Windows lacks -----------------------------------------------

# modules Windows' Python has not, and what it lacks of the modules it has
WINDOWS_LACKS = {
    "modules": set("resource fcntl termios tty pty pwd grp crypt syslog".split()),
    "signal": set(
        "SIGALRM SIGHUP SIGQUIT SIGKILL SIGUSR1 SIGUSR2 SIGPIPE SIGCHLD SIGCONT SIGSTOP SIGTSTP "
        "SIGWINCH ITIMER_REAL alarm setitimer getitimer pause siginterrupt pthread_kill "
        "pthread_sigmask sigwait".split()
    ),
    "os": set(
        "fork forkpty register_at_fork getuid geteuid getgid getegid getgroups setuid setgid "
        "setsid setpgrp getpgrp getpgid killpg nice uname chown lchown fchown mkfifo mknod "
        "getloadavg sysconf statvfs openpty wait3 wait4 WNOHANG sync ttyname sched_getaffinity "
        "sched_setaffinity posix_spawn".split()
    ),
    "time": {"tzset"},
    "select": {"poll", "epoll", "kqueue"},
}


def windows_lacks(path):
    """[(line, what)] of WINDOWS_LACKS the file uses, read from its code (getattr(signal,
    "SIGALRM", None), the way to use one where it exists, is not flagged)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    aliases, found = {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                aliases[alias.asname or alias.name] = alias.name
                if alias.name.split(".")[0] in WINDOWS_LACKS["modules"]:
                    found.append((node.lineno, "import " + alias.name))
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module.split(".")[0]
            if module in WINDOWS_LACKS["modules"]:
                found.append((node.lineno, "from %s import" % node.module))
            for alias in node.names:
                if alias.name in WINDOWS_LACKS.get(module, ()):
                    found.append((node.lineno, "%s.%s" % (module, alias.name)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = aliases.get(node.value.id, "")
            if node.attr in WINDOWS_LACKS.get(module, ()):
                found.append((node.lineno, "%s.%s" % (module, node.attr)))
    return sorted(found)


def on_a_steps_path():
    """The project's files a step or check_setup.py imports, at once or later, followed from
    their imports."""
    todo = sorted(ROOT.glob("mnist_*.py")) + [ROOT / "check_setup.py"]
    seen = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + ["%s.%s" % (node.module, a.name) for a in node.names]
            for name in names:
                parts = name.split(".")
                module = ROOT.joinpath(*parts[:-1], parts[-1] + ".py")
                todo += [f for f in (module, ROOT.joinpath(*parts, "__init__.py")) if f.is_file()]
    return sorted(seen)


def test_the_finder_of_what_windows_lacks_finds_imports_aliases_and_attributes(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os, signal as s\nimport resource\nfrom os import fork\ns.alarm(5)\n"
        "signal.SIGINT\nos.getuid()\ngetattr(s, 'SIGALRM', None)\n",
        encoding="utf-8",
    )
    assert windows_lacks(sample) == [
        (2, "import resource"),
        (3, "os.fork"),
        (4, "signal.alarm"),
        (6, "os.getuid"),
    ]


def test_nothing_a_step_or_the_check_imports_uses_what_windows_lacks():
    files = on_a_steps_path()
    names = {path.relative_to(ROOT).as_posix() for path in files}
    assert {
        "tensorflowvisu.py",
        "mnistdata.py",
        "visu/options.py",
        "visu/trained/network.py",
    } <= names
    found = [
        "%s:%d: %s" % (os.path.relpath(path, ROOT), line, what)
        for path in files
        for line, what in windows_lacks(path)
    ]
    assert not found, (
        "Windows has no %s: a step or check_setup.py would stop there on a learner's Windows "
        "machine. Use what every system has, or getattr(module, name, None) and a fallback."
        % ", ".join(found)
    )
