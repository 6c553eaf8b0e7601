"""Upstream's CORS guide, as written there: the basic ``config.cors`` section, then each setting
it explains (``config.cors[...] = ...``) on a second app. The guide imports ``CORSMiddleware``
without showing the ``add_middleware`` line; it is added here."""

from nexios import MakeConfig, NexiosApp
from nexios.middlewares.cors import CORSMiddleware

config = MakeConfig({
    "cors": {
        "allow_origins": ["https://example.com"],
    "allow_methods": ["GET", "POST"],
    "allow_headers": ["Authorization", "X-Requested-With"],
    "allow_credentials": True,
    "max_age": 600,
    "debug": True
    }
})
app = NexiosApp(config = config)
app.add_middleware(CORSMiddleware())


@app.get("/data")
async def data(req, res):
    return {"data": 1}


@app.post("/data")
async def post_data(req, res):
    return {"posted": True}


detailed_config = MakeConfig({"cors": {}})
detailed_config.cors["allow_origins"] = ["https://example.com", "https://another-site.com"]
detailed_config.cors["blacklist_origins"] = ["https://bad-actor.com"]
detailed_config.cors["allow_methods"] = ["GET", "POST", "PUT"]
detailed_config.cors["allow_headers"] = ["Authorization", "X-Custom-Header", "X-Disallowed-Header"]
detailed_config.cors["blacklist_headers"] = ["X-Disallowed-Header"]
detailed_config.cors["allow_credentials"] = True
detailed_config.cors["allow_origin_regex"] = r"https://.*\.trusted-site\.com"
detailed_config.cors["expose_headers"] = ["X-Response-Time"]
detailed_config.cors["max_age"] = 600  # Cache for 10 minutes
detailed_config.cors["custom_error_status"] = 403
detailed_config.cors["custom_error_messages"] = {
    "disallowed_origin": "This origin is not allowed.",
    "missing_origin": "The request is missing an origin."
}
detailed_config.cors["dynamic_origin_validator"] = lambda origin: origin.endswith(".partner.example")

detailed = NexiosApp(config=detailed_config)
detailed.add_middleware(CORSMiddleware())


@detailed.get("/data")
async def detailed_data(req, res):
    res.set_header("X-Response-Time", "3ms")
    return {"data": 1}


strict_config = MakeConfig({"cors": {"allow_origins": ["https://example.com"], "strict_origin_checking": True}})
strict = NexiosApp(config=strict_config)
strict.add_middleware(CORSMiddleware())


@strict.get("/data")
async def strict_data(req, res):
    return {"data": 1}
