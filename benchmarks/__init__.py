"""The benchmarks: scripts that print figures (python benchmarks/<name>.py --help), and harness.py,
what they share. A package so that the tests can use the harness: from benchmarks.harness import
run_step."""
