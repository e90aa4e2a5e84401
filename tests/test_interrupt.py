"""visu/interrupt.py: an interrupt (a real SIGINT, as Ctrl-C and a notebook's ■ send) during
training stops the loop at the end of the iteration it arrives in; a second one at once."""

import os
import signal
import threading

import matplotlib

matplotlib.use("agg")

import tensorflowvisu  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from visu import progress  # noqa: E402
from visu.interrupt import StopAtIterationEnd  # noqa: E402


def interrupt_this_process():
    os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture(autouse=True)
def pythons_own_sigint_handler():
    """Each test starts from Python's own SIGINT handler, as a learner's script does, however the
    tests were started: a shell's background job, and pytest-xdist's workers, ignore SIGINT."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_an_interrupt_asks_to_stop_and_the_work_under_way_goes_on():
    done = []
    with StopAtIterationEnd() as stop:
        interrupt_this_process()
        done += ["the rest of the iteration"]
    assert stop.requested and done == ["the rest of the iteration"]


def test_a_second_interrupt_stops_at_once():
    with pytest.raises(KeyboardInterrupt):
        with StopAtIterationEnd() as stop:
            interrupt_this_process()
            interrupt_this_process()
            pytest.fail("the second interrupt must stop here")  # pragma: no cover
    assert stop.requested


def test_the_previous_handler_is_back_afterwards():
    before = signal.getsignal(signal.SIGINT)
    with StopAtIterationEnd():
        assert signal.getsignal(signal.SIGINT) is not before
    assert signal.getsignal(signal.SIGINT) is before
    with pytest.raises(KeyboardInterrupt):  # Python's default again: it raises
        interrupt_this_process()


def test_outside_the_main_thread_it_changes_nothing():
    seen = []

    def in_a_thread():
        with StopAtIterationEnd() as stop:
            seen.append(signal.getsignal(signal.SIGINT))
        seen.append(stop.requested)

    before = signal.getsignal(signal.SIGINT)
    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen == [before, False]


# --- in a run: the interrupt arrives while a point is being recorded -----------------------------


class InterruptingValues:
    """Weights whose reading sends this process a SIGINT: Ctrl-C pressed while the run records
    their spread, between its lists (the iteration added to the bands, not yet the bands)."""

    def __init__(self, values):
        self.values = values

    def __array__(self, dtype=None, copy=None):
        interrupt_this_process()
        return np.asarray(self.values, dtype=dtype)


def test_an_interrupt_while_recording_stops_after_that_iteration_with_the_graphs_saved(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    options = tensorflowvisu.parse_run_options(
        ["--no-window"], script=tmp_path / "mnist_test_step.py"
    )
    vis = tensorflowvisu.MnistDataVis(options)
    rng = np.random.default_rng(0)

    def compute_step(i, update_test, update_train):
        if update_train:
            vis.append_training_curves_data(i, 0.5, 10.0)
            weights = rng.normal(size=1000)
            vis.append_data_histograms(i, InterruptingValues(weights) if i == 100 else weights, [0])
            vis.update_image1(rng.random((280, 280, 3)))
        if update_test:
            vis.append_test_curves_data(i, 0.6, 9.0)
            vis.update_image2(rng.random((700, 1120, 3)))

    vis.animate(compute_step, 1000)
    out = capsys.readouterr().out
    assert "Interrupted (Ctrl-C" in out and "max test accuracy: 0.6000" in out
    lines = progress.progress_lines(out)
    assert lines[-2:] == [
        progress.format_training_line(100, 0.5, 10.0),
        progress.format_test_line(100, 0.6, 9.0),
    ]  # iteration 100, whole
    assert "Traceback" not in out
    assert (tmp_path / "mnist_test_step.png").stat().st_size > 10000  # the graphs so far
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
