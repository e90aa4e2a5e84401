"""Makes docs/side_by_side.png: the notebook's side-by-side diff (visu.exercises.side_by_side)
of one step against the next, as JupyterLab, or Jupyter Notebook 7, shows it in Chromium.

    python3 -m venv /tmp/lab && /tmp/lab/bin/pip install jupyterlab notebook playwright nbformat
    /tmp/lab/bin/python docs/diff_picture.py                       # JupyterLab, 1300 px wide
    /tmp/lab/bin/python docs/diff_picture.py --app notebook --output /tmp/notebook7.png

As docs/notebook_picture.py does: the visu package and the two steps copied into a temporary
folder, a server started there, and a notebook of one cell, side_by_side(A, B), run in headless
Chromium (/usr/bin/chromium, driven by playwright) at --width pixels; the screenshot is the
cell's output. The diff needs neither TensorFlow nor MNIST: the kernel is this Python's own.
Not part of the tests, which read the table's HTML: this is how its rendering was looked at.
"""

import argparse
import pathlib
import shutil
import sys
import tempfile
import time

import nbformat
from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs"))
from notebook_picture import CHROMIUM_FLAGS, start_lab  # noqa: E402

STEPS = ["mnist_2.2_five_layers_relu_lrdecay_dropout.py", "mnist_3.0_convolutional.py"]
HEIGHT = 760  # pixels of the output in the picture: its first rows
# the page each front end opens a notebook at, its cells' and outputs' selectors
FRONT_ENDS = {
    "jupyterlab": ("/lab/tree/diff.ipynb?reset", ".jp-CodeCell", ".jp-OutputArea-output"),
    "notebook": ("/notebooks/diff.ipynb", ".jp-CodeCell", ".jp-OutputArea-output"),
}


def shoot(url, app, width, path):
    address, cell, output = FRONT_ENDS[app]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": width, "height": 2000})
        page.goto(url + address)
        page.wait_for_selector(cell, timeout=60000)
        time.sleep(4)
        try:
            page.get_by_role("button", name="No", exact=True).click(timeout=3000)  # Lab's news
        except Exception:
            pass
        page.query_selector_all(cell)[0].click()
        page.keyboard.press("Escape")
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector(output + " table.diff", timeout=120000)
        time.sleep(1)
        table = page.query_selector(output + " table.diff")
        sizes = page.evaluate(
            "t => [t.getBoundingClientRect().width, t.closest('%s').getBoundingClientRect().width]"
            % output,
            table,
        )
        print(
            "%s at %d px: the table %.0f px wide in an output %.0f px wide" % (app, width, *sizes)
        )
        box = page.query_selector(output).bounding_box()
        clip = dict(box, height=min(box["height"], HEIGHT))
        page.screenshot(path=str(path), clip=clip)
        browser.close()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--app", choices=sorted(FRONT_ENDS), default="jupyterlab")
    parser.add_argument("--width", type=int, default=1300, help="the browser's width in pixels")
    parser.add_argument("--steps", nargs=2, default=STEPS, help="the two scripts to diff")
    parser.add_argument("--output", type=pathlib.Path, default=ROOT / "docs" / "side_by_side.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = pathlib.Path(folder)
        for step in args.steps:
            shutil.copy(ROOT / step, folder / step)
        shutil.copytree(ROOT / "visu", folder / "visu")
        source = 'from visu.exercises import side_by_side\n\nside_by_side("%s", "%s")' % tuple(
            args.steps
        )
        kernel = {"name": "workshop", "display_name": "Python 3 (workshop)", "language": "python"}
        notebook = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(source)], metadata={"kernelspec": kernel}
        )
        nbformat.write(notebook, folder / "diff.ipynb")
        server, url = start_lab(folder, sys.executable, app=args.app)
        try:
            shoot(url, args.app, args.width, args.output)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("wrote", args.output)


if __name__ == "__main__":
    main()
