"""An app written the upstream Nexios way, running unchanged (docs/migrating.md)."""

from nexios import NexiosApp
from nexios.config import MakeConfig, get_config
from nexios.middleware import BaseMiddleware
from nexios.routing import Router, Routes


class Timing(BaseMiddleware):
    async def process_request(self, req, res, cnext):
        await cnext(req, res)                 # upstream's call_next(request, response) works

    async def process_response(self, req, res):
        res.set_header("X-Timed", "yes")
        return res


async def list_users(req, res):
    return {"users": ["ada"], "debug": get_config().debug}


async def get_user(req, res):
    return {"id": req.path_params.user_id}    # path values read as attributes


app = NexiosApp(
    config=MakeConfig({"debug": False, "secret_key": "change-me"}),
    routes=[Routes("/users", list_users)],
)
app.add_middleware(Timing())

admin = Router(prefix="/admin", name="admin")
admin.add_route(path="/users/{user_id:int}", handler=get_user, methods=["GET"], name="user")
app.mount_router(admin)


@app.add_exception_handler(404)                 # the decorator form
async def not_found(req, res, exc):
    return res.json({"error": "no such page"}, status_code=404)
