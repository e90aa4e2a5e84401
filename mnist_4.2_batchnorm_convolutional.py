"""Step 4.2 of "TensorFlow and deep learning, without a PhD": convolutions with batch norm.

What to expect, from a full run with seed 0 on the project's 2-core machine (README: all steps):
max test accuracy 0.9957, in about 6 min. Against 3.1: above 0.99 from 1300 iterations (3.1:
3500), and a test loss that falls to about 1.5, a third of 3.1's, and stays there; the
bigger layers (24, 48, 64 channels) make each iteration several times slower.

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
#   X  [batch, 28, 28, 1]    the images
#   |  conv 6x6, stride 1, SAME padding, batch norm (offset B1), relu    W1 [6, 6, 1, 24]   B1 [24]
#   Y1 [batch, 28, 28, 24]
#   |  conv 5x5, stride 2, SAME padding, batch norm (offset B2), relu    W2 [5, 5, 24, 48]  B2 [48]
#   Y2 [batch, 14, 14, 48]
#   |  conv 4x4, stride 2, SAME padding, batch norm (offset B3), relu    W3 [4, 4, 48, 64]  B3 [64]
#   Y3 [batch, 7, 7, 64]     flattened to YY [batch, 7*7*64]
#   |  dense, batch norm (offset B4), relu                               W4 [7*7*64, 200]   B4 [200]
#   Y4 [batch, 200]
#   :  dropout, keep 0.75 when training
#   |  dense, softmax                                                    W5 [200, 10]       B5 [10]
#   Y  [batch, 10]           10 probabilities, one per digit

# 60000 training images and 10000 test images, with their labels
mnist = mnistdata.read_data_sets(one_hot=True, reshape=False, seed=options.seed)

# input: batches of 28x28 grayscale images (the first dimension, None, counts the images)
X = tf.placeholder(tf.float32, [None, 28, 28, 1])
# the correct answers, one-hot: the digit 7 is [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
Y_ = tf.placeholder(tf.float32, [None, 10])
# dropout: the probability of keeping each neuron, 0.75 when training, 1.0 when measuring
pkeep = tf.placeholder(tf.float32)
# batch norm uses the batch's statistics when training, their moving averages when testing
testing = tf.placeholder(tf.bool)

# the variables the training adjusts: small random weights; batch norm's offsets (at 0.1) take the
# place of the biases, and no scales: with ReLU they would change nothing
K, L, M, N = 24, 48, 64, 200  # channels out of the 3 convolutional layers, neurons of the dense one
W1 = tf.Variable(tf.truncated_normal([6, 6, 1, K], stddev=0.1))  # 6x6 patches, 1 channel in, K out
B1 = tf.Variable(tf.constant(0.1, tf.float32, [K]))
W2 = tf.Variable(tf.truncated_normal([5, 5, K, L], stddev=0.1))
B2 = tf.Variable(tf.constant(0.1, tf.float32, [L]))
W3 = tf.Variable(tf.truncated_normal([4, 4, L, M], stddev=0.1))
B3 = tf.Variable(tf.constant(0.1, tf.float32, [M]))
W4 = tf.Variable(tf.truncated_normal([7 * 7 * M, N], stddev=0.1))
B4 = tf.Variable(tf.constant(0.1, tf.float32, [N]))
W5 = tf.Variable(tf.truncated_normal([N, 10], stddev=0.1))
B5 = tf.Variable(tf.constant(0.1, tf.float32, [10]))

# batch normalisation: centre and scale each neuron's output with the mean and variance over the
# batch (over the batch, x and y for a convolutional layer), then apply the learned offset and
# scale. Testing uses moving averages of these statistics, updated once per training iteration;
# giving them the iteration count keeps them from averaging over iterations that did not happen yet.
step = tf.placeholder(tf.float32)  # the iteration number
moving_averages = tf.train.ExponentialMovingAverage(0.999, step)


def batchnorm(Ylogits, offset, scale=None, convolutional=False):
    mean, variance = tf.nn.moments(Ylogits, [0, 1, 2] if convolutional else [0])
    update_moving_averages = moving_averages.apply([mean, variance])
    mean = tf.cond(testing, lambda: moving_averages.average(mean), lambda: mean)
    variance = tf.cond(testing, lambda: moving_averages.average(variance), lambda: variance)
    normalised = tf.nn.batch_normalization(Ylogits, mean, variance, offset, scale, 1e-5)
    return normalised, update_moving_averages


# the model: stride 2 halves the image's width and height: 28x28, then 14x14, then 7x7
# (SAME padding: the patches also cover the edges, the image padded with zeros where they stick out)
Y1conv = tf.nn.conv2d(X, W1, strides=[1, 1, 1, 1], padding="SAME")
Y1bn, update1 = batchnorm(Y1conv, B1, convolutional=True)
Y1 = tf.nn.relu(Y1bn)
Y2conv = tf.nn.conv2d(Y1, W2, strides=[1, 2, 2, 1], padding="SAME")
Y2bn, update2 = batchnorm(Y2conv, B2, convolutional=True)
Y2 = tf.nn.relu(Y2bn)
Y3conv = tf.nn.conv2d(Y2, W3, strides=[1, 2, 2, 1], padding="SAME")
Y3bn, update3 = batchnorm(Y3conv, B3, convolutional=True)
Y3 = tf.nn.relu(Y3bn)
YY = tf.reshape(Y3, [-1, 7 * 7 * M])  # the last convolution's output flattened for the dense layer
Y4bn, update4 = batchnorm(tf.matmul(YY, W4), B4)
Y4 = tf.nn.relu(Y4bn)
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
lr = 0.0001 + 0.02 * tf.exp(-step / 1600)  # the learning rate: from 0.02, decaying to 0.0001
train_step = tf.train.AdamOptimizer(lr).minimize(cross_entropy)
update_moving_averages = tf.group(update1, update2, update3, update4)

# what the window shows besides the curves: how the activations spread, the digits as recognised
conv_activations = tf.concat([tf.reshape(Y1, [-1]), tf.reshape(Y2, [-1]), tf.reshape(Y3, [-1])], 0)
dense_activations = tf.reshape(Y4, [-1])
I = tensorflowvisu.tf_format_mnist_images(X, Y, Y_)  # 100 training digits on 10 lines
It = tensorflowvisu.tf_format_mnist_images(X, Y, Y_, 1000, lines=25)  # 1000 test digits, 25 lines
datavis = tensorflowvisu.MnistDataVis(
    options, title4="Activations, conv layers", title5="Activations, dense layer"
)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
# the network's answer for any images: --try, --save, --restore and drawing a digit (D)
datavis.set_classifier(lambda images: sess.run(Y, {X: images, pkeep: 1.0, testing: True}), sess)


# one training step on a batch of images, measuring the figures the window asks for first
def training_step(i, update_test_data, update_train_data):
    batch_X, batch_Y = mnist.train.next_batch(BATCH_SIZE)
    batch = {X: batch_X, Y_: batch_Y, step: i, pkeep: 1.0, testing: False}  # all neurons

    if update_train_data:
        a, c, im, w, b, l = sess.run(
            [accuracy, cross_entropy, I, conv_activations, dense_activations, lr], batch
        )
        datavis.append_training_curves_data(i, a, c, l)
        datavis.append_data_histograms(i, w, b)
        datavis.update_image1(im)

    if update_test_data:
        test_set = {X: mnist.test.images, Y_: mnist.test.labels, pkeep: 1.0, testing: True}
        a, c, im = sess.run([accuracy, cross_entropy, It], test_set)
        datavis.append_test_curves_data(i, a, c)
        datavis.update_image2(im)

    # the backpropagation step, and the moving averages of the batch statistics
    training = {X: batch_X, Y_: batch_Y, step: i, pkeep: 0.75, testing: False}
    sess.run([train_step, update_moving_averages], training)


# trains while the six graphs move; prints the max test accuracy at the end
datavis.animate(
    training_step,
    options.iterations,
    BATCH_SIZE,
    train_data_update_freq=20,
    test_data_update_freq=100,
)
