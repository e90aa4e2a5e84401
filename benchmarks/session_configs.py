"""The same step under different TensorFlow session settings: threads, XLA, oneDNN.

    python benchmarks/session_configs.py [--iterations 2000] [--step mnist_3.1_convolutional_bigger_dropout.py]

Each variant is a copy of the step (in a temporary folder) whose `sess = tf.Session()` line is
replaced, or the step itself under an environment variable. Prints the seconds from the first
progress line to "max test accuracy", headless.
"""

import argparse
import os
import pathlib
import sys
import tempfile

from figure_overhead import seconds_training  # this folder is on sys.path when run as a script

ROOT = pathlib.Path(__file__).resolve().parent.parent
XLA_ON_1 = (
    "config = tf.ConfigProto()\n"
    "config.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.ON_1\n"
    "sess = tf.Session(config=config)"
)
VARIANTS = [  # name, replacement of the Session line, extra environment
    ("tf.Session() as the scripts have it", None, {}),
    (
        "2 intra-op threads, 1 inter-op",
        "sess = tf.Session(config=tf.ConfigProto("
        "intra_op_parallelism_threads=2, inter_op_parallelism_threads=1))",
        {},
    ),
    (
        "1 intra-op thread, 2 inter-op",
        "sess = tf.Session(config=tf.ConfigProto("
        "intra_op_parallelism_threads=1, inter_op_parallelism_threads=2))",
        {},
    ),
    ("XLA: global_jit_level ON_1 in the ConfigProto", XLA_ON_1, {}),
    (
        "XLA: TF_XLA_FLAGS=--tf_xla_auto_jit=2 --tf_xla_cpu_global_jit",
        None,
        {"TF_XLA_FLAGS": "--tf_xla_auto_jit=2 --tf_xla_cpu_global_jit"},
    ),
    ("oneDNN off: TF_ENABLE_ONEDNN_OPTS=0", None, {"TF_ENABLE_ONEDNN_OPTS": "0"}),
]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--step", default="mnist_3.1_convolutional_bigger_dropout.py")
    parser.add_argument("--iterations", type=int, default=2000)
    args = parser.parse_args()
    source = (ROOT / args.step).read_text()
    with tempfile.TemporaryDirectory() as folder:
        for name, session_line, extra_env in VARIANTS:
            script = ROOT / args.step
            if session_line:
                script = pathlib.Path(folder) / args.step
                script.write_text(source.replace("sess = tf.Session()", session_line))
            env = dict(os.environ, PYTHONPATH=str(ROOT), **extra_env)
            command = [
                sys.executable,
                str(script),
                "--no-window",
                "--iterations",
                str(args.iterations),
            ]
            print("%-64s %6.1f s" % (name, seconds_training(command, env, folder)), flush=True)


if __name__ == "__main__":
    main()
