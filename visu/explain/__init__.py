"""What a workshop network is, held against the learner's graph and run: the checks that come
before TensorFlow's own messages are read (visu/explain/network.py before training, calls.py for
what is gone or spelt otherwise, training.py and start.py while the first iterations run)."""
