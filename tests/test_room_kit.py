"""room_kit.py, the room's offline kit, built against a small package index made here (a folder of
tiny wheels with real tags, --no-index --find-links): what it holds, resuming, the two traps of a
kit made by hand (a macOS floor too new for numpy's wheel; a Python TensorFlow has no wheel for),
check_setup run from the kit, and the versions it downloads (.ci/tested-versions.txt) in step
with check_setup's."""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest

import check_setup
import room_kit
from check_setup import FAIL, OK
from conftest import ROOT

TESTED = room_kit.TESTED
LINUX_TAG = "manylinux_2_17_x86_64.manylinux2014_x86_64"


def pins(path):
    return room_kit.pinned_versions(path)


def fake_wheel(index, name, version, tag, requires=(), content=None):
    """A wheel pip takes: its file name's tags, METADATA with its requirements, and a module (or
    the files of `content`, {name in the wheel: text})."""
    dist_info = "%s-%s.dist-info" % (name, version)
    path = index / ("%s-%s-%s.whl" % (name, version, tag))
    files = dict(content or {"%s/__init__.py" % name: '__version__ = "%s"\n' % version})
    files.update(
        {
            dist_info + "/METADATA": "Metadata-Version: 2.1\nName: %s\nVersion: %s\n%s"
            % (name, version, "".join("Requires-Dist: %s\n" % r for r in requires)),
            dist_info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
            "Tag: %s\n" % tag,
        }
    )
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
        archive.writestr(dist_info + "/RECORD", "".join("%s,,\n" % m for m in files))
    return path


def package_index(index, python="311", platform=LINUX_TAG, numpy_platform=None):
    """The three packages at the tested versions, and a dependency every platform shares."""
    index.mkdir(exist_ok=True)
    tested = pins(TESTED)
    abi = "cp%s-cp%s-%s" % (python, python, platform)
    fake_wheel(index, "tensorflow", tested["tensorflow"], abi, ["numpy", "six"])
    fake_wheel(
        index,
        "numpy",
        tested["numpy"],
        "cp%s-cp%s-%s" % (python, python, numpy_platform or platform),
    )
    fake_wheel(index, "matplotlib", tested["matplotlib"], abi, ["numpy"])
    fake_wheel(index, "six", tested["six"], "py2.py3-none-any")
    return index


def build(kit, index, *args, env=None):
    """python room_kit.py KIT ARGS against the index, as an instructor runs it."""
    return subprocess.run(
        [sys.executable, str(ROOT / "room_kit.py"), str(kit), "--no-index"]
        + ["--find-links", str(index), *args],
        cwd=ROOT.parent,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=300,
    )


@pytest.fixture
def mnist_env(mnist_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_dir))
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")  # this machine's pip settings left out
    for name in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT"):
        monkeypatch.delenv(name, raising=False)


def test_a_kit_holds_each_parts_wheels_the_mnist_files_the_workshop_and_the_scripts(
    tmp_path, mnist_env
):
    index = package_index(tmp_path / "index")
    kit = tmp_path / "kit"
    done = build(kit, index, "--platform", "linux-x86_64", "--python", "3.11")
    assert done.returncode == 0, done.stdout + done.stderr
    wheels = sorted(path.name for path in (kit / "wheels").iterdir())
    assert wheels == sorted(path.name for path in index.iterdir())
    assert re.search(r"^linux-x86_64, Python 3\.11: 4 wheels, [\d.]+ MB$", done.stdout, re.M)
    for part in ("MNIST files", "the workshop's files"):
        assert re.search(r"^%s: [\d.]+ MB$" % part, done.stdout, re.M), part
    assert re.search(r"^wheels: 4 distinct, .*; the whole kit: [\d.]+ MB$", done.stdout, re.M)
    assert len(list((kit / "mnist").glob("*.gz"))) == 4
    assert (kit / "workshop/check_setup.py").read_bytes() == (ROOT / "check_setup.py").read_bytes()
    assert (kit / "workshop/mnist_1.0_softmax.py").is_file()
    for script in ("install-windows.cmd", "install-macos.sh", "install-linux.sh"):
        assert "--no-index" in (kit / script).read_text(encoding="utf-8"), script
    assert pins(kit / "constraints/tested-versions.txt") == pins(TESTED)
    parts = json.loads((kit / "room-kit.json").read_text(encoding="utf-8"))["parts"]
    assert [(p["platform"], p["python"], sorted(p["wheels"])) for p in parts] == [
        ("linux-x86_64", "3.11", wheels)
    ]


def test_a_kit_built_again_fetches_only_the_wheels_still_missing(tmp_path, mnist_env):
    index = package_index(tmp_path / "index")
    kit = tmp_path / "kit"
    assert build(kit, index, "--platform", "linux-x86_64", "--python", "3.11").returncode == 0
    tensorflow = next((kit / "wheels").glob("tensorflow-*"))
    kept = tensorflow.stat().st_mtime_ns
    interrupted = next((kit / "wheels").glob("numpy-*"))
    interrupted.unlink()  # as if the download had stopped there
    for path in index.iterdir():  # the index now holds only what is missing
        if path.name != interrupted.name:
            path.unlink()
    done = build(kit, index, "--platform", "linux-x86_64", "--python", "3.11")
    assert done.returncode == 0, done.stdout + done.stderr
    assert interrupted.is_file() and tensorflow.stat().st_mtime_ns == kept


def test_a_macos_kit_asks_for_its_oldest_macos_and_refuses_a_numpy_that_needs_macos_14(
    tmp_path, mnist_env
):
    """numpy ships macOS arm64 wheels for macOS 14 (Accelerate) and for 11: a kit built for a
    macOS 14 machine would hold a numpy that macOS 12 and 13 refuse to install."""
    index = package_index(tmp_path / "index", platform="macosx_11_0_arm64",
                          numpy_platform="macosx_14_0_arm64")  # fmt: skip
    done = build(tmp_path / "kit", index, "--platform", "macos-arm64", "--python", "3.11")
    assert done.returncode == 1
    assert re.search(
        r"^macos-arm64, Python 3\.11: refused: the index has no numpy==%s wheel for Python "
        r"3\.11 on macOS 12 or later on Apple silicon \(macosx_12_0_arm64, cp311\)"
        % re.escape(pins(TESTED)["numpy"]),
        done.stdout,
        re.M,
    ), done.stdout
    assert "Traceback" not in done.stderr
    # with numpy's wheel for macOS 11 as well, the kit takes it, never the macOS 14 one
    tested = pins(TESTED)
    fake_wheel(index, "numpy", tested["numpy"], "cp311-cp311-macosx_11_0_arm64")
    done = build(tmp_path / "kit", index, "--platform", "macos-arm64", "--python", "3.11")
    assert done.returncode == 0, done.stdout + done.stderr
    numpy = [path.name for path in (tmp_path / "kit/wheels").glob("numpy-*")]
    assert numpy == ["numpy-%s-cp311-cp311-macosx_11_0_arm64.whl" % tested["numpy"]]


def test_a_python_with_no_tensorflow_wheel_is_refused_saying_why_and_the_others_are_built(
    tmp_path, mnist_env
):
    index = package_index(tmp_path / "index", python="312")
    for path in package_index(tmp_path / "index", python="313").glob("tensorflow-*cp313*"):
        path.unlink()  # TensorFlow has no wheel for Python 3.13 here
    kit = tmp_path / "kit"
    done = build(kit, index, "--platform", "linux-x86_64", "--python", "3.12", "--python", "3.13")
    assert done.returncode == 1
    refused = re.search(r"^linux-x86_64, Python 3\.13: refused: (.+)$", done.stdout, re.M)
    assert refused, done.stdout
    assert "no tensorflow==%s wheel for Python 3.13" % pins(TESTED)["tensorflow"] in refused[1]
    assert "TensorFlow ships none there" in refused[1]
    assert re.search(r"^linux-x86_64, Python 3\.12: 4 wheels", done.stdout, re.M)
    manifest = json.loads((kit / "room-kit.json").read_text(encoding="utf-8"))
    assert [part["python"] for part in manifest["parts"]] == ["3.12"]
    assert len(manifest["refused"]) == 1


def test_a_dry_run_says_each_parts_size_and_writes_nothing(tmp_path, mnist_env):
    index = package_index(tmp_path / "index")
    done = subprocess.run(
        [sys.executable, str(ROOT / "room_kit.py"), "--dry-run", "--no-index", "--find-links",
         str(index), "--platform", "linux-x86_64", "--python", "3.11"],
        cwd=tmp_path, capture_output=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    total = sum(path.stat().st_size for path in index.iterdir())
    assert "linux-x86_64, Python 3.11: 4 wheels, %s" % room_kit.size(total) in done.stdout
    assert sorted(path.name for path in tmp_path.iterdir()) == ["index"]


# --- check_setup, run from a kit -------------------------------------------------------------

KIT_PARTS = [
    {"platform": "linux-x86_64", "words": "Linux on x86_64", "system": "Linux",
     "machines": ["x86_64", "amd64"], "python": "3.12", "wheels": []},
    {"platform": "windows-x86_64", "words": "Windows 64-bit", "system": "Windows",
     "machines": ["amd64", "x86_64"], "python": "3.11", "wheels": []},
]  # fmt: skip


def kit_with(tmp_path, parts):
    (tmp_path / "workshop").mkdir()
    (tmp_path / "room-kit.json").write_text(json.dumps({"parts": parts}), encoding="utf-8")
    return str(tmp_path / "workshop")


def test_check_setup_from_a_kit_says_when_it_holds_this_pythons_wheels(tmp_path):
    root = kit_with(tmp_path, KIT_PARTS)
    result = check_setup.check_kit(root, (3, 12), "Linux", "x86_64")
    assert result.mark == OK and "wheels for Python 3.12 on Linux on x86_64" in result.text


def test_check_setup_from_a_kit_without_this_pythons_wheels_fails_and_says_what_to_do(tmp_path):
    root = kit_with(tmp_path, KIT_PARTS)
    result = check_setup.check_kit(root, (3, 13), "Windows", "amd64")
    assert result.mark == FAIL
    assert "no wheels for Python 3.13 on Windows amd64" in result.text
    assert "Linux on x86_64: Python 3.12; Windows 64-bit: Python 3.11" in result.text
    assert "Install Python 3.11" in result.text and "set PYTHON=py -3.11" in result.text
    other = check_setup.check_kit(root, (3, 12), "Darwin", "arm64")  # no part for macOS at all
    assert other.mark == FAIL and "docs/setup.md" in other.text


def test_check_setup_outside_a_kit_has_no_kit_line():
    assert check_setup.check_kit(str(ROOT)) is None


def test_check_setup_run_from_a_kit_without_this_python_stops_before_pip(tmp_path):
    """The install scripts run the kit's copy of check_setup.py --python-only first."""
    parts = [dict(KIT_PARTS[0], python="2.7", machines=[])]
    kit_with(tmp_path, parts)
    workshop = tmp_path / "workshop"
    shutil.copy2(ROOT / "check_setup.py", workshop)
    shutil.copytree(ROOT / "visu", workshop / "visu", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run(
        [sys.executable, str(workshop / "check_setup.py"), "--python-only"],
        cwd=tmp_path, capture_output=True, encoding="utf-8", timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[1].startswith(FAIL + " the room kit has no wheels for Python")
    assert "Traceback" not in done.stderr


# --- the versions the kit downloads ----------------------------------------------------------


def test_the_kits_versions_are_within_check_setups_tested_range():
    """.ci/tested-versions.txt (what a whole suite last passed on, checked against CI's main run
    by .ci/tested_versions.py --check) is within check_setup's tested range: each of the three
    packages from its lowest tested version to its newest tested series. One set for every Python
    the kit serves, so not always the newest series: numpy 2.5 has no wheel for Python 3.11."""
    tested = pins(TESTED)
    for name, (lowest, highest) in check_setup.TESTED_VERSIONS.items():
        version = check_setup._version_tuple(tested[name])
        series = highest.count(".") + 1
        assert version[:series] <= check_setup._version_tuple(highest)[:series], (name, highest)
        assert version >= check_setup._version_tuple(lowest), (name, lowest)
    assert "python .ci/tested_versions.py --check" in (ROOT / ".ci/run").read_text(encoding="utf-8")


def test_intel_macs_get_the_lowest_versions_and_the_pythons_check_setup_supports_there():
    intel = room_kit.PLATFORMS["macos-x86_64"]
    assert intel.constraints == room_kit.LOWEST
    assert pins(room_kit.LOWEST)["tensorflow"] == check_setup.TESTED_VERSIONS["tensorflow"][0]
    low, high = check_setup.INTEL_MAC_PYTHON_RANGE
    assert intel.pythons == ["3.%d" % minor for minor in range(low[1], high[1] + 1)]


# --- the install script, run as a learner runs it ----------------------------------------------


def test_the_linux_install_script_installs_from_the_kit_alone_and_ends_with_a_ready_check(
    tmp_path, mnist_env, mnist_dir
):
    """install-linux.sh, from a kit built for this Python, with pip's settings gone: the kit's
    wheels are stand-ins for tensorflow, numpy and matplotlib at the tested versions, each a .pth
    line leading to this environment's own packages (the tests have no network)."""
    index = tmp_path / "index"
    index.mkdir()
    tested = pins(TESTED)
    for name in ("tensorflow", "numpy", "matplotlib"):
        here = {"%s_here.pth" % name: sysconfig.get_paths()["purelib"] + "\n"}  # no module
        fake_wheel(index, name, tested[name], "py3-none-any", content=here)
    python = "%d.%d" % sys.version_info[:2]
    kit = tmp_path / "kit"
    done = build(kit, index, "--platform", "linux-x86_64", "--python", python)
    assert done.returncode == 0, done.stdout + done.stderr
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    (bin_folder / "python3").symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "DISPLAY", "WAYLAND"))}
    env.pop("MNIST_DATA_DIR")  # the script copies the kit's files where the steps look
    env.pop("MPLBACKEND", None)
    env.update(PATH=str(bin_folder) + os.pathsep + env["PATH"], PIP_CONFIG_FILE=os.devnull)
    target = tmp_path / "learner"
    done = subprocess.run(
        ["sh", str(kit / "install-linux.sh"), str(target)],
        cwd=tmp_path, env=env, capture_output=True, encoding="utf-8", timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "%s the room kit has wheels for Python %s on %s" % (
        OK,
        python,
        room_kit.PLATFORMS["linux-x86_64"].words,
    )
    assert "%s MNIST files found in %s and verified" % (OK, target / "data") in lines
    assert lines[-2] == "Ready for the workshop: .venv/bin/python mnist_1.0_softmax.py"
    assert lines[-1].startswith("Send this line back: READY | ")
    assert (target / "mnist_1.0_softmax.py").is_file() and (target / ".venv/bin/python").exists()
