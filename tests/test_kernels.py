"""The CPU kernels the steps choose (visu/kernels.py): for each kind of processor from its flags in
/proc/cpuinfo (written out here, so that no test needs that processor), for each kind of network,
and the learner's own TF_ENABLE_ONEDNN_OPTS above all; then a real step's run on a processor of the
kind TensorFlow gives its own kernels, the flags given to the step's own Python."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT
from visu import kernels, steps

CONV, DENSE = kernels.CONVOLUTIONAL, kernels.DENSE

# /proc/cpuinfo's first lines on each kind of processor (their flags cut to the telling ones)
AVX2_ONLY = """\
processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B12
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi2
"""
AVX512_WITHOUT_VNNI = """\
processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz
flags\t\t: fpu sse sse2 avx f16c fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl
"""
AVX512_VNNI = """\
processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu sse sse2 avx fma avx2 avx512f avx512bw avx512vl avx512_bf16 avx512_vnni
"""
AVX_VNNI = """\
processor\t: 0
vendor_id\t: GenuineIntel
model name\t: 12th Gen Intel(R) Core(TM) i7-1260P
flags\t\t: fpu sse sse2 avx f16c fma avx2 avx_vnni
"""
ARM = """\
processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm
CPU implementer\t: 0x41
"""


def choice(cpuinfo, kind, system="Linux", machine="x86_64", environ=None):
    """(setting, why) of the Choice."""
    flags = kernels.cpu_flags(cpuinfo) if cpuinfo else None
    return kernels.choose(kind, system, machine, flags, environ or {})[:2]


def test_the_flags_are_read_from_cpuinfo_on_x86_and_arm(tmp_path):
    assert {"avx2", "fma"} <= kernels.cpu_flags(AVX2_ONLY)
    assert "avx512f" not in kernels.cpu_flags(AVX2_ONLY)
    assert "asimd" in kernels.cpu_flags(ARM)
    path = tmp_path / "cpuinfo"
    path.write_text(AVX512_VNNI, encoding="utf-8")
    assert "avx512_vnni" in kernels.cpu_flags(str(path))
    assert kernels.cpu_flags(str(tmp_path / "missing")) is None  # Windows, macOS


def test_on_avx2_alone_a_convolutional_network_gets_onednn_and_a_dense_one_tensorflows_own():
    assert choice(AVX2_ONLY, CONV) == (
        "1",
        ": 2.3 times faster for convolutions on this processor (AVX2, no AVX-512)",
    )
    assert choice(AVX2_ONLY, DENSE) == (
        "0",
        ": 13% faster than oneDNN's for a dense network on this processor (AVX2, no AVX-512)",
    )


def test_with_avx512_but_no_vnni_tensorflow_picks_its_own_so_convolutions_get_onednn():
    (conv, why_conv), (dense, why_dense) = (choice(AVX512_WITHOUT_VNNI, k) for k in (CONV, DENSE))
    assert conv == "1" and "faster for convolutions" in why_conv
    assert dense == "0" and "dense network" in why_dense
    assert "this processor" not in why_conv + why_dense  # measured on AVX2 alone, not here


@pytest.mark.parametrize("cpuinfo, feature", [(AVX512_VNNI, "AVX512_VNNI"), (AVX_VNNI, "AVX_VNNI")])
@pytest.mark.parametrize("kind", [CONV, DENSE, None])
def test_where_tensorflow_turns_onednn_on_itself_its_choice_stands(cpuinfo, feature, kind):
    assert choice(cpuinfo, kind) == (None, ", TensorFlow's choice on this processor (%s)" % feature)


@pytest.mark.parametrize(
    "cpuinfo, system, machine",
    [(ARM, "Linux", "aarch64"), (None, "Darwin", "arm64"), (None, "Darwin", "x86_64")],
    ids=["ARM Linux", "Apple silicon", "Intel Mac"],
)
@pytest.mark.parametrize("kind", [CONV, DENSE, None])
def test_on_arm_and_macos_tensorflows_choice_stands(cpuinfo, system, machine, kind):
    assert choice(cpuinfo, kind, system, machine) == (
        None,
        ", TensorFlow's choice on this processor",
    )


def test_on_windows_without_flags_convolutions_get_onednn_and_dense_networks_tensorflows_choice():
    assert choice(None, CONV, "Windows", "AMD64")[0] == "1"
    assert choice(None, DENSE, "Windows", "AMD64")[0] is None


@pytest.mark.parametrize("cpuinfo", [AVX2_ONLY, AVX512_WITHOUT_VNNI])
def test_a_process_that_may_run_several_steps_gets_the_convolutional_steps_set(cpuinfo):
    assert choice(cpuinfo, None) == ("1", choice(cpuinfo, CONV)[1] + kernels.SEVERAL_STEPS)


@pytest.mark.parametrize("setting", ["0", "1", "true"])
@pytest.mark.parametrize("cpuinfo", [AVX2_ONLY, AVX512_VNNI, ARM])
@pytest.mark.parametrize("kind", [CONV, DENSE])
def test_the_learners_own_setting_stands_everywhere(setting, cpuinfo, kind):
    machine = "aarch64" if cpuinfo == ARM else "x86_64"
    own = {kernels.VARIABLE: setting}
    assert choice(cpuinfo, kind, "Linux", machine, own) == (
        None,
        ", as TF_ENABLE_ONEDNN_OPTS=%s asks" % setting,
    )


def test_a_setting_tensorflow_does_not_read_leaves_its_choice_and_says_so():
    why = choice(AVX2_ONLY, CONV, environ={kernels.VARIABLE: "yes"})[1]
    assert (
        why
        == ", TensorFlow's choice on this processor (TF_ENABLE_ONEDNN_OPTS=yes is neither 0 nor 1)"
    )


@pytest.mark.parametrize("step", steps.files())
def test_each_step_is_convolutional_when_its_network_has_convolutions(step):
    convolutional = step.startswith(("mnist_3.", "mnist_4.2"))
    assert kernels.network_kind(str(ROOT / step)) == (CONV if convolutional else DENSE)


def test_a_learners_copy_is_read_as_a_step_and_other_scripts_are_not(tmp_path):
    copy = tmp_path / "my_3.0.py"
    copy.write_text((ROOT / "mnist_3.0_convolutional.py").read_text(encoding="utf-8"), "utf-8")
    assert kernels.network_kind(str(copy)) == CONV
    other = tmp_path / "train_many.py"  # runs steps of either kind, as pytest or a benchmark does
    other.write_text("import runpy\nrunpy.run_path('mnist_2.1.py')\n", encoding="utf-8")
    assert kernels.network_kind(str(other)) is None
    harness = tmp_path / "harness.py"  # imports tensorflowvisu in a function, to run any step
    harness.write_text("def run(step):\n    import tensorflowvisu\n", encoding="utf-8")
    assert kernels.network_kind(str(harness)) is None
    assert kernels.network_kind(str(tmp_path / "missing.py")) is None
    assert kernels.network_kind("-c") is None
    assert kernels.network_kind(None) is None


def test_apply_sets_the_variable_for_the_script_unless_the_learner_did(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(AVX2_ONLY, encoding="utf-8")
    on_avx2 = dict(cpuinfo=str(cpuinfo), machine=("Linux", "x86_64"))
    conv = [str(ROOT / "mnist_3.1_convolutional_bigger_dropout.py")]
    dense = [str(ROOT / "mnist_2.1_five_layers_relu_lrdecay.py")]
    for argv, setting in [(conv, "1"), (dense, "0")]:
        environ = {}
        assert kernels.apply(environ, argv, **on_avx2).setting == setting
        assert environ == {kernels.VARIABLE: setting}
    learners = {kernels.VARIABLE: "1"}
    assert kernels.apply(learners, dense, **on_avx2).setting is None
    assert learners == {kernels.VARIABLE: "1"}
    environ = {}
    kernels.apply(environ, dense, in_jupyter=True, **on_avx2)  # a notebook runs every step
    assert environ == {kernels.VARIABLE: "1"}
    environ = {}
    kernels.apply(environ, conv, cpuinfo=str(cpuinfo), machine=("Darwin", "x86_64"))
    assert environ == {}


# --- a real run, on a processor of the AVX2-only kind -------------------------------------------

RUN_AS_AVX2_ONLY = """
import os, runpy, sys
sys.argv = [sys.argv[1], "--no-window", "--iterations", "1"]
sys.path.insert(0, os.path.dirname(sys.argv[0]))
from visu import kernels
kernels.cpu_flags = lambda *args: {"avx", "avx2", "fma"}
kernels.this_machine = lambda: ("Linux", "x86_64")
runpy.run_path(sys.argv[0], run_name="__main__")
from tensorflow.python.util import _pywrap_util_port
print("oneDNN after training:", _pywrap_util_port.IsMklEnabled())
print("variable after training:", os.environ.get(kernels.VARIABLE))
"""


def test_a_dense_step_on_avx2_alone_trains_on_tensorflows_own_kernels_and_says_why(
    mnist_dir, tmp_path
):
    env = dict(os.environ, MPLBACKEND="agg", MNIST_DATA_DIR=str(mnist_dir))
    env.pop(kernels.VARIABLE, None)
    step = ROOT / "mnist_2.1_five_layers_relu_lrdecay.py"
    done = subprocess.run(
        [sys.executable, "-c", RUN_AS_AVX2_ONLY, str(step)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (
        ", on the CPU with TensorFlow's own kernels: 13% faster than oneDNN's for a dense network "
        "on this processor (AVX2, no AVX-512). " in done.stdout
    )
    assert "oneDNN after training: False" in done.stdout  # read once, at the start
    # the variable was the project's, not the learner's: a step started from here chooses anew
    assert "variable after training: None" in done.stdout
