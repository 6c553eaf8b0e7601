"""nexios_openapi."""
