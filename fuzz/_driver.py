"""What every harness in ``fuzz/`` shares: the engine that feeds it inputs.

With atheris installed (``pip install atheris``; it ships wheels for CPython on Linux and macOS)
the harness runs under libFuzzer, coverage-guided. Without it, or with ``NEXIOS_FUZZ_ENGINE=random``,
a plain driver feeds the same harness random bytes and mutations of its seeds, so a harness runs
everywhere. Both engines take the libFuzzer arguments ``run.py`` passes: ``-max_total_time=N``,
``-timeout=N``, ``-artifact_prefix=PATH``, corpus directories, and files to replay.

A harness is a module with ``test_one_input(data: bytes) -> None`` that raises (or fails an
``assert``) only when the code under test misbehaves, plus ``SEEDS`` (good starting inputs) and
``TOKENS`` (fragments worth splicing in).
"""

from __future__ import annotations

import contextlib
import faulthandler
import hashlib
import os
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

ENGINE_VARIABLE = "NEXIOS_FUZZ_ENGINE"
TestOneInput = Callable[[bytes], None]

try:
    import atheris
except ImportError:  # the random engine below needs nothing
    atheris = None


def engine() -> str:
    """``atheris`` or ``random``: what :func:`main` will use."""
    wanted = os.environ.get(ENGINE_VARIABLE, "auto")
    if wanted == "random" or atheris is None:
        return "random"
    return "atheris"


@contextlib.contextmanager
def instrumented() -> Iterator[None]:
    """Wrap the imports of the code under test: atheris adds coverage feedback to them."""
    if engine() == "atheris":
        with atheris.instrument_imports():
            yield
    else:
        yield


def main(test_one_input: TestOneInput, seeds: Sequence[bytes], tokens: Sequence[bytes]) -> None:
    """Run the harness with the chosen engine until the time is up or an input fails."""
    if engine() == "atheris":
        argv = list(sys.argv)
        if not any(not argument.startswith("-") for argument in argv[1:]):
            # No corpus given: start from the harness's seeds rather than from nothing (in one
            # directory per harness, reused by later runs instead of piling up).
            corpus = Path(tempfile.gettempdir(), "nexios-fuzz-corpus", Path(argv[0]).stem)
            corpus.mkdir(parents=True, exist_ok=True)
            for index, seed in enumerate(seeds):
                (corpus / f"seed-{index}").write_bytes(seed)
            argv.append(str(corpus))
        atheris.Setup(argv, test_one_input)
        atheris.Fuzz()
    else:
        sys.exit(_random_engine(test_one_input, seeds, tokens, sys.argv[1:]))


# ------------------------------------------------------------------ the fallback engine
def _options(argv: Sequence[str]) -> tuple[dict[str, str], list[Path]]:
    options: dict[str, str] = {}
    paths: list[Path] = []
    for argument in argv:
        if argument.startswith("-") and "=" in argument:
            name, _, value = argument[1:].partition("=")
            options[name] = value
        elif not argument.startswith("-"):
            paths.append(Path(argument))
    return options, paths


def _random_engine(test_one_input: TestOneInput, seeds: Sequence[bytes], tokens: Sequence[bytes],
                   argv: Sequence[str]) -> int:
    options, paths = _options(argv)
    corpus = list(seeds)
    replay: list[bytes] = []
    for path in paths:
        if path.is_dir():
            corpus.extend(p.read_bytes() for p in sorted(path.iterdir()) if p.is_file())
        elif path.is_file():
            replay.append(path.read_bytes())
    prefix = options.get("artifact_prefix", "./")
    timeout = float(options.get("timeout", "10"))
    if replay:  # libFuzzer semantics: given files, run each once
        return max((_run_one(test_one_input, data, prefix, timeout) for data in replay), default=0)
    deadline = time.monotonic() + float(options.get("max_total_time", "10"))
    generator = random.Random(int(options.get("seed", "0")) or None)
    runs = 0
    for data in corpus:
        if _run_one(test_one_input, data, prefix, timeout):
            return 1
        runs += 1
    while time.monotonic() < deadline:
        data = _next_input(generator, corpus, tokens)
        if _run_one(test_one_input, data, prefix, timeout):
            return 1
        runs += 1
    print(f"#{runs} DONE (random engine): no failing input found", file=sys.stderr)
    return 0


def _run_one(test_one_input: TestOneInput, data: bytes, prefix: str, timeout: float) -> int:
    # A hang is a failure too: dump every thread's stack and exit.
    faulthandler.dump_traceback_later(timeout, exit=True)
    try:
        test_one_input(data)
    except BaseException:
        faulthandler.cancel_dump_traceback_later()
        artifact = f"{prefix}crash-{hashlib.sha1(data).hexdigest()}"
        with contextlib.suppress(OSError):
            Path(artifact).write_bytes(data)
        traceback.print_exc()
        print(f"==ERROR== input of {len(data)} bytes failed; written to {artifact}\n{data[:300]!r}",
              file=sys.stderr)
        return 1
    faulthandler.cancel_dump_traceback_later()
    return 0


def _next_input(generator: random.Random, corpus: Sequence[bytes], tokens: Sequence[bytes]) -> bytes:
    if not corpus or generator.random() < 0.2:
        return generator.randbytes(generator.choice([0, 1, 4, 16, 64, 256, 2048]))
    data = bytearray(generator.choice(corpus))
    for _ in range(generator.randint(1, 8)):
        _mutate(generator, data, corpus, tokens)
    return bytes(data)


def _mutate(generator: random.Random, data: bytearray, corpus: Sequence[bytes], tokens: Sequence[bytes]) -> None:
    position = generator.randint(0, len(data))
    choice = generator.randrange(7)
    if choice == 0 and tokens:
        data[position:position] = generator.choice(tokens)
    elif choice == 1 and data:
        del data[position:position + generator.randint(1, 16)]
    elif choice == 2 and data:
        data[min(position, len(data) - 1)] = generator.randrange(256)
    elif choice == 3 and data:
        start = generator.randrange(len(data))
        piece = data[start:start + generator.randint(1, 32)]
        data[position:position] = piece * generator.randint(1, 50)  # repetition finds limits
    elif choice == 4 and corpus:
        other = generator.choice(corpus)
        data[position:] = other[generator.randint(0, len(other)):]  # splice two seeds
    elif choice == 5:
        data[position:position] = generator.randbytes(generator.randint(1, 8))
    elif data:
        data[min(position, len(data) - 1)] ^= 1 << generator.randrange(8)
