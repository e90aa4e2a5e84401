"""A tiny synthetic MNIST, written by the tests themselves: the four IDX files' contents, and
read_data_sets on them (never a download). tests/test_mnistdata*.py use it."""

import gzip
import hashlib
import struct

import mnistdata
from mnistdata import TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS

import numpy as np


def images_idx(pixels, magic=2051, count=None):
    count, rows, cols = (len(pixels) if count is None else count), pixels.shape[1], pixels.shape[2]
    return struct.pack(">IIII", magic, count, rows, cols) + pixels.astype(np.uint8).tobytes()


def labels_idx(digits, magic=2049, count=None):
    count = len(digits) if count is None else count
    return struct.pack(">II", magic, count) + np.asarray(digits, np.uint8).tobytes()


def synthetic(n_train=12, n_test=5, seed=0):
    """The four files' contents: random pixels, labels cycling through the 10 digits."""
    rng = np.random.default_rng(seed)
    return {
        TRAIN_IMAGES: images_idx(rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)),
        TRAIN_LABELS: labels_idx(np.arange(n_train) % 10),
        TEST_IMAGES: images_idx(rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)),
        TEST_LABELS: labels_idx(np.arange(n_test)[::-1] % 10),
    }


def checksums_of(contents):
    return {name: hashlib.sha256(content).hexdigest() for name, content in contents.items()}


def write_files(folder, contents, gz=True):
    """Write the files into folder; gz: True, False, or the names to gzip."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in contents.items():
        if gz is True or (gz and name in gz):
            (folder / (name + ".gz")).write_bytes(gzip.compress(content))
        else:
            (folder / name).write_bytes(content)
    return folder


CONTENTS = synthetic()
CHECKSUMS = checksums_of(CONTENTS)
OTHER_CONTENTS = synthetic(seed=1)  # well-formed, but not "the standard files" for CHECKSUMS


def load(data_dir, **options):
    """read_data_sets on synthetic files: their checksums, and never a download."""
    options = {"checksums": CHECKSUMS, "mirrors": (), **options}
    return mnistdata.read_data_sets(data_dir, **options)


def pixels_of(content):
    return np.frombuffer(content, np.uint8, offset=16).reshape(-1, 28, 28)


def digits_of(content):
    return np.frombuffer(content, np.uint8, offset=8)
