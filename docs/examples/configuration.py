"""Configuration: MakeConfig, reading it in handlers, and middleware configured from it
(docs/configuration.md)."""

from __future__ import annotations

import os
from typing import Any

from nexios import MakeConfig, get_application
from nexios.config import get_config
from nexios.http import Request, Response
from nexios.middleware import CORSMiddleware, TrustedHostMiddleware

config = MakeConfig({
    "debug": os.environ.get("APP_DEBUG") == "1",
    "secret_key": os.environ.get("SECRET_KEY", "change-me-in-production"),
    "cors": {
        "allow_origins": ["https://app.example.com"],
        "allow_methods": ["GET", "POST"],
        "allow_headers": ["x-api-key"],
    },
    "trusted_hosts": {"allowed_hosts": ["example.com", "*.example.com", "testserver"]},
    "shop": {"currency": "EUR", "page_size": 20},
})

app = get_application(config=config, title="Configured shop")
app.add_middleware(CORSMiddleware())          # no options: reads config.cors
app.add_middleware(TrustedHostMiddleware())   # no options: reads config.trusted_hosts


@app.get("/settings")
async def settings(request: Request, response: Response) -> dict[str, Any]:
    shop = request.app.config.shop            # nested mappings are configs too
    return {
        "currency": shop.currency,
        "page_size": shop["page_size"],       # item access works as well
        "debug": request.app.debug,
        "unset_section": request.app.config.payments,  # missing keys read as None
    }


def default_page_size() -> int:
    """Code with no request at hand reads the process-wide config: the last app created."""
    return int(get_config().shop.page_size)
