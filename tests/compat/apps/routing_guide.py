"""Upstream's routing guide (routing, path parameters, converters, ``Routes``, reverse routing,
nested routers) and its WebSocket routing page, as written there."""

from pydantic import BaseModel

from nexios import NexiosApp
from nexios.openapi.models import Parameter, Schema
from nexios.routing import Router, Routes, WebsocketRoutes, WSRouter


async def dynamic_handler(req, res):
    return {"message": "Hello World"}


app = NexiosApp(routes=[
    Routes("/dynamic", dynamic_handler),  # Handles GET by default
    Routes("/dynamic-post", dynamic_handler, methods=["POST"]),  # Handles POST
])


@app.get("/")
async def get_root(req, res):
    return {"message": "Hello, world!"}


@app.post("/")
async def post_root(req, res):
    return {"message": "Hello World"}


@app.delete("/")
async def delete_root(req, res):
    return res.text("DELETE /")


@app.route("/cache", ["PURGE"])
async def purge_cache(req, res):
    return res.text("PURGE Method /cache")


@app.route("/post", ["PUT", "DELETE"])
async def multiple_methods(req, res):
    return {"message": "Hello World"}


class UserResponse(BaseModel):
    id: str
    name: str


class UserUpdate(BaseModel):
    name: str


async def auth_middleware(req, res, cnext):
    if not req.headers.get("Authorization"):
        return res.json({"error": "Unauthorized"}, status_code=401)
    await cnext(req, res)


async def logging_middleware(req, res, cnext):
    await cnext(req, res)
    res.set_header("X-Logged", "yes")


async def user_detail_handler(req, res):
    return {"id": req.path_params.user_id, "name": "Ada"}


route = Routes(
    path="/users/{user_id}",
    handler=user_detail_handler,
    methods=["GET", "PUT", "DELETE"],
    name="user_detail",
    summary="User Detail API",
    description="Get, update or delete a user by ID",
    responses={200: UserResponse},
    request_model=UserUpdate,
    middlewares=[auth_middleware, logging_middleware],
    tags=["users"],
    security=[{"bearerAuth": []}],
    operation_id="getUserDetail",
    deprecated=False,
    parameters=[
        Parameter(name="include_details", in_="query", required=False, schema=Schema(type="boolean"))
    ],
)
app.add_route(route)


@app.get('/posts/{post_id}/comment/{comment_id}', name='get_post_comment')
async def get_post_comment(req, res):
    post_id = req.path_params.post_id
    comment_id = req.path_params.comment_id
    return {"message": f"post_id: {post_id}, comment_id: {comment_id}"}


@app.get('/direct/{post_id}/comment/{comment_id}')
async def get_direct_comment(req, res, post_id, comment_id):
    return {"message": f"post_id: {post_id}, comment_id: {comment_id}"}


@app.get('/articles/{post_id}')
@app.get('/articles')
async def get_article(req, res):
    return {"post_id": req.path_params.get("post_id")}


@app.get("/items/{item_id:int}")
async def get_item(req, res):
    item_id = req.path_params.item_id
    return res.text(f"Item ID: {item_id} (Integer)")


@app.get("/price/{amount:float}")
async def get_price(req, res):
    amount = req.path_params.amount
    return res.text(f"Amount: {amount} (Float)")


@app.get("/files/{filepath:path}")
async def read_file(req, res):
    filepath = req.path_params.filepath
    return res.text(f"File Path: {filepath}")


@app.get("/people/{user_id:uuid}")
async def get_user(req, res):
    user_id = req.path_params.user_id
    return res.text(f"User ID: {user_id} (UUID)")


@app.post("/person/{username:str}")
async def get_person(req, res):
    username = req.path_params.username
    return res.text(f"Username: {username}")


@app.get("/blog/{slug:slug}", name="blog_post")
async def blog_post(req, res):
    return res.text(f"Slug: {req.path_params.slug}")


@app.get("/reverse")
async def reverse(req, res):
    url = app.url_for('get_post_comment', post_id=123, comment_id=456)
    return res.text(url)


v1_router = Router(prefix="/v1", name='v1')


@v1_router.get('/posts/{post_id}/comment/{comment_id}', name='get_post_comment')
async def v1_post_comment(req, res):
    url = req.app.url_for('v1.get_post_comment', post_id=123, comment_id=456)
    return res.text(url)


app.mount_router(v1_router)


async def ws_handler(ws):
    await ws.accept()
    await ws.send_text("Hello World")
    await ws.close()


async def ws_handler2(ws):
    await ws.accept()
    message = await ws.receive_text()
    await ws.send_text(f"Received: {message}")
    await ws.close()


@app.ws_route("/ws")
async def ws_root(ws):
    await ws.accept()
    json_data = await ws.receive_json()
    await ws.send_json({"status": "success", "data": json_data})
    await ws.close()


app.add_ws_route(WebsocketRoutes("/ws-routes", ws_handler))

router = WSRouter(prefix="/ws")
router.add_ws_route("/ws", ws_handler)
router.add_ws_route("/ws2", ws_handler2)
app.mount_ws_router(router, "/ws-overide")  # this will override /ws

listed = WSRouter([
    WebsocketRoutes("/listed", ws_handler),
    WebsocketRoutes("/listed2", ws_handler2),
])
app.mount_ws_router(listed)
