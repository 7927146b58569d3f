"""The two ways stores compute impact (BFS by levels; picking among all shortest paths,
as Cypher returns them) must choose the same explanation paths, ties included."""

from __future__ import annotations

import itertools
import random

from cmdb.store.impact import Step, Walk, breadth_first, choose_paths, path_key


def all_shortest(root: str, edges: list[Step], depth: int) -> list[tuple[Step, ...]]:
    paths: list[tuple[Step, ...]] = []
    frontier: list[tuple[str, tuple[Step, ...], frozenset[str]]] = [(root, (), frozenset({root}))]
    shortest: dict[str, int] = {root: 0}
    for level in range(1, depth + 1):
        nxt = []
        for at, path, seen in frontier:
            for edge in edges:
                src, _, dst = edge
                if at not in (src, dst):
                    continue
                there = dst if src == at else src
                if there in seen or shortest.get(there, level) < level:
                    continue
                shortest[there] = level
                nxt.append((there, (*path, edge), seen | {there}))
                paths.append((*path, edge))
        frontier = nxt
    return paths


def fetcher(edges: list[Step]):
    def fetch(frontier: set[str]) -> list[Walk]:
        walks: list[Walk] = []
        for src, t, dst in edges:
            if src in frontier:
                walks.append((src, (src, t, dst), dst))
            if dst in frontier:
                walks.append((dst, (src, t, dst), src))
        return walks
    return fetch


def test_diamond_ties_are_broken_the_same_way() -> None:
    edges = [("r", "A", "b"), ("r", "A", "a"), ("a", "B", "z"), ("b", "A", "z"),
             ("r", "B", "a")]
    bfs = breadth_first("r", fetcher(edges), 3)
    assert bfs["z"] == (("r", "A", "a"), ("a", "B", "z"))  # via "a" < "b"
    assert choose_paths("r", all_shortest("r", edges, 3)) == bfs


def test_random_graphs_agree() -> None:
    rng = random.Random(7)
    nodes = [f"n{i}" for i in range(12)]
    for _ in range(200):
        edges = list({(a, rng.choice("XY"), b) for a, b in itertools.permutations(nodes, 2)
                      if rng.random() < 0.15})
        bfs = breadth_first("n0", fetcher(edges), 4)
        assert choose_paths("n0", all_shortest("n0", edges, 4)) == bfs
        for target, path in bfs.items():
            assert path_key("n0", path)[-1][0] == target
