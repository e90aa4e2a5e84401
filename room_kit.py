"""The room kit: everything a room of learners installs from, on a USB stick, with no network.

    python room_kit.py KIT              # the default platforms, every Python of each
    python room_kit.py KIT --platform windows-x86_64 --python 3.12 --python 3.13
    python room_kit.py --dry-run        # resolves each part, says its size, fetches nothing

KIT receives:
  wheels/        the wheels of tensorflow, numpy, matplotlib and what they need, for each
                 platform and Python named, at the versions the suite last passed on
                 (.ci/tested-versions.txt; for Intel Macs, which stop at TensorFlow 2.16.2,
                 .ci/lowest-versions.txt)
  constraints/   those two files, which the install scripts install with
  mnist/         the four MNIST files (from MNIST_DATA_DIR or data/, downloaded there if missing)
  workshop/      the workshop's files (what git tracks, or the folder without its .venv and data)
  install-windows.cmd, install-macos.sh, install-linux.sh
                 copy the workshop and the MNIST files into a folder (default: mnist-workshop in
                 the home folder), make its .venv, install from wheels/ with pip's --no-index,
                 then run check_setup.py
  room-kit.json  what the kit holds: check_setup.py, run from the kit, reads it to say when this
                 Python or system has no wheels there

It prints each part's size. Run again after an interruption, it fetches only the wheels still
missing (pip download keeps what is already in wheels/). A platform and Python for which the index
has no wheel of TensorFlow, or of a package it needs, at the tested version (Python 3.13 on an
Intel Mac, say; Python 3.10, which numpy 2.3 and later left) is refused, saying why, and the other
parts are built all the same. The exit status is 1 when a part of a Python named with --python was
refused; of the defaults, the kit holds those the tested versions have wheels for.

pip does the downloading (python -m pip download --platform ... --only-binary=:all:), so the
index, a proxy and certificates are pip's own settings; --index-url and --find-links are passed on.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

import check_setup

ROOT = os.path.dirname(os.path.abspath(__file__))
TESTED = os.path.join(ROOT, ".ci", "tested-versions.txt")  # the latest run's versions
LOWEST = os.path.join(ROOT, ".ci", "lowest-versions.txt")  # the lower-bound run's
MANIFEST = "room-kit.json"
# Linux wheels for glibc 2.28 and later (Debian 10, Ubuntu 20.04, RHEL 8 and newer).
GLIBC_FLOOR = 28

Platform = collections.namedtuple(
    "Platform", "name words system machines tags constraints pythons install"
)


def _manylinux(arch):
    return ["manylinux_2_%d_%s" % (minor, arch) for minor in range(GLIBC_FLOOR, 4, -1)] + [
        "manylinux2014_" + arch
    ]


def _pythons(versions):
    (low_major, low), (_, high) = versions
    return ["%d.%d" % (low_major, minor) for minor in range(low, high + 1)]


# system and machines: as check_setup.this_machine() names them. A macOS tag is the oldest macOS
# the kit serves: pip takes any wheel for that version or older, never one that needs a newer one
# (numpy's macosx_14_0 wheels refuse to install on macOS 12 and 13).
PLATFORMS = collections.OrderedDict(
    (platform.name, platform)
    for platform in (
        Platform("windows-x86_64", "Windows 64-bit", "Windows", ["amd64", "x86_64"],
                 ["win_amd64"], TESTED, _pythons(check_setup.PYTHON_RANGE), "install-windows.cmd"),
        Platform("macos-arm64", "macOS 12 or later on Apple silicon", "Darwin", ["arm64"],
                 ["macosx_12_0_arm64"], TESTED, _pythons(check_setup.PYTHON_RANGE),
                 "install-macos.sh"),
        Platform("macos-x86_64", "macOS 12 or later on an Intel Mac (TensorFlow 2.16.2)",
                 "Darwin", ["x86_64", "x86_64-rosetta"], ["macosx_12_0_x86_64"], LOWEST,
                 _pythons(check_setup.INTEL_MAC_PYTHON_RANGE), "install-macos.sh"),
        Platform("linux-x86_64", "Linux on x86_64 (glibc 2.%d or later)" % GLIBC_FLOOR, "Linux",
                 ["x86_64", "amd64"], _manylinux("x86_64"), TESTED,
                 _pythons(check_setup.PYTHON_RANGE), "install-linux.sh"),
        Platform("linux-aarch64", "Linux on ARM64 (glibc 2.%d or later)" % GLIBC_FLOOR, "Linux",
                 ["aarch64", "arm64"], _manylinux("aarch64"), TESTED,
                 _pythons(check_setup.PYTHON_RANGE), "install-linux.sh"),
    )
)  # fmt: skip
DEFAULT_PLATFORMS = ["windows-x86_64", "macos-arm64", "macos-x86_64", "linux-x86_64"]


class Refused(Exception):
    """A part pip cannot resolve: the reason, in words."""


def size(nbytes):
    if nbytes >= 10**9:
        return "%.2f GB" % (nbytes / 1e9)
    return "%.0f MB" % (nbytes / 1e6) if nbytes >= 10**7 else "%.1f MB" % (nbytes / 1e6)


def tag_options(platform, python):
    """pip's options for one part's wheels: its platform tags, its Python, binary wheels only."""
    options = []
    for tag in platform.tags:
        options += ["--platform", tag]
    options += ["--python-version", python, "--implementation", "cp"]
    return options + ["--abi", "cp" + python.replace(".", ""), "--only-binary=:all:"]


def pip_options(platform, python, index):
    """... and what to get: requirements.txt at the part's constraints, from the index."""
    requirements = ["-r", os.path.join(ROOT, "requirements.txt"), "-c", platform.constraints]
    return tag_options(platform, python) + requirements + index


def pinned_versions(path):
    """{name: version} of a constraints file's pins, names as pip compares them."""
    with open(path, encoding="utf-8") as file:
        found = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", file.read(), re.M)
    return dict((_canonical(name), version) for name, version in found)


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


# How pip names the package it could not install: with no wheel at all for it, or (given the
# constraints) as a conflict.
PIP_MISSING = re.compile(
    r"(?:No matching distribution found for|Cannot install|satisfies the requirement) "
    r"([A-Za-z0-9._-]+)"
)


def has_wheel(platform, python, name, version, index):
    """Whether the index has a wheel of name==version (not its requirements) for this part."""
    command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-deps"]
    with tempfile.TemporaryDirectory() as scratch:
        command += ["--dest", scratch, "%s==%s" % (name, version)]
        command += tag_options(platform, python) + index
        done = subprocess.run(command, capture_output=True, encoding="utf-8", errors="replace")
    return done.returncode == 0


def refusal(platform, python, stderr, index):
    """Why pip could not resolve a part, in one paragraph."""
    missing = PIP_MISSING.findall(stderr)
    name = missing[0] if missing else None
    version = pinned_versions(platform.constraints).get(_canonical(name or ""))
    if not name or not version or has_wheel(platform, python, name, version, index):
        said = [line.strip() for line in stderr.splitlines() if line.startswith("ERROR")]
        return "%s, Python %s: pip failed: %s" % (
            platform.name,
            python,
            " ".join(said or stderr.strip().splitlines()[-1:] or ["no output"]),
        )
    wanted = "%s==%s" % (name, version)
    text = "%s, Python %s: refused: the index has no %s wheel for Python %s on %s (%s)" % (
        platform.name,
        python,
        wanted,
        python,
        platform.words,
        ", ".join(platform.tags[:1] + ["cp" + python.replace(".", "")]),
    )
    if _canonical(name) == "tensorflow":
        text += (
            ". TensorFlow ships none there, so no learner on that Python can install the "
            "workshop: learners there need one of the Pythons %s ships for (the defaults for %s: "
            "%s)" % (wanted, platform.name, ", ".join(platform.pythons))
        )
    else:
        text += ", which the workshop needs there"
    return text + "."


def download(platform, python, wheels, index):
    """Downloads one part's wheels into `wheels` (keeping those already there); returns their
    file names. Raises Refused when pip cannot resolve it."""
    os.makedirs(wheels, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        report = os.path.join(scratch, "report.json")
        # The resolution first, to know the part's files; then pip download, which fetches those
        # not yet in wheels/ (the wheels already there are found with --find-links).
        resolved = resolve(platform, python, index + ["--find-links", wheels], report)
        command = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check"]
        command += ["--dest", wheels, "--find-links", wheels]
        command += pip_options(platform, python, index)
        done = subprocess.run(command, stderr=subprocess.PIPE, encoding="utf-8", errors="replace")
    if done.returncode != 0:
        raise Refused(refusal(platform, python, done.stderr, index))
    names = [name for name, _ in resolved]
    absent = [name for name in names if not os.path.exists(os.path.join(wheels, name))]
    if absent:
        raise Refused("%s, Python %s: pip did not leave %s" % (platform.name, python, absent[0]))
    return names


def resolve(platform, python, index, report):
    """[(wheel file name, its URL)] of one part, from pip's resolution (nothing installed)."""
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--dry-run"]
    command += ["--ignore-installed", "--quiet", "--report", report]
    command += ["--target", os.path.join(os.path.dirname(report), "target")]
    command += pip_options(platform, python, index)
    done = subprocess.run(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8", errors="replace"
    )
    if done.returncode != 0:
        raise Refused(refusal(platform, python, done.stderr, index))
    with open(report, encoding="utf-8") as file:
        installs = json.load(file)["install"]
    urls = [item["download_info"]["url"] for item in installs]
    return [(urllib.parse.unquote(url.rsplit("/", 1)[-1].split("#")[0]), url) for url in urls]


def remote_size(url):
    """A file's size from its URL: the file itself, or what the server says (HEAD)."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        return os.path.getsize(urllib.request.url2pathname(parsed.path))
    request = urllib.request.Request(url, method="HEAD")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return int(answer.headers["Content-Length"])


def parts(platform_names, pythons):
    """[(platform, python)] to build: each platform's Pythons, or those named."""
    return [
        (PLATFORMS[name], python)
        for name in platform_names
        for python in (pythons or PLATFORMS[name].pythons)
    ]


# --- the rest of the kit -----------------------------------------------------------------------


def workshop_files():
    """The workshop's files, relative to ROOT: what git tracks, else the folder without what a
    run or an install leaves in it."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        if done.returncode == 0 and done.stdout:
            names = [name for name in done.stdout.decode("utf-8").split("\0") if name]
            return [name for name in names if os.path.isfile(os.path.join(ROOT, name))]
    except OSError:
        pass
    skipped = {".git", ".venv", ".venv-ci", "data", "__pycache__", ".pytest_cache"}
    names = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in skipped]
        names += [os.path.relpath(os.path.join(folder, name), ROOT) for name in files]
    return sorted(names)


def copy_workshop(kit):
    target = os.path.join(kit, "workshop")
    shutil.rmtree(target, ignore_errors=True)  # no file the workshop has since removed
    for name in workshop_files():
        if os.path.commonpath([os.path.abspath(kit), os.path.join(ROOT, name)]) == os.path.abspath(
            kit
        ):
            continue  # a kit built inside the repository is not part of the workshop
        destination = os.path.join(target, name)
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), destination)
    return target


def copy_mnist(kit):
    """The four MNIST files, verified, from where the steps find them (downloaded there first if
    missing): mnistdata, which needs numpy."""
    try:
        import mnistdata
    except ImportError as error:
        raise SystemExit(
            "The MNIST files cannot be checked: %s is not installed. Build the kit from the "
            "workshop's virtual environment (pip install -r requirements.txt)." % error.name
        ) from None
    folder = mnistdata.resolve_data_dir()
    try:
        paths = mnistdata.find_or_download(folder)
        for path in paths.values():
            mnistdata.load_idx_file(path)
    except mnistdata.MnistDataError as error:
        raise SystemExit(str(error)) from None
    target = os.path.join(kit, "mnist")
    os.makedirs(target, exist_ok=True)
    for path in paths.values():
        shutil.copy2(str(path), target)
    return target


WINDOWS_SCRIPT = r"""@echo off
rem Installs the workshop from this kit, with no network: copies the workshop and the MNIST files
rem into a folder (the first argument; default: mnist-workshop in your home folder), makes its
rem .venv, installs the packages from the kit's wheels, then checks the machine.
rem From cmd.exe or PowerShell: E:\install-windows.cmd   (E: the stick)
setlocal
set "KIT=%~dp0"
set "TARGET=%~1"
if "%TARGET%"=="" set "TARGET=%USERPROFILE%\mnist-workshop"
rem The Python to use: %PYTHON% if set (set PYTHON=py -3.12), else the py launcher, else python.
set "PYTHON_COMMAND=py"
where py >nul 2>nul
if errorlevel 1 set "PYTHON_COMMAND=python"
if not "%PYTHON%"=="" set "PYTHON_COMMAND=%PYTHON%"
%PYTHON_COMMAND% "%KIT%workshop\check_setup.py" --python-only
if errorlevel 1 exit /b 1
xcopy "%KIT%workshop" "%TARGET%" /e /i /q /y >nul
if errorlevel 1 exit /b 1
xcopy "%KIT%mnist" "%TARGET%\data" /e /i /q /y >nul
if errorlevel 1 exit /b 1
%PYTHON_COMMAND% -m venv "%TARGET%\.venv"
if errorlevel 1 exit /b 1
"%TARGET%\.venv\Scripts\python" -m pip install --no-index --find-links "%KIT%wheels" ^
    -r "%TARGET%\requirements.txt" -c "%KIT%constraints\tested-versions.txt"
if errorlevel 1 exit /b 1
cd /d "%TARGET%"
".venv\Scripts\python" check_setup.py
"""

POSIX_SCRIPT = r"""#!/bin/sh
# Installs the workshop from this kit, with no network: copies the workshop and the MNIST files
# into a folder (the first argument; default: mnist-workshop in your home folder), makes its
# .venv, installs the packages from the kit's wheels, then checks the machine.
#     sh /Volumes/KIT/%(name)s          (PYTHON=python3.12 sh ... to use another Python)
set -e
kit=$(cd "$(dirname "$0")" && pwd)
target=${1:-"$HOME/mnist-workshop"}
python=${PYTHON:-python3}
constraints=tested-versions.txt
%(constraints)s
"$python" "$kit/workshop/check_setup.py" --python-only
mkdir -p "$target/data"
cp -R "$kit/workshop/." "$target/"
cp "$kit/mnist/"* "$target/data/"
"$python" -m venv "$target/.venv"
"$target/.venv/bin/python" -m pip install --no-index --find-links "$kit/wheels" \
    -r "$target/requirements.txt" -c "$kit/constraints/$constraints"
cd "$target"
exec .venv/bin/python check_setup.py
"""

INTEL_MAC = (
    "# Intel Macs stop at TensorFlow 2.16.2: the versions of the lower-bound run\n"
    'if [ "$(uname -m)" = x86_64 ]; then constraints=lowest-versions.txt; fi'
)


def write_scripts(kit):
    with open(os.path.join(kit, "install-windows.cmd"), "w", encoding="utf-8", newline="\r\n") as f:
        f.write(WINDOWS_SCRIPT)
    for name, constraints in (("install-macos.sh", INTEL_MAC), ("install-linux.sh", "")):
        path = os.path.join(kit, name)
        with open(path, "w", encoding="utf-8", newline="\n") as file:
            file.write(POSIX_SCRIPT % {"name": name, "constraints": constraints})
        os.chmod(path, 0o755)
    folder = os.path.join(kit, "constraints")
    os.makedirs(folder, exist_ok=True)
    for path in (TESTED, LOWEST):
        shutil.copy2(path, folder)


def folder_size(folder):
    return sum(
        os.path.getsize(os.path.join(where, name))
        for where, _, names in os.walk(folder)
        for name in names
    )


# --- all together --------------------------------------------------------------------------------


def parse_options(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("kit", nargs="?", help="the kit's folder (made if missing)")
    parser.add_argument(
        "--platform",
        action="append",
        choices=list(PLATFORMS),
        help="a platform to build for (repeat for several; default: %s)"
        % ", ".join(DEFAULT_PLATFORMS),
    )
    parser.add_argument(
        "--python",
        action="append",
        metavar="X.Y",
        help="a Python to build for (repeat for several; default: every Python TensorFlow ships "
        "for on each platform)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="resolve each part and say its size; fetch nothing"
    )
    parser.add_argument("--index-url", help="the package index (default: pip's own, PyPI)")
    parser.add_argument("--find-links", action="append", default=[], help="passed on to pip")
    parser.add_argument("--no-index", action="store_true", help="passed on to pip")
    options = parser.parse_args(argv)
    if not options.kit and not options.dry_run:
        parser.error("name the kit's folder (or --dry-run)")
    for python in options.python or []:
        if not re.fullmatch(r"3\.\d+", python):
            parser.error("--python takes a version such as 3.12, not %r" % python)
    return options


def index_options(options):
    index = ["--index-url", options.index_url] if options.index_url else []
    for link in options.find_links:
        index += ["--find-links", link]
    return index + (["--no-index"] if options.no_index else [])


def dry_run(todo, index):
    """Resolves each part and prints its size; returns the refusals."""
    refused, sizes = [], {}
    with tempfile.TemporaryDirectory() as scratch:
        for platform, python in todo:
            try:
                files = resolve(platform, python, index, os.path.join(scratch, "report.json"))
            except Refused as why:
                print(why)
                refused.append(str(why))
                continue
            for name, url in files:
                if name not in sizes:
                    sizes[name] = remote_size(url)
            total = sum(sizes[name] for name, _ in files)
            print("%s, Python %s: %d wheels, %s" % (platform.name, python, len(files), size(total)))
    print("all parts: %d distinct wheels, %s" % (len(sizes), size(sum(sizes.values()))))
    return refused


def build(kit, todo, index):
    """Builds the kit; returns the refusals."""
    wheels = os.path.join(kit, "wheels")
    built, refused = [], []
    for platform, python in todo:
        try:
            names = download(platform, python, wheels, index)
        except Refused as why:
            print(why)
            refused.append(str(why))
            continue
        total = sum(os.path.getsize(os.path.join(wheels, name)) for name in names)
        print("%s, Python %s: %d wheels, %s" % (platform.name, python, len(names), size(total)))
        built.append((platform, python, names))
    mnist = copy_mnist(kit)
    print("MNIST files: %s" % size(folder_size(mnist)))
    workshop = copy_workshop(kit)
    print("the workshop's files: %s" % size(folder_size(workshop)))
    write_scripts(kit)
    manifest = {
        "parts": [
            {
                "platform": platform.name,
                "words": platform.words,
                "system": platform.system,
                "machines": platform.machines,
                "python": python,
                "wheels": names,
            }
            for platform, python, names in built
        ],
        "refused": refused,
    }
    with open(os.path.join(kit, MANIFEST), "w", encoding="utf-8") as file:
        json.dump(manifest, file, indent=1)
    distinct = {name for _, _, names in built for name in names}
    print(
        "wheels: %d distinct, %s; the whole kit: %s"
        % (len(distinct), size(folder_size(wheels)), size(folder_size(kit)))
    )
    return refused


def main(argv=None):
    options = parse_options(argv)
    todo = parts(options.platform or DEFAULT_PLATFORMS, options.python)
    index = index_options(options)
    if options.dry_run:
        refused = dry_run(todo, index)
    else:
        refused = build(os.path.abspath(options.kit), todo, index)
    if refused and options.python:
        print("%d part(s) refused, above." % len(refused))
        return 1
    if refused:  # the defaults: the kit holds what the tested versions have wheels for
        print(
            "%d part(s) not in the kit, above: their learners need another Python." % len(refused)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
