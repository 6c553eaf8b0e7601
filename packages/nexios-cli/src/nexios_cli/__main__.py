"""``python -m nexios_cli``: the same as the ``nexios`` command."""

from __future__ import annotations

from .main import main

main(prog_name="nexios")
