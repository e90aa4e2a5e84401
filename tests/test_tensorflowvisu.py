"""The graphs under Agg: panels, data, bands, mosaics, keys, the headless run and movies."""

import dataclasses

import matplotlib

matplotlib.use("agg")

import tensorflowvisu  # noqa: E402

import matplotlib.animation  # noqa: E402
import matplotlib.backend_bases  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

from visu import options as run_options  # noqa: E402
from visu.record import percentile_bands  # noqa: E402
from visu.reference import Curves  # noqa: E402
from visu.show import choose, outputs  # noqa: E402
from visu.show import mosaic as mosaic_op  # noqa: E402
from visu.show.graphs import GRAPHS, layout_keys  # noqa: E402

tf.disable_eager_execution()


@pytest.fixture
def vis(monkeypatch, tmp_path):
    """The six graphs as a step script run with --no-window from an empty folder gets them."""
    monkeypatch.chdir(tmp_path)
    return tensorflowvisu.MnistDataVis(no_window_options(tmp_path))


@pytest.fixture
def window(monkeypatch, tmp_path):
    """The graphs in a WindowView, as a GUI backend gets them; here on a pyplot figure under Agg,
    whose plt.show() (where a GUI blocks until the window closes) and window titles (which Agg's
    manager keeps only from matplotlib 3.10) are recorded instead."""
    shown, titles = [], []
    monkeypatch.setattr(matplotlib.pyplot, "show", lambda **kwargs: shown.append(kwargs))

    def figure_in_a_window(dpi=70):
        figure = matplotlib.pyplot.figure()
        monkeypatch.setattr(figure.canvas.manager, "set_window_title", titles.append)
        return figure, None

    monkeypatch.setattr(choose, "window_figure", figure_in_a_window)
    monkeypatch.chdir(tmp_path)
    options = tensorflowvisu.parse_run_options([], script=tmp_path / "mnist_test_step.py")
    vis = tensorflowvisu.MnistDataVis(options)
    assert isinstance(vis.view, outputs.WindowView)
    vis.shown, vis.titles = shown, titles
    yield vis
    matplotlib.pyplot.close(vis.graphs.fig)


def no_window_options(folder, *args):
    options = tensorflowvisu.parse_run_options(
        ["--no-window", *args], script=folder / "mnist_test_step.py"
    )
    return options


def press(window, key):
    event = matplotlib.backend_bases.KeyEvent("key_press_event", window.graphs.fig.canvas, key)
    window.graphs.fig.canvas.callbacks.process("key_press_event", event)


def visible_graphs(window):
    """The keys of the graphs shown, in the table's order: 1 to 6 as numbers, W as "W"."""
    keys = [g.key for g in GRAPHS if window.graphs.panels[g.name].get_visible()]
    return [int(key) if key.isdigit() else key for key in keys]


def test_window_has_six_titled_graphs_in_two_rows_of_three(vis):
    assert [panel.get_title() for panel in vis.graphs.panels.values()] == [g.title for g in GRAPHS]
    assert visible_graphs(vis) == [1, 2, 3, 4, 5, 6]  # what the network learned: on key W
    boxes = [ax.get_position() for ax in vis.graphs.axes[:6]]
    assert len({round(b.y0, 3) for b in boxes}) == 2 and len({round(b.x0, 3) for b in boxes}) == 3
    assert boxes[0].y0 > boxes[3].y0  # graphs 1-3 on the top row
    accuracy, loss = vis.graphs.axes[:2]
    assert accuracy.get_ylim() == (0.0, 1.0) and loss.get_ylim() == (0.0, 100.0)


def test_custom_titles_replace_the_defaults(tmp_path):
    window = tensorflowvisu.MnistDataVis(
        no_window_options(tmp_path), title4="Conv activations", title5="Dense activations"
    )
    titles = [panel.get_title() for panel in window.graphs.axes]
    assert titles[3:5] == ["Conv activations", "Dense activations"] and titles[0] == "Accuracy"
    assert titles[6] == "What the network learned"


def test_curves_receive_the_appended_data_and_progress_lines_are_printed(vis, capsys):
    vis.append_training_curves_data(0, np.float32(0.1), np.float32(230.5))
    vis.append_training_curves_data(
        20, np.float32(0.5), np.float32(80.25), learning_rate=np.float32(0.003)
    )
    vis.append_test_curves_data(600, np.float32(0.9), np.float32(30.0))
    vis.graphs.draw(vis.record)
    train_acc, test_acc = vis.graphs.axes[0].get_lines()
    train_loss, test_loss = vis.graphs.axes[1].get_lines()
    assert list(train_acc.get_xdata()) == [0, 20] and list(train_acc.get_ydata()) == pytest.approx(
        [0.1, 0.5]
    )
    assert list(train_loss.get_ydata()) == pytest.approx([230.5, 80.25])
    assert list(test_acc.get_xdata()) == [600] and list(test_loss.get_ydata()) == [30.0]
    assert vis.graphs.axes[0].get_xlim() == (0, 600)  # the x axes grow with the iterations
    assert vis.get_max_test_accuracy() == pytest.approx(0.9)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "0: accuracy:0.1 loss: 230.5"
    assert out[1] == "20: accuracy:0.5 loss: 80.25 (lr:0.003)"
    assert out[2] == "600: ********* epoch 2 ********* test accuracy:0.9 test loss: 30.0"


def loss_axis_after(vis, losses, against=None):
    """The loss axis's (bottom, top) once these losses are drawn, one point every 100 iterations."""
    if against is not None:
        vis.graphs.draw_against(against)
    for k, loss in enumerate(losses):
        vis.append_training_curves_data(100 * k, 0.1, loss)
        vis.append_test_curves_data(100 * k, 0.1, loss)
    vis.graphs.draw(vis.record)
    return vis.graphs.panels["loss"].get_ylim()


def test_the_loss_axis_keeps_0_to_100_when_only_the_start_is_higher(vis):
    assert loss_axis_after(vis, [230.3, 95.0, 60.0, 40.0] + [20.0] * 20) == (0.0, 100.0)


def test_the_loss_axis_grows_to_show_a_run_that_stays_above_100(vis):
    bottom, top = loss_axis_after(vis, [230.3, 228.0, 226.0, 180.0, 120.0] + [110.0] * 20)
    assert bottom == 0.0 and 180.0 <= top <= 250.0  # past the first tenth of the iterations


def test_the_loss_axis_grows_to_show_the_against_curves_too(vis):
    iterations = np.arange(0.0, 2001.0, 100.0)
    losses = np.full(iterations.shape, 150.0)
    points = np.stack([iterations, np.full(iterations.shape, 0.1), losses])
    reference = Curves("a run", points, points, 2000)
    bottom, top = loss_axis_after(vis, [230.3] + [50.0] * 20, against=reference)
    assert bottom == 0.0 and 150.0 <= top <= 200.0


def test_a_loss_far_out_of_range_cuts_the_axis_and_marks_it_keeping_the_others_readable(vis):
    losses = [230.3] + [60.0] * 10 + [1e15] + [40.0] * 10  # a test loss of 10^15, at 1100
    for k, loss in enumerate(losses):
        vis.append_training_curves_data(100 * k, 0.5, min(loss, 60.0))
        vis.append_test_curves_data(100 * k, 0.5, loss)
    for _ in range(2):  # the marks of one redraw are replaced by the next one's
        vis.graphs.draw(vis.record)
    ax = vis.graphs.panels["loss"]
    assert ax.get_ylim() == (0.0, 100.0)  # as without the far loss: the curves fill the axis
    notes = [text.get_text() for text in ax.texts]
    assert notes == ["axis cut at 100: losses up to 1e+15 above it (triangles)"]
    training, test = ax.get_lines()[:2]
    marks = [line for line in ax.get_lines() if line.get_marker() == "^"]
    assert [list(mark.get_xdata()) for mark in marks] == [[], [1100.0]]  # the test curve's point
    assert list(marks[1].get_ydata()) == [100.0] and marks[1].get_color() == test.get_color()


def test_band_boundaries_are_numpy_percentiles_in_seven_equal_buckets():
    values = np.random.default_rng(1).normal(size=7001)
    bands = percentile_bands(values.reshape(-1, 1))  # any shape: all values count
    assert bands == pytest.approx(np.percentile(values, np.arange(8) * 100 / 7))
    assert bands[0] == values.min() and bands[-1] == values.max()
    counts = np.histogram(values, bands)[0]
    assert counts.max() - counts.min() <= 1  # 7 buckets holding equal counts


def test_bands_are_drawn_as_seven_fills_darkest_at_the_median(vis):
    for i in range(3):
        vis.append_data_histograms(i * 10, np.arange(70.0) * (i + 1), np.arange(14.0))
    vis.graphs.draw(vis.record)
    fills = vis.graphs.axes[3].collections
    assert len(fills) == 7 and len(vis.graphs.axes[4].collections) == 7
    darkness = [1 - np.mean(fill.get_facecolor()[0][:3]) for fill in fills]
    assert np.argmax(darkness) == 3 and darkness[0] < darkness[1] < darkness[2]
    vis.graphs.draw(vis.record)  # redrawing replaces the fills instead of piling them up
    assert len(vis.graphs.axes[3].collections) == 7


def mosaic(images, predicted, correct, n, lines):
    X = tf.placeholder(tf.float32, [None, 28, 28, 1])
    Y = tf.placeholder(tf.float32, [None, 10])
    Y_ = tf.placeholder(tf.float32, [None, 10])
    op = tensorflowvisu.tf_format_mnist_images(X, Y, Y_, n, lines)
    with tf.Session() as sess:
        return sess.run(op, {X: images, Y: np.eye(10)[predicted], Y_: np.eye(10)[correct]})


def test_mosaic_shows_misrecognised_digits_first_on_red_with_both_digits_written():
    count = 12
    images = np.zeros([count, 28, 28, 1], np.float32)
    for k in range(count):  # a vertical stroke whose column tells the images apart
        images[k, 12:16, 8 + k, 0] = 1.0
    correct = np.arange(count) % 10
    predicted = correct.copy()
    predicted[[4, 9]] = [7, 2]  # images 4 and 9 are misrecognised
    out = mosaic(images, predicted, correct, n=12, lines=3)
    assert out.shape == (3 * 28, 4 * 28, 3)
    tiles = out.reshape(3, 28, 4, 28, 3).transpose(0, 2, 1, 3, 4).reshape(12, 28, 28, 3)
    order = [
        4,
        9,
        0,
        1,
        2,
        3,
        5,
        6,
        7,
        8,
        10,
        11,
    ]  # misrecognised first, then the others, each in order
    for tile, k in zip(tiles, order):
        assert tile[13, 8 + k].max() == 0.0  # the image's own stroke, drawn dark
    for tile in tiles[:2]:
        assert tile[27, 14] == pytest.approx(mosaic_op.MISRECOGNISED_BACKGROUND)
    for tile in tiles[2:]:
        assert tile[27, 14] == pytest.approx([1.0, 1.0, 1.0])
    glyphs = mosaic_op.GLYPHS
    for tile, k in zip(tiles[:2], (4, 9)):
        left = np.isclose(tile[1:11, 1:7], mosaic_op.CORRECT_DIGIT_COLOR).all(axis=-1)
        right = np.isclose(tile[1:11, 21:27], mosaic_op.PREDICTED_DIGIT_COLOR).all(axis=-1)
        assert (left == glyphs[correct[k]].astype(bool)).all()
        assert (right == glyphs[predicted[k]].astype(bool)).all()
    assert not np.isclose(tiles[2][1:11, 1:7], mosaic_op.CORRECT_DIGIT_COLOR).all(axis=-1).any()


def test_mosaic_pads_with_white_when_given_fewer_images_than_it_shows():
    out = mosaic(np.zeros([3, 28, 28, 1], np.float32), [1, 2, 3], [1, 2, 3], n=8, lines=2)
    assert out.shape == (56, 112, 3) and out.min() == 1.0


@pytest.mark.parametrize(
    "key, graphs",
    [
        ("1", [1]),
        ("2", [2]),
        ("3", [3]),
        ("4", [4]),
        ("5", [5]),
        ("6", [6]),
        ("7", [1, 2]),
        ("8", [4, 5]),
        ("9", [3, 6]),
        ("w", ["W"]),
        ("W", ["W"]),
    ],
)
def test_layout_keys_show_their_graphs_filling_the_window(vis, key, graphs):
    press(vis, key)
    assert visible_graphs(vis) == graphs
    keys = [g.key for g in GRAPHS]
    boxes = [vis.graphs.axes[keys.index(str(g))].get_position() for g in graphs]
    assert sum(box.width for box in boxes) > 0.9 and all(box.height > 0.85 for box in boxes)
    assert boxes == sorted(boxes, key=lambda box: box.x0)  # side by side, in order


@pytest.mark.parametrize("key", ["0", "escape"])
def test_zero_and_escape_bring_back_all_six_graphs(vis, key):
    original = [ax.get_position().bounds for ax in vis.graphs.axes]
    press(vis, "3")
    press(vis, key)
    assert visible_graphs(vis) == [1, 2, 3, 4, 5, 6]
    assert [ax.get_position().bounds for ax in vis.graphs.axes] == original


def test_space_pauses_and_resumes_the_display(window):
    press(window, " ")
    assert window.view.paused
    assert window.titles[-1].startswith("mnist_test_step - paused, Space to resume")
    press(window, " ")
    assert not window.view.paused
    assert window.titles[-1].startswith("mnist_test_step   (keys: 1-6, W one graph")


class SlowedClock:
    """time.perf_counter for visu.show.outputs on a machine so busy (a load of 9 on 2 cores) that
    each redraw of the window takes `draw_s` seconds and each training iteration `step_s`."""

    def __init__(self, draw_s, step_s):
        self.now, self.draw_s, self.step_s = 0.0, draw_s, step_s

    def perf_counter(self):
        return self.now


def test_under_load_the_window_still_draws_a_new_frame_every_few_seconds(window, monkeypatch):
    clock = SlowedClock(draw_s=8.0, step_s=0.03)
    monkeypatch.setattr(outputs, "time", clock)
    frames, draw = [], window.graphs.fig.canvas.draw

    def slow_draw():
        frames.append(clock.now)
        draw()  # the real drawing, of the real figure
        clock.now += clock.draw_s

    monkeypatch.setattr(window.graphs.fig.canvas, "draw", slow_draw)
    i = 0
    while clock.now < 120.0:  # two minutes of training on the slowed clock
        window.append_training_curves_data(i, 0.5, 50.0)
        window.view.update()
        clock.now += clock.step_s
        i += 1
    # a new frame at most a few seconds after the last one ended; a share of 0.2 alone would
    # wait 40 s after each one (3 frames in 2 minutes)
    assert np.diff(frames).max() <= clock.draw_s + 3.0 + clock.step_s
    assert len(frames) >= 10


def test_matplotlib_keeps_its_zoom_reset_and_save_keys():
    for name, key in (("keymap.zoom", "o"), ("keymap.home", "h"), ("keymap.save", "ctrl+s")):
        assert key in matplotlib.rcParams[name]
    taken = {key for name, keys in matplotlib.rcParams.items() if name.startswith("keymap.")
             for key in keys}  # fmt: skip
    assert not set(layout_keys()) & taken


def recording_step(window, calls):
    def compute_step(i, update_test, update_train):
        calls.append((i, update_test, update_train))
        if update_train:
            window.append_training_curves_data(i, 0.5, 50.0)
            window.append_data_histograms(i, np.arange(10.0), np.arange(3.0))
            window.update_image1(np.ones([280, 280, 3]))
        if update_test:
            window.append_test_curves_data(i, i / 1000, 40.0)
            window.update_image2(np.ones([700, 1120, 3]))

    return compute_step


def test_headless_run_trains_every_iteration_and_saves_the_six_graphs(vis, tmp_path, capsys):
    calls = []
    vis.animate(
        recording_step(vis, calls),
        iterations=250,
        train_data_update_freq=20,
        test_data_update_freq=100,
        more_tests_at_start=True,
    )
    assert [i for i, _, _ in calls] == list(range(251))
    assert [i for i, test, _ in calls if test] == [0, 20, 40, 60, 80, 100, 200, 250]
    assert [i for i, _, train in calls if train] == list(range(0, 250, 20)) + [250]
    out = capsys.readouterr().out
    assert "No window: --no-window." in out and "max test accuracy: 0.2500" in out
    png = tmp_path / "mnist_test_step.png"
    assert str(png) in out and png.stat().st_size > 10000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_later_run_keeps_the_earlier_runs_png_and_says_where_its_own_went(vis, tmp_path, capsys):
    first = tmp_path / "mnist_test_step.png"
    vis.animate(recording_step(vis, []), iterations=40, train_data_update_freq=20)
    earlier = first.read_bytes()
    for number in (2, 3):  # the same step, run again in the same folder
        later = tensorflowvisu.MnistDataVis(no_window_options(tmp_path))
        later.animate(recording_step(later, []), iterations=20, train_data_update_freq=20)
        out = capsys.readouterr().out
        saved = tmp_path / ("mnist_test_step-%d.png" % number)
        assert (
            "The graphs were saved to %s (mnist_test_step.png, an earlier run's, is kept)" % (saved)
            in out
        )
        assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.read_bytes() == earlier


def test_iterations_default_to_the_steps_own_count_and_the_option_replaces_it():
    assert tensorflowvisu.parse_run_options([], iterations=10000).iterations == 10000
    options = tensorflowvisu.parse_run_options(["--iterations", "30"], iterations=10000)
    assert options.iterations == 30


def test_zero_iterations_is_refused_rather_than_read_as_not_given(capsys):
    with pytest.raises(SystemExit) as done:
        tensorflowvisu.parse_run_options(["--iterations", "0"], iterations=10000)
    assert done.value.code == 2
    assert "--iterations: expected a whole number of 1 or more, got '0'" in capsys.readouterr().err


def test_ctrl_c_stops_training_and_still_prints_the_max_test_accuracy(vis, capsys):
    calls = []
    record = recording_step(vis, calls)

    def interrupted_step(i, update_test, update_train):
        if i == 150:
            raise KeyboardInterrupt
        record(i, update_test, update_train)

    vis.animate(
        interrupted_step, iterations=1000, train_data_update_freq=10, test_data_update_freq=50
    )
    out = capsys.readouterr().out
    assert len(calls) == 150
    assert "Interrupted (Ctrl-C" in out and "max test accuracy: 0.1000" in out


def test_closing_the_window_stops_training(window, capsys):
    calls = []
    record = recording_step(window, calls)

    def step_then_close(i, update_test, update_train):
        record(i, update_test, update_train)
        if i == 7:  # what a GUI backend sends when the user closes the window
            close = matplotlib.backend_bases.CloseEvent("close_event", window.graphs.fig.canvas)
            window.graphs.fig.canvas.callbacks.process("close_event", close)

    window.animate(
        step_then_close, iterations=1000, train_data_update_freq=10, test_data_update_freq=50
    )
    assert len(calls) == 8
    out = capsys.readouterr().out
    assert "training stopped at iteration 8" in out and "max test accuracy: 0.0000" in out
    assert window.shown == [{"block": False}]  # shown at the start; closed, it is not shown again


@pytest.mark.parametrize("ffmpeg, suffix", [(True, ".mp4"), (False, ".gif")])
def test_movie_is_an_mp4_with_ffmpeg_else_an_animated_gif(
    vis, tmp_path, capsys, monkeypatch, ffmpeg, suffix
):
    if ffmpeg and not matplotlib.animation.writers.is_available("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    monkeypatch.setattr(
        matplotlib.animation.writers, "is_available", lambda name: ffmpeg and name == "ffmpeg"
    )
    vis.animate(
        recording_step(vis, []),
        iterations=40,
        train_data_update_freq=10,
        test_data_update_freq=10,
        save_movie=True,
    )
    movie = tmp_path / ("mnist_test_step" + suffix)
    out = capsys.readouterr().out
    assert "Movie saved: %s" % movie in out
    assert ("ffmpeg was not found" in out) != ffmpeg
    data = movie.read_bytes()
    assert data[:6] == b"GIF89a" if suffix == ".gif" else data[4:8] == b"ftyp"


def test_run_options_have_help_and_reject_bad_values(capsys):
    with pytest.raises(SystemExit) as done:
        tensorflowvisu.parse_run_options(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for option in ("--iterations", "--no-window", "--save-movie", "--seed", "Space", "Esc"):
        assert option in text
    with pytest.raises(SystemExit) as done:
        tensorflowvisu.parse_run_options(["--iterations", "many"])
    assert done.value.code == 2
    assert "expected a whole number" in capsys.readouterr().err


def test_the_view_the_movie_and_the_tensorboard_log_are_outputs_of_one_interface(vis, tmp_path):
    """The training loop calls every output the same way (visu/show/outputs.py's Output)."""
    from visu.show.tensorboard import TensorBoardLog

    log = TensorBoardLog(vis.record, tmp_path / "logs", "run", {}, tf.get_default_graph())
    movie = outputs.MovieRecorder(vis.graphs, vis.record, lambda suffix: tmp_path / ("m" + suffix))
    for output in (vis.view, movie, log):
        assert isinstance(output, outputs.Output)
        assert not output.closed and not output.paused
    log.finish()
    assert list((tmp_path / "logs" / "run").glob("events.out.tfevents.*"))


def test_run_options_are_read_once_into_a_frozen_record_whose_defaults_are_a_bare_run(tmp_path):
    script = tmp_path / "mnist_test_step.py"
    options = tensorflowvisu.parse_run_options(["--seed", "3"], iterations=50, script=script)
    assert (options.script, options.iterations, options.seed) == (script, 50, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.seed = 4
    bare = tensorflowvisu.parse_run_options([], script=script)
    assert bare == run_options.RunOptions(script=script)  # no option given: the defaults
    assert bare.graphs == [g.name for g in GRAPHS[:6]] and bare.try_files == []
