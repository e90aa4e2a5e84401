"""The names of the options that the parts below the parser name in what they print (the
traceback hooks, the start-up log): standard library only, so that visu/startup.py reads them
before TensorFlow, numpy or the parser (options.py) are imported. A learner's page:
docs/running.md ("Run options").
"""

TRACEBACK_OPTION = "--traceback"  # TensorFlow's own traceback (visu/explain/hooks.py)
TF_LOG_OPTION, TF_LOG_VARIABLE = "--tf-log", "TF_LOG"  # its start-up log (visu/startup.py)
