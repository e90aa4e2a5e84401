"""A learner's mistake, explained: one paragraph in the workshop's words instead of TensorFlow's
traceback (docs/errors.md says what a learner sees). First, what a workshop network is, held
against the learner's graph and run before any message of TensorFlow's is read:

  network.py      before training: the chain from the images to the logits, the loss, the
                  accuracy, each weight and bias once, biases that fit their layer
  calls.py        what is gone or spelt otherwise: TF1 modules, NumPy or math given a tensor,
                  Keras's or NumPy's argument names, a value where a function is expected
  training.py     while the first iterations run: the feeds, the updates, a graph that grows
  start.py        a healthy start: the loss and accuracy an untrained network starts at

Then TensorFlow's own errors, read for what the checks cannot know:

  errors.py       an error of the graph (building, feeding, running it) as one paragraph
  build_errors.py   ... while building it: shapes that do not fit, types that differ
  causes.py       ... while running it: a size made wrong earlier, traced to the line that
                  made it
  hooks.py        where the paragraph replaces the traceback: sys.excepthook, IPython's display;
                  Python's own errors with the traceback left to the learner's lines
  learner.py      the learner's script as an error finds it: its file's frames, its names
  spellings.py    the original codelab's deprecated spellings that still run: one line each
  wording.py      TensorFlow's wording: every pattern that reads its messages, in one place
"""
