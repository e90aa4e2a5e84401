"""Tests of mnistdata: where the four files are looked for, and their download (from a local HTTP
server, never a real host), which leaves nothing half-written behind."""

import functools
import gzip
import http.server
import os
import socket
import threading
import time
from pathlib import Path

import mnistdata
from mnistdata import TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS, MnistDataError

import pytest

from synthetic_mnist import CONTENTS, OTHER_CONTENTS, load, synthetic, write_files


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv("MNIST_DATA_DIR", raising=False)


# ---- where the files are looked for ----


@pytest.fixture
def three_folders(tmp_path, monkeypatch):
    """Folders with 10, 11 and 12 training images for data_dir, MNIST_DATA_DIR and the default."""
    folders = {}
    for where, n_train in (("explicit", 10), ("env", 11), ("default", 12)):
        contents = synthetic(n_train=n_train)
        write_files(tmp_path / where, contents)
        folders[where] = tmp_path / where
    monkeypatch.setattr(mnistdata, "DEFAULT_DATA_DIR", folders["default"])
    return folders


def train_size(data_dir=None):
    return mnistdata.read_data_sets(data_dir, mirrors=(), checksums=None).train.num_examples


def test_explicit_data_dir_comes_first(three_folders, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_DIR", str(three_folders["env"]))
    assert train_size(three_folders["explicit"]) == 10


def test_mnist_data_dir_comes_before_the_default(three_folders, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_DIR", str(three_folders["env"]))
    assert train_size() == 11


def test_default_folder_is_used_last(three_folders, no_env):
    assert train_size() == 12


def test_default_folder_is_data_beside_the_module():
    assert mnistdata.DEFAULT_DATA_DIR == Path(mnistdata.__file__).resolve().parent / "data"


def test_current_directory_is_not_searched(tmp_path, monkeypatch, no_env):
    write_files(tmp_path, CONTENTS)
    write_files(tmp_path / "data", CONTENTS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(mnistdata, "DEFAULT_DATA_DIR", tmp_path / "elsewhere" / "data")
    with pytest.raises(MnistDataError) as caught:
        load(None)
    assert f"missing from {tmp_path / 'elsewhere' / 'data'}," in str(caught.value)


def test_relative_data_dir_is_relative_to_the_current_directory(tmp_path, monkeypatch, capsys):
    write_files(tmp_path / "sub", CONTENTS)
    monkeypatch.chdir(tmp_path)
    assert load("sub").train.num_examples == 12
    assert f"from {tmp_path / 'sub'} " in capsys.readouterr().out


# ---- downloading, from a server on 127.0.0.1 ----


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/slow/"):
            time.sleep(2)  # answer nothing; the client must give up on its own
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path_factory, monkeypatch):
    """Base URL of a local server: /good/ has the files, /wrong/ other files, /truncated/ cut ones,
    /partial/ only the training files, /slow/ never answers, anything else is 404."""
    monkeypatch.setenv("no_proxy", "*")  # never send 127.0.0.1 through a proxy
    monkeypatch.setenv("NO_PROXY", "*")
    www = tmp_path_factory.mktemp("www")
    write_files(www / "good", CONTENTS)
    write_files(www / "wrong", OTHER_CONTENTS)
    write_files(www / "partial", {name: CONTENTS[name] for name in (TRAIN_IMAGES, TRAIN_LABELS)})
    (www / "truncated").mkdir()
    for name, content in CONTENTS.items():
        (www / "truncated" / (name + ".gz")).write_bytes(gzip.compress(content)[:-20])
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(www))
    )
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def dead_mirror():
    """A URL on a port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def gz_names(folder):
    return sorted(path.name for path in folder.iterdir())


def assert_good_files_in(folder):
    assert gz_names(folder) == sorted(name + ".gz" for name in CONTENTS)  # and no temporary file
    for name, content in CONTENTS.items():
        assert gzip.decompress((folder / (name + ".gz")).read_bytes()) == content


def test_download_fetches_the_missing_files_with_a_progress_line(server, tmp_path, capsys):
    target = tmp_path / "new" / "data"
    data = load(target, mirrors=[f"{server}/good/"])
    assert_good_files_in(target)
    assert data.train.num_examples == 12
    err = capsys.readouterr().err
    for name in CONTENTS:
        assert f"\rDownloading {name}.gz from {server}/good/: 100% (" in err
    assert err.endswith("\n") and "failed" not in err


def test_download_fetches_only_the_missing_file(server, tmp_path, capsys):
    write_files(
        tmp_path,
        {name: CONTENTS[name] for name in (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES)},
        gz=False,
    )
    load(tmp_path, mirrors=[f"{server}/good/"])
    assert gz_names(tmp_path) == sorted(
        [TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS + ".gz"]
    )
    progress_lines = [line for line in capsys.readouterr().err.split("\n") if "Downloading" in line]
    assert len(progress_lines) == 1 and TEST_LABELS in progress_lines[0]


def test_download_skips_an_unreachable_and_a_404_mirror(server, dead_mirror, tmp_path, capsys):
    load(tmp_path, mirrors=[dead_mirror, f"{server}/nothing-here/", f"{server}/good/"])
    assert_good_files_in(tmp_path)
    failures = [line for line in capsys.readouterr().err.splitlines() if "failed" in line]
    assert len(failures) == 2  # each bad mirror is tried once, not once per file
    assert dead_mirror in failures[0] and "trying the next mirror" in failures[0]
    assert "HTTP error 404" in failures[1]


def test_download_skips_mirrors_serving_wrong_or_truncated_bytes(server, tmp_path, capsys):
    load(tmp_path, mirrors=[f"{server}/wrong/", f"{server}/truncated/", f"{server}/good/"])
    assert_good_files_in(tmp_path)
    err = capsys.readouterr().err
    assert "not the standard MNIST file" in err and "truncated" in err


def test_download_gives_up_on_a_mirror_that_does_not_answer(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(mnistdata, "DOWNLOAD_TIMEOUT_S", 0.2)
    load(tmp_path, mirrors=[f"{server}/slow/", f"{server}/good/"])
    assert_good_files_in(tmp_path)
    assert "no answer within 0.2 s" in capsys.readouterr().err


@pytest.mark.parametrize("folder_exists", [False, True], ids=["new_folder", "existing_folder"])
def test_all_mirrors_failing_is_one_paragraph_and_leaves_nothing_behind(
    server, dead_mirror, tmp_path, folder_exists
):
    target = tmp_path / "made" / "data"
    if folder_exists:
        target.mkdir(parents=True)
    mirrors = [dead_mirror, f"{server}/nothing-here/", f"{server}/wrong/"]
    with pytest.raises(MnistDataError) as caught:
        load(target, mirrors=mirrors)
    error = caught.value
    assert isinstance(error, SystemExit) and error.code  # a non-zero exit status: 1
    message = str(error)
    assert "\n" not in message
    for phrase in [
        *CONTENTS,
        f"missing from {target} ",
        *mirrors,
        "Connection refused",
        "HTTP error 404",
        "not the standard MNIST file",
        "copy the four MNIST files",
        "decompressed",
        f"into {target},",
        "MNIST_DATA_DIR",
        "data_dir",
    ]:
        assert phrase in message
    if folder_exists:
        assert gz_names(target) == []
    else:
        assert not (tmp_path / "made").exists()


def test_files_downloaded_before_a_failure_are_kept_and_the_rest_named(server, tmp_path):
    with pytest.raises(MnistDataError) as caught:
        load(tmp_path, mirrors=[f"{server}/partial/"])
    message = str(caught.value)
    assert message.startswith(
        f"The MNIST files {TEST_IMAGES}, {TEST_LABELS} are missing from {tmp_path} "
    )
    assert gz_names(tmp_path) == [TRAIN_IMAGES + ".gz", TRAIN_LABELS + ".gz"]


def test_interrupted_download_leaves_no_temporary_file_or_folder(server, tmp_path, monkeypatch):
    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(mnistdata, "_checked_array", interrupt)  # Ctrl-C once the bytes are on disk
    target = tmp_path / "data"
    with pytest.raises(KeyboardInterrupt):
        load(target, mirrors=[f"{server}/good/"])
    assert not target.exists()


def test_folder_that_cannot_be_created_is_a_clear_error(tmp_path, dead_mirror):
    (tmp_path / "a_file").write_text("", encoding="utf-8")
    target = tmp_path / "a_file" / "data"
    with pytest.raises(MnistDataError) as caught:
        load(target, mirrors=[dead_mirror])
    assert f"missing from {target}, and that folder cannot be created" in str(caught.value)
    assert "MNIST_DATA_DIR" in str(caught.value)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_folder_that_cannot_be_written_is_a_clear_error(tmp_path, dead_mirror):
    target = tmp_path / "locked"
    target.mkdir(mode=0o500)
    try:
        with pytest.raises(MnistDataError, match="not writable"):
            load(target, mirrors=[dead_mirror])
    finally:
        target.chmod(0o700)
