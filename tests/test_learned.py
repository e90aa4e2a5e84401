"""What the network learned (key W, --graphs W): the first layer's weights and one digit going
through the network, read back from the figure's images and compared with the network's own
values, computed here from the step's session and its own names (X, W1, Y1, ...)."""

import types

import matplotlib

matplotlib.use("agg")

import tensorflowvisu  # noqa: E402, F401 (imported before TensorFlow, as the steps do)

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

from benchmarks.harness import run_step  # noqa: E402
from visu.show import learned  # noqa: E402
from visu.show.backends import offscreen_figure  # noqa: E402
from visu.show.learned_panel import LearnedPanel, weights_picture  # noqa: E402

tf.disable_eager_execution()


def tiles_of(grid, height, width=None):
    """The tiles of a mosaic that learned.mosaic made (one pixel between them), in order."""
    width = width or height
    grid = np.ma.filled(np.ma.asarray(grid, np.float32), np.nan)
    rows, columns = (grid.shape[0] + 1) // (height + 1), (grid.shape[1] + 1) // (width + 1)
    padded = np.pad(grid, ((0, 1), (0, 1)), constant_values=np.nan)
    cells = padded.reshape(rows, height + 1, columns, width + 1).transpose(0, 2, 1, 3)
    return cells[:, :, :height, :width].reshape(-1, height, width)


def evaluation_feed(namespace, images):
    """The feed a step measures with, from its own names: dropout off, batch norm testing."""
    feed = {namespace["X"]: images}
    if "pkeep" in namespace:
        feed[namespace["pkeep"]] = 1.0
    if "testing" in namespace:
        feed[namespace["testing"]] = True
    return feed


def shown(step, *arguments, train=False, folder):
    """The step run here (trained or just built), its graph of what it learned drawn."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)  # its PNG goes there
        namespace = run_step(step, *arguments, animate="train" if train else None)
    graphs = namespace["datavis"].graphs
    if not train:  # built only: shown and drawn as the W key does
        graphs.show_graphs(["learned"])
        graphs.draw(namespace["datavis"].record)
    return namespace, graphs.panels["learned"]


@pytest.fixture(scope="module")
def softmax(mnist_dir, tmp_path_factory):
    """Step 1.0 trained for 100 iterations with --graphs W: its final PNG drew the view."""
    folder = tmp_path_factory.mktemp("softmax")
    return shown(
        "mnist_1.0_softmax.py", "--iterations", "100", "--graphs", "W", train=True, folder=folder
    )


def test_step_1_0_draws_the_ten_columns_of_its_w_as_28x28_pictures_centred_on_0(softmax):
    namespace, panel = softmax
    W = namespace["sess"].run(namespace["W"])  # [784, 10]
    drawn = tiles_of(panel.weights_image.get_array(), 28)
    assert len(drawn) >= 10 and np.isnan(drawn[10:]).all()  # ten pictures, the rest blank
    np.testing.assert_array_equal(drawn[:10], W.T.reshape(10, 28, 28))
    low, high = panel.weights_image.get_clim()
    assert low == -high == -np.abs(W).max()  # a diverging colour map centred on 0
    assert panel.weights_image.get_cmap().name.startswith("RdBu")
    assert [text.get_text() for text in panel.weights_axes.texts] == [str(d) for d in range(10)]
    assert panel.weights_axes.get_title().startswith("W [784, 10]: one 28x28 picture per digit")


def test_each_template_of_step_1_0_looks_most_like_the_mean_image_of_its_own_digit(softmax):
    namespace, _ = softmax
    W = namespace["sess"].run(namespace["W"])
    train = namespace["mnist"].train
    digits = train.labels.argmax(axis=1)
    means = np.stack([train.images[digits == d].reshape(-1, 784).mean(axis=0) for d in range(10)])
    correlation = np.corrcoef(W.T, means)[:10, 10:]  # template k against the mean image of d
    assert list(correlation.argmax(axis=1)) == list(range(10))


@pytest.fixture(scope="module")
def convolutional(mnist_dir, tmp_path_factory):
    """Step 3.0 built (not trained), its view shown and drawn; each test leaves it as it was."""
    return shown("mnist_3.0_convolutional.py", folder=tmp_path_factory.mktemp("conv"))


def check_passage(namespace, panel, names):
    """The rows of the digit's passage: the digit, then each layer's output by its name, drawn
    with the values the network gives that digit; the digit the first the network gets wrong."""
    sess, rows = namespace["sess"], panel.rows
    titles = [ax.get_title(loc="left") for ax, _, _ in rows]
    assert [title.split(" ")[0].rstrip(":") for title in titles] == names
    digit = np.ma.filled(rows[0][1].get_array(), np.nan)
    index = int(titles[0].split("#")[1].split(",")[0])  # "X: test digit #8, the first ..."
    test = namespace["mnist"].test
    np.testing.assert_array_equal(digit, test.images[index, :, :, 0])
    answers = sess.run(namespace["Y"], evaluation_feed(namespace, test.images[: index + 1]))
    right = answers.argmax(axis=1) == test.labels[: index + 1].argmax(axis=1)
    assert right[:-1].all() and not right[-1]  # the first one it gets wrong
    outputs = [namespace[name] for name in names[1:]]
    values = sess.run(outputs, evaluation_feed(namespace, digit[None, :, :, None]))
    for (ax, image, _), name, value in zip(rows[1:], names[1:], values):
        value = value[0]
        if image is None:  # the ten probabilities
            heights = [bar.get_height() for bar in ax.patches]
            np.testing.assert_allclose(heights, value, rtol=1e-6)
            continue
        assert "%s [%s]" % (name, ", ".join(map(str, value.shape))) in ax.get_title(loc="left")
        grid = image.get_array()
        if value.ndim == 3:  # a convolution's channels, one small picture each
            maps = tiles_of(grid, *value.shape[:2])
            np.testing.assert_allclose(maps[: value.shape[2]], value.transpose(2, 0, 1))
        else:  # a dense layer's neurons, as a strip
            strip = np.ma.filled(grid, np.nan).reshape(-1)
            np.testing.assert_allclose(strip[: value.size], value)
            assert np.isnan(strip[value.size :]).all()


@pytest.mark.parametrize(
    "step", ["mnist_2.1_five_layers_relu_lrdecay.py", "mnist_4.0_batchnorm_five_layers_sigmoid.py"]
)
def test_a_dense_steps_view_has_its_neurons_pictures_and_its_layers_by_their_names(
    step, mnist_dir, tmp_path
):
    namespace, panel = shown(step, folder=tmp_path)
    W1 = namespace["sess"].run(namespace["W1"])  # [784, 200]
    drawn = tiles_of(panel.weights_image.get_array(), 28)
    count = learned.MOST_NEURON_TILES
    np.testing.assert_array_equal(drawn[:count], W1.T[:count].reshape(count, 28, 28))
    assert "the first %d of its 200 neurons" % count in panel.weights_axes.get_title()
    check_passage(namespace, panel, ["X", "Y1", "Y2", "Y3", "Y4", "Y"])


@pytest.mark.parametrize(
    "step", ["mnist_3.0_convolutional.py", "mnist_4.2_batchnorm_convolutional.py"]
)
def test_a_convolutional_steps_view_has_its_filters_and_feature_maps_by_their_names(
    step, convolutional, tmp_path
):
    is_3_0 = step == "mnist_3.0_convolutional.py"
    namespace, panel = convolutional if is_3_0 else shown(step, folder=tmp_path)
    W1 = namespace["sess"].run(namespace["W1"])  # [height, width, 1, channels]
    filters = tiles_of(panel.weights_image.get_array(), *W1.shape[:2])
    channels = W1.shape[3]
    np.testing.assert_array_equal(filters[:channels], W1[:, :, 0, :].transpose(2, 0, 1))
    assert "its %d filters, one per channel of Y1" % channels in panel.weights_axes.get_title()
    check_passage(namespace, panel, ["X", "Y1", "Y2", "Y3", "Y4", "Y"])


def test_the_digit_drawn_on_the_pad_goes_through_the_network_instead(convolutional, monkeypatch):
    namespace, panel = convolutional
    datavis = namespace["datavis"]
    drawn = np.zeros((28, 28, 1), np.float32)
    drawn[4:24, 13:15] = 1.0  # a 1
    pad = types.SimpleNamespace(network_input=drawn)  # as the D key's pad leaves it
    monkeypatch.setattr(datavis.trained, "pad", pad)
    datavis.graphs.draw(datavis.record)
    digit, title = panel.rows[0][1].get_array(), panel.rows[0][0].get_title(loc="left")
    assert title == "X: the digit drawn on the pad"
    np.testing.assert_array_equal(np.ma.filled(digit, np.nan), drawn[:, :, 0])
    probabilities = namespace["sess"].run(namespace["Y"], {namespace["X"]: drawn[None]})[0]
    np.testing.assert_allclose(
        [bar.get_height() for bar in panel.rows[-1][0].patches], probabilities
    )


def test_the_view_costs_nothing_while_it_is_hidden(convolutional, monkeypatch):
    namespace, panel = convolutional
    datavis, reads = namespace["datavis"], []
    monkeypatch.setattr(datavis.record.network, "passage", lambda: reads.append("passage"))
    monkeypatch.setattr(datavis.record.network, "first_layer", lambda: reads.append("weights"))
    datavis.graphs.show_graphs(["accuracy", "loss"])
    try:
        datavis.graphs.draw(datavis.record)
        assert reads == [] and not panel.weights_axes.get_visible()
    finally:
        datavis.graphs.show_graphs(["learned"])


def test_the_weights_picture_for_tensorboard_is_the_tiles_in_red_and_blue():
    tiles = np.zeros((10, 28, 28), np.float32)
    tiles[:, 14, 14], tiles[3, 0, 0] = 1.0, -1.0
    first = learned.FirstLayer("W", "[784, 10]", "dense", tiles, 10, None, "Y")
    picture = weights_picture(first)
    assert picture.ndim == 3 and picture.shape[2] == 3 and picture.shape[1] > picture.shape[0]
    red, white = picture[..., 0] - picture[..., 2], picture.min(axis=-1)
    assert (red > 0.2).any() and (red < -0.2).any() and np.median(white) > 0.9  # dark red, blue


def tiny_network(weights):
    """A one-layer softmax network on 28x28 images, in a graph and session of its own."""
    graph = tf.Graph()
    with graph.as_default():
        X = tf.placeholder(tf.float32, [None, 28, 28, 1])
        W = tf.Variable(weights)
        Y = tf.nn.softmax(tf.matmul(tf.reshape(X, [-1, 784]), W))
        session = tf.Session(graph=graph)
        session.run(tf.global_variables_initializer())
    return session, dict(X=X, W=W, Y=Y)


def drawn_panel(probe):
    panel = LearnedPanel(offscreen_figure(dpi=40), "What the network learned")
    panel.set_position([0.05, 0.05, 0.9, 0.85])
    panel.set_visible(True)
    panel.draw(probe)
    panel.fig.canvas.draw()
    return panel


def test_a_classifier_that_fails_leaves_the_weights_and_says_why_there_is_no_passage():
    session, names = tiny_network(np.ones([784, 10], np.float32))

    def failing(images):
        raise ValueError("Cannot feed value of shape (1, 28, 28, 1)")

    probe = learned.NetworkProbe(session, failing, names)
    panel = drawn_panel(probe)
    assert probe.passage() is None and "could not be run" in probe.problem
    assert panel.weights_image is not None and panel.rows == []
    assert "could not be run" in panel._message.get_text()


def test_a_diverged_network_is_drawn_without_a_warning():
    session, names = tiny_network(np.full([784, 10], np.nan, np.float32))
    names["mnist"] = types.SimpleNamespace(
        test=types.SimpleNamespace(
            images=np.ones([5, 28, 28, 1], np.float32), labels=np.eye(10)[:5]
        )
    )
    probe = learned.NetworkProbe(
        session, lambda images: session.run(names["Y"], {names["X"]: images}), names
    )
    panel = drawn_panel(probe)  # warnings are errors here (pytest.ini)
    assert np.isnan(np.ma.filled(panel.weights_image.get_array(), np.nan)).all()
    assert [ax.get_title(loc="left").split(":")[0] for ax, _, _ in panel.rows] == ["X", "Y [10]"]
