"""`cmdb-agent`: the host agent (psutil collectors, push/pull, offline spool).

Not built yet: this entry point exists so the distribution's console scripts are stable
and says so plainly instead of pretending to work.
"""

from __future__ import annotations

import sys

EXIT_USAGE = 3


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print("usage: cmdb-agent collect|push|run ...\n\n"
              "The host agent is not part of this version yet; discover hosts over SSH with "
              "`cmdb discover` meanwhile.")
        sys.exit(0)
    print("cmdb-agent: the host agent is not part of this version yet "
          "(use `cmdb discover` over SSH)", file=sys.stderr)
    sys.exit(EXIT_USAGE)
