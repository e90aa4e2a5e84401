"""The graphs, in one table: each one's name, title, key, kind of drawing and its settings. The
figure (figure.py), the record (record.py), the layout keys and --graphs (options.py), --help's
list of the keys, the window's title (outputs.py), the TensorBoard log (tensorboard.py) and
docs/running.md's table of the keys (written by docs/step_tables.py) all read it, when they run:
a row added here reaches all of them. Adding a graph is one row here and, for a new kind, its
drawing registered in drawings.py. A learner's page: docs/running.md ("The window").

Standard library only: options.py reads it before anything else is known to import.
"""

import collections

Graph = collections.namedtuple(
    "Graph",
    [
        "name",  # what the code calls it: the record's data and the figure's panel are found by it
        "title",  # over the graph; a step may give another (MnistDataVis(title4=...))
        "key",  # the key that shows it alone in the window; --graphs takes it too
        "kind",  # its kind of drawing: a name registered in drawings.py (curves, mosaic, ...)
        "shows",  # what it shows, in a few words (docs/running.md)
        "settings",  # what its drawing needs besides the record: {setting: value}
    ],
    defaults=[{}],
)

GRAPHS = (
    Graph(
        "accuracy", "Accuracy", "1", "curves",
        "accuracy on the training batch and on the test set (y from 0 to 1)",
        {"column": 1, "top": 1.0},  # the record's curves: (iteration, accuracy, loss)
    ),
    Graph(
        "loss", "Cross entropy loss", "2", "curves",
        "cross entropy loss, training and test (y from 0 to 100, higher when the curves stay "
        "above 100 after their start; cut, and marked so, below losses far out of range, "
        "above 1000)",
        # far: a loss above it is far out of the workshop's range; the axis is cut below it
        {"column": 2, "top": 100.0, "grows": True, "far": 1000.0},
    ),
    Graph(
        "training_digits", "Training digits", "3", "mosaic",
        "the current batch of 100, misrecognised first on red, with the correct digit (green, "
        "top left) and the predicted one (black, top right) written on them",
    ),
    Graph(
        "weights", "Weights", "4", "bands",
        "how all the weights spread over time, as 7 bands holding equal counts (min, the 6 "
        "boundaries, max), darker near the median; steps 4.x: the activations' spread",
        {"color": "#1f77b4"},  # the training curves' blue
    ),
    Graph("biases", "Biases", "5", "bands", "the same for all the biases", {"color": "#2ca02c"}),
    Graph(
        "test_digits", "Test digits", "6", "mosaic",
        "1000 test images in 25 rows, misrecognised first; the y axis reads as the test "
        "accuracy where the red rows end",
        {"accuracy_ticks": True},
    ),
    Graph(
        "learned", "What the network learned", "W", "learned",
        "the first layer's weights as pictures, and one test digit going through the network, "
        "layer by layer, to its ten probabilities",
    ),
)  # fmt: skip

# The groups of graphs that a key shows together; 0 (and Esc) the six of the workshop.
Group = collections.namedtuple("Group", ["keys", "graphs", "shows"])
SIX = tuple(graph.name for graph in GRAPHS[:6])
GROUPS = (
    Group(("7",), ("accuracy", "loss"), "graphs 1 and 2 (accuracy, loss)"),
    Group(("8",), ("weights", "biases"), "graphs 4 and 5 (spreads)"),
    Group(("9",), ("training_digits", "test_digits"), "graphs 3 and 6 (digits)"),
    Group(("0", "Esc"), SIX, "all six graphs"),
)

# The keys as matplotlib names them, where the workshop's names differ.
MATPLOTLIB_KEYS = {"Esc": "escape"}

# The window's other keys (matplotlib's own, and the pad's): (key, what it does in --help's few
# words, and in docs/running.md's where that says more).
OTHER_KEYS = (
    ("Space", "pause / resume the display", "pause / resume the display (training goes on)"),
    ("O", "box zoom (then the mouse)", None),
    ("H", "reset all zooms", None),
    ("Ctrl-S", "save the current image", None),
    (
        "D",
        "draw a digit (once training is done, or paused)",
        "a pad to draw a digit on, with the network's answer, once training is done or paused "
        "([your own digits](your-digits.md#draw-a-digit-the-d-key))",
    ),
)


def by_name(name):
    return next(graph for graph in GRAPHS if graph.name == name)


def names_of(kind):
    """The names of the table's graphs of one kind, in the table's order."""
    return [graph.name for graph in GRAPHS if graph.kind == kind]


def window_keys():
    """Every key the window answers with its own action, as matplotlib names them: the graphs',
    the groups', the pad's D and Space."""
    keys = set(layout_keys()) | {"d", " "}
    return keys | {key.upper() for key in keys if len(key) == 1}  # W as w and shift+w alike


def keys_taken(keymaps):
    """The window's keys that matplotlib also binds to an action of its own (keymaps: matplotlib's
    rcParams, whose keymap.* settings list them), sorted; none in the table as it ships."""
    taken = {key for name, keys in keymaps.items() if name.startswith("keymap.") for key in keys}
    return sorted(window_keys() & taken)


def check_keys(keymaps):
    """Stops a graph added with a key matplotlib already uses (C: its "back"): both would act."""
    taken = keys_taken(keymaps)
    if taken:
        raise ValueError(
            "the window's keys %s are matplotlib's own too (rcParams keymap.*): give the graphs "
            "others" % ", ".join(map(repr, taken))
        )


def layout_keys():
    """{key as matplotlib names it (lower case): the graphs' names it shows}."""
    keys = {graph.key.lower(): [graph.name] for graph in GRAPHS}
    for group in GROUPS:
        for key in group.keys:
            keys[MATPLOTLIB_KEYS.get(key, key).lower()] = list(group.graphs)
    return keys


def layout_of(key):
    """The graphs a key shows (matplotlib's key name: "3", "w", "W", "escape"), or None."""
    return layout_keys().get(key.lower() if len(key) == 1 else key)


def choice(text):
    """--graphs: a key (3, 7, 0, W), or graph keys with commas (1,2,6 or 1,W): the graphs' names,
    in the table's order; None if the text is neither."""
    text = text.replace(" ", "")
    if len(text) <= 1 and layout_of(text) is not None:
        return layout_of(text)
    keys = text.upper().split(",")
    graphs = [graph.name for graph in GRAPHS if graph.key in keys]
    if len(graphs) != len(keys) or len(set(keys)) < len(keys):
        return None
    return graphs


def graph_keys_text():
    """The graphs' own keys, runs of digits shortened: "1-6, W"."""
    keys, runs = [graph.key for graph in GRAPHS], []
    for key in keys:
        if runs and key.isdigit() and runs[-1][-1].isdigit() and int(key) == int(runs[-1][-1]) + 1:
            runs[-1].append(key)
        else:
            runs.append([key])
    return ", ".join(run[0] if len(run) == 1 else "%s-%s" % (run[0], run[-1]) for run in runs)


def keys_help():
    """--help's list of the window's keys, and the one printed when a window opens: the graphs'
    own keys on the left, the groups' and the other keys on the right."""
    left = ["%s  %s" % (graph.key, graph.title) for graph in GRAPHS]
    right = [(" or ".join(group.keys), group.shows) for group in GROUPS]
    right += [(key, what) for key, what, _ in OTHER_KEYS]
    key_width, left_width = max(len(key) for key, _ in right), max(map(len, left))
    right = ["%s  %s" % (key.ljust(key_width), what) for key, what in right]
    left += [""] * (len(right) - len(left))
    lines = ["keys in the window:"]
    lines += [("  %s  %s" % (a.ljust(left_width), b)).rstrip() for a, b in zip(left, right)]
    lines.append(
        "If training is slow (a small VM), show fewer graphs (--graphs 3), or run with --no-window."
    )
    return "\n".join(lines)


def title_keys():
    """The window title's reminder of the keys."""
    groups = " ".join(group.keys[0] for group in GROUPS[:-1])
    return "keys: %s one graph, %s pairs, %s all, Space pause, D draw" % (
        graph_keys_text(),
        groups,
        GROUPS[-1].keys[0],
    )


def docs_key_rows():
    """The rows of docs/running.md's table of the keys: (key, what it shows)."""
    rows = [(graph.key, "**%s**: %s" % (graph.title, graph.shows)) for graph in GRAPHS]
    rows += [(" or ".join(group.keys), group.shows) for group in GROUPS]
    return rows + [(key, more or what) for key, what, more in OTHER_KEYS]
