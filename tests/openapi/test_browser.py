"""The docs pages in a real browser: Debian's headless Chromium loads them from a live uvicorn
server, with every request outside loopback refused, and the pages' Content-Security-Policy
reporting any violation to the app. Swagger UI must list every operation and run one ("Try it
out"), ReDoc and Scalar must render the document, and none of them may reach beyond the app.

Screenshots of each page are kept in the test's temporary folder (pytest keeps the last runs')."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from nexios import get_application
from tests.support import chromium
from tests.support.live_server import run_live_server

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bookshop.py"



def load_bookshop() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bookshop_browser_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def browser() -> Iterator[chromium.Browser]:
    assert chromium.available(), f"{chromium.CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
    with chromium.Browser() as running:
        yield running


@pytest.fixture(scope="module")
def shop() -> Iterator[tuple[str, list[dict[str, Any]], int]]:
    """The bookshop example under uvicorn, with the pages' CSP reporting to the app."""
    module = load_bookshop()
    app = module.app
    reports: list[dict[str, Any]] = []

    @app.post("/csp-report", exclude_from_schema=True)
    async def csp_report(request: Any, response: Any) -> Any:
        reports.append(json.loads(await request.body)["csp-report"])
        return response.empty(204)

    @app.middleware
    async def report_violations(request: Any, response: Any, call_next: Any) -> Any:
        answer = await call_next()
        policy = answer.headers.get("content-security-policy")
        if policy:
            answer.headers["content-security-policy"] = policy + "; report-uri /csp-report"
        return answer

    operations = sum(len(item) for item in app.openapi()["paths"].values())
    with run_live_server(app) as base_url:
        yield base_url, reports, operations


def keep(visit: chromium.Visit, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    folder = tmp_path_factory.getbasetemp() / "browser-screenshots"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.png"
    path.write_bytes(visit.screenshot)
    return path


def test_swagger_ui_lists_every_operation_and_runs_one(browser: chromium.Browser, shop: Any,
                                                       tmp_path_factory: pytest.TempPathFactory) -> None:
    base_url, reports, operations = shop
    reports.clear()
    book_path = "document.querySelector('#operations-books-get_book')"
    visit = browser.visit(
        f"{base_url}/docs",
        f"document.querySelectorAll('.opblock').length === {operations}",
        steps=[
            (f"{book_path}.querySelector('.opblock-summary-control').click()",
             f"{book_path}.querySelector('.try-out__btn')"),
            (f"{book_path}.querySelector('.try-out__btn').click()",
             f"{book_path}.querySelector('input[placeholder=book_id]')"),
            (f"{book_path}.querySelector('input[placeholder=book_id]').focus()",
             "document.activeElement.placeholder === 'book_id'"),
            ("type:1", f"{book_path}.querySelector('input[placeholder=book_id]').value === '1'"),
            ("window.typedAt = Date.now()", "Date.now() - window.typedAt > 700"),  # Swagger UI debounces input
            (f"{book_path}.querySelector('.execute').click()",
             f"{book_path}.querySelector('.live-responses-table .response-col_description')"
             f" && {book_path}.querySelector('.live-responses-table').innerText"),
        ],
    )
    keep(visit, tmp_path_factory, "swagger-ui")
    assert visit.steps_done == 7, f"stopped after step {visit.steps_done}: {visit.errors}"
    assert '"title": "Middlemarch"' in visit.ready and "internal_notes" not in visit.ready
    assert visit.outside_requests == []
    assert f"{base_url}/books/1" in visit.requests  # "Try it out" reached the API itself
    assert visit.csp_violations == [] and reports == []
    assert visit.errors == []


def test_redoc_renders_the_document_offline(browser: chromium.Browser, shop: Any,
                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    base_url, reports, operations = shop
    reports.clear()
    visit = browser.visit(f"{base_url}/redoc",
                          f"document.querySelectorAll('[data-section-id^=\"operation/\"]').length === {operations}")
    keep(visit, tmp_path_factory, "redoc")
    assert visit.ready is True, visit.errors
    assert visit.outside_requests == []
    assert visit.csp_violations == [] and reports == []


def test_scalar_renders_the_document_offline(browser: chromium.Browser, shop: Any,
                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    base_url, reports, _ = shop
    reports.clear()
    text = "document.body.innerText"
    visit = browser.visit(f"{base_url}/scalar", f"{text}.includes('Add Book') && {text}.includes('Bookshop')")
    keep(visit, tmp_path_factory, "scalar")
    assert visit.ready is True, visit.errors
    assert visit.outside_requests == []
    # Scalar's bundle probes once whether `Function()` works (zod's feature test) and falls back
    # when the policy says no: that refusal is the only report allowed, nothing else.
    assert [report["blocked-uri"] for report in reports] in ([], ["eval"])
    assert visit.csp_violations == []


def test_swagger_ui_under_a_mount_prefix_reaches_the_api_through_it(browser: chromium.Browser,
                                                                    tmp_path_factory: pytest.TempPathFactory) -> None:
    # The whole app mounted in another one: it sees root_path "/gateway", as behind a proxy.
    parent = get_application(openapi=False)
    parent.register(load_bookshop().app, prefix="/gateway")
    with run_live_server(parent) as base_url:
        book_path = "document.querySelector('#operations-books-list_books')"
        visit = browser.visit(
            f"{base_url}/gateway/docs",
            "document.querySelectorAll('.opblock').length > 0",
            steps=[
                (f"{book_path}.querySelector('.opblock-summary-control').click()",
                 f"{book_path}.querySelector('.try-out__btn')"),
                (f"{book_path}.querySelector('.try-out__btn').click()", f"{book_path}.querySelector('.execute')"),
                (f"{book_path}.querySelector('.execute').click()",
                 f"{book_path}.querySelector('.live-responses-table .response-col_description')"
                 f" && {book_path}.querySelector('.live-responses-table').innerText"),
            ],
        )
    keep(visit, tmp_path_factory, "swagger-ui-under-prefix")
    assert visit.steps_done == 4, f"stopped after step {visit.steps_done}: {visit.errors}"
    assert '"total":' in visit.ready
    assert any(url.startswith(f"{base_url}/gateway/books?") for url in visit.requests), visit.requests
    assert visit.outside_requests == [] and visit.errors == []
