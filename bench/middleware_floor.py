"""What one function-middleware layer costs, against the least any implementation could spend.

A function middleware is ``async def mw(request, response, call_next)`` and passes the request on
with ``await call_next()``. Whatever a framework does, each layer costs at least the user's own
coroutine plus a ``call_next`` object bound to this request. This script counts, with valgrind's
callgrind, the instructions per layer of two chains of the same pass-through middleware around the
same endpoint, driven without a server:

- ``floor``: ``call_next`` is a ``functools.partial`` of the next layer, built before the request
  starts. Nothing else runs: the result is not checked, so a layer returning ``None`` or a dict
  would hand it to the layer above unchanged (the documented contract is not kept). No
  implementation of this middleware signature spends less.
- ``nexios``: ``nexios_core.middleware.chain.compose``, as the router builds it for route
  middleware, keeping the contract (``await call_next()`` always returns a response).

The cost per layer is ``(count(5 layers) - count(0 layers)) / 5``, each count itself the
difference between a small and a large number of requests, so start-up cancels out::

    python bench/middleware_floor.py [--layers 5] [--requests 1000 3000] [--python 3.11 3.12 3.13]

``--python`` counts on other interpreters (see ``pythons.py``), each with its own floor.

``bench/README.md`` ("Why `mw` stays under 0.88") turns these figures into the best ratio the
``mw`` endpoint could reach.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
from typing import Any

from nexios_core.middleware.chain import compose
from nexios_core.request import Request
from nexios_core.responses import Response

sys.path.insert(0, str(Path(__file__).resolve().parent))

from count_instructions import callgrind_total  # noqa: E402
from pythons import add_python_option, run_on_requested  # noqa: E402
from report import format_table  # noqa: E402

WARM_UP_REQUESTS = 200
SCOPE: dict[str, Any] = {"type": "http", "method": "GET", "path": "/", "headers": []}


async def pass_through(request: Request, response: Response, call_next: Any) -> Any:
    """The benchmark's middleware (``bench/nexios_app.py``)."""
    return await call_next()


async def endpoint(request: Request, response: Response) -> Any:
    return response.text("Hello, World!")


Starter = Callable[[Request, Response], Coroutine[Any, Any, Any]]


def floor_chain(layers: int) -> Starter:
    """The user's coroutines linked by partials, and nothing else. With 0 layers the same frame
    and partial call run, so they cancel out of the cost per layer."""

    def start(request: Request, response: Response) -> Coroutine[Any, Any, Any]:
        call_next: Any = partial(endpoint, request, response)
        for _ in range(layers):
            call_next = partial(pass_through, request, response, call_next)
        return call_next()  # type: ignore[no-any-return]

    return start


def nexios_chain(layers: int) -> Starter:
    """The chain Nexios builds: ``endpoint`` already returns the builder, as a route's does."""
    return compose([pass_through] * layers, endpoint, endpoint_records=True)  # type: ignore[return-value]


CHAINS = {"floor": floor_chain, "nexios": nexios_chain}


def _serve(chain: Starter, count: int) -> None:
    for _ in range(count):
        response = Response()
        coroutine = chain(Request(SCOPE), response)
        try:
            coroutine.send(None)  # nothing here waits, so one step runs the whole chain
        except StopIteration as finished:
            if finished.value is not response:
                raise SystemExit("the chain did not return the response builder") from None
        else:
            raise SystemExit("the chain suspended")


async def _serve_in_a_task(chain: Starter, count: int) -> None:
    _serve(chain, WARM_UP_REQUESTS)
    _serve(chain, count)


def _instructions(chain: str, layers: int, count: int) -> int:
    try:
        return callgrind_total([__file__, "--child", chain, str(layers), str(count)])
    except RuntimeError as exc:
        raise SystemExit(f"callgrind run failed: {exc}") from None


def per_layer(chain: str, layers: int, small: int, large: int) -> float:
    """Instructions one layer adds to one request."""

    def per_request(n_layers: int) -> float:
        return (_instructions(chain, n_layers, large) - _instructions(chain, n_layers, small)) / (large - small)

    return (per_request(layers) - per_request(0)) / layers


def summarise_by_python(runs: dict[str, dict[str, Any]]) -> None:
    """One table of the runs made on several interpreters (``--python A B``)."""
    rows = [["python", "floor per layer", "nexios per layer", "nexios - floor", "layers", "nexios - floor, all layers"]]
    for version, payload in runs.items():
        floor, nexios, layers = payload["per_layer"]["floor"], payload["per_layer"]["nexios"], payload["layers"]
        rows.append([payload.get("python", version), f"{floor:,.0f}", f"{nexios:,.0f}", f"{nexios - floor:+,.0f}",
                     str(layers), f"{(nexios - floor) * layers:+,.0f}"])
    print(format_table(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", type=int, default=5, help="middleware layers (default 5)")
    parser.add_argument("--requests", nargs=2, type=int, default=[1000, 3000], metavar=("SMALL", "LARGE"),
                        help="request counts of the two runs (default 1000 3000)")
    parser.add_argument("--json", metavar="PATH", help="write the figures as JSON here")
    add_python_option(parser)
    parser.add_argument("--child", nargs=3, metavar=("CHAIN", "LAYERS", "COUNT"), help=argparse.SUPPRESS)
    arguments = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(arguments)

    if args.child:
        name, layers, count = args.child
        chain = CHAINS[name](int(layers))
        # In an asyncio task: callgrind counts only what runs inside task steps.
        asyncio.run(_serve_in_a_task(chain, int(count)))
        return 0

    small, large = args.requests
    if args.layers < 1 or not 0 < small < large:
        parser.error("--layers needs at least 1 and --requests needs 0 < SMALL < LARGE")
    elsewhere = run_on_requested(str(Path(__file__).resolve()), args.python, arguments, args.json, summarise_by_python)
    if elsewhere is not None:
        return elsewhere
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    costs = {name: per_layer(name, args.layers, small, large) for name in CHAINS}
    print(f"instructions per middleware layer (callgrind, {args.layers} layers), python {sys.version.split()[0]}")
    for name, cost in costs.items():
        print(f"  {name:<7} {cost:>7,.0f}")
    print(f"  nexios - floor: {costs['nexios'] - costs['floor']:+,.0f} per layer, "
          f"{(costs['nexios'] - costs['floor']) * args.layers:+,.0f} for {args.layers} layers")
    if args.json:
        payload = {"kind": "middleware-floor", "python": sys.version.split()[0], "layers": args.layers,
                   "requests": [small, large], "per_layer": costs}
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
