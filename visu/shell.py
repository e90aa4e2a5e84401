"""A path as the learner pastes it into a command line: the commands and options the runs print
(--restore DIR, tensorboard --logdir DIR) name their paths this way. Standard library only: every
other part of visu/ may import it."""

import os
import shlex

# besides letters and digits, what keeps a word whole in bash, zsh, cmd.exe and PowerShell alike
_PLAIN = "_-.:+/"


def pasteable(path, windows=None):
    """`path` as a learner can paste it into a command: as it is when every character is a letter
    or a digit (of any alphabet: "données" needs no quotes) or one of _ - . : + / (and \\ on
    Windows); else in double quotes, which bash, zsh, cmd.exe and PowerShell read alike for a path
    with spaces, brackets, & or ;. On Linux and macOS, a path with what double quotes still leave
    to the shell ($ ` " \\ !) is in single quotes instead (shlex.quote). `windows`: quote for
    Windows' shells (default: when running on Windows)."""
    text = str(path)
    windows = os.name == "nt" if windows is None else windows
    plain = _PLAIN + ("\\" if windows else "")
    if text and all(c.isalnum() or c in plain for c in text):
        return text
    if not windows and any(c in '$`"\\!' for c in text):
        return shlex.quote(text)
    return '"%s"' % text
