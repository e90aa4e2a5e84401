"""Where a step's time goes: each kind of session run and figure computation, timed alone.

    python benchmarks/where_time_goes.py [mnist_3.1_convolutional_bigger_dropout.py]

Builds the step in this process (headless, nothing trained by its own animate()), then times
these after 300 training iterations. Prints milliseconds per call, best of several.
"""

import argparse
import functools
import pathlib
import time

from step_in_process import run_step  # this folder is on sys.path when run as a script


def best_ms(call, repeat=10):
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def python_loop_bands(values, buckets=7):
    """For comparison: the band boundaries by a Python loop over every value, as the original."""
    ordered, bounds = sorted(values.tolist()), []
    for k, value in enumerate(ordered):
        if k >= len(bounds) * len(ordered) / buckets:
            bounds.append(value)
    return bounds + [ordered[-1]]


# what graphs 4 and 5 show, in that order: each step defines two of these
SPREADS = (
    "allweights",
    "allbiases",
    "conv_activations",
    "activations12",
    "dense_activations",
    "activations34",
)


def timings(g):
    """Rows of (what, milliseconds per call) for the step whose namespace is g."""
    from visu.record import percentile_bands

    training_step, sess, mnist = g["training_step"], g["sess"], g["mnist"]
    X, Y_ = g["X"], g["Y_"]
    measuring = {g[name]: value for name, value in (("pkeep", 1.0), ("testing", True)) if name in g}
    for i in range(300):
        training_step(i, False, False)
    test = {**measuring, X: mnist.test.images, Y_: mnist.test.labels}
    measures = [g["accuracy"], g["cross_entropy"]]

    def chunked(chunk):
        for start in range(0, 10000, chunk):
            images = mnist.test.images[start : start + chunk]
            labels = mnist.test.labels[start : start + chunk]
            sess.run(measures, {**measuring, X: images, Y_: labels})

    batch_X, batch_Y = mnist.train.next_batch(100)
    train = {**measuring, X: batch_X, Y_: batch_Y}
    train.update({g[n]: value for n, value in (("step", 300.0), ("testing", False)) if n in g})
    spreads = [g[name] for name in SPREADS if name in g]
    values4, values5 = sess.run(spreads, train)
    return [
        (
            "a training step (next_batch and backpropagation on 100 images)",
            best_ms(lambda: training_step(300, False, False), 100),
        ),
        (
            "test pass: accuracy and loss on the 10000 test images, one run",
            best_ms(lambda: sess.run(measures, test)),
        ),
        (
            "test pass with the test digits' mosaic (graph 6)",
            best_ms(lambda: sess.run(measures + [g["It"]], test)),
        ),
        *[
            ("test pass in runs of %d images" % chunk, best_ms(functools.partial(chunked, chunk)))
            for chunk in (1000, 2000, 5000)
        ],
        (
            "training figures: accuracy and loss of the batch",
            best_ms(lambda: sess.run(measures, train), 50),
        ),
        (
            "... with the training digits' mosaic and graphs 4-5's values",
            best_ms(lambda: sess.run(measures + [g["I"]] + spreads, train), 50),
        ),
        (
            "bands of graphs 4 and 5 by numpy.quantile (%d + %d values)"
            % (values4.size, values5.size),
            best_ms(lambda: [percentile_bands(v) for v in (values4, values5)]),
        ),
        (
            "the same bands by a Python loop over every value",
            best_ms(lambda: [python_loop_bands(v.ravel()) for v in (values4, values5)], 3),
        ),
    ]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", nargs="?", default="mnist_3.1_convolutional_bigger_dropout.py")
    step = run_step(pathlib.Path(parser.parse_args().step).name)
    for label, ms in timings(step):
        print("%-72s %8.2f ms" % (label, ms), flush=True)


if __name__ == "__main__":
    main()
