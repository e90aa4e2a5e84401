"""The trained network put to use (docs/your-digits.md).

network.py      the trained network: --try, --save, --restore, the D key's pad
checkpoint.py   --save and --restore: tf.train.Saver, and what the checkpoint is of
digits.py       any picture of a digit as MNIST's 28x28 input (box, size, centre of mass)
drawpad.py      the pad to draw a digit on, the input the network sees, its answer
"""
