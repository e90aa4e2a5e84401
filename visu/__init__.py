"""The parts behind tensorflowvisu.py, the module the step scripts use. The tree is the map: three
rooms, each a concern that spans several modules, and the run's own parts beside them.

  explain/        a learner's mistake as one paragraph in the workshop's words (docs/errors.md)
  show/           the graphs and where they go: the table of graphs, the figure, the window, the
                  notebook, the PNG, the movie, TensorBoard (docs/running.md, docs/tensorboard.md)
  trained/        the trained network put to use: --try, --save, --restore, the drawing pad
                  (docs/your-digits.md)

The run's own parts:

  options.py      the run options every step shares (--help), read once into a RunOptions, and
                  where the script runs
  option_names.py the names of the options that the parts below the parser print (standard
                  library only: startup.py reads them before TensorFlow)
  startup.py      TensorFlow started with its start-up log quieted (imported before TensorFlow)
  kernels.py      ... on the faster of its two sets of CPU kernels for the step's network here
  summary.py      the network a script built, described at the start of its run
  record.py       what a run has recorded: the curves, the bands of graphs 4 and 5, the mosaics
  progress.py     the progress lines: written and read back here only
  notes.py        what the curves show at the end of a run, and the not-a-number stop
  interrupt.py    Ctrl-C or a notebook's interrupt during training, taken at the end of an
                  iteration
  steps.py        the one list of the steps (file, what it teaches, where its exercise starts,
                  its results) that the tests, benchmarks, check_setup.py and the docs' tables
                  (docs/step_tables.py) read
  reference.py    the solutions' curves that ship (solutions/), and --against
  exercises.py    the notebook's "Your turn" cells: the learner's copy, and its diff side by side
  shell.py        a path in a printed command, quoted where pasting it would split or change it

This file imports nothing, so that check_setup.py can use the standard-library parts before
anything is installed.
"""
