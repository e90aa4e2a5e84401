"""The run options every step shares (--help lists them), and where the script runs: a terminal
or a Jupyter kernel, whose own arguments are never read as the script's."""

import argparse
import pathlib
import sys
import tempfile

from visu import checkpoint, reference
from visu.shell import pasteable

KEYS_HELP = """keys in the window:
  1 ... 6    that graph alone          7   graphs 1 and 2 (accuracy, loss)
  8          graphs 4 and 5 (spreads)  9   graphs 3 and 6 (digits)
  0 or Esc   all six graphs            Space  pause / resume the display
  O          box zoom (then the mouse) H   reset all zooms
  Ctrl-S     save the current image
  D          draw a digit for the network to read (once training is done, or paused)
If training is slow (a small VM), show fewer graphs (--graphs 3), or run with --no-window."""

# The graphs each layout key shows (0-based); --graphs takes the same keys.
LAYOUT_KEYS = {
    "1": [0],
    "2": [1],
    "3": [2],
    "4": [3],
    "5": [4],
    "6": [5],
    "7": [0, 1],
    "8": [3, 4],
    "9": [2, 5],
    "0": list(range(6)),
    "escape": list(range(6)),
}
ALL_GRAPHS = LAYOUT_KEYS["0"]

TRACEBACK_OPTION = "--traceback"  # TensorFlow's own traceback (visu/errors.py)
TF_LOG_OPTION, TF_LOG_VARIABLE = "--tf-log", "TF_LOG"  # its start-up log (visu/startup.py)


def build_parser(script, iterations):
    """The parser of a step's options; `iterations` is the step's own count (--iterations)."""
    parser = argparse.ArgumentParser(
        prog=script.name,
        description="Trains this step's network on MNIST while six live graphs show how it learns.",
        epilog=KEYS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--iterations",
        type=_count,
        default=iterations,
        metavar="N",
        help="train for N iterations (this step: %s)" % iterations,
    )
    parser.add_argument(
        "--seed",
        type=_whole_number,
        default=0,
        metavar="S",
        help="seed of the initial weights and of the batches' order (default: 0)",
    )
    parser.add_argument(
        "--graphs",
        type=_graph_choice,
        default=ALL_GRAPHS,
        metavar="G",
        help="the graphs to show, as the keys choose them: 3 (graph 3 alone), 7 "
        "(graphs 1 and 2), 0 (all six, the default), or graph numbers with "
        "commas, like 1,2,6",
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
        default=[],
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


def jupyter_shell():
    """The shell of the Jupyter kernel running this (Notebook, Lab, VS Code, Colab), or None."""
    ipython = sys.modules.get("IPython")  # only imported when running inside IPython
    shell = ipython.get_ipython() if ipython else None
    return shell if getattr(shell, "kernel", None) is not None else None


def _whole_number(text):
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError("expected a whole number of 0 or more, got %r" % text)
    return int(text)


def _count(text):
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of 1 or more, got %r" % text)
    return int(text)


def _graph_choice(text):
    """A layout key (0-9), or graph numbers 1-6 separated by commas: the 0-based graphs to show."""
    if text.strip() in LAYOUT_KEYS:
        return LAYOUT_KEYS[text.strip()]
    numbers = text.replace(" ", "").split(",")
    if not all(n in "123456" and len(n) == 1 for n in numbers) or len(set(numbers)) < len(numbers):
        raise argparse.ArgumentTypeError(
            "expected a key of the window (3, or 7 for graphs 1 and 2, 0 for all six) or graph "
            "numbers 1 to 6 separated by commas (1,2,6), got %r" % text
        )
    return sorted(int(n) - 1 for n in numbers)


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
