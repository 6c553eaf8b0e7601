"""The examples of ``docs/requests.md`` do what the page says they do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nexios.testclient import TestClient
from tests.support.doc_examples import load, make_client


@pytest.fixture(scope="module")
def requests_client() -> Iterator[TestClient]:
    yield make_client(load("request_reading.py").app)


def test_url_query_headers_cookies(requests_client: TestClient) -> None:
    http = make_client(requests_client.app, cookies={"theme": "dark"})
    data = http.get("/inspect/ann?page=1&page=2&tag=a&tag=b").json()
    assert data == {
        "method": "GET", "path": "/inspect/ann", "url": "http://testserver/inspect/ann?page=1&page=2&tag=a&tag=b",
        "path_params": {"name": "ann"}, "page": "2", "tags": ["a", "b"], "user_agent": "testclient",
        "theme": "dark", "client_ip": "testclient",
    }


def test_request_helpers(requests_client: TestClient) -> None:
    data = requests_client.get("/whoami", headers={
        "authorization": "Bearer abc", "accept": "application/json", "x-requested-with": "XMLHttpRequest",
        "x-forwarded-for": "203.0.113.9, 10.0.0.1",
    }).json()
    assert data == {"bearer_token": "abc", "basic_auth": None, "accepts_json": True, "is_ajax": True,
                    "forwarded_ip": "10.0.0.1"}
    basic = requests_client.get("/whoami", auth=("ann", "pw")).json()
    assert basic["basic_auth"] == ["ann", "pw"] and basic["forwarded_ip"] == "testclient"
    broken = requests_client.get("/whoami", headers={"authorization": "Basic !!!"}).json()
    assert broken["basic_auth"] is None


def test_json_and_text_bodies(requests_client: TestClient) -> None:
    assert requests_client.post("/json", json={"a": [1, 2]}).json() == {"received": {"a": [1, 2]}, "again": True}
    for body in (b"{nope", b"", b'{"a": NaN}', b"[" * 1025 + b"]" * 1025):
        answer = requests_client.post("/json", content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 400, body[:20]
    too_big = requests_client.post("/json", content=b'"' + b"x" * (1024 * 1024) + b'"',
                                   headers={"content-type": "application/json"})
    assert too_big.status_code == 413
    encoded = requests_client.post("/json", content=b"\x1f\x8b", headers={"content-encoding": "gzip"})
    assert encoded.status_code == 415
    text = requests_client.post("/text", content="héllo".encode("latin-1"),
                                headers={"content-type": "text/plain; charset=latin-1"})
    assert text.json() == {"length": 5, "upper": "HÉLLO"}
    assert requests_client.post("/text", content=b"\xff\xfe").status_code == 400


def test_forms_and_uploads(requests_client: TestClient) -> None:
    signup = requests_client.post("/signup", data={"email": "a@b.c", "interest": ["x", "y"]})
    assert signup.json() == {"email": "a@b.c", "interests": ["x", "y"]}
    assert requests_client.post("/signup", json={"email": "a"}).status_code == 415
    assert requests_client.post("/signup").json() == {"email": None, "interests": []}  # nothing sent
    upload = requests_client.post("/upload", data={"caption": "me"},
                                  files={"avatar": ("../../me.png", b"\x89PNG....", "image/png")})
    assert upload.json() == {"caption": "me", "filename": "me.png", "content_type": "image/png", "size": 8}
    assert requests_client.post("/upload", data={"avatar": "not a file"}).status_code == 400
    assert requests_client.post("/upload", data={"caption": "no avatar"}).status_code == 400


def test_form_limits_with_default_values(requests_client: TestClient) -> None:
    fields = "&".join(f"f{i}=1" for i in range(1001))
    urlencoded = requests_client.post("/signup", content=fields.encode(),
                                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert urlencoded.status_code == 413
    files = [("f", (f"{i}.txt", b"x", "text/plain")) for i in range(101)]
    assert requests_client.post("/upload", files=files).status_code == 413
    big_field = requests_client.post("/upload", data={"caption": "x" * (1024 * 1024 + 1)},
                                     files={"avatar": ("a", b"a")})
    assert big_field.status_code == 413
    boundary = "b" * 71
    body = f"--{boundary}\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--{boundary}--\r\n"
    long_boundary = requests_client.post("/signup", content=body.encode(),
                                         headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert long_boundary.status_code == 400
    query = requests_client.get("/inspect/a?" + "&".join(f"k{i}=1" for i in range(1001)))
    assert query.status_code == 400


def test_streaming_the_body_and_request_state(requests_client: TestClient) -> None:
    assert requests_client.post("/count-bytes", content=b"x" * 100_000).json() == {"bytes": 100_000}

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"x" * 65536

    assert requests_client.post("/count-bytes", content=chunks()).status_code == 413  # over 1 MiB
    assert requests_client.get("/state").json() == {"seen_by_middleware": True}
