"""A learner's mistake, explained: one paragraph in the workshop's words instead of TensorFlow's
traceback (docs/errors.md says what a learner sees).

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
