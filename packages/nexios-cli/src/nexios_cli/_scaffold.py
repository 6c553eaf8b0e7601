"""``nexios new``: a minimal project with an app, its tests, a pyproject and a README.

The files are rendered from ``project_template/*.tmpl`` (``string.Template``, so the ``{}`` of
Python code and f-strings need no escaping).
"""

from __future__ import annotations

import re
from importlib import metadata, resources
from pathlib import Path
from string import Template

import click

from ._options import CLIError

PROJECT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]*\Z")
"""Valid NAMEs: usable both as a directory and as a distribution name."""

PROJECT_FILES = {
    "main.py": "main.py.tmpl",
    "tests/test_main.py": "test_main.py.tmpl",
    "pyproject.toml": "pyproject.toml.tmpl",
    "README.md": "README.md.tmpl",
    ".gitignore": "gitignore.tmpl",
}
"""Path in the new project -> template in ``project_template``."""


class ScaffoldError(Exception):
    """The project cannot be created where asked; the message says why."""


def nexios_requirement() -> str:
    """``nexios>=<this CLI's version>``: the siblings share one version, so the app gets at least
    the framework this CLI was released with."""
    try:
        return f"nexios>={metadata.version('nexios-cli')}"
    except metadata.PackageNotFoundError:
        return "nexios"


def scaffold_project(name: str, parent: Path) -> Path:
    """Create ``parent/name`` with the project files and return its path.

    Refuses an invalid name, a file in the way, or an existing directory that is not empty.
    """
    if not PROJECT_NAME.match(name):
        raise ScaffoldError(
            f"{name!r} is not a valid project name: start with a letter, then letters, digits, '.', '_' or '-'"
        )
    project = parent / name
    if project.exists():
        if not project.is_dir():
            raise ScaffoldError(f"{project} exists and is not a directory: choose another NAME or --dir")
        if any(project.iterdir()):
            raise ScaffoldError(f"{project} already exists and is not empty: choose another NAME or --dir")
    values = {
        "name": name,
        "distribution": re.sub(r"[._-]+", "-", name).lower(),
        "nexios_requirement": nexios_requirement(),
    }
    templates = resources.files("nexios_cli").joinpath("project_template")
    for relative, template_name in PROJECT_FILES.items():
        text = Template(templates.joinpath(template_name).read_text(encoding="utf-8")).substitute(values)
        destination = project / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
    return project


@click.command()
@click.argument("name")
@click.option(
    "--dir",
    "parent",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to create the project in.",
)
def new(name: str, parent: Path) -> None:
    """Create a new Nexios project called NAME: main.py, tests, pyproject.toml, README."""
    try:
        project = scaffold_project(name, parent)
    except ScaffoldError as exc:
        raise CLIError(str(exc)) from None
    except OSError as exc:
        raise CLIError(f"Could not create {parent / name}: {exc.strerror or exc}") from None
    click.echo(f"Created {project}")
    for relative in PROJECT_FILES:
        click.echo(f"  {relative}")
    click.echo("\nNext:")
    click.echo(f"  cd {project}")
    click.echo('  pip install -e ".[dev]"')
    click.echo("  nexios dev      # serve with reload")
    click.echo("  pytest          # run the tests")


__all__ = ["PROJECT_FILES", "ScaffoldError", "new", "nexios_requirement", "scaffold_project"]
