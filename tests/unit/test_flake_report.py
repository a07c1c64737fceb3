"""`make flakes` reads one JUnit file per run: a test that passed in one run and failed in
another is flaky, one that failed in every run is broken, and either makes the report fail."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.flake_report import main, summarise


def _run(path: Path, outcomes: dict[str, bool]) -> str:
    cases = "".join(
        f'<testcase classname="tests.e2e.test_x" name="{name}">'
        + ("" if ok else '<failure message="boom"/>') + "</testcase>"
        for name, ok in outcomes.items())
    path.write_text(f'<testsuites><testsuite name="pytest">{cases}</testsuite></testsuites>')
    return str(path)


def test_a_test_that_fails_in_one_run_of_several_is_flaky(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    one = _run(tmp_path / "flakes-1.xml", {"test_a[desktop]": True, "test_b": True})
    two = _run(tmp_path / "flakes-2.xml", {"test_a[desktop]": True, "test_b": False})
    outcomes, runs = summarise(one, two)
    assert runs == 2
    assert outcomes["tests.e2e.test_x::test_b"] == [True, False]
    assert main(one, two) == 1
    assert "FLAKY  tests.e2e.test_x::test_b: passed 1/2" in capsys.readouterr().out


def test_every_run_passing_reports_no_flake(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    paths = [_run(tmp_path / f"flakes-{i}.xml", {"test_a": True}) for i in (1, 2, 3)]
    assert main(*paths) == 0
    assert "1 tests x 3 runs: 0 flaky, 0 always failing" in capsys.readouterr().out
