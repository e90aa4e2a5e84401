"""The six graphs in a real Jupyter kernel, as Jupyter Notebook and Lab, VS Code and Colab run it.

A kernel (ipykernel) is started with jupyter_client; the tests send it cells such as
`%run mnist_1.0_softmax.py --iterations 5000` and read every message it sends back on its IOPub
channel: the progress lines (stream), the image (display_data), its updates in place
(update_display_data), the widget's images (comm_msg with a binary buffer).
"""

import base64
import io
import os
import queue
import re
import shutil
import sys
import time

import nbformat
import numpy as np
import pytest
from jupyter_client import KernelManager
from nbclient import NotebookClient
from PIL import Image

from conftest import ROOT
from visu import progress, steps

STEP_1 = ROOT / "mnist_1.0_softmax.py"
TRAINING_RGB = (31, 119, 180)  # the training curve's color in tensorflowvisu


class Kernel:
    """A real Jupyter kernel in a folder of its own, with the MNIST files where the scripts look."""

    def __init__(self, cwd, mnist_dir):
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
        env["MNIST_DATA_DIR"] = str(mnist_dir)
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(cwd), env=env)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)

    def run(self, code, timeout=300, interrupt_when=None):
        """Runs a cell; returns its IOPub messages as (seconds since sent, type, content), and
        the execute_reply's status. interrupt_when(text so far) -> True interrupts the kernel."""
        msg_id = self.client.execute(code)
        start, messages, text, interrupted = time.monotonic(), [], "", False
        deadline = start + timeout
        while True:
            try:
                message = self.client.get_iopub_msg(timeout=max(deadline - time.monotonic(), 1))
            except queue.Empty:
                raise AssertionError(
                    "the kernel did not finish %r in %d s" % (code, timeout)
                ) from None
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            messages.append((time.monotonic() - start, kind, content, message["buffers"]))
            if kind == "stream":
                text += content["text"]
                if interrupt_when and not interrupted and interrupt_when(text):
                    self.manager.interrupt_kernel()
                    interrupted = True
        reply = self.client.get_shell_msg(timeout=30)
        return Cell(messages, reply["content"]["status"])

    def stop(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


class Cell:
    """What a cell sent back: its text, its images, and their order."""

    def __init__(self, messages, status):
        self.messages, self.status = messages, status
        self.stdout = "".join(
            c["text"] for _, kind, c, _ in messages if kind == "stream" and c["name"] == "stdout"
        )
        self.stderr = "".join(
            c["text"] for _, kind, c, _ in messages if kind == "stream" and c["name"] == "stderr"
        )
        self.errors = [c for _, kind, c, _ in messages if kind == "error"]

    def images(self, kind):
        """The PNG images of display_data or update_display_data messages, in order."""
        return [c for _, k, c, _ in self.messages if k == kind and "image/png" in c["data"]]

    def index_of_text(self, needle):
        """The position, among all messages, of the stream message holding needle."""
        for index, (_, kind, content, _) in enumerate(self.messages):
            if kind == "stream" and needle in content["text"]:
                return index
        raise AssertionError("%r was never printed:\n%s" % (needle, self.stdout[-2000:]))

    def positions(self, kind):
        return [index for index, (_, k, _, _) in enumerate(self.messages) if k == kind]

    def progress_lines(self):
        return progress.progress_lines(self.stdout)


def decoded(image_content):
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(image_content["data"]["image/png"]))))


def training_curve_pixels(picture):
    rgb = picture[..., :3].astype(int)
    return int((np.abs(rgb - TRAINING_RGB).sum(axis=-1) < 40).sum())


@pytest.fixture(scope="module")
def kernel(mnist_dir, tmp_path_factory):
    kernel = Kernel(tmp_path_factory.mktemp("notebook"), mnist_dir)
    yield kernel
    kernel.stop()


def test_percent_run_shows_the_graphs_once_in_the_cell_and_updates_them_while_training(kernel):
    cell = kernel.run("%%run %s --iterations 5000" % STEP_1)
    assert cell.status == "ok" and not cell.errors, cell.stderr[-3000:]
    shown, updates = cell.images("display_data"), cell.images("update_display_data")
    assert len(shown) == 1, "the graphs must be one output in the cell, not one per frame"
    display_id = shown[0]["transient"]["display_id"]
    assert {u["transient"]["display_id"] for u in updates} == {display_id}
    last_line = cell.index_of_text("5000: ********* epoch")
    updates_while_training = [p for p in cell.positions("update_display_data") if p < last_line]
    assert len(updates_while_training) >= 3, "only %d updates while training" % len(
        updates_while_training
    )
    assert cell.positions("display_data")[0] < cell.index_of_text("0: accuracy:")  # on top
    assert cell.positions("update_display_data")[-1] > cell.index_of_text("max test accuracy")
    final = decoded(updates[-1])
    assert final.shape[:2] == (584, 1040)  # the notebook's figure: 13 x 7.3 inches at 80 dpi
    assert training_curve_pixels(final) > 500
    assert len(cell.progress_lines()) == 500 + 101 + 5  # every 10th iteration, every 50th, early


def test_a_second_percent_run_in_the_same_kernel_repeats_the_first_and_keeps_nothing(kernel):
    step = ROOT / "mnist_2.2_five_layers_relu_lrdecay_dropout.py"
    count = (
        "import matplotlib.pyplot as plt, tensorflow.compat.v1 as tf\n"
        "print(len(tf.get_default_graph().get_operations()), len(tf.global_variables()),"
        " plt.get_fignums())"
    )
    first = kernel.run("%%run %s --iterations 100 --seed 3" % step)
    after_first = kernel.run(count).stdout
    second = kernel.run("%%run %s --iterations 100 --seed 3" % step)
    after_second = kernel.run(count).stdout
    assert first.status == second.status == "ok"
    assert len(first.progress_lines()) > 10
    assert second.progress_lines() == first.progress_lines()
    assert after_second == after_first and after_first.rstrip().endswith("[]")


def test_interrupting_the_kernel_stops_training_and_keeps_the_graphs(kernel):
    cell = kernel.run(
        "%%run %s --iterations 100000" % STEP_1,
        interrupt_when=lambda text: "\n600: accuracy:" in text,
    )
    assert cell.status == "ok", "the interrupt must end the run, not fail the cell"
    assert "Interrupted" in cell.stdout and "max test accuracy: 0.9" in cell.stdout
    stopped_at = int(cell.progress_lines()[-1].split(":")[0])
    assert 600 <= stopped_at < 100000
    assert cell.positions("update_display_data")[-1] > cell.index_of_text("max test accuracy")
    assert training_curve_pixels(decoded(cell.images("update_display_data")[-1])) > 500
    assert kernel.run("print(6 * 7)").stdout == "42\n"  # the kernel lives on


def test_options_come_from_percent_run_and_never_from_the_kernels_own_arguments(kernel, tmp_path):
    script = tmp_path / "mnist_options.py"
    script.write_text(
        "import tensorflowvisu\n"
        "options = tensorflowvisu.parse_run_options(iterations=7)\n"
        "print('iterations', options.iterations, 'graphs', options.graphs)\n",
        encoding="utf-8",
    )
    path = "import sys; sys.path.insert(0, %r)\n" % str(ROOT)
    assert kernel.run("import sys; print(sys.argv)").stdout.count("-f") == 1  # the kernel's own
    by_runpy = kernel.run(path + "import runpy; runpy.run_path(%r)" % str(script))
    six = "['accuracy', 'loss', 'training_digits', 'weights', 'biases', 'test_digits']"
    assert by_runpy.stdout == "iterations 7 graphs %s\n" % six, by_runpy.stderr
    by_exec = kernel.run(path + "exec(open(%r, encoding='utf-8').read())" % str(script))
    assert by_exec.stdout == "iterations 7 graphs %s\n" % six, by_exec.stderr
    by_run = kernel.run("%%run %s --iterations 3 --graphs 9" % script)
    assert by_run.stdout == "iterations 3 graphs ['training_digits', 'test_digits']\n", (
        by_run.stderr
    )


def test_graphs_option_shows_only_the_chosen_graphs_in_the_cell(kernel):
    cell = kernel.run("%%run %s --iterations 200 --graphs 3" % STEP_1)
    assert cell.status == "ok" and not cell.errors
    final = decoded(cell.images("update_display_data")[-1])
    assert training_curve_pixels(final) == 0  # no curve and no weight band: graph 3 alone
    mosaic = final[..., :3].astype(int).sum(axis=-1) < 200  # the digits' dark ink
    assert mosaic.mean() > 0.05


def test_graphs_w_shows_what_the_network_learned_and_updates_it_in_place(kernel):
    cell = kernel.run("%%run %s --iterations 5000 --graphs W" % STEP_1)
    assert cell.status == "ok" and not cell.errors, cell.stderr[-3000:]
    shown, updates = cell.images("display_data"), cell.images("update_display_data")
    assert len(shown) == 1 and len(updates) >= 3  # one image in the cell, redrawn in place
    last_line = cell.index_of_text("5000: ********* epoch")
    assert len([p for p in cell.positions("update_display_data") if p < last_line]) >= 3
    pictures = [decoded(update)[..., :3].astype(int) for update in updates]
    for picture in (pictures[len(pictures) // 2], pictures[-1]):  # while training, and at the end
        weights = picture[:, : picture.shape[1] * 2 // 5]  # the left of the view: W's ten columns
        r, g, b = np.moveaxis(weights, -1, 0)
        red, blue = ((r > b + 30) & (r > g + 30)).mean(), ((b > r + 30) & (b > g + 10)).mean()
        assert red > 0.01 and blue > 0.01, "no red or no blue weights: %.3f, %.3f" % (red, blue)
    assert not np.array_equal(pictures[len(pictures) // 2], pictures[-1])  # it moved


def test_bang_python_in_a_notebook_saves_the_png_and_says_percent_run_shows_them_live(
    kernel, tmp_path
):
    cell = kernel.run("!cd %s && %s %s --iterations 20" % (tmp_path, sys.executable, STEP_1))
    assert "Figure(" not in cell.stdout
    assert "%run in a cell shows them live" in cell.stdout
    png = tmp_path / "mnist_1.0_softmax.png"
    assert "The graphs were saved to %s" % png in cell.stdout and png.stat().st_size > 10000


def test_widget_backend_figure_moves_while_training_and_is_shown_once(mnist_dir, tmp_path):
    kernel = Kernel(tmp_path, mnist_dir)
    try:
        assert kernel.run("%matplotlib widget").status == "ok"
        cell = kernel.run("%%run %s --iterations 5000" % STEP_1)
    finally:
        kernel.stop()
    assert cell.status == "ok" and not cell.errors, cell.stderr[-3000:]
    widgets = [
        c
        for _, kind, c, _ in cell.messages
        if kind == "display_data" and "application/vnd.jupyter.widget-view+json" in c["data"]
    ]
    assert len(widgets) == 1, "the figure must be shown once"
    images = [
        index
        for index, (_, kind, _, buffers) in enumerate(cell.messages)
        if kind == "comm_msg" and buffers
    ]
    assert len([i for i in images if i < cell.index_of_text("5000: ********* epoch")]) >= 3
    assert images[-1] > cell.index_of_text("max test accuracy")


def workshop_copy(folder):
    """The workshop's files, as a learner gets them, in a folder of their own: the notebook's
    exercises make the learner's copies there, beside the steps."""
    for name in ["workshop.ipynb", "tensorflowvisu.py", "mnistdata.py", "requirements.txt"]:
        shutil.copy(ROOT / name, folder / name)
    for step in steps.files():
        shutil.copy(ROOT / step, folder / step)
    shutil.copytree(ROOT / "visu", folder / "visu", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_workshop_notebook_runs_every_step_and_exercise_without_an_error(
    mnist_dir, monkeypatch, tmp_path
):
    folder = workshop_copy(tmp_path)
    notebook = nbformat.read(folder / "workshop.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    runs = [cell for cell in code if cell.source.startswith("%run mnist_")]
    assert [cell.source.split()[1] for cell in runs] == steps.files()  # every step, in order
    exercises = [cell for cell in code if "exercise" in cell.metadata]
    your_runs = [cell for cell in exercises if "\n%run my_" in cell.source]
    differences = [cell for cell in exercises if "side_by_side(" in cell.source]
    assert len(your_runs) == len(differences) == len(steps.STEPS) - 1  # before each step after 1.0
    for cell in runs + your_runs:  # short runs: the notebook's mechanics, not its results
        cell.source = re.sub(r"^(%run .*)$", r"\1 --iterations 30", cell.source, flags=re.M)
    # a learner's copy already edited (2.0's sigmoids made ReLUs): the notebook must keep it
    edited = (
        (ROOT / "mnist_2.0_five_layers_sigmoid.py")
        .read_text(encoding="utf-8")
        .replace("sigmoid(", "relu(")
    )
    (folder / "my_2.1.py").write_text(edited, encoding="utf-8")
    client = NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_dir))  # the kernel inherits it
    client.execute()
    errors = [
        o for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"
    ]
    assert not errors, errors
    for cell in runs + your_runs:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert "max test accuracy" in text, cell.source
        assert [o.output_type for o in cell.outputs if "data" in o] == ["display_data"]
    for cell in your_runs:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        mine, start = re.search(r'my_copy\("(\S+)", start="(\S+)"\)', cell.source).groups()
        solution = re.search(r"--against (\S+)", cell.source).group(1)
        assert "Against %s: max test accuracy " % solution in text
        if mine == "my_2.1.py":
            assert "your copy, as you left it" in text
            assert (folder / mine).read_text(encoding="utf-8") == edited  # never overwritten
        else:
            assert "a new copy of %s" % start in text
            started = (ROOT / start).read_text(encoding="utf-8")
            assert (folder / mine).read_text(encoding="utf-8") == started
    for cell in differences:
        (html,) = [o.data["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
        assert '<table class="diff"' in html and '<span class="diff_' in html  # marked lines
