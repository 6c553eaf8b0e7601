"""``nexios shell``: a Python console with the app loaded, driven here by piped input."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

APP = """
from nexios import get_application

app = get_application(title="Shop")
PRICES = {"apple": 3}


@app.get("/price/{item}")
async def price(request, response, item: str):
    return {"item": item, "price": PRICES[item]}


async def total():
    return sum(PRICES.values())
"""


@pytest.fixture
def shop(write_module: Callable[..., Path]) -> str:
    write_module("shop", APP)
    return "shop:app"


def test_piped_statements_run_with_the_app_loaded(invoke: Callable[..., Result], shop: str) -> None:
    result = invoke(["shell", shop], input="print(app.title)\nprint(len(app.routes))\n")
    assert result.exit_code == 0, result.output
    assert "Shop\n" in result.stdout
    assert "1\n" in result.stdout
    assert "app = shop:app (NexiosApp)" in result.stderr  # the banner


def test_module_names_client_and_run_async_are_available(invoke: Callable[..., Result], shop: str) -> None:
    source = "\n".join([
        "print(PRICES['apple'])",
        "print(client.get('/price/apple').json())",
        "print(run_async(total()))",
        "",
    ])
    result = invoke(["shell", shop], input=source)
    assert result.exit_code == 0, result.output
    assert "3\n{'item': 'apple', 'price': 3}\n3\n" in result.stdout.replace(">>> ", "")


def test_errors_in_the_console_do_not_end_it(invoke: Callable[..., Result], shop: str) -> None:
    result = invoke(["shell", shop], input="1 / 0\nprint('still here')\n")
    assert result.exit_code == 0
    assert "ZeroDivisionError" in result.stderr
    assert "still here" in result.stdout


def test_command_option_runs_code_and_exits(invoke: Callable[..., Result], shop: str) -> None:
    result = invoke(["shell", shop, "-c", "print(sorted(r.path for r in app.routes))"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "['/price/{item}']\n"


def test_failing_command_shows_its_traceback_and_exits_1(invoke: Callable[..., Result], shop: str) -> None:
    result = invoke(["shell", shop, "-c", "PRICES['pear']"])
    assert result.exit_code == 1
    assert "KeyError: 'pear'" in result.stderr


def test_unloadable_app_is_a_one_line_error(invoke: Callable[..., Result]) -> None:
    result = invoke(["shell", "nothing_here:app"], input="print(1)\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Could not import 'nothing_here'")


def test_real_process_reads_piped_stdin(
    run_nexios: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path, shop: str
) -> None:
    completed = run_nexios(["shell"], cwd=tmp_path, input="print(app.url_for('price', item='fig'))\n",
                           env={"NEXIOS_APP": shop})
    assert completed.returncode == 0, completed.stderr
    assert "/price/fig" in completed.stdout
