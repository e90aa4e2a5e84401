"""Which of TensorFlow's two sets of CPU kernels a step runs on, chosen before TensorFlow starts.

TensorFlow has its own CPU kernels and oneDNN's. It turns oneDNN's on by itself only on x86
processors with AVX-512 VNNI, AVX-512 BF16, AVX-VNNI or AMX (Linux; on Windows, as its release
decides), and TF_ENABLE_ONEDNN_OPTS=1 or 0 overrides it. Measured (docs/speed.md,
benchmarks/kernel_speed.py), --no-window, oneDNN's kernels against TensorFlow's own:

    processor                       convolutional steps (3.1)   dense steps (2.1)
    AVX2, no AVX-512 (AMD EPYC)     2.3 times faster            13% slower
    AVX-512 with VNNI (AMD EPYC)    3.0 times faster            within the noise, either way

So the rule: where TensorFlow turns oneDNN on by itself, nothing changes; on the other x86
processors, a convolutional network (its script calls conv2d) runs on oneDNN's kernels and a
dense one on TensorFlow's own, as TensorFlow would pick. A Jupyter kernel runs every step in one
process, and so does a script whose network is not known: they get the convolutional steps' set,
since those are the longest and gain the most. Elsewhere (ARM, macOS, whose builds of TensorFlow
have no oneDNN) TensorFlow's own choice stands: nothing was measured there. A learner's own
TF_ENABLE_ONEDNN_OPTS always stands.

Standard library only, in the syntax of old Pythons: check_setup.py imports it before pip.
"""

import collections
import os
import platform
import re
import sys

VARIABLE = "TF_ENABLE_ONEDNN_OPTS"
ONEDNN, OWN = "oneDNN's kernels", "TensorFlow's own kernels"

# The processor features with which TensorFlow turns oneDNN on by itself (its DefaultOneDnnPolicy,
# tensorflow/core/util/util.cc), as Linux names them in /proc/cpuinfo's flags.
ONEDNN_BY_ITSELF = ("avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16")
X86 = ("x86_64", "amd64")

# The start line's reasons, from the figures above (steps 3.1 and 2.1, oneDNN's against TensorFlow's
# own), for each kind of x86 processor on which TensorFlow picks its own kernels by itself
CONVOLUTIONS_AVX2 = ": 2.3 times faster for convolutions on this processor (AVX2, no AVX-512)"
CONVOLUTIONS_X86 = ": faster for convolutions on x86 processors (2.3 times with AVX2 alone)"
DENSE_AVX2 = ": 13% faster than oneDNN's for a dense network on this processor (AVX2, no AVX-512)"
DENSE_X86 = ": faster than oneDNN's for a dense network on x86 processors with AVX2 alone (13%)"
TENSORFLOWS_CHOICE = ", TensorFlow's choice on this processor"
STARTED_BEFORE = ", as chosen when TensorFlow started in this process"
SEVERAL_STEPS = " (the convolutional steps' choice: several steps may run in this process)"

CONVOLUTIONAL, DENSE = "convolutional", "dense"
_CONV2D = re.compile(r"\bconv2d\s*\(")
_A_STEP = re.compile(r"^(import|from) +tensorflowvisu\b", re.MULTILINE)  # at the top level


class Choice(collections.namedtuple("Choice", "setting why asks")):
    """setting: what TF_ENABLE_ONEDNN_OPTS is set to before TensorFlow starts ("1", "0"), or None
    to leave it as it is; why: the reason, as the start line gives it after the set's name
    (": 2.3 times faster ...", ", as TF_ENABLE_ONEDNN_OPTS=0 asks"); asks: whether the variable,
    the project's or the learner's, asks for oneDNN's kernels (None: TensorFlow chooses)."""

    __slots__ = ()

    def __new__(cls, setting, why, asks=None):
        if setting is not None:
            asks = setting == "1"
        return super(Choice, cls).__new__(cls, setting, why, asks)

    def explains(self, onednn):
        """Whether `why` explains the set TensorFlow runs: not when the variable asked for
        oneDNN's kernels and this TensorFlow has none (its builds for macOS)."""
        return self.asks is None or self.asks == onednn


def cpu_flags(cpuinfo="/proc/cpuinfo"):
    """The processor's feature flags from Linux's /proc/cpuinfo (a path, or its text), as a set;
    None where there is no such file (Windows, macOS)."""
    if "\n" in cpuinfo:
        text = cpuinfo
    else:
        try:
            with open(cpuinfo, encoding="utf-8", errors="replace") as info:
                text = info.read()
        except (OSError, IOError):
            return None
    for line in text.splitlines():
        if line.startswith("flags") or line.startswith("Features"):  # x86, ARM
            return set(line.partition(":")[2].split())
    return None


def network_kind(script):
    """For a step's script (or a learner's copy: a script that imports tensorflowvisu),
    CONVOLUTIONAL when it calls conv2d, DENSE when it does not. None for anything else: no
    script (python -c, an interactive Python), or one that may run several steps (pytest, a
    benchmark)."""
    if not script or not script.endswith(".py"):
        return None
    try:
        with open(script, encoding="utf-8", errors="replace") as source:
            text = source.read()
    except (OSError, IOError):
        return None
    if not _A_STEP.search(text):
        return None
    return CONVOLUTIONAL if _CONV2D.search(text) else DENSE


def choose(kind, system, machine, flags, environ):
    """The Choice for a network of this kind (CONVOLUTIONAL, DENSE, or None: unknown, or several
    steps in one process) on this system (platform.system()), processor (platform.machine())
    with these flags (cpu_flags(); None: not known), and environment."""
    own = environ.get(VARIABLE)
    if own is not None:  # the learner's: TensorFlow reads 0, 1, false or true, and else its own
        if own.strip().lower() in ("0", "1", "false", "true"):
            asks = own.strip().lower() in ("1", "true")
            return Choice(None, ", as %s=%s asks" % (VARIABLE, own.strip()), asks)
        return Choice(None, "%s (%s=%s is neither 0 nor 1)" % (TENSORFLOWS_CHOICE, VARIABLE, own))
    if system not in ("Linux", "Windows") or machine.lower() not in X86:
        return Choice(None, TENSORFLOWS_CHOICE)  # ARM, macOS: not measured
    found = [flag for flag in ONEDNN_BY_ITSELF if flags is not None and flag in flags]
    if found:  # oneDNN's: measured on AVX-512 VNNI, the faster set for every kind of step
        return Choice(None, "%s (%s)" % (TENSORFLOWS_CHOICE, found[0].upper()))
    avx2_only = flags is not None and "avx512f" not in flags
    if kind == DENSE:
        if flags is None:  # Windows: TensorFlow's choice depends on its release; not measured
            return Choice(None, TENSORFLOWS_CHOICE)
        return Choice("0", DENSE_AVX2 if avx2_only else DENSE_X86)
    why = CONVOLUTIONS_AVX2 if avx2_only else CONVOLUTIONS_X86
    return Choice("1", why if kind == CONVOLUTIONAL else why + SEVERAL_STEPS)


def main_script(argv=None):
    """The script this process runs (python mnist_3.1_....py, or %run in IPython), or None."""
    argv = sys.argv if argv is None else argv
    return argv[0] if argv and argv[0] else None


def this_machine():
    """(system, processor): ('Linux', 'x86_64'), ('Windows', 'AMD64'), ('Darwin', 'arm64')..."""
    return platform.system(), platform.machine()


def apply(environ=None, argv=None, in_jupyter=False, cpuinfo="/proc/cpuinfo", machine=None):
    """Chooses the set for the running script on this machine (or `machine`, a (system,
    processor) pair) and sets TF_ENABLE_ONEDNN_OPTS for it, unless the learner set it. To call
    before TensorFlow is imported. Returns the Choice."""
    environ = os.environ if environ is None else environ
    kind = None if in_jupyter else network_kind(main_script(argv))
    system, processor = machine or this_machine()
    choice = choose(kind, system, processor, cpu_flags(cpuinfo), environ)
    if choice.setting is not None:
        environ[VARIABLE] = choice.setting
    return choice


def set_name(onednn):
    """The name of the set: True for oneDNN's, False for TensorFlow's own."""
    return ONEDNN if onednn else OWN
