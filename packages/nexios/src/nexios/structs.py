"""``nexios.structs``: upstream Nexios's home for the data structures (``URL``, ``Headers``,
``State``...), with its ``URLPath``, ``Secret`` and ``MultiDict``."""

from nexios_core import URL, Address, FormData, Headers, MutableHeaders, QueryParams, State, UploadFile

from ._compat.structs import MultiDict, Secret, URLPath

__all__ = [
    "URL",
    "Address",
    "FormData",
    "Headers",
    "MultiDict",
    "MutableHeaders",
    "QueryParams",
    "Secret",
    "State",
    "URLPath",
    "UploadFile",
]
