"""Tests of mnistdata: reading and checking the IDX files, the batches, and the real MNIST files.
Where the files are looked for and their download: tests/test_mnistdata_download.py."""

import gzip
import os
import struct
import subprocess
import sys

import mnistdata
from mnistdata import TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS, MnistDataError

import numpy as np
import pytest

from conftest import ROOT
from synthetic_mnist import (
    CHECKSUMS,
    CONTENTS,
    OTHER_CONTENTS,
    checksums_of,
    digits_of,
    images_idx,
    labels_idx,
    load,
    pixels_of,
    write_files,
)

SPEC_SHA256 = {  # the table in SPEC.md
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


# ---- reading the files ----


def test_images_are_the_file_pixels_scaled_to_0_1_as_float32(tmp_path):
    data = load(write_files(tmp_path, CONTENTS))
    assert data.test.images.dtype == np.float32
    assert data.test.images.shape == (5, 28, 28, 1)
    np.testing.assert_allclose(
        data.test.images[..., 0] * 255, pixels_of(CONTENTS[TEST_IMAGES]), atol=1e-4
    )
    assert data.train.images.min() >= 0 and data.train.images.max() <= 1


def test_labels_are_one_hot_float32_in_file_order(tmp_path):
    data = load(write_files(tmp_path, CONTENTS))
    assert data.test.labels.dtype == np.float32
    assert data.test.labels.shape == (5, 10)
    np.testing.assert_array_equal(data.test.labels, np.eye(10)[digits_of(CONTENTS[TEST_LABELS])])


def test_sizes_follow_the_files(tmp_path):
    data = load(write_files(tmp_path, CONTENTS))
    assert (data.train.num_examples, data.test.num_examples) == (12, 5)
    assert len(data.train.images) == len(data.train.labels) == 12


def test_one_hot_false_gives_uint8_digits(tmp_path):
    data = load(write_files(tmp_path, CONTENTS), one_hot=False)
    assert data.test.labels.dtype == np.uint8
    np.testing.assert_array_equal(data.test.labels, digits_of(CONTENTS[TEST_LABELS]))


def test_reshape_true_gives_flat_784_pixel_rows(tmp_path):
    data = load(write_files(tmp_path, CONTENTS), reshape=True)
    assert data.train.images.shape == (12, 784)
    np.testing.assert_allclose(
        data.test.images * 255, pixels_of(CONTENTS[TEST_IMAGES]).reshape(5, 784), atol=1e-4
    )


@pytest.mark.parametrize(
    "gz", [True, False, {TRAIN_IMAGES, TEST_LABELS}], ids=["gz", "decompressed", "mixed"]
)
def test_gzipped_and_decompressed_files_are_both_accepted(tmp_path, gz):
    data = load(write_files(tmp_path, CONTENTS, gz=gz))
    np.testing.assert_allclose(
        data.test.images[..., 0] * 255, pixels_of(CONTENTS[TEST_IMAGES]), atol=1e-4
    )
    assert data.train.num_examples == 12


def test_the_files_are_found_decompressed_first_else_gzipped_and_the_missing_named(tmp_path):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"x")
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"x")
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"x")
    found = mnistdata.find_files(tmp_path)
    assert found["train-images-idx3-ubyte"] == tmp_path / "train-images-idx3-ubyte"
    assert found["t10k-labels-idx1-ubyte"] == tmp_path / "t10k-labels-idx1-ubyte.gz"
    missing = ["train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"]
    assert mnistdata.missing_files(tmp_path) == missing
    assert mnistdata.missing_files(tmp_path / "nowhere") == list(mnistdata.FILE_NAMES)


def test_loading_prints_one_line_naming_the_folder(tmp_path, capsys):
    load(write_files(tmp_path, CONTENTS))
    out = capsys.readouterr().out
    assert out == f"Loaded MNIST from {tmp_path} (12 training, 5 test images)\n"


def test_checksums_none_accepts_other_well_formed_files(tmp_path):
    data = load(write_files(tmp_path, OTHER_CONTENTS), checksums=None)
    assert data.train.num_examples == 12


# ---- bad files: each one stops with a message naming the file and the fault ----


def with_header(content, **fields):
    """content with some IDX header fields replaced (magic, count, rows, cols)."""
    names = ["magic", "count", "rows", "cols"][
        : 2 if content[3] == 1 else 4
    ]  # byte 3: 1 for labels
    values = dict(zip(names, struct.unpack_from(">" + "I" * len(names), content)), **fields)
    return (
        struct.pack(">" + "I" * len(names), *(values[n] for n in names)) + content[4 * len(names) :]
    )


def flip_crc(gz):
    return gz[:-8] + bytes([gz[-8] ^ 0xFF]) + gz[-7:]


BAD_FILES = {  # id: (name, file written, its bytes, phrases the message must contain)
    "truncated_gzip": (
        TRAIN_IMAGES,
        ".gz",
        gzip.compress(CONTENTS[TRAIN_IMAGES])[:3000],
        ["truncated", "gzip"],
    ),
    "not_gzip": (TRAIN_LABELS, ".gz", CONTENTS[TRAIN_LABELS], ["not a gzip file"]),
    "damaged_gzip": (
        TEST_LABELS,
        ".gz",
        flip_crc(gzip.compress(CONTENTS[TEST_LABELS])),
        ["damaged gzip"],
    ),
    "empty": (TEST_IMAGES, ".gz", b"", ["is empty"]),
    "shorter_than_header": (
        TEST_LABELS,
        "",
        CONTENTS[TEST_LABELS][:5],
        ["truncated", "IDX header"],
    ),
    "fewer_bytes_than_header_promises": (
        TRAIN_IMAGES,
        "",
        CONTENTS[TRAIN_IMAGES][:-100],
        ["truncated", "header promises 12 images"],
    ),
    "count_too_large": (
        TRAIN_LABELS,
        "",
        with_header(CONTENTS[TRAIN_LABELS], count=13),
        ["truncated", "header promises 13 labels"],
    ),
    "count_too_small": (
        TEST_IMAGES,
        "",
        with_header(CONTENTS[TEST_IMAGES], count=4),
        ["784 extra bytes", "4 images"],
    ),
    "trailing_bytes": (TEST_LABELS, "", CONTENTS[TEST_LABELS] + b"\0\0\0", ["3 extra bytes"]),
    "images_with_labels_magic": (
        TRAIN_IMAGES,
        "",
        with_header(CONTENTS[TRAIN_IMAGES], magic=2049),
        ["wrong magic number 2049", "2051"],
    ),
    "labels_with_images_magic": (
        TRAIN_LABELS,
        ".gz",
        gzip.compress(with_header(CONTENTS[TRAIN_LABELS], magic=2051)),
        ["wrong magic number 2051", "2049"],
    ),
    "unknown_magic": (
        TEST_IMAGES,
        "",
        with_header(CONTENTS[TEST_IMAGES], magic=1234),
        ["wrong magic number 1234"],
    ),
    "images_not_28x28": (
        TRAIN_IMAGES,
        "",
        images_idx(np.zeros((12, 27, 29), np.uint8)),
        ["27x29", "28x28"],
    ),
    "label_above_9": (
        TRAIN_LABELS,
        "",
        labels_idx([0, 1, 2, 3, 12, 5, 6, 7, 8, 9, 0, 1]),
        ["label 12", "index 4", "digits 0 to 9"],
    ),
    "checksum_mismatch": (
        TEST_IMAGES,
        ".gz",
        gzip.compress(OTHER_CONTENTS[TEST_IMAGES]),
        ["not the standard MNIST file", CHECKSUMS[TEST_IMAGES]],
    ),
}


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_stops_with_a_message_naming_the_file_and_the_fault(tmp_path, case):
    name, suffix, content, phrases = case
    write_files(tmp_path, CONTENTS)
    (tmp_path / (name + ".gz")).unlink()
    bad_file = tmp_path / (name + suffix)
    bad_file.write_bytes(content)
    with pytest.raises(MnistDataError) as caught:
        load(tmp_path)
    message = str(caught.value)
    assert f"The MNIST file {bad_file} " in message
    for phrase in phrases:
        assert phrase in message
    assert "Delete it" in message and "\n" not in message


def test_images_and_labels_of_different_lengths_are_an_error_naming_both(tmp_path):
    contents = dict(CONTENTS, **{TRAIN_LABELS: labels_idx(np.arange(11) % 10)})
    write_files(tmp_path, contents)
    with pytest.raises(MnistDataError) as caught:
        load(tmp_path, checksums=checksums_of(contents))
    message = str(caught.value)
    for phrase in [
        str(tmp_path / (TRAIN_IMAGES + ".gz")),
        "(12 images)",
        str(tmp_path / (TRAIN_LABELS + ".gz")),
        "(11 labels)",
        "one label per image",
    ]:
        assert phrase in message


def test_unreadable_file_is_an_error_naming_it(tmp_path):
    write_files(tmp_path, CONTENTS)
    (tmp_path / (TRAIN_LABELS + ".gz")).unlink()
    (tmp_path / TRAIN_LABELS).mkdir()  # a folder where the file should be
    with pytest.raises(MnistDataError, match="cannot be read") as caught:
        load(tmp_path)
    assert str(tmp_path / TRAIN_LABELS) in str(caught.value)


def test_error_stops_a_script_with_only_the_paragraph_and_status_1(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MnistDataError) as caught:
        mnistdata.read_data_sets(empty, mirrors=())
    assert isinstance(caught.value, SystemExit) and caught.value.code == str(caught.value)
    script = "import sys, mnistdata; mnistdata.read_data_sets(sys.argv[1], mirrors=())"
    run = subprocess.run(
        [sys.executable, "-W", "error", "-c", script, str(empty)],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        encoding="utf-8",
        timeout=60,
    )
    assert run.returncode == 1
    assert run.stderr == str(caught.value) + "\n"  # no traceback


# ---- batches ----


def numbered(n, shuffle, seed=0):
    """A DataSet whose images are their own index and whose labels are index + 100."""
    return mnistdata.DataSet(np.arange(n), np.arange(n) + 100, shuffle=shuffle, seed=seed)


def walk(dataset, batch_size, batches):
    return np.concatenate([dataset.next_batch(batch_size)[0] for _ in range(batches)])


def test_batches_are_reproducible_from_the_seed():
    np.testing.assert_array_equal(
        walk(numbered(10, True, seed=7), 3, 20), walk(numbered(10, True, seed=7), 3, 20)
    )


def test_different_seeds_give_different_orders():
    assert not np.array_equal(
        walk(numbered(50, True, seed=1), 50, 1), walk(numbered(50, True, seed=2), 50, 1)
    )


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 25])
def test_batches_are_never_short(batch_size):
    dataset = numbered(10, True)
    for _ in range(20):
        images, labels = dataset.next_batch(batch_size)
        assert len(images) == len(labels) == batch_size


@pytest.mark.parametrize("batch_size", [3, 7, 25])
def test_each_epoch_covers_every_example_exactly_once(batch_size):
    seen = walk(
        numbered(10, True), batch_size, 10
    )  # 10 batches of batch_size: a whole number of epochs
    for epoch in seen.reshape(-1, 10):
        np.testing.assert_array_equal(np.sort(epoch), np.arange(10))


def test_training_order_is_reshuffled_every_epoch():
    epochs = walk(numbered(20, True), 20, 4)
    orders = {tuple(epoch) for epoch in epochs.reshape(4, 20)}
    assert len(orders) == 4 and tuple(range(20)) not in orders


def test_labels_stay_with_their_images():
    dataset = numbered(10, True)
    for _ in range(7):
        images, labels = dataset.next_batch(4)
        np.testing.assert_array_equal(labels, images + 100)


def test_unshuffled_set_keeps_file_order_and_wraps_around():
    dataset = numbered(10, False)
    np.testing.assert_array_equal(walk(dataset, 4, 3), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])
    np.testing.assert_array_equal(dataset.next_batch(4)[0], [2, 3, 4, 5])


def test_batch_size_below_one_is_an_error():
    with pytest.raises(ValueError):
        numbered(10, True).next_batch(0)


def test_read_data_sets_shuffles_training_by_seed_and_keeps_test_order(tmp_path):
    folder = write_files(tmp_path, CONTENTS)
    first, again, other = (load(folder, seed=seed) for seed in (3, 3, 4))
    np.testing.assert_array_equal(first.train.next_batch(12)[0], again.train.next_batch(12)[0])
    assert not np.array_equal(first.train.next_batch(12)[0], other.train.next_batch(12)[0])
    np.testing.assert_array_equal(first.test.next_batch(5)[0], first.test.images)


# ---- the real MNIST files ----


@pytest.fixture(scope="module")
def real(mnist_dir):
    return mnistdata.read_data_sets(mnist_dir)


@pytest.fixture(scope="module")
def real_digits_flat(mnist_dir):
    return mnistdata.read_data_sets(mnist_dir, one_hot=False, reshape=True)


def test_real_shapes_and_dtypes(real):
    assert real.train.images.shape == (60000, 28, 28, 1) and real.test.images.shape == (
        10000,
        28,
        28,
        1,
    )
    assert real.train.labels.shape == (60000, 10) and real.test.labels.shape == (10000, 10)
    assert real.train.num_examples == 60000 and real.test.num_examples == 10000
    for array in (real.train.images, real.train.labels, real.test.images, real.test.labels):
        assert array.dtype == np.float32


def test_real_pixels_span_0_to_1(real):
    for images in (real.train.images, real.test.images):
        assert images.min() == 0 and images.max() == 1


def test_real_labels_are_one_hot_with_all_ten_classes(real):
    for labels in (real.train.labels, real.test.labels):
        np.testing.assert_array_equal(labels.sum(axis=1), 1)
        assert set(np.unique(labels)) == {0, 1}
        assert set(labels.argmax(axis=1)) == set(range(10))


def test_real_files_are_checked_against_the_spec_checksums(mnist_dir):
    assert mnistdata.SHA256 == SPEC_SHA256
    labels_file = mnistdata.find_or_download(mnist_dir, mirrors=())[TEST_LABELS]
    assert mnistdata.load_idx_file(labels_file).shape == (10000,)
    with pytest.raises(MnistDataError, match="not the standard MNIST file"):
        mnistdata.load_idx_file(labels_file, checksums={TEST_LABELS: "0" * 64})


def test_real_digits_and_flat_images_match_the_default_load(real, real_digits_flat):
    for default, variant in (
        (real.train, real_digits_flat.train),
        (real.test, real_digits_flat.test),
    ):
        assert variant.images.shape == (default.num_examples, 784)
        assert variant.labels.dtype == np.uint8 and variant.labels.shape == (default.num_examples,)
        assert np.array_equal(variant.images, default.images.reshape(-1, 784))
        assert np.array_equal(variant.labels, default.labels.argmax(axis=1))


def fingerprints(images, labels):
    """One exact integer per (image, label): equal multisets of them mean the same examples."""
    pixels = np.rint(images.reshape(len(images), -1) * 255).astype(np.int64)
    weights = np.random.default_rng(0).integers(1, 2**40, pixels.shape[1])
    return (pixels @ weights) * 10 + labels.argmax(axis=1)


def test_real_one_epoch_of_batches_of_100_covers_every_example_once(real):
    # The only test that draws batches from the shared module fixture.
    batches = [real.train.next_batch(100) for _ in range(600)]
    assert all(len(images) == len(labels) == 100 for images, labels in batches)
    seen = np.concatenate([fingerprints(images, labels) for images, labels in batches])
    everything = fingerprints(real.train.images, real.train.labels)
    np.testing.assert_array_equal(np.sort(seen), np.sort(everything))
    assert not np.array_equal(seen[:100], everything[:100])  # shuffled, not in file order
    test_seen = np.concatenate([fingerprints(*real.test.next_batch(100)) for _ in range(100)])
    np.testing.assert_array_equal(test_seen, fingerprints(real.test.images, real.test.labels))
