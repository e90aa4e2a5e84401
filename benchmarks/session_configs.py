"""The same step under different TensorFlow session settings: threads, XLA, oneDNN.

    python benchmarks/session_configs.py [--iterations 2000] [--step mnist_3.1_...py]

Each variant runs the step in a fresh process, headless: the step itself under an environment
variable, or the step run by step_in_process with its tf.Session() given another ConfigProto.
Prints the seconds from the first progress line to "max test accuracy".
"""

import argparse
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # from any folder
from benchmarks.harness import ROOT, run_step, seconds_training  # noqa: E402


def threads(intra, inter):
    def config(tf):
        return tf.ConfigProto(
            intra_op_parallelism_threads=intra, inter_op_parallelism_threads=inter
        )

    return config


def xla_on_1(tf):
    config = tf.ConfigProto()
    config.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.ON_1
    return config


# name, the ConfigProto (from tf.compat.v1; None: a plain tf.Session()), extra environment
VARIANTS = [
    ("tf.Session() as the scripts have it", None, {}),
    ("2 intra-op threads, 1 inter-op", threads(2, 1), {}),
    ("1 intra-op thread, 2 inter-op", threads(1, 2), {}),
    ("XLA: global_jit_level ON_1 in the ConfigProto", xla_on_1, {}),
    (
        "XLA: TF_XLA_FLAGS=--tf_xla_auto_jit=2 --tf_xla_cpu_global_jit",
        None,
        {"TF_XLA_FLAGS": "--tf_xla_auto_jit=2 --tf_xla_cpu_global_jit"},
    ),
    ("oneDNN off: TF_ENABLE_ONEDNN_OPTS=0", None, {"TF_ENABLE_ONEDNN_OPTS": "0"}),
]


def run_variant(step, iterations, variant):
    """In the child process: the step, trained with its Session configured as the variant says."""
    import tensorflow.compat.v1 as tf

    config = VARIANTS[variant][1](tf)
    run_step(
        step, "--iterations", str(iterations), animate="train", session_config=config, quiet=False
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--step", default="mnist_3.1_convolutional_bigger_dropout.py")
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--variant", type=int, help=argparse.SUPPRESS)  # in the child process
    args = parser.parse_args()
    if args.variant is not None:
        return run_variant(args.step, args.iterations, args.variant)
    for variant, (name, config, extra_env) in enumerate(VARIANTS):
        command = [sys.executable, str(ROOT / args.step), "--no-window"]
        if config:
            command = [sys.executable, __file__, "--step", args.step, "--variant", str(variant)]
        command += ["--iterations", str(args.iterations)]
        env = dict(os.environ, **extra_env)
        print("%-64s %6.1f s" % (name, seconds_training(command, env)), flush=True)


if __name__ == "__main__":
    main()
