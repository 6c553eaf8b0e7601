"""nexios_core."""
