"""``python -m bookkit``: the four commands parse; help exits 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bookkit.cli import build_parser, main


@pytest.mark.parametrize(("argv", "expected"), [
    (["build-report"], {}),
    (["reproduce"], {"release": None}),
    (["reproduce", "--release", "0.2.0"], {"release": "0.2.0"}),
    (["compare-findings", "a", "b"], {"reference": Path("a"), "candidate": Path("b")}),
    (["publish-release", "0.2.0"], {"version": "0.2.0"}),
])
def test_commands_parse(argv, expected):
    args = build_parser().parse_args(argv)
    assert args.command == argv[0] and callable(args.run)
    assert {key: getattr(args, key) for key in expected} == expected


@pytest.mark.parametrize("argv", [[], ["build-report"], ["reproduce"], ["compare-findings"],
                                  ["publish-release"]])
def test_help_exits_zero(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--help"])
    assert exit_info.value.code == 0
    assert "usage: python -m bookkit" in capsys.readouterr().out


def test_unknown_command_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check-data"])
    assert exit_info.value.code == 2


def test_compare_findings_command(tmp_path, capsys):
    fixtures = Path(__file__).parents[1] / "fixtures" / "findings"
    assert main(["compare-findings", str(fixtures / "reference"),
                 str(fixtures / "identical")]) == 0
    assert capsys.readouterr().out.rstrip().endswith("REPRODUCED")
    assert main(["compare-findings", str(fixtures / "reference"),
                 str(fixtures / "planted")]) == 1


def test_python_dash_m_bookkit_runs():
    process = subprocess.run([sys.executable, "-m", "bookkit", "--help"], capture_output=True,
                             text=True, check=False)
    assert process.returncode == 0 and "publish-release" in process.stdout
