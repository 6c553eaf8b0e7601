"""Upstream's CSRF guide, as written there ("Example: Complete CSRF Setup"), plus a page reading
``request.state.csrf_token`` and the guide's SPA token route."""

from nexios import get_application
from nexios.http import Request, Response
from nexios.middlewares.csrf import CSRFMiddleware

# Create the application
app = get_application()

# Configure CSRF protection
app.config.secret_key = "secure-random-secret-key"
app.config.csrf_enabled = True
app.config.csrf_required_urls = [r"/api/.*"]
app.config.csrf_cookie_secure = True
app.config.csrf_cookie_samesite = "lax"

# Add the middleware
app.add_middleware(CSRFMiddleware())


# Routes
@app.get("/")
async def index(req: Request, res: Response):
    # A GET request - CSRF token is set in the response
    html = """
    <!DOCTYPE html>
    <html>
    <head><title>CSRF Example</title></head>
    <body>
        <form method="post" action="/api/submit">
            <input type="hidden" name="csrftoken" id="csrf-token">
            <input type="text" name="data" placeholder="Enter data">
            <button type="submit">Submit</button>
        </form>
    </body>
    </html>
    """
    return res.html(html)


@app.post("/api/submit")
async def submit(req: Request, res: Response):
    # This route is protected by CSRF
    data = await req.form()
    return res.json({"success": True, "received_data": data.get("data")})


# Backend route to get CSRF token
@app.get("/api/csrf-token")
async def get_csrf_token(req, res):
    # The token is automatically set in cookies by the middleware
    return res.json({"message": "CSRF token set in cookies"})


@app.get("/form")
async def form(req, res):
    return res.html(f'<input type="hidden" name="csrf_token" value="{req.state.csrf_token}">')


@app.post("/public/feedback")
async def feedback(req, res):
    return {"thanks": True}
