"""Makes docs/notebook_training.png: JupyterLab running a workshop step, in headless Chromium.

    python3 -m venv /tmp/lab && /tmp/lab/bin/pip install jupyterlab playwright pillow nbformat
    MNIST_DATA_DIR=~/mnist /tmp/lab/bin/python docs/notebook_picture.py --python .venv/bin/python

It copies the workshop's files into a temporary folder, starts a JupyterLab server there with a
kernel running the given Python (the workshop's virtual environment), opens a notebook made of
workshop.ipynb's first cell and one step's text and cell in Chromium (/usr/bin/chromium, driven by
playwright), runs both cells, takes a screenshot at each of --seconds while the step trains, and
writes the last one as a PNG (or all of them as an animated GIF, with --output x.gif: not tracked
by git). Not part of the tests: JupyterLab and playwright are only needed
for this picture.
"""

import argparse
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import nbformat
from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from visu import steps  # noqa: E402  the one list of the steps; a learner's copy is none

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def demo_notebook(folder, step):
    """workshop.ipynb's setup cell, then the step's text and %run cell."""
    workshop = nbformat.read(ROOT / "workshop.ipynb", as_version=4)
    index = next(
        k
        for k, cell in enumerate(workshop.cells)
        if cell.cell_type == "code" and cell.source.startswith("%run " + step)
    )
    cells = [workshop.cells[1], workshop.cells[index - 1], workshop.cells[index]]
    kernel = {"name": "workshop", "display_name": "Python 3 (workshop)", "language": "python"}
    nbformat.write(
        nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": kernel}),
        folder / "demo.ipynb",
    )


def start_lab(folder, python, app="jupyterlab"):
    """A JupyterLab server (app="notebook": Jupyter Notebook 7's) on a free port, serving folder,
    with a kernel that runs `python`."""
    kernels = folder / ".jupyter-data" / "kernels" / "workshop"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (workshop)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, JUPYTER_DATA_DIR=str(folder / ".jupyter-data"))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            app,
            "--no-browser",
            "--port",
            str(port),
            "--allow-root",
            "--ServerApp.token=",
            "--ServerApp.password=",
            "--ServerApp.root_dir=" + str(folder),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = "http://127.0.0.1:%d" % port
    for _ in range(120):
        try:
            urllib.request.urlopen(url + "/api/status", timeout=2)
            return server, url
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit("%s did not start" % app)


def run_and_shoot(url, seconds, prefix):
    """Runs the setup cell, then the step's cell; a screenshot at each of `seconds`."""
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": 1100, "height": 1180})
        page.goto(url + "/lab/tree/demo.ipynb?reset")
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60000)
        time.sleep(4)
        try:
            page.get_by_role("button", name="No", exact=True).click(timeout=3000)  # Lab's news
        except Exception:
            pass
        page.keyboard.press("Control+b")  # hides the file browser: room for the notebook
        run_cell(page, 0)
        page.wait_for_function(
            "document.querySelectorAll('.jp-CodeCell')[0].innerText.includes('Ready')",
            timeout=180000,
        )
        page.evaluate(
            "document.querySelectorAll('.jp-CodeCell')[0]"
            ".querySelector('.jp-OutputArea').style.display = 'none'"
        )
        run_cell(page, 1)
        start = time.monotonic()
        for number, second in enumerate(seconds):
            time.sleep(max(0.0, start + second - time.monotonic()))
            page.evaluate("document.querySelector('.jp-MarkdownCell').scrollIntoView()")
            shots.append("%s_%02d.png" % (prefix, number))
            page.screenshot(path=shots[-1])
        browser.close()
    return shots


def run_cell(page, index):
    page.query_selector_all(".jp-CodeCell")[index].click()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")


def write_picture(shots, path):
    """The last screenshot as a PNG, or all of them as an animated GIF (path's suffix says)."""
    frames = []
    for shot in shots:
        frame = Image.open(shot).convert("RGB").crop((40, 0, 1060, 1140))
        frame = frame.resize((frame.width * 85 // 100, frame.height * 85 // 100), Image.LANCZOS)
        frames.append(frame.quantize(colors=128, method=Image.Quantize.MEDIANCUT))
    if path.suffix != ".gif":
        frames[-1].save(path, optimize=True)
        return
    frames[0].save(
        path, save_all=True, append_images=frames[1:], duration=900, loop=0, optimize=True
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--python", required=True, help="the Python of the workshop's venv")
    parser.add_argument("--step", default="mnist_2.1_five_layers_relu_lrdecay.py")
    parser.add_argument(
        "--seconds", type=float, nargs="+", default=[6, 8, 10, 12, 14, 16, 18, 20, 24]
    )
    parser.add_argument(
        "--output", type=pathlib.Path, default=ROOT / "docs" / "notebook_training.png"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        for path in [ROOT / step for step in steps.files()] + [
            ROOT / "tensorflowvisu.py",
            ROOT / "mnistdata.py",
            ROOT / "requirements.txt",
        ]:
            shutil.copy(path, folder)
        shutil.copytree(ROOT / "visu", folder / "visu")  # the parts behind tensorflowvisu.py
        demo_notebook(folder, args.step)
        server, url = start_lab(folder, os.path.abspath(args.python))
        try:
            write_picture(run_and_shoot(url, args.seconds, str(folder / "shot")), args.output)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("wrote", args.output)


if __name__ == "__main__":
    main()
