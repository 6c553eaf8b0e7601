"""The examples of ``docs/getting-started.md`` do what the page says they do."""

from __future__ import annotations

from tests.support.doc_examples import load, make_client


def test_getting_started_app_answers_as_the_page_says() -> None:
    example = load("getting_started.py")
    http = make_client(example.app)
    assert http.get("/").json() == {"message": "Hello, Nexios"}
    hello = http.get("/hello/Ada")
    assert (hello.text, hello.headers["content-type"]) == ("Hello, Ada!", "text/plain; charset=utf-8")
    assert http.get("/items/3").json() == {"item_id": 3, "type": "int"}
    assert http.get("/items/abc").status_code == 404
    echoed = http.post("/echo", json={"a": 1})
    assert (echoed.status_code, echoed.json()) == (201, {"you_sent": {"a": 1}})
    malformed = http.post("/echo", content=b"{nope", headers={"content-type": "application/json"})
    assert malformed.status_code == 400
