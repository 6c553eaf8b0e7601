"""``nexios.datastructures``: headers, query parameters, URLs, state, forms and uploaded files."""

from nexios_core import URL, Address, FormData, Headers, MutableHeaders, QueryParams, State, UploadFile

__all__ = ["URL", "Address", "FormData", "Headers", "MutableHeaders", "QueryParams", "State", "UploadFile"]
