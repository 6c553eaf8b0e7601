"""The compiled route table: a segment trie built once from every route of an app.

Static segments are dict lookups; dynamic segments are tried in registration order after the
static child, so ``/users/me`` beats ``/users/{id}``; a final ``{rest:path}`` is tried last. Fully
static paths also live in one dict for a single lookup. Matching never runs a regex per route.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from .paths import PathTemplate, Segment

_T = TypeVar("_T")


class _Node(Generic[_T]):
    __slots__ = ("static", "dynamic", "catch_all", "entry")

    def __init__(self) -> None:
        self.static: dict[str, _Node[_T]] = {}
        self.dynamic: list[tuple[Segment, _Node[_T]]] = []
        self.catch_all: list[tuple[Segment, _T]] = []
        self.entry: _T | None = None


class RouteTrie(Generic[_T]):
    """Maps path templates to entries (``_T``), matching concrete paths to ``(entry, params)``."""

    def __init__(self) -> None:
        self._root: _Node[_T] = _Node()
        self.static_paths: dict[str, _T] = {}

    def insert(self, template: PathTemplate, entry: _T) -> _T:
        """Add ``entry`` for ``template``; an existing entry for the same template is returned
        instead so that several routes (methods) can share one path."""
        if template.is_static:
            existing = self.static_paths.get(template.path)
            if existing is not None:
                return existing
            self.static_paths[template.path] = entry
        node = self._root
        for segment in template.segments:
            if segment.catch_all:
                for existing_segment, existing_entry in node.catch_all:
                    if existing_segment.source == segment.source:
                        return existing_entry
                node.catch_all.append((segment, entry))
                return entry
            if segment.literal is not None:
                node = node.static.setdefault(segment.literal, _Node())
            else:
                for existing_segment, child in node.dynamic:
                    if existing_segment.source == segment.source:
                        node = child
                        break
                else:
                    child = _Node()
                    node.dynamic.append((segment, child))
                    node = child
        if node.entry is not None:
            return node.entry
        node.entry = entry
        return entry

    def find(
        self, path: str, method: str | None = None, rejected: list[_T] | None = None
    ) -> tuple[_T, dict[str, Any]] | None:
        """The most specific entry matching ``path`` that serves ``method``, with its parameters.

        With ``method=None`` any matching entry is taken. Otherwise an entry serves a method when
        the method is a key of its ``endpoints``; entries that matched the path but not the
        method are appended to ``rejected`` (the router answers 405 with ``Allow`` from them).
        """
        parts = path[1:].split("/")
        # First the path a depth-first walk would try first (static child, else the first
        # whole-segment parameter that converts), in a loop: nearly every request matches
        # there. When that fails and no node on the way offered another choice, nothing
        # matches (a 404 costs one loop too); otherwise the walk backtracks and collects the
        # 405 candidates.
        params: dict[str, Any] = {}
        node = self._root
        other_choices = False
        for part in parts:
            if node.catch_all:
                other_choices = True
            child = node.static.get(part)
            if child is None:
                dynamic = node.dynamic
                if not dynamic:
                    break
                for segment, candidate in dynamic:
                    whole = segment.whole
                    if whole is None:  # a regex segment: leave it to the walk
                        other_choices = True
                        break
                    try:
                        params[segment.params[0]] = whole(part)
                    except ValueError:
                        continue
                    child = candidate
                    if candidate is not dynamic[-1][1]:
                        other_choices = True  # later parameters could match too
                    break
                if child is None:
                    break
            elif node.dynamic:
                other_choices = True
            node = child
        else:
            entry = node.entry
            if entry is not None and (method is None or method in entry.endpoints):  # type: ignore[attr-defined]
                return entry, params
            other_choices = True  # a 405 candidate, or a shorter catch-all match
        if not other_choices:
            return None
        params = {}
        found = self._walk(self._root, parts, 0, params, method, rejected)
        return None if found is None else (found, params)

    def _walk(self, node: _Node[_T], parts: list[str], index: int, params: dict[str, Any],
              method: str | None, rejected: list[_T] | None) -> _T | None:
        if index == len(parts):
            entry = node.entry
            if entry is not None:
                if method is None or method in entry.endpoints:  # type: ignore[attr-defined]
                    return entry
                if rejected is not None:
                    rejected.append(entry)
            return None
        part = parts[index]
        child = node.static.get(part)
        if child is not None:
            found = self._walk(child, parts, index + 1, params, method, rejected)
            if found is not None:
                return found
        for segment, child in node.dynamic:
            whole = segment.whole
            if whole is not None:  # one parameter filling the segment: no regex
                try:
                    value = whole(part)
                except ValueError:
                    continue
                name = segment.params[0]
                params[name] = value
                found = self._walk(child, parts, index + 1, params, method, rejected)
                if found is not None:
                    return found
                del params[name]
                continue
            match = segment.pattern.fullmatch(part)  # type: ignore[union-attr]
            if match is None:
                continue
            try:
                values = [conv.convert(text) for conv, text in zip(segment.converters, match.groups(), strict=True)]
            except ValueError:
                continue
            names = segment.params
            for name, value in zip(names, values, strict=True):
                params[name] = value
            found = self._walk(child, parts, index + 1, params, method, rejected)
            if found is not None:
                return found
            for name in names:
                params.pop(name, None)
        for segment, entry in node.catch_all:
            try:
                value = segment.converters[0].convert("/".join(parts[index:]))
            except ValueError:
                continue
            if method is None or method in entry.endpoints:  # type: ignore[attr-defined]
                params[segment.params[0]] = value
                return entry
            if rejected is not None:
                rejected.append(entry)
        return None


__all__ = ["RouteTrie"]
