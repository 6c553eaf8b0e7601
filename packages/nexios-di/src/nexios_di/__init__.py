"""nexios_di."""
