"""Step 2.2 of "TensorFlow and deep learning, without a PhD": dropout.

What to expect, from a full run with seed 0 on the project's 2-core machine (README: all steps):
max test accuracy 0.9820, in about 25 s. Against 2.1: a slower start; the test loss stays near 8
to the end instead of climbing back to 10, and the training loss no longer falls to 0: no more
overfitting. The accuracy is no better, though: dropout tames the loss, not the last errors.

Run it with python from any folder; --help lists the options and the window's keys.
"""

import mnistdata
import tensorflowvisu  # before tensorflow: it starts TensorFlow quietly (--tf-log: its messages)

import tensorflow.compat.v1 as tf

options = tensorflowvisu.parse_run_options(iterations=10000)  # and --seed 0 (--help lists all)
BATCH_SIZE = 100  # training images per iteration
tf.disable_eager_execution()  # TF1 style: build a graph of operations, then run it in a Session
tf.reset_default_graph()  # an empty graph, even where a notebook kernel ran a step before
tf.set_random_seed(options.seed)

# The network, layer by layer: the shapes between layers, and on each arrow what the layer does
#
#   X  [batch, 28, 28, 1]   the images, flattened to XX [batch, 784]: 28*28 pixels each
#   |  dense, relu          W1 [784, 200]  B1 [200]
#   Y1 [batch, 200]
#   :  dropout, keep 0.75 when training
#   |  dense, relu          W2 [200, 100]  B2 [100]
#   Y2 [batch, 100]
#   :  dropout, keep 0.75 when training
#   |  dense, relu          W3 [100, 60]   B3 [60]
#   Y3 [batch, 60]
#   :  dropout, keep 0.75 when training
#   |  dense, relu          W4 [60, 30]    B4 [30]
#   Y4 [batch, 30]
#   :  dropout, keep 0.75 when training
#   |  dense, softmax       W5 [30, 10]    B5 [10]
#   Y  [batch, 10]          10 probabilities, one per digit

# 60000 training images and 10000 test images, with their labels
mnist = mnistdata.read_data_sets(one_hot=True, reshape=False, seed=options.seed)

# input: batches of 28x28 grayscale images (the first dimension, None, counts the images)
X = tf.placeholder(tf.float32, [None, 28, 28, 1])
# the correct answers, one-hot: the digit 7 is [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
Y_ = tf.placeholder(tf.float32, [None, 10])
# dropout: the probability of keeping each neuron, 0.75 when training, 1.0 when measuring
pkeep = tf.placeholder(tf.float32)

# the variables the training adjusts: small random weights, and biases
L, M, N, O = 200, 100, 60, 30  # neurons in the hidden layers
W1 = tf.Variable(tf.truncated_normal([784, L], stddev=0.1))
B1 = tf.Variable(tf.constant(0.1, tf.float32, [L]))  # 0.1: no ReLU starts dead (at 0)
W2 = tf.Variable(tf.truncated_normal([L, M], stddev=0.1))
B2 = tf.Variable(tf.constant(0.1, tf.float32, [M]))
W3 = tf.Variable(tf.truncated_normal([M, N], stddev=0.1))
B3 = tf.Variable(tf.constant(0.1, tf.float32, [N]))
W4 = tf.Variable(tf.truncated_normal([N, O], stddev=0.1))
B4 = tf.Variable(tf.constant(0.1, tf.float32, [O]))
W5 = tf.Variable(tf.truncated_normal([O, 10], stddev=0.1))
B5 = tf.Variable(tf.constant(0.1, tf.float32, [10]))

# the model: each image as one line of 784 pixels, then the five layers
XX = tf.reshape(X, [-1, 784])
Y1 = tf.nn.relu(tf.matmul(XX, W1) + B1)
Y1d = tf.nn.dropout(Y1, rate=1 - pkeep)
Y2 = tf.nn.relu(tf.matmul(Y1d, W2) + B2)
Y2d = tf.nn.dropout(Y2, rate=1 - pkeep)
Y3 = tf.nn.relu(tf.matmul(Y2d, W3) + B3)
Y3d = tf.nn.dropout(Y3, rate=1 - pkeep)
Y4 = tf.nn.relu(tf.matmul(Y3d, W4) + B4)
Y4d = tf.nn.dropout(Y4, rate=1 - pkeep)
Ylogits = tf.matmul(Y4d, W5) + B5
Y = tf.nn.softmax(Ylogits)

# loss: the same cross-entropy, computed by TensorFlow from the logits so that log(0) cannot
# happen, averaged over the batch, x100 to read as the loss of a batch of 100 images
losses = tf.nn.softmax_cross_entropy_with_logits_v2(logits=Ylogits, labels=Y_)
cross_entropy = tf.reduce_mean(losses) * 100.0

# accuracy: the share of images whose most probable digit is the correct one, 0 (worst) to 1 (best)
correct_prediction = tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

# the optimizer: Adam
step = tf.placeholder(tf.float32)  # the iteration number
lr = 0.0001 + 0.003 * tf.exp(-step / 2000)  # the learning rate: from 0.003, decaying to 0.0001
train_step = tf.train.AdamOptimizer(lr).minimize(cross_entropy)

# what the window shows besides the curves: all weights, all biases, and the digits as recognised
allweights = tf.concat([tf.reshape(w, [-1]) for w in (W1, W2, W3, W4, W5)], 0)
allbiases = tf.concat([tf.reshape(b, [-1]) for b in (B1, B2, B3, B4, B5)], 0)
I = tensorflowvisu.tf_format_mnist_images(X, Y, Y_)  # 100 training digits on 10 lines
It = tensorflowvisu.tf_format_mnist_images(X, Y, Y_, 1000, lines=25)  # 1000 test digits, 25 lines
datavis = tensorflowvisu.MnistDataVis(options)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
# the network's answer for any images: --try, --save, --restore and drawing a digit (D)
datavis.set_classifier(lambda images: sess.run(Y, {X: images, pkeep: 1.0}), sess)


# one training step on a batch of images, measuring the figures the window asks for first
def training_step(i, update_test_data, update_train_data):
    batch_X, batch_Y = mnist.train.next_batch(BATCH_SIZE)
    batch = {X: batch_X, Y_: batch_Y, step: i, pkeep: 1.0}  # measured with all neurons

    if update_train_data:
        a, c, im, w, b, l = sess.run([accuracy, cross_entropy, I, allweights, allbiases, lr], batch)
        datavis.append_training_curves_data(i, a, c, l)
        datavis.append_data_histograms(i, w, b)
        datavis.update_image1(im)

    if update_test_data:
        test_set = {X: mnist.test.images, Y_: mnist.test.labels, pkeep: 1.0}
        a, c, im = sess.run([accuracy, cross_entropy, It], test_set)
        datavis.append_test_curves_data(i, a, c)
        datavis.update_image2(im)

    # the backpropagation step: adjust the weights and biases to lower the loss on this batch
    sess.run(train_step, {X: batch_X, Y_: batch_Y, step: i, pkeep: 0.75})


# trains while the six graphs move; prints the max test accuracy at the end
datavis.animate(
    training_step,
    options.iterations,
    BATCH_SIZE,
    train_data_update_freq=20,
    test_data_update_freq=100,
    more_tests_at_start=True,
)
