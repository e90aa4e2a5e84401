"""What the curves show at the end of a run, in a few plain lines, and the not-a-number stop.
A learner's page: docs/reading-the-curves.md.
"""

import numpy as np

LOSS_NOT_A_NUMBER = (
    "Training stopped at iteration {i}: the {which} loss is {value}, not a finite number, and "
    "nothing the network computes from there on means anything. In this workshop the usual "
    "causes are a learning rate too high, whose big updates make the weights grow until the "
    "numbers overflow (lower it, 10 times at a time, until the loss stays finite), and log(0) in "
    "a hand-written cross-entropy: step 1.0's -sum(Y_ * log(Y)) is not a number as soon as the "
    "softmax rounds a probability to exactly 0, which large weights soon cause. That is why the "
    "steps from 2.0 on compute it from the logits (tf.nn.softmax_cross_entropy_with_logits_v2). "
    "The graphs up to iteration {i} are kept."
)

# The curves are read through robust summaries: one training point is measured on a batch of
# 100 images, so it jumps by several percent from one point to the next; a median over a few
# points does not follow a single lucky or unlucky batch.
SUMMARY_POINTS = 5  # medians over 5 consecutive points (500 iterations of the test curves)
END_SHARE = 0.2  # "the end of the run" is its last fifth: 2000 of 10000 iterations
# Near chance: a guess among 10 digits gets 10% right; 20% is twice that, above the batches'
# noise around a guess (10 +- 3 right out of 100) and below anything a learning network shows
# after its first iterations.
NEAR_CHANCE = 0.2
STUCK_SHARE = 0.2  # near chance for a fifth of the run is a long stretch, not a first moment
# Overfitting: the test loss ends at least 30% above its lowest while the training loss at least
# halves over the same iterations. In the full runs of seeds 0 to 2, steps 2.1 and 3.0 (no
# dropout) end 40% to 70% above their lowest; 3.1 (dropout) 21% to 24%, 2.0 (noisy) 19% at most,
# 2.2 (dropout: the workshop calls its test loss stable) and the batch-norm steps 6% at most
# (4.2: seed 0 only).
OVERFITTING_RISE = 0.3
# ... and never for a test loss absurd from the start (10 times an untrained network's 230): its
# rise says nothing about learning by heart. The batch-norm steps' moving averages start at 0, so
# their first test loss is absurd and comes down at once; the others start near 230.
ABSURD_TEST_LOSS = 10 * 100 * np.log(10)
TRAINING_LOSS_FALL = 0.5
# The test accuracy jumps around when, over the end of the run, it typically changes by more
# than 5% of the misrecognised digits from one test to the next: a network that has settled
# changes its answer on only a few borderline digits. In the full runs of seeds 0 to 2, step 2.0
# (a constant learning rate) changes by 6.2% to 7.5%; the steps whose learning rate decays, and
# step 1.0, by 3.6% at most.
JUMPY_TEST_ACCURACY = 0.05
# ... unless it is still climbing: its later half rising by more than 2 typical jumps above its
# earlier half (by 5 in step 2.0 trained by plain gradient descent, still learning at iteration
# 3000; by 1.3 at most in step 2.0's full runs).
STILL_LEARNING_JUMPS = 2

CURVE_NOTES = {
    "best": "The best test accuracy, {accuracy:.4f}, came at iteration {i}: the {after} "
    "iterations after it did not beat it (the last test gave {last:.4f}).",
    "overfitting": "The test loss rose from its lowest, {lowest:.2f} at iteration {i}, to "
    "{last:.2f} at iteration {last_i}, while the training loss kept falling: the network is "
    "overfitting, learning its training images by heart rather than digits in general. Dropout "
    "(steps 2.2 and 3.1) is the workshop's remedy.",
    "slow_start": "The training accuracy stayed near chance (a guess among 10 digits gets 0.1) "
    "from iteration {start} to {stop}: a slow start, as deep networks of sigmoids often have.",
    "near_chance": "The training accuracy was near chance (a guess among 10 digits gets 0.1) "
    "from iteration {start} to {stop}: for that long the network did no better than guessing.",
    "not_learning": "The training accuracy was near chance (a guess among 10 digits gets 0.1) "
    "from iteration {start} to the end: the network is not learning. A learning rate far too "
    "high or too low, or a mistake in the model, does this.",
    "jumpy": "The test accuracy still jumps around at the end: over the last {span} iterations "
    "it went up and down between {low:.4f} and {high:.4f}, typically by {jump:.4f} from one test "
    "to the next. The learning rate is too high for the end of training; one that decays (step "
    "2.1) lets the network settle.",
}


def curve_notes(train_curves, test_curves):
    """A few plain lines on what the curves show, each only where the data clearly shows it
    (none when nothing stands out). Each curves is ([iteration], [accuracy], [loss])."""
    found = read_curves(train_curves, test_curves)
    return [CURVE_NOTES[kind].format(**figures) for kind, figures in found]


def read_curves(train_curves, test_curves):
    """What stands out in the curves, as (kind, figures) pairs: the notes' kinds and values."""
    train, test = _finite_points(train_curves), _finite_points(test_curves)
    end = max(train[0][-1:].tolist() + test[0][-1:].tolist() + [0.0])
    near_chance = _near_chance(train, end)
    if near_chance and near_chance[0] == "not_learning":
        return [near_chance]  # nothing else in its curves means much
    found = [
        _best_test_accuracy(test, end),
        _overfitting(train, test),
        near_chance,
        _jumpy_test_accuracy(test, end),
    ]
    return [kind_figures for kind_figures in found if kind_figures]


def _finite_points(curves):
    """(iterations, accuracies, losses) as arrays, without the points that are not finite."""
    points = np.asarray([np.asarray(values, float) for values in curves]).reshape(3, -1)
    return points[:, np.isfinite(points).all(axis=0)]


def _rolling_median(values, points=SUMMARY_POINTS):
    """The median of each value and its neighbours, `points` in all (fewer at both ends)."""
    half = points // 2
    padded = np.pad(np.asarray(values, float), half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    return np.nanmedian(windows, axis=1)


def _best_test_accuracy(test, end):
    """Where the best test accuracy came, when the last fifth of the run did not beat it."""
    iterations, accuracies, _ = test
    if iterations.size < 2:
        return None
    best = int(np.argmax(accuracies))  # the first of equal bests: the later ones did not beat it
    if iterations[best] > end - END_SHARE * end:
        return None  # still improving at the end: nothing to add to "max test accuracy"
    return "best", dict(
        accuracy=accuracies[best],
        i=int(iterations[best]),
        after=int(end - iterations[best]),
        last=accuracies[-1],
    )


def _overfitting(train, test):
    """The test loss rising from its lowest point while the training loss keeps falling."""
    (iterations, _, losses), (test_iterations, _, test_losses) = train, test
    if test_iterations.size < 2 * SUMMARY_POINTS or test_losses[0] > ABSURD_TEST_LOSS:
        return None
    smooth = _rolling_median(test_losses)
    low = int(np.argmin(smooth))
    if np.median(test_losses[-SUMMARY_POINTS:]) < (1 + OVERFITTING_RISE) * smooth[low]:
        return None
    # the training loss over the same iterations as these two test summaries
    half = SUMMARY_POINTS // 2
    near_low = test_iterations[[max(low - half, 0), min(low + half, test_iterations.size - 1)]]
    at_low = losses[(iterations >= near_low[0]) & (iterations <= near_low[1])]
    at_end = losses[iterations >= test_iterations[-SUMMARY_POINTS]]
    if not (at_low.size and at_end.size):
        return None
    if np.median(at_end) > TRAINING_LOSS_FALL * np.median(at_low):
        return None
    lowest = int(np.argmin(test_losses))
    return "overfitting", dict(
        lowest=test_losses[lowest],
        i=int(test_iterations[lowest]),
        last=test_losses[-1],
        last_i=int(test_iterations[-1]),
    )


def _near_chance(train, end):
    """The longest stretch where the training accuracy stayed near chance, if long."""
    iterations, accuracies, _ = train
    if iterations.size < SUMMARY_POINTS:
        return None
    near = np.concatenate([[0], _rolling_median(accuracies) <= NEAR_CHANCE, [0]]).astype(int)
    starts, stops = np.flatnonzero(np.diff(near) == 1), np.flatnonzero(np.diff(near) == -1)
    longest = int(np.argmax(stops - starts)) if starts.size else None
    if longest is None or stops[longest] - starts[longest] < SUMMARY_POINTS:
        return None
    start, stop = iterations[starts[longest]], iterations[stops[longest] - 1]
    if stop - start < STUCK_SHARE * end:
        return None
    if stops[longest] == iterations.size:
        kind = "not_learning"
    else:
        kind = "slow_start" if starts[longest] == 0 else "near_chance"
    return kind, dict(start=int(start), stop=int(stop))


def _jumpy_test_accuracy(test, end):
    """The test accuracy still changing a lot from one test to the next at the end of the run."""
    iterations, accuracies, _ = test
    span = END_SHARE * end
    last = accuracies[iterations >= end - span]
    if last.size < SUMMARY_POINTS:
        return None
    changes = np.diff(last)
    jump = np.median(np.abs(changes - np.median(changes)))  # about the changes' trend
    if not jump > JUMPY_TEST_ACCURACY * (1.0 - np.median(last)):
        return None
    half = last.size // 2
    if np.median(last[-half:]) - np.median(last[:half]) > STILL_LEARNING_JUMPS * jump:
        return None  # still climbing: a network learning, not one jumping around a level
    return "jumpy", dict(span=int(span), low=last.min(), high=last.max(), jump=jump)
