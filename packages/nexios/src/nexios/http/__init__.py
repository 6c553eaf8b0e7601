"""``from nexios.http import Request, Response``."""

from nexios_core.datastructures import UploadFile
from nexios_core.request import Request
from nexios_core.responses import Response

__all__ = ["Request", "Response", "UploadFile"]
