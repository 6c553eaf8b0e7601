"""A whole app migrated from upstream Nexios unchanged: one config with every section (CORS,
sessions under upstream's key names, CSRF with regex-style exemptions, JWT algorithms,
templating), the five middlewares from upstream's ``nexios.middlewares`` paths, a mounted
router with a dependency, static files, a template, a JWT-protected API and a chat consumer
broadcasting to a group. Written the way upstream's guides write each part."""

import time
from pathlib import Path

from nexios import Depend, NexiosApp, status
from nexios.auth.backends.jwt import JWTAuthBackend, create_jwt
from nexios.auth.base import SimpleUser
from nexios.auth.decorator import auth
from nexios.auth.middleware import AuthenticationMiddleware
from nexios.config import MakeConfig
from nexios.exceptions import NotFoundException
from nexios.http import Request, Response
from nexios.middleware.base import BaseMiddleware
from nexios.middlewares.cors import CORSMiddleware
from nexios.middlewares.csrf import CSRFMiddleware
from nexios.routing import Router
from nexios.session.middleware import SessionMiddleware
from nexios.static import StaticFiles
from nexios.templating import TemplateConfig, TemplateEngine, render
from nexios.websockets.consumers import WebSocketConsumer

HERE = Path(__file__).parent
SECRET = "blog-secret-key-long-enough-for-hs256-0123"

config = MakeConfig({
    "debug": False,
    "secret_key": SECRET,
    "jwt_algorithms": ["HS256"],
    "cors": {
        "allow_origins": ["https://front.example", "https://old.example"],
        "blacklist_origins": ["https://old.example"],
        "allow_methods": ["GET", "POST"],
        "allow_headers": ["Content-Type", "Authorization"],
        "allow_credentials": True,
    },
    "session": {"session_cookie_name": "blog_session", "session_expiration_time": 3600},
    "csrf_enabled": True,
    "csrf_exempt_urls": ["/api/.*", "/login"],
    "templating": TemplateConfig(template_dir=str(HERE / "blog_templates")),
})
app = NexiosApp(config=config, title="Blog")
engine = TemplateEngine()
engine.setup_environment(config.templating)

USERS = {"ada": SimpleUser(username="ada", permissions=["posts:write"])}
POSTS = {1: {"id": 1, "title": "Hello"}}


async def load_user(**claims):
    return USERS.get(claims.get("sub"))


class Timer(BaseMiddleware):
    async def process_request(self, req, res, call_next):
        req.state.started = time.perf_counter()
        await call_next()

    async def process_response(self, req, res):
        res.set_header("X-Time", f"{time.perf_counter() - req.state.started:.4f}")
        return res


async def powered_by(req, res, next):
    res.set_header("X-Powered-By", "Nexios")
    return await next()


app.add_middleware(CORSMiddleware())
app.add_middleware(SessionMiddleware())
app.add_middleware(CSRFMiddleware())
app.add_middleware(AuthenticationMiddleware(backend=JWTAuthBackend(authenticate_func=load_user)))
app.add_middleware(Timer())
app.add_middleware(powered_by)

app.register(StaticFiles(directory=str(HERE / "static")), prefix="/static")


def get_db():
    return POSTS


api = Router(prefix="/api", tags=["posts"])


@api.get("/posts", name="list_posts")
async def list_posts(req: Request, res: Response, db=Depend(get_db)):
    return res.json(list(db.values()))


@api.get("/posts/{post_id:int}", name="get_post")
async def get_post(req: Request, res: Response):
    post = POSTS.get(req.path_params.post_id)
    if not post:
        raise NotFoundException("no such post")
    return res.json(post)


@api.post("/posts")
@auth(["jwt"])
async def create_post(req: Request, res: Response):
    data = await req.json
    post_id = max(POSTS) + 1
    POSTS[post_id] = {"id": post_id, "title": data["title"], "by": req.user.username}
    return res.json(POSTS[post_id], status_code=status.HTTP_201_CREATED)


app.mount_router(api)


@app.get("/")
async def index(req, res):
    req.session["visits"] = req.session.get("visits", 0) + 1
    return await render("index.html", {"title": f"visit {req.session['visits']}",
                                       "token": req.state.csrf_token})


@app.post("/login")
async def login(req, res):
    form = await req.form_data
    token = create_jwt({"sub": form.get("username"), "exp": int(time.time()) + 300}, SECRET)
    return res.json({"token": token})


@app.post("/comment")
async def comment(req, res):
    form = await req.form
    return res.json({"ok": True, "visits": req.session.get("visits"), "has_token": "csrf_token" in form})


@app.add_exception_handler(404)
async def not_found(req, res, exc):
    return res.json({"error": "not found", "path": req.path}, status_code=404)


class Chat(WebSocketConsumer):
    encoding = "json"

    async def on_connect(self, websocket):
        await websocket.accept()
        await self.join_group("chat")

    async def on_receive(self, websocket, data):
        await self.broadcast(data, "chat")

    async def on_disconnect(self, websocket, close_code):
        await self.leave_group("chat")


app.add_ws_route(Chat.as_route("/ws/chat"))


@app.on_startup
async def started():
    app.state.ready = True


@app.get("/ready")
async def ready(req, res):
    return {"ready": app.state.ready, "url": app.url_for("get_post", post_id=1)}
