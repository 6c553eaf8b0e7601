"""Upstream's authentication guide, as written there: session authentication with
``authenticate_func``, JWT authentication (tokens made with PyJWT), an API key backend, a custom
backend returning ``(user, "auth-type")``, ``@auth([...])``; and the 2.x code's
``JWTAuthBackend(authenticate_func)`` with ``config.jwt_algorithms`` and ``SimpleUser``."""

import time

import jwt

from nexios import get_application
from nexios.auth import SimpleUser
from nexios.auth.backends.apikey import APIKeyBackend
from nexios.auth.backends.jwt import JWTAuthBackend
from nexios.auth.backends.session import SessionAuthBackend
from nexios.auth.base import AuthenticationBackend, BaseUser, UnauthenticatedUser
from nexios.auth.decorator import auth
from nexios.auth.middleware import AuthenticationMiddleware
from nexios.config import MakeConfig
from nexios.session.middleware import SessionMiddleware

jwt_secret = "your-jwt-secret-key-that-is-long-enough-for-hs256-and-also-hs512!"


class User(BaseUser):
    def __init__(self, id, username, email, is_admin=False):
        self.id = id
        self.username = username
        self.email = email
        self.is_admin = is_admin

    @property
    def is_authenticated(self):
        return True

    def get_display_name(self):
        return self.username


USERS = {1: User(id=1, username="ada", email="ada@example.com", is_admin=True)}


async def get_user_by_id(user_id):
    return USERS.get(int(user_id))


# ---- Session-based authentication -------------------------------------------------------------
app = get_application()
app.config.secret_key = "your-secure-secret-key"
app.add_middleware(SessionMiddleware())
session_backend = SessionAuthBackend(
    user_key="user_id",
    authenticate_func=get_user_by_id
)

# ---- JWT-based authentication (several backends in one middleware) ---------------------------
jwt_backend = JWTAuthBackend(
    secret_key=jwt_secret,
    algorithm="HS256",
    authenticate_func=get_user_by_id
)


async def get_user_by_api_key(api_key):
    if api_key == "key-123":
        return USERS[1]
    return None


api_key_backend = APIKeyBackend(
    key_name="X-API-Key",  # Header containing the API key
    user_loader=get_user_by_api_key  # Function to load user by API key
)


class CustomUser(BaseUser):
    def __init__(self, id, username, is_admin=False):
        self.id = id
        self.username = username
        self.is_admin = is_admin

    @property
    def is_authenticated(self):
        return True

    def get_display_name(self):
        return self.username


class CustomAuthBackend(AuthenticationBackend):
    async def authenticate(self, request, response):
        custom_header = request.headers.get("X-Custom-Auth")
        if not custom_header:
            return UnauthenticatedUser(), "no-auth"
        if custom_header == "let-me-in":
            user = CustomUser(id=123, username="example_user")
            return user, "custom-auth"
        return UnauthenticatedUser(), "no-auth"


app.add_middleware(AuthenticationMiddleware(backend=[session_backend, jwt_backend, api_key_backend,
                                                     CustomAuthBackend()]))


@app.post("/login")
async def login(req, res):
    data = await req.form
    if data.get("username") != "ada" or data.get("password") != "secret":
        return res.redirect("/login?error=invalid")
    # Store user ID in session
    req.session["user_id"] = 1
    return res.redirect("/dashboard")


@app.post("/logout")
async def logout(req, res):
    req.session.clear()
    return res.redirect("/login")


@app.get("/profile")
async def profile(req, res):
    if req.user.is_authenticated:
        return res.json({"id": req.user.id, "username": req.user.username, "email": req.user.email})
    else:
        return res.redirect("/login")


@app.post("/api/login")
async def api_login(req, res):
    data = await req.json
    if data.get("username") != "ada" or data.get("password") != "secret":
        return res.json({"error": "Invalid credentials"}, status_code=401)
    payload = {
        "sub": "1",
        "username": "ada",
        "exp": int(time.time()) + 3600  # 1 hour expiration
    }
    token = jwt.encode(payload, jwt_secret, algorithm="HS256")
    return res.json({"access_token": token, "token_type": "bearer", "expires_in": 3600})


@app.get("/api/profile")
@auth(["jwt"])
async def api_profile(req, res):
    return res.json({"id": req.user.id, "username": req.user.username, "email": req.user.email})


@app.get("/dashboard")
@auth(["session"])
async def dashboard(req, res):
    return res.html(f"Dashboard of {req.user.display_name}")


@app.get("/custom")
@auth(["custom-auth"])
async def custom_only(req, res):
    return {"user": req.user.display_name, "auth": req.scope["auth"].backend}


@app.get("/anyone-signed-in")
@auth()
async def anyone(req, res):
    return {"user": req.user.display_name}


# ---- 2.x's JWTAuthBackend(authenticate_func) with the algorithms in the config ----------------
async def authenticate_from_claims(**payload):
    return SimpleUser(username=payload["username"], permissions=payload.get("permissions", []))


legacy = get_application(config=MakeConfig(secret_key=jwt_secret, jwt_algorithms=["HS256"]))
legacy.add_middleware(AuthenticationMiddleware(backend=JWTAuthBackend(authenticate_from_claims)))


@legacy.get("/me")
@auth(["jwt"])
async def me(req, res):
    return {"username": req.user.username, "can_edit": req.user.has_permission("edit"),
            "permissions": req.user.permissions}
