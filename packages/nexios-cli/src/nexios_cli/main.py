"""The ``nexios`` command: ``new``, ``run``, ``dev``, ``urls``, ``ping``, ``shell``, ``openapi`` and
``check``.

``main`` is the click group the console script calls; tests drive it with click's ``CliRunner``
(``runner.invoke(main, ["urls", "main:app"])``) or call ``main([...], standalone_mode=False)``.
"""

from __future__ import annotations

import click

from ._check import check
from ._openapi import openapi
from ._ping import ping
from ._scaffold import new
from ._serve import dev, run
from ._shell import shell
from ._urls import urls


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nexios-cli", prog_name="nexios")
def main() -> None:
    """Nexios: create, serve and inspect Nexios (and other ASGI) apps.

    Commands that take an APP find it as module:attribute (main:app), or on their own from
    app.py or main.py in the current directory.
    """


for _command in (new, run, dev, urls, ping, shell, openapi, check):
    main.add_command(_command)

__all__ = ["main"]
