"""visu/progress.py: the workshop's progress lines, written as the original printed them and read
back by check_setup.py, the benchmarks and the tests."""

import math

import numpy as np
import pytest

from visu import progress

# The figures come from the session as float32s, which print in full with %s.
ACCURACY, LOSS, RATE = np.float32(0.96), np.float32(13.876856), np.float32(0.0029536884)

OUTPUT = """Loaded MNIST from /data (60000 training, 10000 test images)
0: accuracy:0.12 loss: 229.05 (lr:0.0031)
0: ********* epoch 1 ********* test accuracy:0.1135 test loss: 230.1
100: accuracy:0.96 loss: 13.876856 (lr:0.0029536884)
100: ********* epoch 1 ********* test accuracy:0.9511 test loss: 16.285784
600: accuracy:0.08 loss: nan
600: ********* epoch 2 ********* test accuracy:0.098 test loss: nan
max test accuracy: 0.9511
The best test accuracy, 0.9511, came at iteration 100: ...
"""


def float32s(values):
    return tuple(np.float32(value) for value in values)


def test_the_lines_are_the_workshops():
    assert (
        progress.format_training_line(100, ACCURACY, LOSS, RATE)
        == "100: accuracy:0.96 loss: 13.876856 (lr:0.0029536884)"
    )
    assert progress.format_training_line(0, 0.1, 230.5) == "0: accuracy:0.1 loss: 230.5"
    assert (
        progress.format_test_line(100, np.float32(0.9511), np.float32(16.285784))
        == "100: ********* epoch 1 ********* test accuracy:0.9511 test loss: 16.285784"
    )
    assert progress.format_max_line(0.99184) == "max test accuracy: 0.9918"


def test_the_epoch_counts_the_training_images_seen_from_1():
    epochs = [progress.format_test_line(i, 0.9, 1.0).split()[3] for i in (0, 599, 600, 1200)]
    assert epochs == ["1", "1", "2", "3"]
    assert progress.format_test_line(300, 0.9, 1.0, batch_size=200).split()[3] == "2"


def test_a_runs_output_reads_back_as_its_points_and_best():
    training = progress.read_training_points(OUTPUT)
    tests = progress.read_test_points(OUTPUT)
    assert [point.i for point in training] == [0, 100, 600]
    assert training[1].i == 100 and float32s(training[1][1:]) == (ACCURACY, LOSS, RATE)
    assert training[2].learning_rate is None and math.isnan(training[2].loss)
    assert [(point.i, point.epoch) for point in tests] == [(0, 1), (100, 1), (600, 2)]
    assert tests[1].accuracy == 0.9511 and tests[1].loss == pytest.approx(16.285784, abs=1e-6)
    assert progress.read_max_test_accuracy(OUTPUT) == 0.9511
    assert progress.read_max_test_accuracy("0: accuracy:0.1 loss: 2.0\n") is None


def test_written_lines_read_back_exactly():
    text = "\n".join(
        [
            progress.format_training_line(20, ACCURACY, LOSS, RATE),
            progress.format_test_line(20, ACCURACY, LOSS),
            progress.format_max_line(0.96),
        ]
    )
    (training,), (test,) = progress.read_training_points(text), progress.read_test_points(text)
    assert training.i == test.i == 20 and test.epoch == 1
    assert float32s(training[1:]) == (ACCURACY, LOSS, RATE)
    assert float32s((test.accuracy, test.loss)) == (ACCURACY, LOSS)
    assert progress.read_max_test_accuracy(text) == 0.96


def test_only_progress_lines_are_progress_lines():
    assert progress.progress_lines(OUTPUT) == OUTPUT.splitlines()[1:7]
    assert progress.is_progress_line("100: accuracy:0.96 loss: 13.876856\n")
    assert progress.is_training_line("100: accuracy:0.96 loss: 13.876856 (lr:0.003)")
    assert not progress.is_training_line(OUTPUT.splitlines()[2])
    for other in (
        "max test accuracy: 0.9511",
        "TensorBoard: run written to /tmp/runs/mnist_1.0_softmax_seed0",
        "100: accuracy: 0.96 loss: 13.8",  # a space too many: not the workshop's line
        "The window was closed: training stopped at iteration 100.",
    ):
        assert not progress.is_progress_line(other), other
    assert progress.is_last_line("max test accuracy: 0.9511\n")
    assert not progress.is_last_line("The best test accuracy, 0.9511, came at iteration 100")
