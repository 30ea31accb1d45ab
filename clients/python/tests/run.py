"""Runs every test of the Python client and ends with a line ``N passed, N failed`` for CI.

Usage (from anywhere): python3 clients/python/tests/run.py [-q]
"""

from __future__ import annotations

import os
import sys
import unittest

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class CountingResult(unittest.TextTestResult):
    """Counts passes itself: what testsRun includes (skipped tests or not) changed in Python 3.12."""

    passed = 0

    def addSuccess(self, test):  # noqa: N802
        super().addSuccess(test)
        self.passed += 1

    def addExpectedFailure(self, test, err):  # noqa: N802
        super().addExpectedFailure(test, err)
        self.passed += 1


def main() -> int:
    sys.path.insert(0, PACKAGE)
    suite = unittest.defaultTestLoader.discover(os.path.join(PACKAGE, "tests"), top_level_dir=PACKAGE)
    verbosity = 1 if "-q" in sys.argv[1:] else 2
    result = unittest.TextTestRunner(
        verbosity=verbosity, stream=sys.stdout, resultclass=CountingResult
    ).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.passed
    print("python {}.{}.{} ({}): {} skipped".format(*sys.version_info[:3], sys.executable, skipped))
    print("{} passed, {} failed".format(passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
