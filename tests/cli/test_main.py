"""The ``nexios`` group itself: its commands, help and version."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import Result

COMMANDS = ["check", "dev", "new", "openapi", "ping", "run", "shell", "urls"]


def test_help_lists_every_command(invoke: Callable[..., Result]) -> None:
    result = invoke(["--help"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.split("Commands:")[1].strip().splitlines()]
    assert listed == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help(command: str, invoke: Callable[..., Result]) -> None:
    result = invoke([command, "-h"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")
    if command != "new":
        assert "module:attribute" in result.stdout  # how to name the APP


def test_version(invoke: Callable[..., Result]) -> None:
    result = invoke(["--version"])
    assert result.stdout.strip() == f"nexios, version {metadata.version('nexios-cli')}"


def test_unknown_command_is_a_usage_error(invoke: Callable[..., Result]) -> None:
    result = invoke(["serve"])
    assert result.exit_code == 2
    assert "No such command 'serve'" in result.stderr


def test_python_dash_m_runs_the_same_command(
    run_nexios: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    completed = run_nexios(["--help"], cwd=tmp_path)
    assert completed.returncode == 0
    assert completed.stdout.startswith("Usage: nexios ")
