"""Prints the closing line of scripts/test from Swift Testing's JUnit XML.

Usage: summarize_tests.py XUNIT_FILE EXIT_STATUS LOG_FILE

N + M is the number of tests that ran. A parameterized test counts once
overall (Swift Testing reports it as one test case, failed if any of its
arguments failed). M > 0 whenever the run failed, also when it failed before
or outside any test (a build error, a crash): then the tests that never
reported are counted as failed, at least one.
"""
import re
import sys
import xml.etree.ElementTree as ElementTree


def main() -> None:
    xunit, status, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    passed = failed = 0
    try:
        for case in ElementTree.parse(xunit).getroot().iter("testcase"):
            if case.find("skipped") is not None:
                continue
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            else:
                passed += 1
    except (OSError, ElementTree.ParseError):
        # No report (the run crashed or never started): read the log's own count.
        text = open(log, encoding="utf-8", errors="replace").read()
        planned = re.findall(r"Test run with (\d+) tests?", text)
        passed = len(re.findall(r"^✔ Test (?!run).* passed", text, re.M))
        failed = max(int(planned[-1]) - passed, 0) if planned else 0
    if status != 0 and failed == 0:
        failed = 1
    print(f"Tests: {passed} passed, {failed} failed")


if __name__ == "__main__":
    main()
