"""Run the installed `cmdb` entry point as a user would, against one store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

CMDB = str(Path(sys.executable).parent / "cmdb")


class Cmdb:
    def __init__(self, store: Path | str, **env: str) -> None:
        url = f"sqlite:{store}" if isinstance(store, Path) else store
        self.env = {**os.environ, "CMDB_STORE": url, **env}

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([CMDB, *args], env=self.env, text=True, capture_output=True,
                              timeout=300, check=False)

    def json(self, *args: str) -> Any:
        done = self(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
