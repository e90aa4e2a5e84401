"""The parts behind tensorflowvisu.py, the module the step scripts use. Each file is one concern:

  options.py      the run options every step shares (--help), and where the script runs
  mosaic.py       graphs 3 and 6: the digit mosaics, computed in the TensorFlow graph
  record.py       what a run has recorded: the curves, the bands of graphs 4 and 5, the mosaics
  figure.py       the six graphs, drawn from a record (drawing only)
  views.py        where the graphs go (window, notebook image, widget, PNG, movie), and the one
                  place that chooses among them
  tensorboard.py  --logdir: the run as TensorBoard event files, an output like the views
  notes.py        what the curves show at the end of a run, and the not-a-number stop

This file imports nothing, so that check_setup.py can use the standard-library parts before
anything is installed.
"""
