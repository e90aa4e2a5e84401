"""The MNIST digits for the workshop scripts: find or download the files, check them, serve batches.

    import mnistdata
    mnist = mnistdata.read_data_sets()
    batch_X, batch_Y = mnist.train.next_batch(100)

The files are looked for in the data_dir argument, else in the folder named by the MNIST_DATA_DIR
environment variable, else in data/ beside this module (never the current directory, so that the
scripts run from any folder). Each file may be gzipped (name.gz) or already decompressed (name).
Missing files are downloaded from MIRRORS. Every file is checked (IDX structure, labels, SHA-256 of
its content) before anything trains on it; a problem stops the script with one paragraph saying
what is wrong and how to fix it.
A learner's page: docs/setup-and-tests.md ("The dataset, offline").
"""

import gzip
import hashlib
import http.client
import math
import os
import struct
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

# Base URLs tried in this order; the first is the one the original codelab downloaded from.
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
FILE_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

# SHA-256 of each file's decompressed content: mirrors gzip differently, the content is the same.
SHA256 = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
DOWNLOAD_TIMEOUT_S = 30

IMAGES_MAGIC = 2051  # IDX header of an images file: magic, count, rows, cols (big-endian uint32)
LABELS_MAGIC = 2049  # IDX header of a labels file: magic, count
IMAGE_SIZE = 28
NUM_CLASSES = 10


# A SystemExit on purpose: a script that hits it stops with just the message on stderr and exit
# status 1, no traceback, because the message already says what is wrong and what to do.
# Code that wants to recover can still catch MnistDataError by name.
class MnistDataError(SystemExit):
    """The MNIST files are missing, unreadable or wrong; str(error) is the explanation."""


class _BadContent(ValueError):
    """What is wrong with a file's bytes, phrased to follow "The MNIST file <path> ..."."""


class DataSet:
    """Images and labels of one part of MNIST, and next_batch to walk through them.

    With shuffle=True (the training set) every epoch visits all the examples in a new random order
    drawn from numpy.random.default_rng(seed); with shuffle=False (the test set) in stored order.
    Batches are always full: one that runs past the end of an epoch is completed from the start of
    the next, so every example is still seen exactly once per epoch.
    """

    def __init__(self, images, labels, shuffle=False, seed=0):
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        self.images = images
        self.labels = labels
        self.num_examples = len(images)
        self._shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(self.num_examples)
        self._position = self.num_examples  # at the end, so that the first batch starts an epoch

    def next_batch(self, batch_size):
        """The next batch_size (images, labels)."""
        if batch_size < 1 or self.num_examples == 0:
            raise ValueError(
                f"cannot take a batch of {batch_size} from {self.num_examples} examples"
            )
        pieces = []
        while batch_size > 0:
            if self._position == self.num_examples:
                if self._shuffle:
                    self._order = self._rng.permutation(self.num_examples)
                self._position = 0
            piece = self._order[self._position : self._position + batch_size]
            pieces.append(piece)
            self._position += len(piece)
            batch_size -= len(piece)
        index = np.concatenate(pieces)
        return self.images[index], self.labels[index]


class Datasets(NamedTuple):
    train: DataSet
    test: DataSet


def read_data_sets(
    data_dir=None, one_hot=True, reshape=False, seed=0, mirrors=MIRRORS, checksums=SHA256
):
    """Load MNIST: .train (60000 examples, shuffled batches) and .test (10000, in file order).

    images: float32 in [0, 1], [N, 28, 28, 1], or [N, 784] with reshape=True.
    labels: one-hot float32 [N, 10], or uint8 digits with one_hot=False.
    seed: the training batches' order (numpy.random.default_rng); None for a different one each run.
    checksums: SHA-256 of each file's decompressed content; None (or a file left out) skips that
    check.
    """
    folder = resolve_data_dir(data_dir)
    paths = find_or_download(folder, mirrors, checksums)
    arrays = {name: load_idx_file(path, checksums) for name, path in paths.items()}

    def dataset(images_name, labels_name, shuffle):
        pixels, digits = arrays[images_name], arrays[labels_name]
        if len(pixels) != len(digits):
            raise MnistDataError(
                f"The MNIST files {paths[images_name]} ({len(pixels)} images) and "
                f"{paths[labels_name]} ({len(digits)} labels) do not belong together: there "
                "must be one label per image. Delete the wrong one so that the loader downloads "
                "a fresh copy, or replace it with the standard file."
            )
        images = pixels.astype(np.float32)
        images /= 255  # in place: the float array is the big one (190 MB for the training set)
        images = images.reshape(len(images), -1) if reshape else images.reshape(*images.shape, 1)
        labels = np.eye(NUM_CLASSES, dtype=np.float32)[digits] if one_hot else digits.copy()
        return DataSet(images, labels, shuffle=shuffle, seed=seed)

    data = Datasets(
        train=dataset(TRAIN_IMAGES, TRAIN_LABELS, shuffle=True),
        test=dataset(TEST_IMAGES, TEST_LABELS, shuffle=False),
    )
    counts = data.train.num_examples, data.test.num_examples
    print("Loaded MNIST from %s (%d training, %d test images)" % (folder, *counts))
    return data


def resolve_data_dir(data_dir=None):
    """The folder to use: data_dir, else $MNIST_DATA_DIR, else data/ beside this module."""
    if data_dir is None:
        data_dir = os.environ.get("MNIST_DATA_DIR") or DEFAULT_DATA_DIR
    return Path(os.path.abspath(os.path.expanduser(data_dir)))


def find_files(folder):
    """{name: the path of that file in folder, or None} for the four files, each decompressed
    (the faster to read) or gzipped. Whether they are there, not yet whether they are right."""
    folder = Path(folder)
    paths = {}
    for name in FILE_NAMES:
        found = [path for path in (folder / name, folder / (name + ".gz")) if path.exists()]
        paths[name] = found[0] if found else None
    return paths


def missing_files(folder):
    """The names of the four files that folder lacks (none: all there, to be checked)."""
    return [name for name, path in find_files(folder).items() if path is None]


def find_or_download(folder, mirrors=MIRRORS, checksums=SHA256):
    """{name: path} of the four files in folder, downloading the missing ones first."""
    folder = Path(folder)
    paths = find_files(folder)
    missing = [name for name, path in paths.items() if path is None]
    if missing:
        _download(folder, missing, mirrors, checksums)
        paths.update({name: folder / (name + ".gz") for name in missing})
    return paths


def load_idx_file(path, checksums=SHA256):
    """The uint8 array in an MNIST file (.gz or not): [N, 28, 28] images or [N] labels, checked."""
    path = Path(path)
    name = path.name.removesuffix(".gz")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise MnistDataError(
            f"The MNIST file {path} cannot be read ({error.strerror or error}). "
            "Check that it is a readable file, or delete it so that the loader downloads it "
            "again."
        ) from None
    try:
        return _checked_array(raw, path.suffix == ".gz", name, checksums)
    except _BadContent as fault:
        raise MnistDataError(
            f"The MNIST file {path} {fault}. Delete it so that the loader downloads a fresh copy, "
            "or replace it with the standard file."
        ) from None


def _checked_array(raw, compressed, name, checksums):
    if not raw:
        raise _BadContent("is empty")
    content = _gunzip(raw) if compressed else raw
    array = _parse_idx(content, IMAGES_MAGIC if "images" in name else LABELS_MAGIC)
    if array.ndim == 1 and array.size and array.max() >= NUM_CLASSES:
        bad = int(np.argmax(array >= NUM_CLASSES))
        raise _BadContent(
            f"holds the label {array[bad]} (at index {bad}), but MNIST labels are the digits 0 to 9"
        )
    expected = (checksums or {}).get(name)
    if expected:
        actual = hashlib.sha256(content).hexdigest()
        if actual != expected:
            raise _BadContent(
                f"is not the standard MNIST file: the SHA-256 of its content is {actual}, "
                f"the standard {name} has {expected}"
            )
    return array


def _gunzip(raw):
    if not raw.startswith(b"\x1f\x8b"):
        raise _BadContent("is not a gzip file, although its name ends in .gz")
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise _BadContent("is truncated: its gzip stream ends early") from None
    except (gzip.BadGzipFile, zlib.error) as error:
        raise _BadContent(f"is a damaged gzip file ({error})") from None


def _parse_idx(content, magic):
    kind = "images" if magic == IMAGES_MAGIC else "labels"
    header_size = 16 if magic == IMAGES_MAGIC else 8
    if len(content) < 8:
        raise _BadContent(f"is truncated: {len(content)} bytes, less than an IDX header")
    found, count = struct.unpack_from(">II", content)
    if found != magic:
        found_kind = {
            IMAGES_MAGIC: " (that of an images file)",
            LABELS_MAGIC: " (that of a labels file)",
        }.get(found, "")
        raise _BadContent(
            f"has the wrong magic number {found}{found_kind}: "
            f"an IDX {kind} file starts with {magic}"
        )
    shape = (count,)
    if magic == IMAGES_MAGIC:
        if len(content) < header_size:
            raise _BadContent(
                f"is truncated: {len(content)} bytes, less than the {header_size}-byte IDX header"
            )
        rows, cols = struct.unpack_from(">II", content, 8)
        if (rows, cols) != (IMAGE_SIZE, IMAGE_SIZE):
            raise _BadContent(
                f"holds {rows}x{cols} images, but MNIST images are {IMAGE_SIZE}x{IMAGE_SIZE}"
            )
        shape = (count, rows, cols)
    expected = header_size + math.prod(shape)
    if len(content) < expected:
        raise _BadContent(
            f"is truncated: it has {len(content)} bytes, but its header promises {count} {kind} "
            f"({expected} bytes)"
        )
    if len(content) > expected:
        raise _BadContent(
            f"has {len(content) - expected} extra bytes after the {count} {kind} its header counts "
            f"(a wrong count, or trailing bytes)"
        )
    return np.frombuffer(content, np.uint8, offset=header_size).reshape(shape)


def _how_to_supply(folder):
    return (
        f"To supply the files by hand, copy the four MNIST files ({', '.join(FILE_NAMES)}; "
        f"each gzipped as .gz or decompressed, either works) into {folder}, or point the "
        "MNIST_DATA_DIR environment variable (or the data_dir argument) at a folder that has them."
    )


def _download(folder, missing, mirrors, checksums):
    """Download the missing files into folder as name.gz, or raise MnistDataError, leaving nothing
    behind."""
    if not mirrors:
        raise MnistDataError(
            f"The MNIST {_files_are(missing)} missing from {folder}, and no download mirror "
            f"was given. {_how_to_supply(folder)}"
        )
    print(f"MNIST: {', '.join(missing)} not found in {folder}, downloading.", file=sys.stderr)
    created = _make_folder(folder, missing)
    failures = {}  # mirror -> why it failed; a mirror that failed is not tried again in this call
    try:
        for done, name in enumerate(missing):
            if not _download_file(folder, name, mirrors, checksums, failures):
                tried = "; ".join(
                    f"{mirror} ({failures.get(mirror, 'not tried')})" for mirror in mirrors
                )
                raise MnistDataError(
                    f"The MNIST {_files_are(missing[done:])} missing from {folder} and could not "
                    f"be downloaded from any mirror: {tried}. {_how_to_supply(folder)}"
                )
    except BaseException:  # KeyboardInterrupt too: leave no empty folder that we made behind
        _remove_empty(created)
        raise


def _files_are(names):
    return f"file {names[0]} is" if len(names) == 1 else f"files {', '.join(names)} are"


def _make_folder(folder, missing):
    """Create folder and its missing parents; return the ones created, deepest first."""
    created = []
    path = folder
    while not path.exists() and not path.is_symlink():
        created.append(path)
        path = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _remove_empty(created)
        raise MnistDataError(
            f"The MNIST {_files_are(missing)} missing from {folder}, and that folder "
            f"cannot be created to download them ({error.strerror or error}). "
            f"{_how_to_supply(folder)}"
        ) from None
    return created


def _remove_empty(folders):
    for path in folders:  # deepest first
        try:
            path.rmdir()
        except OSError:
            break


def _download_file(folder, name, mirrors, checksums, failures):
    """Fetch name.gz into folder from the first mirror that serves the right bytes; False if none
    does."""
    usable = [mirror for mirror in mirrors if mirror not in failures]
    for number, mirror in enumerate(usable, 1):
        url = mirror.rstrip("/") + "/" + name + ".gz"
        try:
            handle, temp_path = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
        except OSError as error:
            raise MnistDataError(
                f"The MNIST file {name} is missing from {folder}, and that folder is not writable, "
                f"so it cannot be downloaded there ({error.strerror or error}). "
                f"{_how_to_supply(folder)}"
            ) from None
        try:
            with os.fdopen(handle, "wb") as out:
                _fetch(url, out, name, mirror)
            # Only a complete, verified file gets the real name, so a bad one is never used later.
            _checked_array(Path(temp_path).read_bytes(), True, name, checksums)
            os.replace(temp_path, folder / (name + ".gz"))
            return True
        except (OSError, ValueError, http.client.HTTPException) as error:  # URLError is an OSError
            failures[mirror] = f"{name}.gz: {_reason(error)}"
            next_step = "trying the next mirror" if number < len(usable) else "no mirror left"
            print(f"MNIST: {url} failed ({_reason(error)}); {next_step}.", file=sys.stderr)
            if isinstance(error, urllib.error.HTTPError):
                error.close()  # it holds the response open
        finally:
            if os.path.exists(temp_path):
                os.remove(temp_path)
    return False


def _fetch(url, out, name, mirror):
    """Copy url into the open file out, with a progress line on stderr updated in place."""
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
        total = int(response.headers.get("Content-Length") or 0)
        received = 0
        shown = None
        try:
            while True:
                # Redraw once per percent (or per MB when the size is unknown), not once per chunk.
                step = 100 * received // total if total else received // 1_000_000
                if step != shown:
                    done = (
                        f"{step:3d}% ({_size(received)} of {_size(total)})"
                        if total
                        else _size(received)
                    )
                    sys.stderr.write(f"\rDownloading {name}.gz from {mirror}: {done}")
                    sys.stderr.flush()
                    shown = step
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                out.write(chunk)
                received += len(chunk)
        finally:
            sys.stderr.write("\n")
    if total and received != total:
        raise ConnectionError(f"the connection closed after {received} of {total} bytes")


def _size(num_bytes):
    if num_bytes < 1e3:
        return f"{num_bytes} B"
    return f"{num_bytes / 1e6:.1f} MB" if num_bytes >= 1e6 else f"{num_bytes / 1e3:.0f} kB"


def _reason(error):
    """Why a mirror failed, in a few words."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP error {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        error = error.reason
    if isinstance(error, TimeoutError):
        return f"no answer within {DOWNLOAD_TIMEOUT_S} s"
    if isinstance(error, _BadContent):
        return f"the file it served {error}"
    return str(error) or type(error).__name__
