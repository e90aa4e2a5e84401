"""The parts behind tensorflowvisu.py, the module the step scripts use. Each file is one concern:

  options.py      the run options every step shares (--help), and where the script runs
  mosaic.py       graphs 3 and 6: the digit mosaics, computed in the TensorFlow graph
  graphs.py       the graphs, in one table: name, title, key, kind of drawing; what the keys,
                  --graphs, --help, the window title, the TensorBoard tags and the docs read
  record.py       what a run has recorded: the curves, the bands of graphs 4 and 5, the mosaics
  figure.py       the graphs of the table, drawn from a record (drawing only)
  learned.py      what the network learned, read from its session when shown: the first layer's
                  weights, one digit's passage through the layers (key W)
  learned_panel.py  ... drawn: the weights as pictures, each layer's output, the probabilities
  views.py        where the graphs go (window, notebook image, widget, PNG, movie), and the one
                  place that chooses among them
  tensorboard.py  --logdir: the run as TensorBoard event files, an output like the views
  notes.py        what the curves show at the end of a run, and the not-a-number stop
  progress.py     the progress lines: written and read back here only
  steps.py        the one list of the steps (file, what it teaches, where its exercise starts,
                  its results) that the tests, benchmarks, check_setup.py and the docs' tables
                  (docs/step_tables.py) read
  reference.py    the solutions' curves that ship (solutions/), and --against
  exercises.py    the notebook's "Your turn" cells: the learner's copy, and its diff side by side
  interrupt.py    Ctrl-C or a notebook's interrupt during training, taken at the end of an
                  iteration
  startup.py      TensorFlow started with its start-up log quieted (imported before TensorFlow)
  summary.py      the network a script built, described at the start of its run
  explain/        what a workshop network is, held against the learner's graph and run before
                  any message of TensorFlow's is read: network.py (the chain, the loss, the
                  accuracy, the biases), calls.py (what is gone or spelt otherwise), training.py
                  (the feeds, the updates, a graph that grows), start.py (a healthy start)
  errors.py       an error of the graph (building, feeding, running it) as one paragraph
  build_errors.py   ... while building it: shapes that do not fit, types that differ
  causes.py       ... while running it: a size made wrong earlier, traced to the line that
                  made it
  learner.py      the learner's script as an error finds it: its file's frames, its names
  spellings.py    the original codelab's deprecated spellings that still run: one line each
  wording.py      TensorFlow's wording: every pattern that reads its messages, in one place
  trained.py      the trained network put to use: --try, --save, --restore, the D key's pad
  digits.py       any picture of a digit as MNIST's 28x28 input (box, size, centre of mass)
  drawpad.py      the pad to draw a digit on, the input the network sees, its answer
  checkpoint.py   --save and --restore: tf.train.Saver, and what the checkpoint is of
  shell.py        a path in a printed command, quoted where pasting it would split or change it

This file imports nothing, so that check_setup.py can use the standard-library parts before
anything is installed.
"""
