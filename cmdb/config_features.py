"""Which feature a single top-level configuration line is about, so that lines such as
`ntp server 192.0.2.1` and `ntp authenticate` are compared, counted and reported
together (`ntp`), as intended-config audits and config diffs both do."""

from __future__ import annotations

# Heads whose feature is named by more words: `ip ssh`, `service timestamps`, Junos
# `set system ntp`.
_TWO_WORD_HEADS = frozenset({"ip", "ipv6", "service", "snmp-agent", "info-center"})
_THREE_WORD_HEADS = frozenset({"set", "delete", "deactivate"})  # Junos set format


def feature_of(line: str) -> str:
    """The feature a single top-level line belongs to: `ntp server x` -> `ntp`."""
    words = line.split()
    if words[:1] == ["no"]:  # `no ip http server` is about what `ip http server` is about
        words = words[1:]
    if not words:
        return line
    count = 3 if words[0] in _THREE_WORD_HEADS else 2 if words[0] in _TWO_WORD_HEADS else 1
    return " ".join(words[:count])
