"""Where a size came from, when sess.run fails over a shape.

A graph can be valid and still fail once images flow through it: shape inference cannot check
what depends on the batch size, which is unknown (None) until sess.run is fed. A flatten that
asks for four images' worth of values per row, or a convolution whose padding makes 6x6 of what
the dense layer expects as 7x7, surfaces later, in the loss or in the reshape, with TensorFlow's
numbers and not their story. story() follows the failing operation's inputs back through the
graph to the learner's operations that changed the size of one image or the number of rows
(tf.reshape, tf.nn.conv2d's stride and padding, max-pool, tf.matmul with its operands swapped),
and tells what each made of one image, by the script's names, with the line that made it.

Everything said is read from the graph (the static shapes, the strides, the paddings) and from
what sess.run was fed: nothing is guessed. Where two fixes are equally possible, both are given.
A learner's page: docs/errors.md ("When the cause is earlier than the failure").
"""

import math

import tensorflow.compat.v1 as tf

from visu.explain import wording
from visu.explain.build_errors import weights_first
from visu.explain.learner import names_and, placeholders_behind, shape_dims, shape_text

_SPATIAL = ("Conv2D", "MaxPool", "AvgPool")
_PRODUCTS = ("MatMul", "BatchMatMulV2")


def story(op, error, learner, feed_dict):
    """The cause of a shape error of sess.run at the operation op, in the learner's names, or
    None when the message is not about sizes or nothing in the graph explains it."""
    message = str(getattr(error, "message", error))
    about_sizes = any(
        pattern.search(message)
        for pattern in (
            wording.LOGITS_AND_LABELS,
            wording.INCOMPATIBLE_SHAPES,
            wording.RESHAPE_VALUES,
            wording.MATRIX_SIZES,
        )
    )
    # a message reworded by a release of TensorFlow: what the graph shows is told all the same
    if not about_sizes and not isinstance(error, tf.errors.InvalidArgumentError):
        return None
    graph = _Graph(learner, feed_dict)
    for changer in graph.changers(op):
        if changer.type == "Reshape":
            text = graph.reshape_story(changer)
        else:
            text = graph.swapped_story(changer, op)
        if text:
            return "The cause: " + text
    text = graph.feeds_story(op) if about_sizes else None
    return "The cause: " + text if text else None


class _Graph:
    """The graph as the learner's script made it, and what sess.run was fed."""

    def __init__(self, learner, feed_dict):
        self.learner = learner
        self.feeds = {}
        for key, value in (feed_dict or {}).items():
            if isinstance(key, tf.Tensor):
                self.feeds[key.op.name] = (key, value)
        self._placeholders = {}

    # -- the graph --

    def placeholders(self, op):
        """The placeholders (by name) that op's value depends on."""
        if op.name not in self._placeholders:
            self._placeholders[op.name] = {p.name for p in placeholders_behind(op)}
        return self._placeholders[op.name]

    def is_data(self, tensor):
        return bool(self.placeholders(tensor.op))

    def changers(self, op):
        """The learner's operations on the data's way to op that changed the number of rows: a
        reshape whose rows are not one per image, or a matmul that puts the weights first. The
        nearest to op first."""
        found, seen, todo = [], set(), [op]
        while todo:
            current = todo.pop(0)
            if current.name in seen or wording.GRADIENTS_SCOPE.match(current.name):
                continue
            seen.add(current.name)
            if current.type in ("Reshape",) + _PRODUCTS and self.made_by_script(current):
                if self.rows_changed(current):
                    found.append(current)
            todo.extend(t.op for t in current.inputs if self.is_data(t))
        return found

    def made_by_script(self, op):
        """Whether the learner's own line made op (directly, or by a TensorFlow function it
        called), rather than a function of the project's (the digit mosaics)."""
        return self.learner.made_by_script(op)

    def rows_changed(self, op):
        if op.type == "Reshape":
            return self._reshape(op) is not None
        a, b = op.inputs[0], op.inputs[1]
        return not self.is_data(a) and self.is_data(b)

    def _reshape(self, op):
        """(values per image before, values per row after, fixed rows or None) for a reshape of
        the data that does not keep one row per image; None when it does, or is not known."""
        before, after = shape_dims(op.inputs[0].shape), shape_dims(op.outputs[0].shape)
        if not before or len(before) < 2 or not after or before[0] is not None:
            return None
        if None in before[1:]:
            return None
        per_image = math.prod(before[1:])
        if after[0] is not None:  # a fixed number of rows, whatever the number of images
            return per_image, None, after[0]
        if None in after[1:]:
            return None
        per_row = math.prod(after[1:])
        return None if per_row == per_image else (per_image, per_row, None)

    def images(self, op):
        """(the fed placeholder's name, what it was fed, how many rows) for the data op depends
        on: the fed value with the most dimensions (the images rather than pkeep)."""
        fed = []
        for name in self.placeholders(op):
            if name in self.feeds:
                key, value = self.feeds[name]
                dims = getattr(value, "shape", None)
                if dims is not None and len(dims) >= 1:
                    fed.append((len(dims), name, key, value, dims[0]))
        if not fed:
            return None
        _, name, key, value, rows = max(fed, key=lambda f: f[0])
        return self.learner.describe(key.op), self.learner.value_name(value), rows

    # -- the stories --

    def reshape_story(self, op):
        learner = self.learner
        per_image, per_row, fixed = self._reshape(op)
        source = op.inputs[0]
        source_name = learner.describe(source.op)
        name = _reshape_call(op, learner, source_name)
        dims = shape_dims(source.shape)
        sizes = " x ".join(str(d) for d in dims[1:])
        holds = "%s holds %s values per image" % (
            source_name,
            "%s = %d" % (sizes, per_image) if len(dims) > 2 else per_image,
        )
        fed = self.images(op)
        count = fed[2] if fed else None
        where = " (line %d)" % learner.line_number(op) if learner.line_number(op) else ""
        if fixed is not None:
            text = "%s%s makes %d rows whatever the number of images" % (name, where, fixed)
            if count and count != fixed:
                text += ": the %d images fed to %s become %d rows of %s values" % (
                    count,
                    fed[0],
                    fixed,
                    _number(count * per_image / fixed),
                )
            text += " (%s)." % holds
            return text + (
                " Put -1 first, for one row per image, as the steps do: tf.reshape(%s, [-1, %d])."
                % (source_name, per_image)
            )
        if per_row > per_image and per_row % per_image == 0:
            text = "%s%s packs %d images into each row: %s, and each row takes %d" % (
                name,
                where,
                per_row // per_image,
                holds,
                per_row,
            )
        elif per_row < per_image and per_image % per_row == 0:
            text = "%s%s cuts each image into %d rows: %s, and each row takes %d" % (
                name,
                where,
                per_image // per_row,
                holds,
                per_row,
            )
        else:
            text = "%s%s asks for rows of %d values, but %s" % (name, where, per_row, holds)
        if count:
            values = count * per_image
            if values % per_row:
                text += ": the %d images fed to %s are %d values, not a whole number of rows" % (
                    count,
                    fed[0],
                    values,
                )
            else:
                text += ", so the %d images fed to %s make %d rows, not %d" % (
                    count,
                    fed[0],
                    values // per_row,
                    count,
                )
        text += "."
        shaped = self.image_steps(source)
        if shaped:
            text += " One image, as the script's operations shape it: %s." % shaped
        return text + " " + self.reshape_fixes(op, source, source_name, per_image, per_row)

    def reshape_fixes(self, op, source, source_name, per_image, per_row):
        """Flatten each image whole (and the weights that take the rows to match), or make the
        image the size the reshape asks for, where a stride or a padding of the script does."""
        flatten = "flatten each image whole, tf.reshape(%s, [-1, %d])" % (source_name, per_image)
        weights = self.weights_after(op)
        if weights:
            w_name, w_dims = weights
            if w_dims[0] == per_row:
                flatten += ", and give %s %d rows (it has %d)" % (w_name, per_image, w_dims[0])
        other = self.what_if(source, per_row)
        if not other:
            return flatten[0].upper() + flatten[1:] + "."
        return "Two fixes: %s; or make %s hold %d values per image, as the reshape asks: %s." % (
            flatten,
            source_name,
            per_row,
            " or ".join(other),
        )

    def weights_after(self, op):
        """(name, shape) of the weights of the matmul that takes op's rows, if there is one."""
        for consumer in op.outputs[0].consumers():
            if consumer.type in _PRODUCTS and consumer.inputs[0] is op.outputs[0]:
                weights = consumer.inputs[1]
                dims = shape_dims(weights.shape)
                if dims and len(dims) == 2 and not self.is_data(weights):
                    return self.learner.describe(weights.op), dims
        return None

    def swapped_story(self, op, failing):
        """A matrix product of the script with the weights first: at `failing` itself, or
        earlier, its rows (the weights' own) are not one per image."""
        a, b = op.inputs[0], op.inputs[1]
        text = weights_first(a.op, b.op, None, self.learner)
        if not text:
            return None
        line = self.learner.line_number(op)
        text = text.replace(
            " has the weights", "%s has the weights" % (" (line %d)" % line if line else ""), 1
        )
        rows = (shape_dims(a.shape) or [None])[0]
        if op is failing or rows is None:
            return text
        return text.replace(
            " A dense layer",
            " Weights first, the product has %d rows whatever the number of images. A dense layer"
            % rows,
            1,
        )

    def feeds_story(self, op):
        """Two sides of op fed different numbers of rows (the test images with the training
        labels), when no operation of the script changed them."""
        sides = []
        for tensor in op.inputs:
            if self.is_data(tensor):
                fed = self.images(tensor.op)
                if fed and fed[2] is not None:
                    sides.append(fed)
        sizes = {fed[2] for fed in sides}
        if len(sizes) < 2:
            return None
        told = names_and(
            ["%s is fed %d rows%s" % (p, rows, " (%s)" % v if v else "") for p, v, rows in sides]
        )
        return (
            "no operation of the script changed the number of rows: %s, and each row of one "
            "must meet a row of the other. Feed them together, from the same batch." % told
        )

    # -- one image's way --

    def image_steps(self, tensor):
        """What each convolution and pooling of the script made of one image on the way to
        tensor: "X 28x28x1, then Y1 28x28x4 (line 57: conv 5x5, stride 1, SAME), ..."."""
        steps = self._spatial_steps(tensor)
        if not steps:
            return ""
        first = shape_dims(steps[0][0].inputs[0].shape)
        start = steps[0][2]
        told = ["%s %s" % (start, _image(first))]
        for op, label, _ in steps:
            line = self.learner.line_number(op)
            what = _what(op) + (", line %d" % line if line else "")
            told.append("%s %s (%s)" % (label, _image(shape_dims(op.outputs[0].shape)), what))
        return ", then ".join(told)

    def _spatial_steps(self, tensor):
        """[(op, the script's name for its result, the name of what it took)], from the image."""
        steps, label, current = [], self.learner.name(tensor.op), tensor
        while current is not None and current.op.type != "Placeholder":
            op = current.op
            label = self.learner.name(op) or label
            data = [t for t in op.inputs if self.is_data(t)]
            if op.type in _SPATIAL and self.made_by_script(op) and data and data[0] is op.inputs[0]:
                steps.append([op, label or self.learner.describe(op), None])
            current = data[0] if data else None
        steps.reverse()
        for step in steps:
            step[2] = self.learner.describe(step[0].inputs[0].op)
        return steps

    def what_if(self, tensor, wanted):
        """The one changes of a stride or a padding of the script that would make one image of
        tensor hold `wanted` values: ['padding="SAME" at line 61', ...]."""
        steps = self._spatial_steps(tensor)
        dims = shape_dims(tensor.shape)
        if not steps or not dims or len(dims) != 4 or None in dims[1:]:
            return []
        first = shape_dims(steps[0][0].inputs[0].shape)
        plan = [_geometry(op) for op, _, _ in steps]
        if None in plan or not first or None in first[1:3]:
            return []
        if _through(first[1:3], plan) != dims[1:3]:  # not the graph's own sizes: say nothing
            return []
        found = {}  # the change: the lines where it would do
        for index, (op, _, _) in enumerate(steps):
            size, stride, padding = plan[index]
            line = self.learner.line_number(op)
            for change, text in (
                ((size, stride, "SAME" if padding == "VALID" else "VALID"), None),
                ((size, 1, padding), "strides=[1, 1, 1, 1]"),
                ((size, 2, padding), "strides=[1, 2, 2, 1]"),
            ):
                if change == plan[index]:
                    continue
                other = plan[:index] + [change] + plan[index + 1 :]
                height, width = _through(first[1:3], other)
                if height * width * dims[3] == wanted:
                    found.setdefault(text or 'padding="%s"' % change[2], []).append(line)
        return [
            "%s at line %s" % (change, " or ".join(map(str, dict.fromkeys(lines))))
            if None not in lines
            else change
            for change, lines in found.items()
        ]


def _reshape_call(op, learner, source_name):
    """The reshape as the script wrote it, with its numbers: YY = tf.reshape(Y3, [-1, 2352])."""
    asked = None
    if op.inputs[1].op.type == "Const":
        asked = tf.make_ndarray(op.inputs[1].op.get_attr("value")).reshape(-1).tolist()
    if asked is None:
        dims = shape_dims(op.outputs[0].shape) or []
        asked = [-1 if d is None else d for d in dims]
    call = "tf.reshape(%s, [%s])" % (source_name, ", ".join(str(d) for d in asked))
    name = learner.name(op)
    return "%s = %s" % (name, call) if name else call


def _geometry(op):
    """(patch (height, width), stride, padding) of a convolution or pooling, None if it is not
    one this can follow (another data format, dilations, explicit padding)."""
    try:
        if op.get_attr("data_format") not in (b"NHWC", "NHWC"):
            return None
        strides = list(op.get_attr("strides"))
        padding = op.get_attr("padding")
        padding = padding.decode() if isinstance(padding, bytes) else padding
        if op.type == "Conv2D":
            if any(d != 1 for d in op.get_attr("dilations")):
                return None
            patch = shape_dims(op.inputs[1].shape)[:2]
        else:
            patch = list(op.get_attr("ksize"))[1:3]
    except (ValueError, TypeError):
        return None
    if padding not in ("SAME", "VALID") or strides[1] != strides[2] or None in patch:
        return None
    return tuple(patch), strides[1], padding


def _through(size, plan):
    """An image's (height, width) through the convolutions and poolings of plan."""
    height, width = size
    for (patch_h, patch_w), stride, padding in plan:
        if padding == "SAME":
            height, width = -(-height // stride), -(-width // stride)
        else:
            height = max(0, (height - patch_h) // stride + 1)
            width = max(0, (width - patch_w) // stride + 1)
    return [height, width]


def _what(op):
    geometry = _geometry(op)
    kind = {"Conv2D": "conv", "MaxPool": "max-pool", "AvgPool": "average-pool"}[op.type]
    if geometry is None:
        return kind
    (height, width), stride, padding = geometry
    return "%s %dx%d, stride %d, %s" % (kind, height, width, stride, padding)


def _image(dims):
    if not dims or None in dims[1:]:
        return shape_text(dims)
    return "x".join(str(d) for d in dims[1:])


def _number(value):
    return "%d" % value if value == int(value) else "%.1f" % value
