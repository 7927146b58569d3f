"""Small helpers shared by every platform's collectors: picking outputs, splitting lines,
and building errors that name the command and a short excerpt of the offending input."""

from __future__ import annotations

from discovery.errors import CommandError, ParseError
from discovery.platforms.base import Outputs
from discovery.transports.base import CommandOutput

EXCERPT_CHARS = 80
# Keys the HMAC fingerprints of redacted secrets when no installation key is given (tests,
# `cmdb ingest` of recordings); `cmdb discover` uses the installation's own key.
DEFAULT_REDACTION_KEY = b"cmdb-auditor/config-redaction/v1"


def excerpt(text: str) -> str:
    """A short, printable excerpt for an error message (never a whole output)."""
    text = text.strip()
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS] + "..."
    return repr(text)


def lines(text: str) -> list[str]:
    """Non-blank lines without CR and trailing spaces (real outputs carry both)."""
    cleaned = (line.rstrip() for line in text.splitlines())
    return [line for line in cleaned if line]


def parse_error(collector: str, command: str, message: str, bad: str | None = None) -> ParseError:
    where = f": {excerpt(bad)}" if bad is not None else ""
    return ParseError(f"{command}: {message}{where}", collector=collector)


def required(outputs: Outputs, collector: str, name: str) -> CommandOutput:
    """The output of a required command; the runner normally stops before a failure
    reaches a parser, but parsers are also fed from recordings, so check again."""
    output = outputs.get(name)
    if output is None:
        raise CommandError(f"no output for command {name!r}", collector=collector)
    if not output.ok:
        raise CommandError(
            f"{output.command}: exit status {output.exit_status}: {excerpt(output.stderr)}",
            collector=collector,
        )
    return output


def ok_stdout(outputs: Outputs, name: str) -> str | None:
    """stdout of an optional command that succeeded, else None (= not observed)."""
    output = outputs.get(name)
    if output is None or not output.ok:
        return None
    return output.stdout


def single_value(text: str | None) -> str | None:
    """A one-value file or command (DMI, machine-id): stripped; empty means not observed."""
    if text is None:
        return None
    value = text.strip()
    return value or None
