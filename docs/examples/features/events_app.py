"""Application events (docs/events.md): listeners by name and priority, awaited or in the
background, namespaces, and the app's own lifecycle events."""

from __future__ import annotations

from typing import Any

from nexios import get_application
from nexios.events import EventCancelledError, EventEmitter, EventPriority

app = get_application()
sent_emails: list[str] = []
audit_trail: list[str] = []


@app.events.on("user.created")
async def send_welcome_email(user: dict[str, Any]) -> None:
    sent_emails.append(user["email"])


@app.events.on("user.created", priority=EventPriority.HIGH)
def record_signup(user: dict[str, Any]) -> None:
    audit_trail.append(f"signup {user['email']}")


@app.events.on("user.created", priority=EventPriority.HIGHEST)
def refuse_test_accounts(user: dict[str, Any]) -> None:
    if user["email"].endswith("@example.invalid"):
        raise EventCancelledError("test account")  # the listeners after this one do not run


@app.post("/users")
async def create_user(request: Any, response: Any) -> Any:
    user = await request.json
    try:
        result = await app.events.emit("user.created", user)  # waits for every listener
    except EventCancelledError:
        return response.json({"created": False}, status_code=422)
    return {"created": True, "listeners": result["listeners_executed"]}


@app.events.on("app.startup")
def announce(started_app: Any) -> None:
    audit_trail.append("started")


@app.events.on("request.error")
def count_failure(request: Any, exc: Exception) -> None:
    audit_trail.append(f"failed {request.url.path}: {type(exc).__name__}")


@app.get("/crash")
async def crash(request: Any, response: Any) -> None:
    raise RuntimeError("something broke")


# An emitter of your own, with a namespace.
billing = EventEmitter("billing")
invoices = billing.namespace("invoice")
paid: list[int] = []
invoices.on("paid", paid.append)
billing.emit("invoice:paid", 41)  # the same event as invoices.emit("paid", 41)
invoices.emit("paid", 42)

# Events that should reach the listeners of every worker (through app.channel_layer.transport).
app.events.fan_out("cache.*")  # fnmatch patterns
cached_prices: dict[str, int] = {"coffee": 3}


@app.events.on("cache.invalidate")
def forget_price(name: str) -> None:
    cached_prices.pop(name, None)


@app.delete("/prices/{name}")
async def invalidate_price(request: Any, response: Any, name: str) -> Any:
    result = await app.events.emit("cache.invalidate", name)
    return {"published_to": result["published_to"]}
