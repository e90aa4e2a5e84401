"""The names of the options that the parts below the parser name in what they print (the
traceback hooks, the start-up log), and whether a Jupyter kernel runs the script: standard library
only, so that visu/startup.py reads them before TensorFlow, numpy or the parser (options.py) are
imported. A learner's page:
docs/running.md ("Run options").
"""

import sys

TRACEBACK_OPTION = "--traceback"  # TensorFlow's own traceback (visu/explain/hooks.py)
TF_LOG_OPTION, TF_LOG_VARIABLE = "--tf-log", "TF_LOG"  # its start-up log (visu/startup.py)


def jupyter_shell():
    """The shell of the Jupyter kernel running this (Notebook, Lab, VS Code, Colab), or None."""
    ipython = sys.modules.get("IPython")  # only imported when running inside IPython
    shell = ipython.get_ipython() if ipython else None
    return shell if getattr(shell, "kernel", None) is not None else None
