"""Request limits per app and per route (docs/limits-and-security.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from nexios import get_application
from nexios.datastructures import UploadFile
from nexios.exceptions import BadRequest
from nexios.http import Request, Response
from nexios.limits import MIB, Limits

# The whole app: smaller JSON bodies and fewer query fields than the defaults.
APP_LIMITS = Limits(max_body_size=64 * 1024, max_query_fields=50)

app = get_application(limits=APP_LIMITS)


class Note(BaseModel):
    text: str


@app.post("/notes")
async def create_note(request: Request, response: Response, note: Note) -> dict[str, Any]:
    return {"saved": len(note.text)}       # the JSON body is at most 64 KiB here


@app.get("/search")
async def search(request: Request, response: Response) -> dict[str, Any]:
    return {"fields": len(request.query_params)}  # at most 50 fields


# One route that takes big uploads: start from the app's limits and raise two of them.
@app.post("/videos", limits=APP_LIMITS.replace(max_multipart_size=200 * MIB, max_files=1))
async def upload_video(request: Request, response: Response) -> dict[str, Any]:
    form = await request.form
    video = form.get("video")
    if not isinstance(video, UploadFile):
        raise BadRequest(detail="Send the video as a file")
    return {"filename": video.filename, "size": video.size}
