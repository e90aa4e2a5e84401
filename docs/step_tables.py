"""Writes the steps' tables, and the figures and thresholds the docs state, from the one list of
the steps (visu/steps.py), their shipped curves (visu/solutions/) and the notes' thresholds
(visu/notes.py), and the instructor's agendas with each step's compute time on a modest laptop
(check_setup.py's speed model); the table of the window's keys from the table of the graphs
(visu/show/graphs.py); then the notebook's "Your turn" cells (docs/exercise_cells.py).

    python docs/step_tables.py            # rewrites what differs, says which
    python docs/step_tables.py --check    # changes nothing; exit status 1 if anything would change

Each part it writes sits in a page between two lines,

    <!-- step_tables.py: NAME -->
    ...
    <!-- end of NAME -->

and is written whole; the rest of the page, the prose, stays as it is. A page with a block this
script does not know, or without one it writes, stops it with a line saying which.
tests/test_step_list.py checks that the committed pages are what it writes.
"""

import argparse
import pathlib
import re
import sys
import textwrap

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))

import exercise_cells  # noqa: E402

import check_setup  # noqa: E402
from visu import notes, reference, steps  # noqa: E402
from visu.show import graphs  # noqa: E402

BEGIN = "<!-- step_tables.py: %s -->"
END = "<!-- end of %s -->"
BLOCK = re.compile(r"^<!-- step_tables\.py: (.+?) -->\n.*?^<!-- end of \1 -->$", re.M | re.S)
QUICK_LOOK = 2000  # the exercises' "quicker look": --iterations 2000, and the solution by then


def table(header, rows):
    lines = ["| %s |" % " | ".join(header), "|%s" % ("---|" * len(header))]
    return "\n".join(lines + ["| %s |" % " | ".join(str(cell) for cell in row) for row in rows])


def _dash(value):
    return "-" if value is None else value


def changed_lines(a, b):
    """The lines of a diff between two texts, removed and added, at fewest
    (diff --minimal a b | grep -c '^[<>]'): lines of both less twice their longest common
    subsequence."""
    a, b = a.splitlines(), b.splitlines()
    previous = [0] * (len(b) + 1)
    for line in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if line == other else max(previous[j + 1], current[j]))
        previous = current
    return len(a) + len(b) - 2 * previous[-1]


# --- README ----------------------------------------------------------------------------------


def workshop_table(step_list):
    """The deck's practice steps: the pages, the step, what the learner writes, and from which."""
    rows = []
    for step in step_list:
        if step.starts_from is None:
            rows.append((step.deck, step.number, "nothing yet: run it, play with the graphs, read "
                         "the code", ""))  # fmt: skip
        else:
            rows.append((step.deck, step.number, step.teaches, step.starts_from))
    return table(("deck", "step", "you write", "start from"), rows)


def steps_table(step_list):
    """The steps' scripts and what their full runs reached."""
    header = ("step", "max test accuracy here", "original", "full run here")
    rows = [
        ("`%s`" % step.file, step.max_test_accuracy, step.original,
         "about " + steps.about(step.seconds))
        for step in step_list
    ]  # fmt: skip
    return table(header, rows)


# --- docs/steps.md ---------------------------------------------------------------------------


def runs_table(step_list):
    header = ("step", "seed", "iterations", "max test accuracy", "target", "first ≥ 0.99 at",
              "wall time (s)", "iterations/s")  # fmt: skip
    rows = [
        (step.file, 0, step.iterations, step.max_test_accuracy, step.pass_mark,
         _dash(step.first_above_099), step.seconds, step.per_second)
        for step in step_list
    ]  # fmt: skip
    return table(header, rows)


def original_table(step_list):
    rows = [(step.number, step.original, step.max_test_accuracy) for step in step_list]
    return table(("step", "max test accuracy: original", "here (seed 0)"), rows)


def seeds_block(step_list):
    """Step 3.1 over ten seeds: seed 0 from its shipped curves, the others measured."""
    step = steps.by_number(step_list)["3.1"]
    seeds = {0: (step.max_test_accuracy, step.first_above_099)}
    seeds.update(steps.STEP_3_1_OTHER_SEEDS)
    order = sorted(seeds)
    accuracies = [float(seeds[seed][0]) for seed in order]
    firsts = [seeds[seed][1] for seed in order]
    lines = [
        table(
            ["seed"] + [str(seed) for seed in order],
            [
                ["max test accuracy"] + [seeds[seed][0] for seed in order],
                ["first ≥ 0.99 at"] + [str(_dash(seeds[seed][1])) for seed in order],
            ],
        ),
        "",
        textwrap.fill(
            "Seed 0 is the run of the shipped curves; the others were run with the command above. "
            "From %.4f to %.4f, mean %.4f; first above 0.99 at iterations %d to %d."
            % (min(accuracies), max(accuracies), np.mean(accuracies), min(firsts), max(firsts)),
            100,
        ),
    ]
    return "\n".join(lines)


def seeds_spread(step_list):
    """'(0.9912-0.9934 over seeds 0-9)', as step 3.1's header says it."""
    step = steps.by_number(step_list)["3.1"]
    accuracies = [step.max_test_accuracy] + [a for a, _ in steps.STEP_3_1_OTHER_SEEDS.values()]
    return "(%s-%s over seeds 0-%d)" % (
        min(accuracies),
        max(accuracies),
        max(steps.STEP_3_1_OTHER_SEEDS),
    )


def diffs_table(step_list, root):
    by_number = steps.by_number(step_list)
    rows = []
    for step in step_list:
        if step.starts_from is None:
            continue
        start = by_number[step.starts_from]
        count = changed_lines(*((root / s.file).read_text(encoding="utf-8") for s in (start, step)))
        original = "–" if step.original_diff is None else step.original_diff
        rows.append(("%s → %s" % (start.number, step.number), count, original))
    return table(("diff", "here", "original"), rows)


# --- docs/exercises.md -----------------------------------------------------------------------


def exercise_table(step, step_list):
    """An exercise's table: the file to start from, the learner's copy, the command, the pass
    mark (the solution's own figures) and the solution."""
    start = steps.by_number(step_list)[step.starts_from]
    mine = "my_%s.py" % step.number
    run = "python %s --against %s" % (mine, step.number)
    if start.iterations != step.iterations:  # the copy runs its start's count, unless told
        run = "python %s --iterations %d --against %s" % (mine, step.iterations, step.number)
    solution = "step %s: %s" % (step.number, step.max_test_accuracy)
    if step.first_above_099 is not None:
        solution += ", above 0.99 from iteration %d" % step.first_above_099
    if QUICK_LOOK < step.iterations:
        solution += "; %s within %d" % (steps.best_test_accuracy(step, QUICK_LOOK), QUICK_LOOK)
    mark = "max test accuracy of at least %s within %d iterations (%s)" % (
        step.pass_mark,
        step.iterations,
        solution,
    )
    rows = [
        ("start from", "`%s`" % start.file),
        ("your copy", "`%s`" % mine),
        ("run it", "`%s`" % run),
        ("pass mark", mark),
        ("solution", "`%s`" % step.file),
    ]
    return table(("", ""), rows).replace("|  |  |", "| | |", 1)


# --- docs/reading-the-curves.md --------------------------------------------------------------


def _share(value):
    return "%d%%" % round(100 * value)


def thresholds_block():
    """How the notes read the curves, and when each is said: visu/notes.py's thresholds."""
    intro = (
        "A training point is measured on one batch of 100 images and jumps by several percent "
        "from one point to the next, so the notes compare medians over %d consecutive points, "
        'never single points. "The end" is the last %s of the run.'
        % (notes.SUMMARY_POINTS, _share(notes.END_SHARE))
    )
    rows = [
        ("where the best test accuracy came",
         "the last %s of the run did not beat it" % _share(notes.END_SHARE),
         "a circle, graph 1"),
        ("overfitting",
         "the test loss ends (median of the last %d tests) at least %s above its lowest (median "
         "of %d tests), while the training loss over the same iterations falls to %s of its level "
         "at that lowest or less"
         % (notes.SUMMARY_POINTS, _share(notes.OVERFITTING_RISE), notes.SUMMARY_POINTS,
            _share(notes.TRAINING_LOSS_FALL)),
         "a circle on the lowest test loss, graph 2"),
        ("a slow start, or a network that does not learn (when it lasts to the end)",
         "the training accuracy stays at most %g (a guess among 10 digits gets 0.1) for %s of "
         "the run or more" % (notes.NEAR_CHANCE, _share(notes.STUCK_SHARE)),
         "a grey band, graph 1"),
        ("the test accuracy still jumps around at the end: a learning rate too high for the end "
         "of training",
         "from one test to the next, it typically changes by more than %s of the misrecognised "
         "digits, and it does not climb by more than %d such jumps (a network still learning)"
         % (_share(notes.JUMPY_TEST_ACCURACY), notes.STILL_LEARNING_JUMPS),
         "none"),
    ]  # fmt: skip
    return textwrap.fill(intro, 100) + "\n\n" + table(("note", "said when", "mark"), rows)


def _curves(step):
    return reference.read_curves(step.curves_file)


def _note(kind, figures):
    if kind == "best":
        return "best %.4f at iteration %d" % (figures["accuracy"], figures["i"])
    if kind == "overfitting":
        return "overfitting: the test loss rose from %.2f at iteration %d to %.2f at %d" % (
            figures["lowest"],
            figures["i"],
            figures["last"],
            figures["last_i"],
        )
    if kind == "jumpy":
        return (
            "the test accuracy still jumps around at the end, between %.4f and %.4f, typically "
            "by %.4f from one test to the next" % (figures["low"], figures["high"], figures["jump"])
        )
    words = {"slow_start": "a slow start", "near_chance": "near chance", "not_learning": "no "
             "learning"}[kind]  # fmt: skip
    return "%s: near chance from iteration %d to %d" % (words, figures["start"], figures["stop"])


def loss_rise(curves):
    """How far the test loss ends above its lowest, on the notes' medians: 0.46 for 46%."""
    losses = curves.test[2]
    lowest = notes._rolling_median(losses).min()
    return float(np.median(losses[-notes.SUMMARY_POINTS :]) / lowest - 1)


def notes_block(step_list):
    """What the notes say at the end of each step's full run (its shipped curves), how far its
    test loss ends above its lowest, and one step's notes as printed."""
    rows, example = [], None
    for step in step_list:
        curves = _curves(step)
        found = notes.read_curves(curves.train, curves.test)
        said = "; ".join(_note(kind, figures) for kind, figures in found) or "none"
        rows.append((step.number, _share(loss_rise(curves)), said))
        if example is None and any(kind == "overfitting" for kind, _ in found):
            example = step, curves
    lines = [
        table(("step", "test loss at the end, above its lowest", "notes"), rows),
    ]
    if example:
        step, curves = example
        printed = ["max test accuracy: %s" % step.max_test_accuracy]
        printed += notes.curve_notes(curves.train, curves.test)
        lines += ["", "Step %s prints:" % step.number, ""]
        lines += ["    " + line for line in printed]
    return "\n".join(lines)


def keys_table():
    """docs/running.md's table of the window's keys: the graphs', the groups', the others."""
    return table(["key", "shows"], graphs.docs_key_rows())


# --- docs/teaching.md ------------------------------------------------------------------------

# A modest laptop: half the speed of the project's 2-core machine, the slowest machine
# check_setup.py gives no advice to (check_setup.SLOW).
MODEST = check_setup.SLOW

# The agendas: (slot in minutes, [(block, step or None, minutes of theory, minutes of practice)]).
# A step's block teaches the theory of its exercise (its deck pages), then the learners write it.
AGENDAS = {
    "2.5 hours": (150, [
        ("welcome; the send-back lines read, stragglers installed from the kit", None, 0, 5),
        ("MNIST, softmax, cross-entropy, a TensorFlow 1 graph; run it, the graphs' keys", "1.0",
         15, 10),
        ("hidden layers, sigmoid, Adam", "2.0", 10, 15),
        ("ReLU, biases at 0.1, learning rate decay", "2.1", 5, 10),
        ("overfitting, dropout", "2.2", 10, 10),
        ("break", None, 0, 10),
        ("convolutional layers", "3.0", 15, 15),
        ("the challenge: bigger convolutions, dropout", "3.1", 5, 10),
        ("what the curves said; questions", None, 5, 0),
    ]),
    "3.5 hours": (210, [
        ("welcome; the send-back lines read, stragglers installed from the kit", None, 0, 5),
        ("MNIST, softmax, cross-entropy, a TensorFlow 1 graph; run it, the graphs' keys", "1.0",
         15, 10),
        ("hidden layers, sigmoid, Adam", "2.0", 10, 15),
        ("ReLU, biases at 0.1, learning rate decay", "2.1", 5, 10),
        ("overfitting, dropout", "2.2", 10, 10),
        ("break", None, 0, 10),
        ("convolutional layers", "3.0", 15, 15),
        ("the challenge: bigger convolutions, dropout", "3.1", 5, 15),
        ("batch normalisation: the superpower", "4.0", 15, 10),
        ("batch normalisation with ReLU", "4.1", 0, 5),
        ("batch normalisation in the convolutional network: start it before the break", "4.2",
         5, 10),
        ("break (4.2 trains on)", None, 0, 10),
        ("4.2's curves against 3.1's; questions", None, 5, 0),
    ]),
}  # fmt: skip


def modest_laptop_minutes(step_list):
    """{step number: minutes of its full run, without a window, on a modest laptop}: check_setup's
    prediction for a machine at MODEST times the project's speed."""
    speed_step = steps.by_file(step_list)[check_setup.SPEED_STEP]
    here = dict(check_setup.predicted_times(0.0, speed_step.per_second * MODEST))
    factor = here[speed_step.file] / (speed_step.iterations / speed_step.per_second)
    return {step.number: factor * step.iterations / step.per_second / 60 for step in step_list}


def agenda_block(name, step_list):
    slot, blocks = AGENDAS[name]
    minutes = modest_laptop_minutes(step_list)
    by_number = steps.by_number(step_list)
    rows, start, late = [], 0, []
    for what, number, theory, practice in blocks:
        clock = "%d:%02d" % divmod(start, 60)
        start += theory + practice
        step = by_number.get(number)
        full_run = "%.1f" % minutes[number] if step else ""
        rows.append((clock, what, step.deck if step else "", number or "", theory, practice,
                     full_run))  # fmt: skip
        if step and minutes[number] > practice:
            late.append("%s (%.0f min)" % (number, minutes[number]))
    lines = [
        table(
            (
                "at",
                "block",
                "deck",
                "step",
                "theory (min)",
                "practice (min)",
                "full run, modest laptop (min)",
            ),
            rows,
        ),  # fmt: skip
        "",
        "%d minutes in all, the slot's %d." % (start, slot),
    ]
    if late:
        lines[-1] += (
            " Longer than their practice minutes on a modest laptop: %s; there, run them with "
            "`--iterations 2000`, or start them before a break." % ", ".join(late)
        )
    return "\n".join(lines)


# --- the pages -------------------------------------------------------------------------------


def blocks(step_list=None, root=ROOT):
    """{page: {block name: its text}}: everything this script writes."""
    step_list = steps.STEPS if step_list is None else step_list
    exercises = {
        "exercise %s" % step.number: exercise_table(step, step_list)
        for step in step_list
        if step.starts_from is not None
    }
    return {
        "README.md": {
            "workshop": workshop_table(step_list),
            "steps": steps_table(step_list),
        },
        "docs/steps.md": {
            "runs": runs_table(step_list),
            "original": original_table(step_list),
            "seeds": seeds_block(step_list),
            "diffs": diffs_table(step_list, root),
        },
        "docs/exercises.md": exercises,
        "docs/teaching.md": {"agenda %s" % name: agenda_block(name, step_list) for name in AGENDAS},
        "docs/reading-the-curves.md": {
            "thresholds": thresholds_block(),
            "full runs": notes_block(step_list),
        },
        "docs/running.md": {"keys": keys_table()},
    }


def rewritten(page, text, written):
    """The page's text with each block replaced by what this script writes."""
    found = [match.group(1) for match in BLOCK.finditer(text)]
    unknown = sorted(set(found) - set(written))
    missing = [name for name in written if name not in found]
    if unknown:
        raise SystemExit("%s: no block %s is written here; take it out" % (page, unknown[0]))
    if missing:
        raise SystemExit(
            "%s has no block %r: add its text, with these two lines where the block goes:\n%s\n%s"
            % (page, missing[0], BEGIN % missing[0], END % missing[0])
        )
    return BLOCK.sub(
        lambda match: "%s\n\n%s\n\n%s" % (BEGIN % match[1], written[match[1]], END % match[1]),
        text,
    )


def write_pages(step_list=None, root=ROOT, check=False):
    """Rewrites the pages under root whose blocks differ, once every page is known to take its
    blocks (or none with check=True); returns the pages that differed."""
    new = {}
    for page, written in blocks(step_list, root).items():
        text = (root / page).read_text(encoding="utf-8")
        if rewritten(page, text, written) != text:
            new[page] = rewritten(page, text, written)
    if not check:
        for page, text in new.items():
            (root / page).write_text(text, encoding="utf-8")
    return list(new)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    options = parser.parse_args()
    changed = write_pages(check=options.check)
    changed += exercise_cells.write_notebook(check=options.check)
    verb = "would change" if options.check else "rewritten"
    for page in changed:
        print("%s: %s" % (page, verb))
    if not changed:
        print("Every page is up to date with visu/steps.py.")
    if options.check and changed:
        sys.exit(1)


if __name__ == "__main__":
    main()
