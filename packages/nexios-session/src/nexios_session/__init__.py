"""nexios_session."""
