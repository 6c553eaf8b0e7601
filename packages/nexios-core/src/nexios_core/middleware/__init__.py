"""The core's middleware: the chain that runs function and class middleware around a handler
(:mod:`.chain`, :mod:`.base`), adapters for raw ASGI middleware (:mod:`.asgi`), and the built-in
layers (CORS, GZip, security headers, trusted hosts). Import each from its own module."""
