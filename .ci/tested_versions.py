"""The versions of what the workshop runs on (tensorflow, numpy, matplotlib and everything they
need) installed in this environment, as pins: .ci/tested-versions.txt, which the room kit
(room_kit.py) downloads, is these pins from CI's main run.

    python .ci/tested_versions.py           # prints the pins of this environment
    python .ci/tested_versions.py --check   # exit status 1, with the lines to change, when
                                            # .ci/tested-versions.txt holds other versions

.ci/run runs --check after the main run's tests pass, and prints what the file should follow.
"""

import argparse
import importlib.metadata
import pathlib
import re
import sys

FILE = pathlib.Path(__file__).resolve().parent / "tested-versions.txt"
TOP = ("tensorflow", "numpy", "matplotlib")  # requirements.txt
HEADER = """\
# The versions a whole suite last passed on: tensorflow, numpy, matplotlib and everything they
# need, from a run on Python 3.11, so that one set has wheels for every Python the kit serves
# (numpy 2.5, on CI's Python 3.13, has none for 3.11). room_kit.py downloads these (pip's -c).
# .ci/run says where CI's main run installed newer ones (python .ci/tested_versions.py --check);
# tests/test_room_kit.py checks them against check_setup.TESTED_VERSIONS. To update it, in the
# environment of a whole suite that passed:
#     python .ci/tested_versions.py > .ci/tested-versions.txt
"""


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_pins():
    """{name: version} of the top packages and, recursively, every requirement of theirs that is
    installed here, extras left out (whatever the markers: one platform's needs are another's)."""
    pins, todo = {}, list(TOP)
    while todo:
        name = canonical(todo.pop())
        if name in pins:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # a requirement for another platform or Python
        pins[name] = distribution.version
        for requirement in distribution.requires or []:
            if "extra ==" in requirement.replace('"', "").replace("'", ""):
                continue
            todo.append(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))
    return pins


def pinned(text):
    return dict(
        (canonical(name), version)
        for name, version in re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", text, re.M)
    )


def pins_text(pins):
    return HEADER + "".join("%s==%s\n" % (name, pins[name]) for name in sorted(pins))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with %s" % FILE.name)
    options = parser.parse_args()
    pins = installed_pins()
    if not options.check:
        sys.stdout.write(pins_text(pins))
        return 0
    kept = pinned(FILE.read_text(encoding="utf-8"))
    if kept == pins:
        print("%s: the versions installed here" % FILE.name)
        return 0
    print(
        "%s does not hold the versions installed here, on which the suite passed: update it with "
        "python .ci/tested_versions.py > .ci/tested-versions.txt" % FILE.name
    )
    for name in sorted(set(kept) | set(pins)):
        if kept.get(name) != pins.get(name):
            print("  %s: file %s, installed %s" % (name, kept.get(name, "-"), pins.get(name, "-")))
    return 1


if __name__ == "__main__":
    sys.exit(main())
