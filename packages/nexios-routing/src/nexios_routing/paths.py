"""Parsing route path templates such as ``/users/{user_id:int}/files/{rest:path}``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from nexios_core import ImproperlyConfigured

from .converters import CONVERTERS, Converter, PathConverter

_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_][A-Za-z0-9_]*))?}")
_PCHAR_SAFE = "!$&'()*+,;=:@"
"""RFC 3986 path characters left unencoded by ``url_for`` besides letters, digits and ``_.-~``."""


@dataclass(frozen=True)
class Segment:
    """One ``/``-separated piece of a template.

    A literal segment has ``literal`` set; a dynamic one has a compiled ``pattern`` that the whole
    segment must match, the ``params`` it captures in order and their converters. A ``path``
    parameter that ends the template is ``catch_all``: it takes the rest of the path.
    """

    literal: str | None
    pattern: re.Pattern[str] | None
    params: tuple[str, ...]
    converters: tuple[Converter[Any], ...]
    catch_all: bool = False
    source: str = ""
    whole: Callable[[str], Any] | None = None
    """The converter's ``match`` when the segment is exactly one parameter (no regex needed)."""


@dataclass(frozen=True)
class PathTemplate:
    """A parsed template: its segments, parameter names, and a format string for ``url_for``."""

    path: str
    segments: tuple[Segment, ...]
    param_converters: dict[str, Converter[Any]]

    @property
    def is_static(self) -> bool:
        """True when the template has no parameters."""
        return not self.param_converters

    def format(self, params: dict[str, Any]) -> str:
        """Build a concrete path from parameter values (for ``url_for``)."""
        missing = set(self.param_converters) - set(params)
        if missing:
            raise ValueError(f"Missing path parameters for {self.path!r}: {sorted(missing)}")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            converter = self.param_converters[name]
            # Percent-encode so that "a b", "50%", "?" or "#" in a value route back to the same
            # value; only a path parameter keeps its "/" separators.
            safe = _PCHAR_SAFE + "/" if isinstance(converter, PathConverter) else _PCHAR_SAFE
            return quote(converter.to_string(params[name]), safe=safe)

        return _PARAM.sub(replace, self.path)


def normalise_path(path: str) -> str:
    """Templates always start with ``/``; a lone ``/`` stays as it is."""
    if not path.startswith("/"):
        path = "/" + path
    return path


def join_paths(prefix: str, path: str) -> str:
    """``join_paths("/api", "/users")`` is ``/api/users``; an empty path keeps the prefix."""
    prefix = prefix.rstrip("/")
    if path == "" and prefix:
        return prefix
    return prefix + normalise_path(path)


def _param_regex(converter: Converter[Any], preceding_literal: str) -> str:
    """The regex of a parameter inside a segment, after ``preceding_literal`` ("" for the first).

    A plain ``str`` parameter that follows another one may not contain the literal before it.
    That is what the regex's greedy choice gives anyway (the earlier parameter takes every
    separator it can: ``{slug}-{id}`` on ``my-post-7`` is ``my-post`` and ``7``), and it keeps
    matching linear: with ``[^/]+`` for every parameter, a segment that almost matches
    ``{a}-{b}-{c}.json`` made the regex engine try every split, polynomial in the segment's
    length (seconds for a 1 KB segment).
    """
    if not preceding_literal or converter.regex != CONVERTERS["str"].regex:
        return converter.regex
    if len(preceding_literal) == 1:
        return f"[^/{re.escape(preceding_literal)}]+"
    return f"(?:(?!{re.escape(preceding_literal)})[^/])+"


def parse_template(path: str) -> PathTemplate:
    """Parse ``path``; unknown converters and repeated names fail here, at registration."""
    path = normalise_path(path)
    segments: list[Segment] = []
    converters: dict[str, Converter[Any]] = {}
    raw_segments = path[1:].split("/")
    for index, raw in enumerate(raw_segments):
        matches = list(_PARAM.finditer(raw))
        if not matches:
            if "{" in raw or "}" in raw:
                raise ImproperlyConfigured(f"Malformed parameter in route path {path!r}: {raw!r}")
            segments.append(Segment(literal=raw, pattern=None, params=(), converters=(), source=raw))
            continue
        names: list[str] = []
        segment_converters: list[Converter[Any]] = []
        regex = ""
        position = 0
        for match in matches:
            name, kind = match.group(1), match.group(2) or "str"
            converter = CONVERTERS.get(kind)
            if converter is None:
                raise ImproperlyConfigured(
                    f"Unknown converter {kind!r} in route path {path!r}; "
                    f"known: {', '.join(sorted(CONVERTERS))} (add one with register_converter)"
                )
            if name in converters:
                raise ImproperlyConfigured(f"Parameter {name!r} appears twice in {path!r}")
            literal = raw[position : match.start()]
            if names and not literal:
                raise ImproperlyConfigured(
                    f"Parameters {names[-1]!r} and {name!r} in route path {path!r} need a literal "
                    "between them (such as '-' or '.'): where one ends would be a guess"
                )
            regex += re.escape(literal) + f"({_param_regex(converter, literal if names else '')})"
            position = match.end()
            names.append(name)
            segment_converters.append(converter)
            converters[name] = converter
        regex += re.escape(raw[position:])
        literal_rest = raw[position:]
        is_catch_all = (
            kind == "path" and index == len(raw_segments) - 1 and len(matches) == 1
            and matches[0].start() == 0 and not literal_rest
        )
        if kind == "path" and not is_catch_all or (
            any(c is CONVERTERS["path"] for c in segment_converters) and not is_catch_all
        ):
            raise ImproperlyConfigured(
                f"A {{name:path}} parameter must be a whole, final segment: {path!r}"
            )
        whole = None
        if len(matches) == 1 and matches[0].group(0) == raw and not is_catch_all:
            whole = getattr(segment_converters[0], "match", None)
        segments.append(
            Segment(
                literal=None, pattern=re.compile(regex), params=tuple(names),
                converters=tuple(segment_converters), catch_all=is_catch_all, source=raw,
                whole=whole,
            )
        )
    return PathTemplate(path=path, segments=tuple(segments), param_converters=converters)


__all__ = ["PathTemplate", "Segment", "join_paths", "normalise_path", "parse_template"]
