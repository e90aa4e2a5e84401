"""The install commands of README and docs/setup.md: the same on both pages, one per line with
nothing that cmd.exe or Windows PowerShell 5.1 refuses, and, on Linux, run as written: they make
the virtual environment, install, and end with check_setup's line to send back."""

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest

import room_kit
from conftest import ROOT

PAGES = ("README.md", "docs/setup.md")
# What cmd.exe or PowerShell 5.1 refuses or does otherwise: && and || are not statement separators
# in PowerShell 5.1; an activate script is blocked by its default execution policy; export and
# source are POSIX shells' own; $VAR and ~ are not expanded by cmd.exe.
REFUSED = re.compile(r"&&|\|\||\bactivate\b|^export |^source |^\. |\$[A-Za-z{]|~")


def text(page):
    return (ROOT / page).read_text(encoding="utf-8")


def command_blocks(page):
    """The page's indented blocks: each a list of its lines, indentation removed."""
    blocks = re.findall(r"(?:^    \S.*\n)+", text(page), re.M)
    return [[line[4:] for line in block.splitlines()] for block in blocks]


def install_blocks(page):
    """{'posix': lines, 'windows': lines} of the page's blocks that make the venv (each kind
    as many times as the page gives it, all the same)."""
    found = {"posix": [], "windows": []}
    for block in command_blocks(page):
        if block[0] == "python3 -m venv .venv":
            found["posix"].append(block)
        elif block[0] == "py -m venv .venv":
            found["windows"].append(block)
    for kind, blocks in found.items():
        assert blocks, "%s gives no %s install commands" % (page, kind)
        assert all(block == blocks[0] for block in blocks), "%s: %s blocks differ" % (page, kind)
    return {kind: blocks[0] for kind, blocks in found.items()}


def test_readme_and_the_setup_page_give_the_same_commands_and_windows_the_same_with_its_paths():
    readme, setup = (install_blocks(page) for page in PAGES)
    assert readme == setup
    posix, windows = setup["posix"], setup["windows"]
    assert windows == [
        line.replace("python3 -m", "py -m").replace(".venv/bin/", ".venv\\Scripts\\")
        for line in posix
    ]
    assert len(re.findall(r"^    python3 -m venv \.venv$", text("docs/setup.md"), re.M)) == 2
    assert posix[-1] == ".venv/bin/python check_setup.py"  # the line that ends with the send-back


@pytest.mark.parametrize("page", PAGES)
def test_no_command_uses_what_cmd_or_powershell_refuses(page):
    for block in command_blocks(page):
        windows = block[0].startswith("py ") or "\\Scripts\\" in block[0]
        for line in block:
            assert "&&" not in line and "activate" not in line, (page, line)
            if windows:
                assert not REFUSED.search(line), (page, line)
    windows = install_blocks(page)["windows"]
    assert all(not REFUSED.search(line) for line in windows)


def shim_wheel(index, name, site_packages):
    """A wheel of `name` at the version installed here, holding only a .pth line that puts this
    environment's packages on the new environment's path: pip installs it as it would the real
    wheel, with no network, and `import name` then finds the real package."""
    version = importlib.metadata.version(name)
    dist_info = "%s-%s.dist-info" % (name, version)
    files = {
        "%s_shim.pth" % name: site_packages + "\n",
        dist_info + "/METADATA": "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version),
        dist_info + "/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    with zipfile.ZipFile(index / ("%s-%s-py3-none-any.whl" % (name, version)), "w") as archive:
        for member, content in files.items():
            archive.writestr(member, content)
        archive.writestr(dist_info + "/RECORD", "".join("%s,,\n" % m for m in files))


def test_the_linux_commands_run_as_written_make_a_ready_machine(tmp_path, mnist_dir):
    """Each line of the page, in a POSIX shell, in a copy of the workshop: pip reads its index
    from the environment (PIP_NO_INDEX, PIP_FIND_LINKS), an index of stand-ins for the three
    packages that lead to this environment's own (the tests have no network)."""
    workshop = tmp_path / "workshop"
    for name in room_kit.workshop_files():
        (workshop / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, workshop / name)
    index = tmp_path / "index"
    index.mkdir()
    for name in ("tensorflow", "numpy", "matplotlib"):
        shim_wheel(index, name, sysconfig.get_paths()["purelib"])
    bin_folder = tmp_path / "bin"  # python3: this Python, whose packages the stand-ins lead to
    bin_folder.mkdir()
    (bin_folder / "python3").symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "DISPLAY", "WAYLAND"))}
    env.update(
        PATH=str(bin_folder) + os.pathsep + env.get("PATH", ""),
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(index),
        MNIST_DATA_DIR=str(mnist_dir),
    )
    env.pop("MPLBACKEND", None)
    env.pop("VIRTUAL_ENV", None)
    outputs = []
    for line in install_blocks("docs/setup.md")["posix"]:
        done = subprocess.run(
            line, shell=True, cwd=workshop, env=env, capture_output=True, encoding="utf-8",
            timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, "%s\n%s%s" % (line, done.stdout, done.stderr)
        outputs.append(done.stdout)
    assert outputs[1].startswith("[ ok ] Python ")  # --python-only
    assert (workshop / ".venv/bin/python").exists()
    last = outputs[-1].splitlines()
    assert last[-2] == "Ready for the workshop: .venv/bin/python mnist_1.0_softmax.py"
    assert last[-1].startswith("Send this line back: READY | Python ")
