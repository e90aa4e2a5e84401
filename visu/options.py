"""The run options every step shares (--help lists them), parsed once into a RunOptions that
nothing changes afterwards; and where the script runs: a terminal or a Jupyter kernel, whose own
arguments are never read as the script's. A learner's page: docs/running.md ("Run options").
"""

import argparse
import dataclasses
import pathlib
import sys
import tempfile
from typing import List, Optional

from visu import reference
from visu.option_names import TF_LOG_OPTION, TF_LOG_VARIABLE, TRACEBACK_OPTION, jupyter_shell
from visu.shell import pasteable
from visu.show import graphs
from visu.trained import checkpoint


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """One run's options, as parse() read them, with every field's default (what a step run
    without options gets). The parser gives only the options on the command line; the defaults
    are these."""

    script: pathlib.Path = pathlib.Path("mnist.py")  # the step: names the PNG, the movie, the log
    iterations: Optional[int] = None  # --iterations N; the step's own count where not given
    seed: int = 0  # --seed S
    graphs: List[str] = dataclasses.field(default_factory=lambda: list(graphs.SIX))  # --graphs
    no_window: bool = False  # --no-window
    save_movie: bool = False  # --save-movie
    logdir: Optional[pathlib.Path] = None  # --logdir DIR, created and writable
    try_files: List[str] = dataclasses.field(default_factory=list)  # --try FILE ...
    save: Optional[pathlib.Path] = None  # --save DIR
    restore: Optional[pathlib.Path] = None  # --restore DIR, holding a checkpoint
    traceback: bool = False  # --traceback
    tf_log: bool = False  # --tf-log
    against: Optional[reference.Curves] = None  # --against STEP: the reference run's curves


def parse(script, iterations, arguments):
    """The options of a run of `script` from its arguments, once; `iterations` is the step's own
    count (--iterations)."""
    given = build_parser(script, iterations).parse_args(arguments)
    return RunOptions(script=script, **{"iterations": iterations, **vars(given)})


def build_parser(script, iterations):
    """The parser of a step's options; `iterations` is the step's own count (--iterations). It
    returns only the options given: RunOptions has the defaults."""
    parser = argparse.ArgumentParser(
        prog=script.name,
        argument_default=argparse.SUPPRESS,
        description="Trains this step's network on MNIST while six live graphs show how it learns.",
        epilog=graphs.keys_help(),  # from the table of the graphs, as everything about them
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--iterations",
        type=_count,
        metavar="N",
        help="train for N iterations (this step: %s)" % iterations,
    )
    parser.add_argument(
        "--seed",
        type=_whole_number,
        metavar="S",
        help="seed of the initial weights and of the batches' order (default: 0)",
    )
    parser.add_argument(
        "--graphs",
        type=_graph_choice,
        metavar="G",
        help="the graphs to show, as the keys choose them: 3 (graph 3 alone), 7 "
        "(graphs 1 and 2), 0 (all six, the default), W (what the network learned), or "
        "their keys with commas, like 1,2,6",
    )
    parser.add_argument(
        "--no-window", action="store_true", help="no live graphs: the final six are saved as a PNG"
    )
    parser.add_argument(
        "--save-movie",
        action="store_true",
        help="also save the graphs as a movie: MP4 with ffmpeg, else an animated GIF",
    )
    parser.add_argument(
        "--logdir",
        type=usable_logdir,  # an unwritable folder stops the script here, before any training
        metavar="DIR",
        help="also log the run for TensorBoard, in DIR/<step>_seed<S> (a repeat of the same step "
        "and seed gets its own folder: _run2, _run3, ...); tensorboard --logdir DIR shows them all",
    )
    parser.add_argument(
        "--try",
        dest="try_files",
        nargs="+",
        metavar="FILE",
        help="after training (or --restore), classify these images of digits: PNG or JPEG, any "
        "size, dark on light or light on dark; one line each",
    )
    parser.add_argument(
        "--save",
        type=checkpoint.usable_save_folder,  # a folder that cannot take it stops the script now
        metavar="DIR",
        help="keep the trained network in DIR (tf.train.Saver), to --restore it later",
    )
    parser.add_argument(
        "--restore",
        type=checkpoint.usable_restore_folder,
        metavar="DIR",
        help="load the network this step saved in DIR with --save, instead of training it",
    )
    parser.add_argument(
        TRACEBACK_OPTION,
        action="store_true",
        help="when the network cannot be built, fed or run: TensorFlow's own error and "
        "traceback, instead of one paragraph in the workshop's words; for Python's own errors, "
        "the traceback's frames inside TensorFlow and the workshop's modules too",
    )
    parser.add_argument(
        TF_LOG_OPTION,
        action="store_true",
        help="show TensorFlow's own start-up messages (its C++ log), which are otherwise kept "
        "away; the environment variable %s=1 does the same" % TF_LOG_VARIABLE,
    )
    parser.add_argument(
        "--against",
        type=reference.against,  # a wrong STEP stops the script here, before any training
        metavar="STEP",
        help="also draw a reference run's curves, faint, behind this run's on graphs 1 and 2: a "
        "step's (2.0, or its script's name), or a run folder that --logdir wrote; the last line "
        "compares the max test accuracies",
    )
    return parser


def script_arguments():
    """sys.argv[1:], unless they are a Jupyter kernel's own: its connection file, left in place
    when a cell runs a step with runpy or exec (%run replaces them with the script's)."""
    arguments = sys.argv[1:]
    if jupyter_shell() is not None:
        from ipykernel.connect import get_connection_file  # imported already in a kernel

        connection_file = pathlib.Path(get_connection_file()).name
        if any(connection_file in argument for argument in arguments):
            return []
    return arguments


def _whole_number(text):
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError("expected a whole number of 0 or more, got %r" % text)
    return int(text)


def _count(text):
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of 1 or more, got %r" % text)
    return int(text)


def _graph_choice(text):
    """A key of the window (3, 7, 0, W), or graphs' keys separated by commas: their names."""
    chosen = graphs.choice(text)
    if chosen is None:
        raise argparse.ArgumentTypeError(
            "expected a key of the window (3, or 7 for graphs 1 and 2, 0 for all six, W for what "
            "the network learned) or graphs' keys separated by commas (1,2,6), got %r" % text
        )
    return chosen


def usable_logdir(text):
    """--logdir's folder, created if missing, once a file could be written in it.

    Anything else stops the script at once, before the data is loaded, with one line saying why.
    (Writing is tried rather than os.access asked: as root, os.access says yes to read-only places.)
    """
    folder = pathlib.Path(text).expanduser().absolute()
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(20, "it is a file, not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise SystemExit(logdir_error(text, error)) from None
    return folder


def logdir_error(text, error):
    return (
        "--logdir %s: cannot write TensorBoard logs there (%s). Give a folder you can write to; "
        "it is created if missing." % (pasteable(text), error.strerror or error)
    )
