"""Upstream's middleware guide, as written there: function middleware calling ``await next()``,
class-based ``BaseMiddleware`` calling ``await cnext(req, res)``, route and router middleware,
``wrap_asgi`` with a raw ASGI middleware and its arguments."""

from datetime import datetime

from nexios import NexiosApp
from nexios.http import Request, Response
from nexios.middleware import BaseMiddleware
from nexios.routing import Router

app = NexiosApp()
seen: list[str] = []


# Middleware 1: Logging
async def my_logger(req, res, next):
    seen.append(f"Received request: {req.method} {req.path}")
    await next()  # Pass control to the next middleware or handler


# Middleware 2: Request Timing
async def request_time(req, res, next):
    req.request_time = datetime.now()  # Store request time in context
    await next()


# Middleware 3: Cookie Validation
async def validate_cookies(req, res, next):
    if "session_id" not in req.cookies:
        return res.json({"error": "Missing session_id cookie"}, status_code=400)
    await next()


app.add_middleware(my_logger)
app.add_middleware(request_time)
app.add_middleware(validate_cookies)


class ExampleMiddleware(BaseMiddleware):
    async def process_request(self, req, res, cnext):
        """Executed before the request handler."""
        seen.append(f"Processing Request: {req.method} {req.url}")
        await cnext(req, res)  # Pass control to the next middleware or handler

    async def process_response(self, req, res):
        """Executed after the request handler."""
        seen.append(f"Processing Response: {res.status_code}")
        res.set_header("X-Example", "processed")
        return res  # Must return the modified response


app.add_middleware(ExampleMiddleware())


async def nexios_style_middleware(req: Request, res: Response, next_call):
    await next_call()
    res.set_header("X-Nexios-Middleware", "true")


app.add_middleware(nexios_style_middleware)


@app.get("/")
async def hello_world(req, res):
    return res.text(f"Hello, World! (timed: {isinstance(req.request_time, datetime)})")


async def auth_middleware(req, res, cnext):
    if not req.headers.get("Authorization"):
        return res.json({"error": "Unauthorized"}, status_code=401)
    await cnext(req, res)


@app.route("/profile", "GET", middleware=[auth_middleware])
async def get_profile(req, res):
    return res.json({"message": "Welcome to your profile!"})


admin_router = Router()


async def admin_auth(req, res, cnext):
    if not req.headers.get("Admin-Token"):
        return res.json({"error": "Forbidden"}, status_code=403)
    await cnext(req, res)


admin_router.add_middleware(admin_auth)  # Applies to all routes inside admin_router


@admin_router.route("/dashboard", "GET")
async def dashboard(req, res):
    return res.json({"message": "Welcome to the admin dashboard!"})


app.mount_router("/admin", admin_router)  # Mount router at "/admin"


class RawMiddleware:
    def __init__(self, app, *args, **kwargs):
        self.app = app
        self.args = args

    async def __call__(self, scope, receive, send):
        async def send_with_header(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-raw", ",".join(self.args).encode())]
            await send(message)

        await self.app(scope, receive, send_with_header if scope["type"] == "http" else send)


app.wrap_asgi(RawMiddleware, "arg1", "arg2")
