"""A trained network kept in a folder (--save DIR) and loaded back instead of training (--restore).

The variables are saved by TensorFlow 1's own tf.train.Saver. Beside them, network.json says
which step saved them, each variable's name and shape, and how far the training went; graphs.npz
keeps what the graphs showed at the end, so that a restored network shows its curves again.
A checkpoint restores into any script whose network has the same variables, by name and shape,
whatever the script is called: a learner's copy of step 3.0 restores step 3.0's. Otherwise it is
refused in one line naming the first variable that differs, before TensorFlow would fail on it.

A save is whole or nothing: it is written into a new folder beside DIR, which then takes DIR's
place. DIR must be new, empty, or a checkpoint an earlier --save made: never a folder of other
files, which a save would replace.

TensorFlow is imported only to save or restore: the options (options.py) check the folders with
this module, and check_setup.py reads the options before it knows whether TensorFlow imports.
A learner's page: docs/your-digits.md ("Keep the trained network").
"""

import json
import os
import pathlib
import shutil
import tempfile

import numpy as np

from visu.shell import pasteable

VARIABLES = "network"  # the Saver's prefix: network.index, network.data-00000-of-00001
ABOUT = "network.json"
GRAPHS = "graphs.npz"
FORMAT = 1


class RefusedCheckpoint(Exception):
    """A checkpoint that cannot be restored here; the message is the one line that says why."""


# --- the options' folders, checked before anything is trained ------------------------------------


def usable_save_folder(text):
    """--save's folder, once it is clear a save can go there; anything else stops the script at
    once, with one line saying why."""
    folder = pathlib.Path(text).expanduser()
    shown = pasteable(text)  # as given, quoted where a shell needs it
    try:
        if folder.exists():
            if not folder.is_dir():
                raise SystemExit("--save %s: it is a file, not a folder. Give a folder." % shown)
            if any(folder.iterdir()) and not (folder / ABOUT).exists():
                raise SystemExit(
                    "--save %s: this folder holds other files, which a save would replace. Give "
                    "a new folder, or one an earlier --save made." % shown
                )
        else:
            folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder.parent):  # the save is made beside the folder
            pass
    except OSError as error:
        raise SystemExit(
            "--save %s: cannot write there (%s). Give a folder you can write to; it is created "
            "if missing." % (shown, error.strerror or error)
        ) from None
    return folder


def usable_restore_folder(text):
    """--restore's folder, once it holds a checkpoint that --save made; else one line says why."""
    folder = pathlib.Path(text).expanduser()  # as given: the messages name it so
    try:
        read_about(folder)
    except RefusedCheckpoint as refused:
        raise SystemExit("--restore %s: %s" % (pasteable(text), refused)) from None
    return folder


def read_about(folder):
    """What network.json says of the checkpoint in folder (a dict)."""
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise RefusedCheckpoint("no such folder. Train a step with --save DIR first.")
    try:
        about = json.loads((folder / ABOUT).read_text(encoding="utf-8"))
        missing = {"step", "iterations", "variables"} - set(about)
        if missing:
            raise KeyError("no " + ", no ".join(sorted(missing)))
        about["variables"] = [(name, list(shape)) for name, shape in about["variables"]]
    except FileNotFoundError:
        raise RefusedCheckpoint(
            "no checkpoint there (no %s). Train a step with --save DIR first." % ABOUT
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RefusedCheckpoint("its %s cannot be read (%s)." % (ABOUT, error)) from None
    if not (folder / (VARIABLES + ".index")).exists():
        raise RefusedCheckpoint("the variables' files are missing (%s.*)." % VARIABLES)
    return about


# --- saving and restoring ------------------------------------------------------------------------


def network_variables(variables=None):
    """(name, shape) of each variable of the default graph: what a checkpoint must match."""
    import tensorflow.compat.v1 as tf

    variables = tf.global_variables() if variables is None else variables
    return [(v.op.name, v.shape.as_list()) for v in variables]


def save(session, folder, step, iterations, max_test_accuracy, graphs=None):
    """Saves the session's variables, what they are, and the graphs' arrays (a dict) in folder,
    replacing an earlier checkpoint there."""
    import tensorflow.compat.v1 as tf

    folder = pathlib.Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = pathlib.Path(tempfile.mkdtemp(prefix=folder.name + ".saving-", dir=folder.parent))
    try:
        variables = tf.global_variables()
        saver = tf.train.Saver(variables, max_to_keep=None)
        saver.save(session, str(partial / VARIABLES), write_meta_graph=False, write_state=False)
        np.savez_compressed(partial / GRAPHS, **(graphs or {}))
        about = dict(
            format=FORMAT,
            step=step,
            iterations=int(iterations),
            max_test_accuracy=float(max_test_accuracy),
            tensorflow=tf.__version__,
            variables=network_variables(variables),
        )
        (partial / ABOUT).write_text(json.dumps(about, indent=1) + "\n", encoding="utf-8")
        _take_place(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _take_place(new, folder):
    """The new folder renamed to folder's name; folder's old content deleted once it has."""
    old = None
    if folder.exists():
        old = new.with_name(new.name + "-old")
        os.rename(folder, old)
    os.rename(new, folder)
    umask = os.umask(0o022)
    os.umask(umask)
    os.chmod(folder, 0o777 & ~umask)  # mkdtemp's folders are private; as mkdir would make it
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def restore(session, folder, step, names=None):
    """Loads the checkpoint in folder into the session's variables; returns (what network.json
    says, the graphs' arrays). step: the script's name. Raises RefusedCheckpoint, in one line
    naming the first variable that differs, when the script's variables (names and shapes) are
    not the checkpoint's; names: {variable's name in the graph: its name in the script}."""
    import tensorflow.compat.v1 as tf

    folder = pathlib.Path(folder)
    about = read_about(folder)
    here = network_variables()
    if dict(about["variables"]) != dict(here):
        same = about["step"] == step
        difference = _first_difference(
            about["variables"], here, names or {}, "now" if same else "here"
        )
        if same:
            raise RefusedCheckpoint(
                "the network of %s has changed since this checkpoint was saved (%s): train it "
                "again with --save." % (step, difference)
            )
        raise RefusedCheckpoint(
            "this checkpoint holds the network of %s, whose variables are not those of %s (%s): "
            "restore it with %s, or train %s with --save."
            % (about["step"], step, difference, about["step"], step)
        )
    try:
        tf.train.Saver(tf.global_variables()).restore(session, str(folder / VARIABLES))
        with np.load(folder / GRAPHS) as arrays:
            graphs = {name: arrays[name] for name in arrays.files}
    except (tf.errors.OpError, OSError, ValueError) as error:  # damaged or truncated files
        reason = str(getattr(error, "message", error)).strip().splitlines()[0]
        raise RefusedCheckpoint("its files cannot be read (%s)." % reason) from None
    return about, graphs


def _first_difference(saved, here, names, when):
    """The first variable that differs between two lists of (name, shape), in a few words, by
    the script's name for it where `names` has one; `when`: "now" or "here"."""
    saved_shapes, here_shapes = dict(saved), dict(here)
    for name, shape in here:
        called = names.get(name, name)
        if name not in saved_shapes:
            return "%s %s is not in the checkpoint" % (called, shape)
        if saved_shapes[name] != shape:
            return "%s is %s %s, %s in the checkpoint" % (called, shape, when, saved_shapes[name])
    for name, shape in saved:
        if name not in here_shapes:
            return "%s %s is in the checkpoint only" % (name, shape)
    raise ValueError("the two lists hold the same variables")
