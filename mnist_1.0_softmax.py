"""Step 1.0 of "TensorFlow and deep learning, without a PhD": one layer of softmax neurons.

What to expect, from a full run with seed 0 on the project's 2-core machine (README: all steps):
max test accuracy 0.9226, in about 6 s. The accuracy passes 0.9 within 150 iterations, then creeps
up; training and test curves stay together: one layer of 10 neurons cannot learn much more.

Run it with python from any folder; --help lists the options and the window's keys.
"""

import mnistdata
import tensorflowvisu  # before tensorflow: it starts TensorFlow quietly (--tf-log: its messages)

import tensorflow.compat.v1 as tf

options = tensorflowvisu.parse_run_options(iterations=2000)  # and --seed 0 (--help lists all)
BATCH_SIZE = 100  # training images per iteration
tf.disable_eager_execution()  # TF1 style: build a graph of operations, then run it in a Session
tf.reset_default_graph()  # an empty graph, even where a notebook kernel ran a step before
tf.set_random_seed(options.seed)

# The network, layer by layer: the shapes between layers, and on each arrow what the layer does
#
#   X  [batch, 28, 28, 1]   the images, flattened to XX [batch, 784]: 28*28 pixels each
#   |  dense, softmax       W [784, 10]  b [10]
#   Y  [batch, 10]          10 probabilities, one per digit

# 60000 training images and 10000 test images, with their labels
mnist = mnistdata.read_data_sets(one_hot=True, reshape=False, seed=options.seed)

# input: batches of 28x28 grayscale images (the first dimension, None, counts the images)
X = tf.placeholder(tf.float32, [None, 28, 28, 1])
# the correct answers, one-hot: the digit 7 is [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
Y_ = tf.placeholder(tf.float32, [None, 10])

# the variables the training adjusts: weights and biases
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))

# the model: each image as one line of 784 pixels, then one softmax layer
XX = tf.reshape(X, [-1, 784])
Y = tf.nn.softmax(tf.matmul(XX, W) + b)

# loss: cross-entropy = -sum(Y_ * log(Y)) over the 10 digits, averaged over the batch,
# x100 to read as the loss of a batch of 100 images
cross_entropy = -tf.reduce_mean(tf.reduce_sum(Y_ * tf.log(Y), axis=1)) * 100.0

# accuracy: the share of images whose most probable digit is the correct one, 0 (worst) to 1 (best)
correct_prediction = tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

# the optimizer: plain gradient descent, learning rate 0.005
train_step = tf.train.GradientDescentOptimizer(0.005).minimize(cross_entropy)

# what the window shows besides the curves: all weights, all biases, and the digits as recognised
allweights = tf.reshape(W, [-1])
allbiases = tf.reshape(b, [-1])
I = tensorflowvisu.tf_format_mnist_images(X, Y, Y_)  # 100 training digits on 10 lines
It = tensorflowvisu.tf_format_mnist_images(X, Y, Y_, 1000, lines=25)  # 1000 test digits, 25 lines
datavis = tensorflowvisu.MnistDataVis(options)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
# the network's answer for any images: --try, --save, --restore and drawing a digit (D)
datavis.set_classifier(lambda images: sess.run(Y, {X: images}), sess)


# one training step on a batch of images, measuring the figures the window asks for first
def training_step(i, update_test_data, update_train_data):
    batch_X, batch_Y = mnist.train.next_batch(BATCH_SIZE)
    batch = {X: batch_X, Y_: batch_Y}

    if update_train_data:
        a, c, im, w, bs = sess.run([accuracy, cross_entropy, I, allweights, allbiases], batch)
        datavis.append_training_curves_data(i, a, c)
        datavis.append_data_histograms(i, w, bs)
        datavis.update_image1(im)

    if update_test_data:
        test_set = {X: mnist.test.images, Y_: mnist.test.labels}
        a, c, im = sess.run([accuracy, cross_entropy, It], test_set)
        datavis.append_test_curves_data(i, a, c)
        datavis.update_image2(im)

    # the backpropagation step: adjust W and b to lower the loss on this batch
    sess.run(train_step, batch)


# trains while the six graphs move; prints the max test accuracy at the end
datavis.animate(
    training_step,
    options.iterations,
    BATCH_SIZE,
    train_data_update_freq=10,
    test_data_update_freq=50,
    more_tests_at_start=True,
)
