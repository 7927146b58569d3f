"""Impact traversal: which CIs a CI reaches over chosen relationships, and why.

Every store must give the same answer, so the answer is defined here: each reachable CI
with its depth (fewest hops) and one explanation path, the smallest shortest path when
paths are compared step by step as (next CI uid, relationship type). Stores only fetch
edges (SQLite, level by level) or candidate shortest paths (Cypher); the choice is made
by these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

Step = tuple[str, str, str]  # a stored relationship: (src, type, dst)


class Direction(StrEnum):
    OUT = "out"  # follow relationships from src to dst: what this CI uses or owns
    IN = "in"  # follow them backwards: what uses or owns this CI
    BOTH = "both"


@dataclass(frozen=True)
class ImpactHit:
    uid: str
    label: str
    depth: int
    path: tuple[Step, ...]  # the explanation, from the root to this CI


@dataclass(frozen=True)
class ImpactGraph:
    root: str
    types: tuple[str, ...]
    direction: Direction
    max_depth: int
    hits: tuple[ImpactHit, ...]


# An edge as walked: (from uid, the stored step, to uid).
Walk = tuple[str, Step, str]
EdgeFetcher = Callable[[set[str]], Iterable[Walk]]


def path_key(root: str, path: Sequence[Step]) -> tuple[tuple[str, str], ...]:
    """The order in which explanation paths compete: step by step, next uid then type."""
    key = []
    at = root
    for src, rel_type, dst in path:
        at = dst if src == at else src
        key.append((at, rel_type))
    return tuple(key)


def breadth_first(root: str, fetch: EdgeFetcher, max_depth: int) -> dict[str, tuple[Step, ...]]:
    """Shortest paths by levels; among equally short ones keep the smallest by path_key.
    The key is compared prefix first, so the best path to a CI extends the best path to
    one of its parents (which lets us keep one path per CI)."""
    best: dict[str, tuple[Step, ...]] = {root: ()}
    frontier = {root}
    for _ in range(max_depth):
        candidates: dict[str, tuple[Step, ...]] = {}
        for here, step, there in fetch(frontier):
            if there in best:
                continue
            path = (*best[here], step)
            current = candidates.get(there)
            if current is None or path_key(root, path) < path_key(root, current):
                candidates[there] = path
        if not candidates:
            break
        best.update(candidates)
        frontier = set(candidates)
    del best[root]
    return best


def choose_paths(root: str, paths: Iterable[Sequence[Step]]) -> dict[str, tuple[Step, ...]]:
    """From candidate shortest paths (e.g. Cypher's ALL SHORTEST), one per reached CI."""
    best: dict[str, tuple[Step, ...]] = {}
    for path in paths:
        if not path:
            continue
        end = _end(root, path)
        current = best.get(end)
        candidate = tuple(path)
        if (current is None or len(candidate) < len(current)
                or (len(candidate) == len(current)
                    and path_key(root, candidate) < path_key(root, current))):
            best[end] = candidate
    best.pop(root, None)
    return best


def _end(root: str, path: Sequence[Step]) -> str:
    at = root
    for src, _, dst in path:
        at = dst if src == at else src
    return at


def graph(root: str, types: Sequence[str], direction: Direction, max_depth: int,
          paths: dict[str, tuple[Step, ...]], labels: dict[str, str]) -> ImpactGraph:
    hits = sorted(
        (ImpactHit(uid, labels.get(uid, "?"), len(path), path) for uid, path in paths.items()),
        key=lambda h: (h.depth, h.uid))
    return ImpactGraph(root, tuple(types), direction, max_depth, tuple(hits))
