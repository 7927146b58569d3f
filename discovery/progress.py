"""Progress for long discovery runs: a rich bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from discovery.result import TargetResult


class DiscoveryProgress:
    """Context manager; call `done(result)` as each target finishes (thread-safe)."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.count = 0
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        if self.stream.isatty():
            self._bar = Progress(
                TextColumn("discovering"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[last]}"), TimeElapsedColumn(),
                console=Console(file=self.stream), transient=True)

    def __enter__(self) -> DiscoveryProgress:
        if self._bar is not None:
            self._bar.start()
            self._task = self._bar.add_task("discover", total=self.total, last="")
        return self

    def done(self, result: TargetResult) -> None:
        self.count += 1
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, last=f"{result.target}: {result.status}")
        else:
            why = f" ({result.error})" if result.error else ""
            print(f"[{self.count}/{self.total}] {result.target}: {result.status}{why}",
                  file=self.stream, flush=True)

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
