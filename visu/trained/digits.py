"""A picture of one digit, of any size, as the network's input: an MNIST-style 28x28 image.

MNIST's digits were made this way: the digit's bounding box scaled so that its longer side is 20
pixels, keeping its aspect ratio, with grey levels where a pixel is partly covered; then placed
in a 28x28 field so that its centre of mass sits in the middle. Ink is 1 and paper 0, as
mnistdata gives the training images (their pixels / 255).

    file_to_mnist(path)      a PNG or JPEG file (dark on light or light on dark) -> [28, 28, 1]
    image_to_mnist(pixels)   the same for an array: grey, RGB or RGBA, integers or floats
    ink_to_mnist(ink)        ink already 1 on paper 0 (the drawing pad's) -> [28, 28, 1]

What is not a picture of a digit raises NotADigit, whose message says why in a few words.
Pure NumPy; Pillow (which matplotlib depends on) only reads the files.
A learner's page: docs/your-digits.md ("How a picture becomes the network's input").
"""

import numpy as np

SIZE = 28  # the network's input: 28x28 pixels
BOX = 20  # the digit's longer side in it, as in MNIST
LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R 601: the brightness of R, G and B
# Ink fainter than this share of the strongest ink is the paper's grain, a shadow or JPEG noise.
NOISE = 0.15
# A contrast below this (of the full range from black to white) is a picture of nothing.
LEAST_CONTRAST = 0.1
# Stroke widths as shares of the box's longer side: MNIST's digits measure 0.092 (median) and
# 0.061 (5th percentile) over the test set (2 x area / perimeter of the ink above 0.5). A thinner
# stroke, a pen on paper photographed from close by, is thickened to MNIST's median before the
# box is scaled down, else it would fade to a faint trace at 20 pixels.
THIN_STROKE, MNIST_STROKE = 0.06, 0.092
WORKING_SIZE = 200  # the longer side the box is brought down to before measuring its strokes


class NotADigit(ValueError):
    """The file or the array is not a picture of a digit; the message says why, in a few words."""


# --- from a file or an array to ink on paper -----------------------------------------------------


def file_to_mnist(path):
    """The picture in a PNG or JPEG file (anything Pillow reads) as the network's [28, 28, 1]."""
    return image_to_mnist(read_image(path))


def image_to_mnist(pixels):
    """An array of one digit, dark on light or light on dark, as the network's [28, 28, 1]."""
    return ink_to_mnist(ink_of(to_grey(pixels)))


def read_image(path):
    """The pixels of an image file as an array, upright (a phone's rotation tag applied)."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # Pillow comes with matplotlib

    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)
            if image.mode.startswith("I;16"):
                return np.asarray(image, np.uint16)
            if image.mode not in ("L", "LA", "RGB", "RGBA"):
                image = image.convert("RGBA")  # palettes, CMYK, black and white, 32-bit
            return np.asarray(image)
    except FileNotFoundError:
        raise NotADigit("no such file") from None
    except IsADirectoryError:
        raise NotADigit("a folder, not an image file") from None
    except PermissionError:
        raise NotADigit("not allowed to read it") from None
    except UnidentifiedImageError:
        raise NotADigit("not an image file that can be read (PNG or JPEG)") from None
    except Image.DecompressionBombError:
        raise NotADigit("too many pixels to be a picture of a digit") from None
    except (OSError, ValueError, SyntaxError) as error:  # a truncated or damaged file
        raise NotADigit("a damaged image file (%s)" % str(error).strip()) from None


def to_grey(pixels):
    """Brightness in [0, 1], [height, width]: from grey, grey+alpha, RGB or RGBA pixels, as
    integers (their type's full range) or floats in [0, 1]."""
    values = np.asarray(pixels)
    if values.dtype.kind in "ui":
        values = values / np.iinfo(values.dtype).max
    elif values.dtype.kind in "fb":
        values = values.astype(np.float64)
    else:
        raise NotADigit("pixels of type %s, not numbers" % values.dtype)
    if values.ndim == 3 and values.shape[2] == 1:
        values = values[:, :, 0]
    if values.ndim == 2:
        grey, alpha = values, None
    elif values.ndim == 3 and values.shape[2] in (2, 3, 4):
        colour = values[:, :, :3] if values.shape[2] >= 3 else values[:, :, :1]
        grey = colour @ LUMA if colour.shape[2] == 3 else colour[:, :, 0]
        alpha = values[:, :, -1] if values.shape[2] in (2, 4) else None
    else:
        raise NotADigit("an array of shape %s, not a picture" % (values.shape,))
    if grey.size == 0:
        raise NotADigit("an empty picture")
    if not np.isfinite(grey).all():
        raise NotADigit("pixels that are not numbers")
    if alpha is not None and alpha.min() < 1.0:
        grey = _on_paper(grey, alpha)
    return np.clip(grey, 0.0, 1.0)


def _on_paper(grey, alpha):
    """The picture laid on paper where it is transparent. Mostly transparent, the transparency is
    the paper: white under dark ink, black under light ink. Mostly opaque, its transparent corners
    take the shade of the opaque part."""
    opaque = alpha >= 0.5
    if opaque.mean() < 0.5:
        drawn = grey[opaque].mean() if opaque.any() else 0.0
        paper = 1.0 if drawn < 0.5 else 0.0
    else:
        paper = np.median(grey[opaque])
    return alpha * grey + (1.0 - alpha) * paper


def ink_of(grey):
    """Ink 1 on paper 0, whichever way round the picture has them: the paper is the shade of its
    border (a digit fills the middle), the ink what differs from it most, the paper's grain cut."""
    border = np.concatenate([grey[0], grey[-1], grey[1:-1, 0], grey[1:-1, -1]])
    paper = np.median(border)
    ink = grey - paper if paper < 0.5 else paper - grey
    strongest = ink.max()
    if strongest < LEAST_CONTRAST:
        raise NotADigit("no digit in it: the picture is all one shade")
    ink = np.clip(ink / strongest, 0.0, 1.0)
    return np.where(ink >= NOISE, ink, 0.0)


# --- from ink to MNIST's 28x28 -------------------------------------------------------------------


def ink_to_mnist(ink):
    """Ink in [0, 1] (1: ink, 0: paper), [height, width], as MNIST's [28, 28, 1] float32."""
    ink = np.asarray(ink, np.float64)
    if not ink.any():
        raise NotADigit("nothing drawn")
    box = _trimmed(ink)
    box = _thicken_thin_strokes(_scaled(box, WORKING_SIZE / max(box.shape), only_down=True))
    digit = _scaled(box, BOX / max(box.shape))
    digit /= digit.max()  # as dark as MNIST's ink, whatever the pen was
    return _centred(digit)[:, :, None].astype(np.float32)


def _scaled(image, factor, only_down=False):
    """The image resized by factor (each side rounded, at least 1 pixel), grey levels kept."""
    if only_down and factor >= 1.0:
        return image
    height, width = (max(1, round(side * factor)) for side in image.shape)
    return _resampling(image.shape[0], height) @ image @ _resampling(image.shape[1], width).T


def _resampling(size, new_size):
    """[new_size, size]: each new pixel a weighted mean of the old ones under it, by a triangle as
    wide as a new pixel (at least an old one): averages when shrinking, interpolates when
    growing."""
    step = size / new_size
    centres = (np.arange(new_size) + 0.5) * step  # the new pixels' centres, in old pixels
    width = max(step, 1.0)
    weights = 1.0 - np.abs(np.arange(size)[None, :] + 0.5 - centres[:, None]) / width
    weights = np.clip(weights, 0.0, None)
    return weights / weights.sum(axis=1, keepdims=True)


def stroke_width(ink):
    """The strokes' width in pixels: 2 x area / perimeter of the ink above half (a long stroke of
    width w and length l has an area of w l and a perimeter of about 2 l)."""
    solid = np.pad(ink > 0.5, 1)
    perimeter = np.count_nonzero(np.diff(solid, axis=0)) + np.count_nonzero(np.diff(solid, axis=1))
    return 2.0 * np.count_nonzero(solid) / perimeter if perimeter else 0.0


def _thicken_thin_strokes(box):
    """The box with its strokes widened to MNIST's usual width when they are much thinner."""
    longer, width = max(box.shape), stroke_width(box)
    if width >= THIN_STROKE * longer:
        return box
    return _trimmed(_dilated(box, max(1, round((MNIST_STROKE * longer - width) / 2))))


def _dilated(image, radius):
    """Each pixel the greatest value within a square of `radius` around it, on a canvas grown by
    the radius on every side (where the widened strokes reach)."""
    grown = np.pad(image, radius)
    for axis in (0, 1):
        length = grown.shape[axis]
        padded = np.pad(grown, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)])
        windows = [
            np.take(padded, np.arange(k, k + length), axis=axis) for k in range(2 * radius + 1)
        ]
        grown = np.max(windows, axis=0)
    return grown


def _trimmed(image):
    """The image cut to the box around its ink."""
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    return image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _centred(digit):
    """The digit in a 28x28 field, moved by whole pixels so that its centre of mass falls on the
    pixel MNIST's fall on (row and column 14: 13.5 to 14.5 over the training set), and kept whole
    inside the field."""
    height, width = digit.shape
    total = digit.sum()
    mass_row = digit.sum(axis=1) @ np.arange(height) / total
    mass_col = digit.sum(axis=0) @ np.arange(width) / total
    top = int(np.clip(np.floor(SIZE / 2 - mass_row + 0.5), 0, SIZE - height))
    left = int(np.clip(np.floor(SIZE / 2 - mass_col + 0.5), 0, SIZE - width))
    field = np.zeros((SIZE, SIZE))
    field[top : top + height, left : left + width] = digit
    return field
