"""Read the JUnit XML of repeated e2e runs (`make flakes`: one file per run, each run its own
pytest session with its own app and database) and report flaky tests: those that passed in some
runs and failed in others. Exit 1 when any test is flaky or always fails.

    python -m tests.e2e.flake_report test-results/flakes-1.xml test-results/flakes-2.xml …
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict


def _base_name(case: ET.Element) -> str:
    name = case.get("name", "")
    # pytest-repeat appends "-<i>-<n>" inside the brackets, or "[<i>-<n>]" when there are none
    name = re.sub(r"\[(\d+)-(\d+)\]$", "", name)
    name = re.sub(r"-(\d+)-(\d+)\]$", "]", name)
    return f"{case.get('classname', '')}::{name}"


def summarise(*paths: str) -> tuple[dict[str, list[bool]], int]:
    outcomes: dict[str, list[bool]] = defaultdict(list)
    for path in paths:
        # Our own pytest output, not untrusted input.
        for case in ET.parse(path).getroot().iter("testcase"):  # noqa: S314
            if case.find("skipped") is not None:
                continue
            failed = case.find("failure") is not None or case.find("error") is not None
            outcomes[_base_name(case)].append(not failed)
    runs = max((len(v) for v in outcomes.values()), default=0)
    return outcomes, runs


def main(*paths: str) -> int:
    outcomes, runs = summarise(*paths)
    flaky = {k: v for k, v in outcomes.items() if any(v) and not all(v)}
    broken = {k: v for k, v in outcomes.items() if not any(v)}
    print(f"{len(outcomes)} tests x {runs} runs: {len(flaky)} flaky, {len(broken)} always failing")
    for name, results in sorted(flaky.items()):
        print(f"  FLAKY  {name}: passed {sum(results)}/{len(results)}")
    for name in sorted(broken):
        print(f"  FAILED {name}")
    return 1 if flaky or broken else 0


if __name__ == "__main__":
    sys.exit(main(*(sys.argv[1:] or ["test-results/flakes.xml"])))
