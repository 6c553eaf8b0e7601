"""Upstream's sessions guide, as written there: the basic setup, the configuration section with
upstream's key names and the file manager, the session operations, and a custom session class
(the guide's Redis example, storing in a dict here so the test needs no server)."""

import json
import tempfile
import time

from nexios import NexiosApp
from nexios.session.base import BaseSessionInterface
from nexios.session.file import FileSessionInterface
from nexios.session.middleware import SessionMiddleware

# ---- Basic session setup ----------------------------------------------------------------------
app = NexiosApp()

# Required: Configure a secret key for signing sessions
app.config.secret_key = "your-secure-secret-key"

# Add the session middleware
app.add_middleware(SessionMiddleware)


@app.get("/")
async def index(req, res):
    # Access the session
    counter = req.session.get("counter", 0)
    counter += 1
    req.session["counter"] = counter

    return res.text(f"You've visited this page {counter} times")


@app.get("/session-demo")
async def session_demo(req, res):
    # Get a value with default if not present
    user_id = req.session.get("user_id", None)

    # Set a value
    req.session["last_visit"] = time.time()

    # Check if a key exists
    if "preferences" in req.session:
        preferences = req.session["preferences"]  # noqa: F841

    # Remove a key
    if "temporary_data" in req.session:
        del req.session["temporary_data"]

    return res.json({
        "user_id": user_id,
        "session_keys": sorted(req.session.keys()),
        "empty": req.session.is_empty(),
    })


@app.post("/login")
async def login(req, res):
    data = await req.form
    username = data.get("username")
    if data.get("password") != "secret":
        return res.redirect("/login?error=invalid_credentials")
    req.session["user_id"] = 1
    req.session["username"] = username
    req.session["auth_time"] = time.time()
    req.session.set_session("is_admin", False)
    return res.redirect("/dashboard")


@app.get("/dashboard")
async def dashboard(req, res):
    # Check if user is logged in
    if "user_id" not in req.session:
        return res.redirect("/login")

    username = req.session["username"]
    return res.html(f"<h1>Welcome, {username}!</h1>")


@app.post("/logout")
async def logout(req, res):
    req.session.clear()
    return res.redirect("/login?message=logged_out")


# ---- Session configuration options (upstream's key names, file manager) -----------------------
SESSION_DIRECTORY = tempfile.mkdtemp(prefix="nexios-compat-sessions-")

configured = NexiosApp()
configured.config.secret_key = "your-secure-secret-key"
configured.config.session = {
    # Session cookie name
    "session_cookie_name": "nexios_session",

    # Cookie settings
    "cookie_path": "/",
    "cookie_domain": None,
    "cookie_secure": True,
    "cookie_httponly": True,
    "cookie_samesite": "lax",

    # Session expiration (in seconds)
    "expiry": 86400,  # 24 hours

    # Session backend
    "manager": FileSessionInterface,

    # Backend-specific settings
    "directory": SESSION_DIRECTORY,
    "prefix": "session_"
}
configured.add_middleware(SessionMiddleware())


@configured.post("/cart/add/{product_id}")
async def add_to_cart(req, res):
    product_id = req.path_params.product_id
    quantity = int(req.query_params.get("quantity", 1))
    cart = req.session.get("cart", {})
    if product_id in cart:
        cart[product_id]["quantity"] += quantity
    else:
        cart[product_id] = {"name": f"product {product_id}", "price": 2, "quantity": quantity}
    req.session["cart"] = cart
    return res.json({"success": True, "cart": cart})


@configured.get("/cart")
async def view_cart(req, res):
    cart = req.session.get("cart", {})
    total = sum(item["price"] * item["quantity"] for item in cart.values())
    return res.json({"items": cart, "total": total})


@configured.post("/cart/clear")
async def clear_cart(req, res):
    if "cart" in req.session:
        del req.session["cart"]
    return res.json({"success": True})


# ---- Building custom session backends ---------------------------------------------------------
STORE: dict[str, str] = {}  # stands in for the guide's redis.Redis()


class RedisSessionInterface(BaseSessionInterface):
    """Redis-backed session interface"""

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self.redis_client = STORE

    async def load(self):
        """Load the session data from Redis"""
        if not self.session_key:
            return

        data = self.redis_client.get(f"session:{self.session_key}")
        if data:
            self._data = json.loads(data)

    async def save(self):
        """Save the session data to Redis"""
        if not self.session_key:
            self.session_key = self.generate_sid()

        self.expiry = self.get_expiry_age()
        self.redis_client[f"session:{self.session_key}"] = json.dumps(self._data)
        self.modified = False

    def get_session_key(self):
        """Return the session key"""
        return self.session_key


custom = NexiosApp()
custom.config.secret_key = "your-secure-secret-key"
custom.config.session = {"manager": RedisSessionInterface}
custom.add_middleware(SessionMiddleware())


@custom.get("/")
async def custom_index(req, res):
    counter = req.session.get("counter", 0) + 1
    req.session["counter"] = counter
    return res.text(f"You've visited this page {counter} times")
