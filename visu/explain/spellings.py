"""The original codelab's spellings, and TensorFlow 1 courses', that TensorFlow 2 still runs but
calls deprecated: one line each, on the learner's own line, instead of TensorFlow's notice.

Learners copy tf.nn.dropout(Y, pkeep) or tf.nn.softmax_cross_entropy_with_logits(...) from the
deck and from older answers. They work, and TensorFlow says so in a block of 3 to 8 lines on
stderr that names its own dispatch.py in site-packages rather than the learner's line. Here each
is one line: the learner's file and line, what the spelling means, and what the steps write now;
the run goes on. SPELLINGS is the list (tests/test_errors.py runs each of them in a copy of a
step); a deprecated spelling not in it gets the same one line, with TensorFlow's own advice.
TensorFlow's notices are left as they are with --tf-log (or TF_LOG=1), and for a deprecated call
that does not come from the learner's script.
A learner's page: docs/errors.md ("The deck's spellings, and Python's own errors").
"""

import linecache
import logging
import pathlib
import sys
from typing import NamedTuple, Optional

from visu.explain import wording
from visu.explain.learner import _same_file


class Spelling(NamedTuple):
    """A deprecated spelling: TensorFlow's name for the function (None: any) and the argument
    (None: the function itself), what the learner wrote, what it means, what the steps write."""

    function: Optional[str]
    argument: Optional[str]
    written: str
    meaning: str
    now: str


SPELLINGS = (
    Spelling(
        "dropout",
        "keep_prob",
        "tf.nn.dropout(Y, pkeep)",
        "its second argument is the probability of keeping each neuron",
        "tf.nn.dropout(Y, rate=1 - pkeep), the probability of dropping it",
    ),
    Spelling(
        "softmax_cross_entropy_with_logits",
        None,
        "tf.nn.softmax_cross_entropy_with_logits(...)",
        "the same loss (only the gradient it would pass back to the labels differs, and the "
        "labels are fed, not trained)",
        "tf.nn.softmax_cross_entropy_with_logits_v2(logits=Ylogits, labels=Y_)",
    ),
    Spelling(
        "initialize_all_variables",
        None,
        "tf.initialize_all_variables()",
        "the same initializer, under its name before TensorFlow 1.0",
        "tf.global_variables_initializer()",
    ),
    Spelling(
        "to_float",
        None,
        "tf.to_float(x)",
        "the same conversion to float32",
        "tf.cast(x, tf.float32)",
    ),
    Spelling(
        "arg_max",
        None,
        "tf.arg_max(Y, 1)",
        "the same index of the largest value, under an older name",
        "tf.argmax(Y, 1)",
    ),
    Spelling(
        "argmax",
        "dimension",
        "tf.argmax(Y, dimension=1)",
        "dimension= is the axis, under an older name",
        "tf.argmax(Y, 1)",
    ),
    Spelling(
        "softmax",
        "dim",
        "tf.nn.softmax(Y, dim=...)",
        "dim= is the axis, under an older name",
        "tf.nn.softmax(Y), over the last axis (or axis=...)",
    ),
)


def spelling(function, argument):
    """The entry of SPELLINGS for a deprecation TensorFlow names, or None."""
    for entry in SPELLINGS:
        if entry.argument == argument and entry.function in (function, None):
            return entry
    return None


def line_for(message, where):
    """The project's one line for TensorFlow's deprecation message, said at `where` (the learner's
    '<file>, line <n> (<source>)'); None when the message is not one."""
    found = wording.DEPRECATED.match(message)
    if not found:
        return None
    function, argument = found["function"], found["argument"]
    known = spelling(function.split(".")[-1], argument)
    if known:
        return "%s: %s is TensorFlow 1's spelling, and still runs: %s. The steps now write %s." % (
            where,
            known.written,
            known.meaning,
            known.now,
        )
    what = "%s's argument %s" % (function, argument) if argument else function
    advice = " ".join(line.strip() for line in found["instead"].splitlines() if line.strip())
    return "%s: %s is deprecated in TensorFlow 2 and still runs. TensorFlow says: %s" % (
        where,
        what,
        advice,
    )


class _Notices(logging.Filter):
    """On TensorFlow's logger: a deprecation notice for a call in the learner's script becomes
    the project's one line on stderr; anything else passes as it is."""

    def __init__(self, script):
        super().__init__()
        self.script = script

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:
            return True
        if not wording.DEPRECATED.match(message):
            return True
        where = self._learners_line()
        line = line_for(message, where) if where else None
        if line is None:
            return True
        print(line, file=sys.stderr)
        return False

    def _learners_line(self):
        frame = sys._getframe(1)
        while frame is not None:
            if _same_file(frame.f_code.co_filename, self.script):
                source = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
                source = source.split("  # ", 1)[0].rstrip()  # the code, without its comment
                return "%s, line %d (%s)" % (self.script.name, frame.f_lineno, source)
            frame = frame.f_back
        return None


def report_spellings(script):
    """From now on, TensorFlow's deprecation notices for the script's own lines are one line each
    (one filter on TensorFlow's logger, whichever step installed it last names the script)."""
    logger = logging.getLogger("tensorflow")
    script = pathlib.Path(script).resolve()
    for installed in logger.filters:
        if isinstance(installed, _Notices):
            installed.script = script
            return
    logger.addFilter(_Notices(script))
