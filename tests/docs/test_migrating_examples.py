"""The examples of ``docs/migrating.md`` do what the page says they do."""

from __future__ import annotations

from tests.support.doc_examples import load, make_client


def test_migrating_example_runs_as_written_for_upstream() -> None:
    # The page's own checks are in tests/docs/test_migrating_page.py.
    http = make_client(load("migrating.py").app)
    assert http.get("/users").headers["x-timed"] == "yes"
    assert http.get("/admin/users/3").json() == {"id": 3}
