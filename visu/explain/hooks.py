"""Where the paragraph replaces the traceback: the hooks that show an uncaught error of the
script's graph as its paragraph (errors.py) instead of TensorFlow's traceback, through
sys.excepthook in a script run by python, or IPython's traceback display in a Jupyter kernel; and
Python's own errors with their traceback left to the learner's lines. Installed once the run
options are read (tensorflowvisu.parse_run_options), unless --traceback. A learner's page:
docs/errors.md.
"""

import pathlib
import sys
import types
import warnings

from visu.explain.errors import safe_explain
from visu.explain.learner import TENSORFLOW_FOLDER, _same_file, inside

# NumPy given a tensor (np.dot(XX, W1)) warns, in its own words, before it fails: the paragraph
# says what went wrong, on the learner's line
NUMPY_GIVEN_A_TENSOR = r"__array__ implementation doesn't accept a copy keyword"

# The project's own modules: their frames are left out of a learner's traceback
_PROJECT = pathlib.Path(__file__).resolve().parents[2]
_PROJECT_MODULES = (
    _PROJECT / "visu",
    _PROJECT / "tensorflowvisu.py",
    _PROJECT / "mnistdata.py",
)


def report_uncaught(script, shell=None):
    """From now on, an uncaught error of the graph in the script is its paragraph on stderr: in a
    script run by python, through sys.excepthook (the exit status stays 1); in a Jupyter kernel
    (shell: IPython's), through the shell's traceback display, for the cell running now only."""
    warnings.filterwarnings("ignore", NUMPY_GIVEN_A_TENSOR, DeprecationWarning)
    if shell is not None:
        _report_in_cell(shell, script)
    else:
        previous = getattr(sys.excepthook, "previous", sys.excepthook)
        sys.excepthook = ExceptHook(script, previous)


class ExceptHook:
    """sys.excepthook: the paragraph for an error of the script's graph, else the hook before."""

    def __init__(self, script, previous):
        self.script, self.previous = script, previous

    def __call__(self, kind, error, traceback):
        paragraph = safe_explain(error, self.script)
        if paragraph is None:
            try:
                traceback = learners_traceback(error, self.script)
            except Exception:  # never hide the error behind a mistake here
                pass
            self.previous(kind, error, traceback)
        else:
            print(paragraph, file=sys.stderr)


def learners_traceback(error, script):
    """Python's own error in the learner's script, with its traceback left to the learner's lines:
    the frames inside TensorFlow's package (module_wrapper.py, dispatch.py) and inside the
    project's own modules (the training loop of tensorflowvisu.py) are left out, and the error
    and Python's message (its "Did you mean") stay. Errors chained to it are trimmed alike. An
    error with no frame of the script keeps its whole traceback. Returns the new traceback."""
    script = pathlib.Path(script).resolve()
    seen = set()
    todo = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        trimmed = _trimmed(current.__traceback__, script)
        if trimmed is not None:
            current.__traceback__ = trimmed
        todo.extend([current.__cause__, current.__context__])
    return error.__traceback__


def _trimmed(traceback, script):
    entries = []
    while traceback is not None:
        entries.append(traceback)
        traceback = traceback.tb_next
    if not any(_same_file(tb.tb_frame.f_code.co_filename, script) for tb in entries):
        return None
    kept = None
    for tb in reversed(entries):
        if not _workshop_or_tensorflow(tb.tb_frame.f_code.co_filename):
            kept = types.TracebackType(kept, tb.tb_frame, tb.tb_lasti, tb.tb_lineno)
    return kept


def _workshop_or_tensorflow(filename):
    return inside(filename, TENSORFLOW_FOLDER) or any(
        inside(filename, module) for module in _PROJECT_MODULES
    )


def _report_in_cell(shell, script):
    """IPython shows a cell's error (and a %run script's) with shell.showtraceback: for this cell,
    an error of the script's graph is shown as its paragraph instead; the next cell is as before."""
    installed = shell.__dict__.get("showtraceback")
    if isinstance(installed, _CellReport):  # a second step run in the same cell
        installed.script = script
        return
    shell.showtraceback = _CellReport(shell, script, installed)
    shell.events.register("post_run_cell", shell.showtraceback.restore)


class _CellReport:
    """shell.showtraceback for one cell: gives an error of the script's graph the paragraph as
    what IPython shows of it (its _render_traceback_), then shows it as IPython does."""

    def __init__(self, shell, script, before):
        self.shell, self.script, self.before = shell, script, before
        self.show = before or shell.showtraceback

    def __call__(self, exc_tuple=None, *args, **kwargs):
        error = (exc_tuple or sys.exc_info())[1]
        paragraph = safe_explain(error, self.script) if isinstance(error, Exception) else None
        if paragraph is not None:
            error._render_traceback_ = lambda: [paragraph]
        return self.show(exc_tuple, *args, **kwargs)

    def restore(self, *result):
        if self.before is None:
            self.shell.__dict__.pop("showtraceback", None)
        else:
            self.shell.showtraceback = self.before
        self.shell.events.unregister("post_run_cell", self.restore)
