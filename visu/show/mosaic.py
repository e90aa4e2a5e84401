"""Graphs 3 and 6: the digit mosaics, computed in the TensorFlow graph of the step.
A learner's page: docs/running.md ("The window").
"""

import numpy as np
import tensorflow.compat.v1 as tf

# A 3x5 pixel font for the digits written on misrecognised images, doubled to 6x10 pixels.
_FONT = [
    "111 101 101 101 111",
    "010 110 010 010 111",
    "111 001 111 100 111",
    "111 001 111 001 111",
    "101 101 111 001 001",
    "111 100 111 001 111",
    "111 100 111 101 111",
    "111 001 001 001 001",
    "111 101 111 101 111",
    "111 101 111 001 111",
]
GLYPHS = np.array(
    [[[c == "1" for c in row] for row in digit.split()] for digit in _FONT], np.float32
)
GLYPHS = GLYPHS.repeat(2, axis=1).repeat(2, axis=2)  # [10 digits, 10 rows, 6 columns]


def glyph_masks(column):
    """One 28x28 mask per digit, the digit drawn from the given column, one pixel from the top."""
    masks = np.zeros([10, 28, 28], np.float32)
    masks[:, 1:11, column : column + 6] = GLYPHS
    return masks


CORRECT_DIGIT_MASKS = glyph_masks(1)  # the correct answer, top left
PREDICTED_DIGIT_MASKS = glyph_masks(21)  # what the network said, top right
CORRECT_DIGIT_COLOR = (0.0, 0.45, 0.0)  # green
PREDICTED_DIGIT_COLOR = (0.0, 0.0, 0.0)  # black
MISRECOGNISED_BACKGROUND = (1.0, 0.6, 0.6)  # light red


def tf_format_mnist_images(X, Y, Y_, n=100, lines=10):
    """Graph op: the first n images of X as one RGB mosaic of `lines` rows, misrecognised first.

    Correctly recognised digits are drawn dark on white. Misrecognised ones are on red, with the
    correct digit (green, top left) and the predicted one (black, top right) written on them.
    X: images [N, 28, 28, 1] or [N, 784]; Y: the network's output [N, 10]; Y_: one-hot labels.
    """
    correct = tf.argmax(Y_, 1)
    predicted = tf.argmax(Y, 1)
    recognised = tf.cast(tf.equal(correct, predicted), tf.int32)
    order = tf.argsort(recognised, stable=True)[:n]  # 0 (misrecognised) sorts first
    ink = tf.reshape(tf.gather(X, order), [-1, 28, 28, 1])
    wrong = 1.0 - tf.cast(tf.gather(recognised, order), tf.float32)[:, None, None, None]
    background = 1.0 - wrong * (1.0 - tf.constant(MISRECOGNISED_BACKGROUND))
    rgb = (1.0 - ink) * background
    for masks, digits, color in (
        (CORRECT_DIGIT_MASKS, correct, CORRECT_DIGIT_COLOR),
        (PREDICTED_DIGIT_MASKS, predicted, PREDICTED_DIGIT_COLOR),
    ):
        mask = tf.gather(tf.constant(masks), tf.gather(digits, order))[..., None] * wrong
        rgb = rgb * (1.0 - mask) + mask * tf.constant(color)
    missing = n - tf.shape(rgb)[0]  # white tiles when given fewer than n images
    rgb = tf.pad(rgb, [[0, missing], [0, 0], [0, 0], [0, 0]], constant_values=1.0)
    tiles = tf.reshape(rgb, [lines, n // lines, 28, 28, 3])
    return tf.reshape(tf.transpose(tiles, [0, 2, 1, 3, 4]), [lines * 28, n // lines * 28, 3])
