"""Sending responses: return values, the response builder, files, streams, server-sent events,
cookies and background tasks (docs/responses.md)."""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from nexios import get_application
from nexios.http import Request, Response
from nexios.http.response import HTMLResponse, JSONResponse, RedirectResponse, ServerSentEvent

app = get_application()
REPORT = Path(tempfile.mkdtemp(prefix="nexios-docs-")) / "report.csv"
REPORT.write_text("month,total\njan,10\nfeb,12\n")
sent_emails: list[str] = []


# --- Return values -------------------------------------------------------------------------------
@app.get("/return/dict")
async def return_dict(request: Request, response: Response) -> dict[str, int]:
    return {"answer": 42}                      # JSON


@app.get("/return/str")
async def return_str(request: Request, response: Response) -> str:
    return "plain text"                        # text/plain; charset=utf-8


@app.get("/return/bytes")
async def return_bytes(request: Request, response: Response) -> bytes:
    return b"\x00\x01"                         # application/octet-stream


@app.get("/return/none")
async def return_none(request: Request, response: Response) -> None:
    response.set_header("x-note", "empty body")  # 200, no body


class Item(BaseModel):
    name: str
    price: float


@dataclasses.dataclass
class Point:
    x: int
    y: int


@app.get("/return/model")
async def return_model(request: Request, response: Response) -> Item:
    return Item(name="pear", price=0.5)        # pydantic models and dataclasses become JSON


@app.get("/return/dataclass")
async def return_dataclass(request: Request, response: Response) -> Point:
    return Point(x=1, y=2)


@app.get("/return/class")
async def return_class(request: Request, response: Response) -> HTMLResponse:
    response.set_header("x-kept", "yes")       # builder headers are carried over
    return HTMLResponse("<h1>Made elsewhere</h1>", status_code=202)


# --- The response builder ------------------------------------------------------------------------
@app.post("/builder/created")
async def created(request: Request, response: Response) -> Response:
    return response.status(201).set_header("location", "/things/1").json({"id": 1})


@app.get("/builder/html")
async def html(request: Request, response: Response) -> Response:
    return response.html("<p>Hello</p>", headers={"x-frame-options": "SAMEORIGIN"})


@app.delete("/builder/empty")
async def empty(request: Request, response: Response) -> Response:
    return response.empty()                    # 204 by default


@app.get("/builder/cached")
async def cached(request: Request, response: Response) -> Response:
    return response.cache(max_age=300, private=False).json({"fresh_for": 300})


# --- Redirects -----------------------------------------------------------------------------------
@app.get("/old-page")
async def old_page(request: Request, response: Response) -> Response:
    return response.redirect("/new-page")      # 302, as Express does


@app.post("/forms/submit")
async def submit(request: Request, response: Response) -> Response:
    return response.redirect("/forms/done", status_code=303)  # POST-redirect-GET


@app.get("/moved")
async def moved(request: Request, response: Response) -> RedirectResponse:
    return RedirectResponse("/new-page", status_code=307)  # keeps the method and body


# --- Cookies -------------------------------------------------------------------------------------
@app.post("/preferences")
async def save_preferences(request: Request, response: Response) -> Response:
    response.set_cookie("theme", "dark", max_age=3600, httponly=True)
    response.delete_cookie("legacy")
    return response.json({"saved": True})


# --- Files ---------------------------------------------------------------------------------------
@app.get("/report")
async def view_report(request: Request, response: Response) -> Response:
    return response.file(REPORT)               # inline, with ETag, Last-Modified and Range


@app.get("/report/download")
async def download_report(request: Request, response: Response) -> Response:
    return response.download(REPORT, filename="report-2024.csv")


@app.get("/missing-file")
async def missing_file(request: Request, response: Response) -> Response:
    return response.file(REPORT.with_name("no-such-file.txt"))  # 404 when sent


# --- Streams and server-sent events --------------------------------------------------------------
async def numbers() -> AsyncIterator[str]:
    for number in range(3):
        yield f"{number}\n"
        await asyncio.sleep(0)


@app.get("/stream")
async def stream(request: Request, response: Response) -> Response:
    return response.stream(numbers(), content_type="text/plain")


async def ticks() -> AsyncIterator[Any]:
    yield {"tick": 1}                                      # dicts become JSON data
    yield "plain data"
    yield ServerSentEvent({"tick": 2}, event="tick", id="2")


@app.get("/events")
async def events(request: Request, response: Response) -> Response:
    return response.sse(ticks())


# --- Background tasks ----------------------------------------------------------------------------
def send_welcome_email(address: str) -> None:
    sent_emails.append(address)                # sync tasks run in a worker thread


class Signup(BaseModel):
    email: str


@app.post("/register")
async def register(request: Request, response: Response, signup: Signup) -> JSONResponse:
    response.add_background_task(send_welcome_email, signup.email)
    return JSONResponse({"registered": signup.email}, status_code=201)
