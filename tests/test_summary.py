"""The network described at the start of a run: for every step, its counts are the graph's own.

Each step is run in this process (benchmarks/harness.py: its graph built, nothing
trained); what it printed is read back as a table and compared with the graph it built: the
parameters of each layer and in all against the trainable variables, each layer's name and
output shape against the step's drawing, and the variables by the script's own names.
"""

import re

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from test_drawings import TENSOR, drawing_lines

from benchmarks.harness import run_step
from conftest import ROOT
from visu import steps, summary

STEPS = steps.files()
ROW = re.compile(
    r"^  (?P<layer>\S+)\s+(?P<what>.+?)\s{2,}(?P<shape>\[.*?\])\s+(?P<vars>.+?)\s+"
    r"(?P<count>[\d,]+)$"
)
TOTAL = re.compile(r"^  total: (\d+) layers?, (\d+) trainable variables, ([\d,]+) parameters$")


def printed_summary(text):
    """(rows, (layers, variables, parameters)) of the summary a run printed."""
    lines = text[text.index("The network, as this script built it") :].splitlines()
    rows = [ROW.match(line) for line in lines[2:]]
    rows = rows[: rows.index(None)] if None in rows else rows
    total = next(TOTAL.match(line) for line in lines if TOTAL.match(line))
    return rows, tuple(int(n.replace(",", "")) for n in total.groups())


def number(text):
    return int(text.replace(",", ""))


@pytest.mark.parametrize("step", STEPS)
def test_the_summary_counts_every_trainable_variable_and_names_the_drawings_layers(
    step, mnist_dir, capsys
):
    namespace = run_step(step, "--iterations", "1", quiet=False)
    rows, (layers, variables, parameters) = printed_summary(capsys.readouterr().out)
    with namespace["sess"].graph.as_default():
        trainable = tf.trainable_variables()
    sizes = {v.name: int(np.prod(v.shape.as_list())) for v in trainable}
    assert parameters == sum(sizes.values()) > 0
    assert variables == len(trainable) and layers == len(rows)
    assert sum(number(row["count"]) for row in rows) == parameters
    # every variable named by the script, in exactly one layer, counted there
    by_name = {
        name: value for name, value in namespace.items() if any(value is v for v in trainable)
    }
    listed = [v.split(" [")[0] for row in rows for v in row["vars"].split("], ")]
    assert sorted(listed) == sorted(by_name)
    for row in rows:
        names = [v.split(" [")[0] for v in row["vars"].split("], ")]
        assert number(row["count"]) == sum(sizes[by_name[name].name] for name in names)
    # the layers are the drawing's tensors, with the drawing's shapes
    drawn = {}
    for line in drawing_lines((ROOT / step).read_text(encoding="utf-8")):
        tensor = TENSOR.match(line)
        if tensor:
            drawn[tensor["name"]] = "[%s]" % tensor["dims"]
    assert [(row["layer"], row["shape"]) for row in rows] == [
        (row["layer"], drawn.get(row["layer"])) for row in rows
    ]
    assert rows[-1]["layer"] == "Y" and rows[-1]["what"].endswith("softmax")


def test_step_3_1_says_its_total_in_its_header(mnist_dir):
    step = "mnist_3.1_convolutional_bigger_dropout.py"
    namespace = run_step(step, "--iterations", "1")
    text = summary.network_summary(namespace["sess"].graph, namespace)
    total = re.search(r"([\d,]+) parameters$", text).group(1)
    header = (ROOT / step).read_text(encoding="utf-8").split('"""')[1]
    assert "%s parameters" % total in header


def test_a_layer_without_activation_ends_where_the_next_layer_starts():
    graph = tf.Graph()
    with graph.as_default():
        X = tf.placeholder(tf.float32, [None, 784])
        W1 = tf.Variable(tf.zeros([784, 50]))
        B1 = tf.Variable(tf.zeros([50]))
        W2 = tf.Variable(tf.zeros([50, 10]))
        Y1 = tf.matmul(X, W1) + B1  # no activation: a linear layer
        Y = tf.nn.softmax(tf.matmul(Y1, W2))
    text = summary.network_summary(graph, dict(X=X, W1=W1, B1=B1, W2=W2, Y1=Y1, Y=Y))
    rows, total = printed_summary(text)
    assert [(r["layer"], r["what"], r["vars"], r["count"]) for r in rows] == [
        ("Y1", "dense", "W1 [784, 50], B1 [50]", "39,250"),
        ("Y", "dense, softmax", "W2 [50, 10]", "500"),
    ]
    assert total == (2, 3, 39750)


def test_no_summary_for_a_graph_without_trainable_variables():
    assert summary.network_summary(tf.Graph(), {}) == ""
