"""Every pattern of visu/explain/wording.py against TensorFlow's own messages: those recorded from
the lowest and the latest TensorFlow the project supports (tensorflow_messages.txt, written by
tensorflow_messages.py), and the installed TensorFlow's, made again here. A release that rewords
a message fails the test named after the pattern and the case; the errors are then still
explained in general terms (tests/test_errors.py: a message no pattern reads)."""

import re

import pytest
import tensorflow_messages as messages

from conftest import ROOT
from visu.explain import errors, spellings, wording

LOWEST = re.search(
    r"^tensorflow==(\S+)$",
    (ROOT / ".ci" / "lowest-versions.txt").read_text(encoding="utf-8"),
    re.M,
).group(1)
RECORDED = messages.read_recorded()

# What each pattern must read in each case's message: its groups, or, for the names, every line
READS = {
    ("BUILD_REFUSAL", "matmul-on-images"): {"type": "BatchMatMulV2", "node": "MatMul"},
    ("BUILD_REFUSAL", "conv-depth"): {"type": "Conv2D", "node": "Conv2D_1"},
    ("BUILD_REFUSAL", "biases-size"): {"type": "AddV2", "node": "add"},
    ("BUILD_REFUSAL", "reshape-count"): {"type": "Reshape", "node": "Reshape"},
    ("BUILD_REFUSAL", "concat-unflattened"): {"type": "ConcatV2", "node": "concat"},
    ("RESHAPE_TARGET", "reshape-count"): {"shape": "[?,500]"},
    ("TYPES_DIFFER", "int-biases"): {"op": "AddV2", "one": "int32", "other": "float32"},
    ("NOT_FED", "pkeep"): {"name": "pkeep"},
    ("NOT_READY", "weights"): {"a": "Variable"},
    ("LOGITS_AND_LABELS", "rows"): {"logits": "25", "labels": "100"},
    ("INCOMPATIBLE_SHAPES", "argmax"): {"one": "25", "other": "100"},
    ("RESHAPE_VALUES", "valid-padding"): {"values": "43200", "asked": "588"},
    ("MATRIX_SIZES", "fixed-rows"): {"a": "100,58800", "b": "588,200"},
    ("UNEXPECTED_KEYWORD", "feed"): {"function": "run", "keyword": "feed"},
    ("PYTHON_CALL", "feed"): {},
    ("DEPRECATED", "dropout-keep_prob"): {"function": "dropout", "argument": "keep_prob"},
    ("DEPRECATED", "softmax_cross_entropy_with_logits"): {
        "function": "softmax_cross_entropy_with_logits",
        "argument": None,
    },
    ("DEPRECATED", "initialize_all_variables"): {"function": "initialize_all_variables"},
    ("DEPRECATED", "to_float"): {"function": "to_float", "argument": None},
    ("DEPRECATED", "arg_max"): {"function": "arg_max", "argument": None},
    ("DEPRECATED", "argmax-dimension"): {"function": "argmax", "argument": "dimension"},
    ("DEPRECATED", "softmax-dim"): {"function": "softmax", "argument": "dim"},
    ("OPTIMIZER_VARIABLE", "adam"): None,
    ("DROPOUT_SCOPE", "two-dropouts"): None,
    ("GRADIENTS_SCOPE", "minimize"): None,
}
# the cases whose message is an OpError's, read after its annotations are left out
WHILE_RUNNING = {
    "NOT_FED",
    "NOT_READY",
    "LOGITS_AND_LABELS",
    "INCOMPATIBLE_SHAPES",
    "RESHAPE_VALUES",
    "MATRIX_SIZES",
}
CASES = sorted(READS)


def reads(pattern_name, case, message):
    """Asserts that the pattern reads the case's message as it must."""
    pattern = getattr(wording, pattern_name)
    expected = READS[(pattern_name, case)]
    if expected is None:  # TensorFlow's names, one a line: each must match
        names = message.splitlines()
        assert names and all(pattern.match(name) for name in names), message
        return
    if pattern_name in WHILE_RUNNING:  # the reason, once the annotations are left out
        message = errors._first_line(message)
    found = pattern.search(message.strip())
    assert found, "%s does not read: %s" % (pattern_name, message)
    for group, value in expected.items():
        assert found[group] == value, (group, found[group], message)
    if pattern_name == "BUILD_REFUSAL":  # one shape for each input named
        inputs = found["inputs"].split(",")
        assert len(wording.SHAPE.findall(found["shapes"])) == len(inputs)


def test_every_pattern_has_its_messages_made_and_recorded():
    named = {name for name, value in vars(wording).items() if isinstance(value, re.Pattern)}
    assert named - {"SHAPE", "NODE_ANNOTATION"} == set(wording.PATTERNS)
    assert {pattern for pattern, _ in READS} == set(wording.PATTERNS)
    made = {(p, c) for p, cases in messages.MESSAGES.items() for c in cases}
    assert made | {("PYTHON_CALL", "feed")} == set(READS)
    versions = {version for _, _, version in RECORDED}
    assert LOWEST in versions and len(versions) >= 2, versions  # the lowest and a later one


@pytest.mark.parametrize("pattern_name, case", CASES, ids=["%s-%s" % c for c in CASES])
def test_the_pattern_reads_the_messages_recorded_from_the_lowest_and_latest_tensorflow(
    pattern_name, case
):
    recorded_as = "UNEXPECTED_KEYWORD" if pattern_name == "PYTHON_CALL" else pattern_name
    recorded = {v: text for (p, c, v), text in RECORDED.items() if (p, c) == (recorded_as, case)}
    assert LOWEST in recorded and len(recorded) >= 2, sorted(recorded)
    for _, message in sorted(recorded.items()):
        reads(pattern_name, case, message)


@pytest.mark.parametrize("pattern_name, case", CASES, ids=["%s-%s" % c for c in CASES])
def test_the_pattern_reads_the_installed_tensorflows_message(pattern_name, case):
    recorded_as = "UNEXPECTED_KEYWORD" if pattern_name == "PYTHON_CALL" else pattern_name
    reads(pattern_name, case, messages.MESSAGES[recorded_as][case]())


def test_the_codelabs_spellings_are_each_read_from_tensorflows_notice():
    """Each deprecation recorded gives its entry of visu/explain/spellings.py, not the general
    line."""
    where = "my_step.py, line 7 (Y = ...)"
    for (pattern, case, version), message in RECORDED.items():
        if pattern != "DEPRECATED":
            continue
        found = wording.DEPRECATED.match(message)
        entry = spellings.spelling(found["function"], found["argument"])
        assert entry is not None, (case, version)
        line = spellings.line_for(message, where)
        assert line == "%s: %s is TensorFlow 1's spelling, and still runs: %s. %s" % (
            where,
            entry.written,
            entry.meaning,
            "The steps now write %s." % entry.now,
        )
    unknown = "From x.py:3: div (from tensorflow.python.ops.math_ops) is deprecated and will be "
    unknown += "removed in a future version.\nInstructions for updating:\nUse `/` instead.\n"
    assert spellings.line_for(unknown, where) == (
        "%s: div is deprecated in TensorFlow 2 and still runs. TensorFlow says: Use `/` "
        "instead." % where
    )
