"""nexios_cli."""
