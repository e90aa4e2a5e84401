"""The lines printed at the end of a run on what the curves show, on synthetic curves on both sides
of each threshold, and the marks they leave on graphs 1 and 2."""

import matplotlib

matplotlib.use("agg")

import tensorflowvisu  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from visu import notes  # noqa: E402
from visu.notes import curve_notes, read_curves  # noqa: E402
from visu.record import Record  # noqa: E402
from visu.show import figure
from visu.show.backends import offscreen_figure  # noqa: E402

ITERATIONS = 10000
TRAIN_I = np.arange(0, ITERATIONS + 1, 20.0)  # training figures every 20 iterations
TEST_I = np.arange(0, ITERATIONS + 1, 100.0)  # test figures every 100


def healthy_run():
    """A run where nothing stands out: both accuracies rise and both losses fall to the end."""
    train = (TRAIN_I, 1.0 - 0.9 * np.exp(-TRAIN_I / 300), 5.0 + 200 * np.exp(-TRAIN_I / 300))
    test = (TEST_I, 0.98 - 0.88 * np.exp(-TEST_I / 500), 7.0 + 200 * np.exp(-TEST_I / 500))
    return [list(values) for values in train], [list(values) for values in test]


def with_column(curves, column, values):
    curves = [list(v) for v in curves]
    curves[column] = list(values)
    return curves


def kinds(train, test):
    return [kind for kind, _ in read_curves(train, test)]


def test_nothing_is_said_when_nothing_stands_out():
    assert curve_notes(*healthy_run()) == []


def test_nothing_is_said_about_a_run_too_short_to_show_anything():
    assert curve_notes(([0.0], [0.1], [230.0]), ([0.0], [0.1], [230.0])) == []
    assert curve_notes(([], [], []), ([], [], [])) == []


# -- where the best test accuracy came --


@pytest.mark.parametrize("peak, said", [(5000, True), (8000, True), (8100, False)])
def test_the_best_test_accuracy_is_noted_when_the_last_fifth_of_the_run_did_not_beat_it(peak, said):
    train, test = healthy_run()
    accuracy = np.where(TEST_I < peak, 0.97, 0.979)
    accuracy[TEST_I == peak] = 0.981
    notes = curve_notes(train, with_column(test, 1, accuracy))
    expected = (
        "The best test accuracy, 0.9810, came at iteration %d: the %d iterations after it did "
        "not beat it (the last test gave 0.9790)." % (peak, ITERATIONS - peak)
    )
    assert notes == ([expected] if said else [])


# -- overfitting --


def overfitting_run(rise, training_loss_falls=True):
    """The test loss falls to 7.0 at iteration 3000, then rises linearly by `rise` (a share)."""
    train, test = healthy_run()
    test_loss = np.where(
        TEST_I <= 3000, 7.0 + 30 * (3000 - TEST_I) / 3000, 7.0 * (1 + rise * (TEST_I - 3000) / 7000)
    )
    training_loss = 20 * np.exp(-TRAIN_I / 1000) if training_loss_falls else np.full(501, 6.0)
    return with_column(train, 2, training_loss), with_column(test, 2, test_loss)


def test_a_test_loss_rising_from_its_lowest_while_the_training_loss_falls_is_overfitting():
    notes = curve_notes(*overfitting_run(0.4))
    assert notes == [
        "The test loss rose from its lowest, 7.00 at iteration 3000, to 9.80 at iteration 10000, "
        "while the training loss kept falling: the network is overfitting, learning its training "
        "images by heart rather than digits in general. Dropout (steps 2.2 and 3.1) is the "
        "workshop's remedy."
    ]


@pytest.mark.parametrize("rise, said", [(0.25, False), (0.35, True)])
def test_overfitting_is_said_only_for_a_test_loss_ending_30_percent_above_its_lowest(rise, said):
    # measured as the median of the last 5 tests against the lowest median of 5 (a bit less)
    assert notes.OVERFITTING_RISE == 0.3
    assert ("overfitting" in kinds(*overfitting_run(rise))) == said


def test_a_rising_test_loss_is_not_overfitting_while_the_training_loss_does_not_fall():
    assert kinds(*overfitting_run(0.6, training_loss_falls=False)) == []


@pytest.mark.parametrize("start, said", [(2300.0, True), (1e10, False)])
def test_a_test_loss_absurd_from_its_start_is_never_called_overfitting(start, said):
    # a test loss of 10^10 at iteration 0 (a mistake in the test feed or the loss, or batch
    # norm's moving averages at 0): its later rise is no sign of learning by heart
    train, test = overfitting_run(0.6)
    test[2][0] = start
    assert ("overfitting" in kinds(train, test)) == said


def test_one_test_loss_far_off_is_not_read_as_a_rise():
    train, test = healthy_run()
    test_loss = np.array(test[2])
    test_loss[[-1, -3]] = 30.0  # two bad tests among the last five
    assert kinds(train, with_column(test, 2, test_loss)) == []


# -- near chance --


def near_chance_until(stop, level=0.1, noise=None):
    """Training accuracy at `level` up to iteration `stop`, then learning."""
    train, test = healthy_run()
    accuracy = np.where(TRAIN_I < stop, level, 0.97 - 0.3 * np.exp(-(TRAIN_I - stop) / 300))
    if noise is not None:  # what batches of 100 images give around those accuracies
        accuracy = noise.binomial(100, np.clip(accuracy, 0, 1)) / 100
    return with_column(train, 1, accuracy), test


def test_a_long_stretch_near_chance_at_the_start_is_a_slow_start():
    found = dict(read_curves(*near_chance_until(3000)))
    assert found["slow_start"]["start"] == 0
    assert 2960 <= found["slow_start"]["stop"] <= 3040  # the median of 5 points blurs the edge
    assert curve_notes(*near_chance_until(3000))[0].startswith(
        "The training accuracy stayed near chance (a guess among 10 digits gets 0.1) from "
        "iteration 0 to "
    )


@pytest.mark.parametrize("stop, said", [(1900, False), (2100, True)])
def test_a_slow_start_is_said_only_when_it_lasts_a_fifth_of_the_run(stop, said):
    assert notes.STUCK_SHARE == 0.2
    assert ("slow_start" in kinds(*near_chance_until(stop))) == said


@pytest.mark.parametrize("level, said", [(0.19, True), (0.21, False)])
def test_near_chance_means_a_training_accuracy_of_at_most_twice_chance(level, said):
    assert ("slow_start" in kinds(*near_chance_until(3000, level))) == said


def test_near_chance_is_read_through_the_noise_of_batches_of_100_images():
    noise = np.random.default_rng(0)
    assert "slow_start" in kinds(*near_chance_until(3000, 0.1, noise))
    train, test = near_chance_until(0, 0.1, noise)
    train[1][::4] = [0.1] * len(train[1][::4])  # one batch in four recognised no better than chance
    assert kinds(train, test) == []


def test_a_training_accuracy_near_chance_to_the_end_is_a_network_that_does_not_learn():
    train, test = near_chance_until(ITERATIONS + 1, 0.1, np.random.default_rng(1))
    # its test accuracy at chance too, best at some early test: not worth a note of its own
    test = with_column(test, 1, np.where(TEST_I == 500, 0.11, 0.1))
    assert read_curves(train, test) == [("not_learning", {"start": 0, "stop": ITERATIONS})]
    assert curve_notes(train, test) == [
        (
            "The training accuracy was near chance (a guess among 10 digits gets 0.1) from "
            "iteration 0 to the end: the network is not learning. A learning rate far too high or "
            "too low, or a mistake in the model, does this."
        )
    ]


def test_a_long_stretch_near_chance_after_learning_is_not_called_a_slow_start():
    train, test = healthy_run()
    accuracy = np.array(train[1])
    accuracy[(TRAIN_I >= 4000) & (TRAIN_I < 7000)] = 0.1  # learned, lost it, learned again
    assert read_curves(with_column(train, 1, accuracy), test) == [
        ("near_chance", {"start": 4000, "stop": 6980})
    ]


# -- a test accuracy still jumping around at the end --


def jumping_at_the_end(jump, trend=0.0):
    """Test accuracy about 0.975 (250 misrecognised digits in 10000), going up and down by
    `jump` from one test to the next over the last fifth of the run, plus a steady trend."""
    train, test = healthy_run()
    end = TEST_I >= 0.8 * ITERATIONS
    accuracy = np.full(TEST_I.size, 0.975)
    accuracy[end] += jump / 2 * (-1) ** np.arange(end.sum()) + trend * np.arange(end.sum())
    accuracy[TEST_I == 5000] = 0.99  # the best long before: a note of its own
    return train, with_column(test, 1, accuracy)


# about 245 misrecognised digits at the end: a jump of 0.0010 is 4% of them, 0.0014 is 6%
@pytest.mark.parametrize("jump, said", [(0.0010, False), (0.0014, True)])
def test_a_test_accuracy_jumping_by_5_percent_of_its_errors_at_the_end_is_noted(jump, said):
    assert notes.JUMPY_TEST_ACCURACY == 0.05
    run = jumping_at_the_end(jump)
    assert ("jumpy" in kinds(*run)) == said
    if said:
        assert curve_notes(*run)[-1] == (
            "The test accuracy still jumps around at the end: over the last 2000 iterations it "
            "went up and down between 0.9743 and 0.9757, typically by 0.0014 from one test to the "
            "next. The learning rate is too high for the end of training; one that decays (step "
            "2.1) lets the network settle."
        )


@pytest.mark.parametrize("trend, said", [(0.0, True), (0.0001, True), (0.0005, False)])
def test_a_test_accuracy_still_climbing_by_more_than_its_jumps_is_learning_not_jumping_around(
    trend, said
):
    # the jumps: 0.0014; the later half of the last fifth climbs about 11 * trend above the
    # earlier half, against a limit of 2 jumps (0.0028)
    assert notes.STILL_LEARNING_JUMPS == 2
    assert ("jumpy" in kinds(*jumping_at_the_end(0.0014, trend))) == said


def test_a_steady_climb_is_not_jumping_around():
    assert "jumpy" not in kinds(*jumping_at_the_end(0.0, trend=0.0005))


# -- what is not a number --


def test_points_that_are_not_finite_are_left_out():
    train, test = overfitting_run(0.4)
    expected = curve_notes(train, test)
    for curves in (train, test):
        for values, value in zip(curves, (ITERATIONS + 10, np.nan, np.inf)):
            values.append(value)
    assert curve_notes(train, test) == expected


# -- the marks on the graphs --


class Graphs(figure.Graphs):
    """Six graphs off-screen with a record of their own, marked as a run's end marks them."""

    def __init__(self):
        super().__init__(offscreen_figure(dpi=50))
        self.record = Record()

    def mark(self):
        self.mark_notes(read_curves(self.record.train_curves, self.record.test_curves), 10000)


@pytest.fixture
def graphs():
    return Graphs()


def fill(record, train, test):
    for curves, given in ((record.train_curves, train), (record.test_curves, test)):
        for values, new in zip(curves, given):
            values.extend(new)


def texts(ax):
    return [text.get_text() for text in ax.texts]


def test_the_graphs_mark_the_best_test_accuracy_and_the_lowest_test_loss(graphs):
    train, test = overfitting_run(0.4)
    fill(graphs.record, train, with_column(test, 1, np.where(TEST_I == 5000, 0.99, 0.98)))
    graphs.mark()
    graphs.mark()  # once more, as after a second call: the marks are not doubled
    assert texts(graphs.axes[0]) == ["best: 0.9900"] and texts(graphs.axes[1]) == [
        "lowest test loss: 7.00"
    ]
    circle = graphs.axes[1].get_lines()[-1]
    assert circle.get_xydata().tolist() == [[3000.0, 7.0]]
    graphs.draw(graphs.record)
    assert graphs.png()[:4] == b"\x89PNG"


def test_the_graphs_shade_a_stretch_near_chance_and_mark_nothing_else_when_nothing_stands_out(
    graphs,
):
    fill(graphs.record, *near_chance_until(3000))
    graphs.mark()
    assert texts(graphs.axes[0]) == ["near chance"] and len(graphs.axes[0].patches) == 1
    span = graphs.axes[0].patches[0]  # a Rectangle, or a Polygon before matplotlib 3.9
    x = span.get_path().transformed(span.get_patch_transform()).vertices[:, 0]
    assert x.min() == 0 and 2960 <= x.max() <= 3040
    empty = Graphs()
    fill(empty.record, *healthy_run())
    empty.mark()
    assert texts(empty.axes[0]) == texts(empty.axes[1]) == [] and not empty.axes[0].patches


def test_the_end_of_a_run_prints_the_notes_after_the_max_test_accuracy(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    options = tensorflowvisu.parse_run_options(
        ["--no-window"], script=tmp_path / "mnist_test_step.py"
    )
    vis = tensorflowvisu.MnistDataVis(options)
    train, test = overfitting_run(0.4)
    fill(vis.record, train, test)
    vis.animate(lambda i, update_test, update_train: None, 0)  # the end of a run, at once
    printed = capsys.readouterr().out.splitlines()
    end = printed.index("max test accuracy: 0.9800")
    assert printed[end + 1].startswith("The test loss rose from its lowest, 7.00 at iteration 3000")
    assert texts(vis.graphs.axes[1]) == ["lowest test loss: 7.00"]
    assert (tmp_path / "mnist_test_step.png").stat().st_size > 10000
