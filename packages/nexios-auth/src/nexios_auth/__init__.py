"""nexios_auth."""
