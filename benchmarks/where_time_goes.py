"""Where a step's time goes: each kind of session run and figure computation, timed alone.

    python benchmarks/where_time_goes.py [mnist_3.1_convolutional_bigger_dropout.py]

Runs the step in this process (headless) with animate() replaced by these timings, after 300
training iterations. Prints milliseconds per call, best of several.
"""

import argparse
import pathlib
import sys
import time

from figure_overhead import (
    run_in_process,
)  # this folder is on sys.path when run as a script; it adds the root

import tensorflowvisu


def best_ms(call, repeat=10):
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def python_loop_bands(values, buckets=7):
    """For comparison: the band boundaries by a Python loop over every value, as the original did."""
    ordered, bounds = sorted(values.tolist()), []
    for k, value in enumerate(ordered):
        if k >= len(bounds) * len(ordered) / buckets:
            bounds.append(value)
    return bounds + [ordered[-1]]


def timings(self, compute_step, iterations, *args, **kwargs):
    g = compute_step.__globals__  # the step script's variables
    sess, X, Y_, mnist = g["sess"], g["X"], g["Y_"], g["mnist"]
    measuring = {g[name]: value for name, value in (("pkeep", 1.0), ("testing", True)) if name in g}
    for i in range(300):
        compute_step(i, False, False)
    test = {**measuring, X: mnist.test.images, Y_: mnist.test.labels}
    measures = [g["accuracy"], g["cross_entropy"]]
    rows = [
        (
            "a training step (next_batch and backpropagation on 100 images)",
            best_ms(lambda: compute_step(300, False, False), 100),
        ),
        (
            "test pass: accuracy and loss on the 10000 test images, one run",
            best_ms(lambda: sess.run(measures, test)),
        ),
        (
            "test pass with the test digits' mosaic (graph 6)",
            best_ms(lambda: sess.run(measures + [g["It"]], test)),
        ),
    ]
    for chunk in (1000, 2000, 5000):

        def chunked():
            for start in range(0, 10000, chunk):
                sess.run(
                    measures,
                    {
                        **measuring,
                        X: mnist.test.images[start : start + chunk],
                        Y_: mnist.test.labels[start : start + chunk],
                    },
                )

        rows.append(("test pass in runs of %d images" % chunk, best_ms(chunked)))
    batch_X, batch_Y = mnist.train.next_batch(100)
    train = {**measuring, X: batch_X, Y_: batch_Y}
    train.update(
        {g[name]: value for name, value in (("step", 300.0), ("testing", False)) if name in g}
    )
    spreads = [
        g[name]
        for name in (
            "allweights",
            "allbiases",
            "conv_activations",
            "activations12",
            "dense_activations",
            "activations34",
        )
        if name in g
    ]
    rows.append(
        (
            "training figures: accuracy and loss of the batch",
            best_ms(lambda: sess.run(measures, train), 50),
        )
    )
    rows.append(
        (
            "... with the training digits' mosaic and graphs 4-5's values",
            best_ms(lambda: sess.run(measures + [g["I"]] + spreads, train), 50),
        )
    )
    values4, values5 = sess.run(spreads, train)
    rows.append(
        (
            "bands of graphs 4 and 5 by numpy.quantile (%d + %d values)"
            % (values4.size, values5.size),
            best_ms(
                lambda: (
                    tensorflowvisu.percentile_bands(values4),
                    tensorflowvisu.percentile_bands(values5),
                )
            ),
        )
    )
    rows.append(
        (
            "the same bands by a Python loop over every value",
            best_ms(
                lambda: (python_loop_bands(values4.ravel()), python_loop_bands(values5.ravel())), 3
            ),
        )
    )
    for label, ms in rows:
        print("%-72s %8.2f ms" % (label, ms), file=sys.__stdout__)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", nargs="?", default="mnist_3.1_convolutional_bigger_dropout.py")
    run_in_process(pathlib.Path(parser.parse_args().step).name, timings)


if __name__ == "__main__":
    main()
