"""The `schedules` section of the configuration file, checked field by field.

```yaml
schedules:
  branch-atms:
    cron: "0 2 * * *"            # 5 fields, evaluated in `timezone` (default UTC)
    timezone: Europe/Paris
    inventory: [/etc/cmdb/atms.yaml]
    select: {groups: [atm], sites: [paris], tags: [prod]}
    audit: true                  # `cmdb audit run` after each discovery
    concurrency: 16              # targets discovered at once
    timeout: 120                 # seconds per target
    catch_up: false              # after downtime: one coalesced run for what was missed
```

Every error names the schedule and the field (`schedules.NAME.FIELD`); the caller adds
the file. Inventory paths are relative to the configuration file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from discovery.schedule.cron import Cron, CronError, time_zone
from inventory.model import Inventory, Target

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_FIELDS = ("cron", "timezone", "inventory", "select", "audit", "concurrency", "timeout",
           "catch_up")
_SELECT_KEYS = ("groups", "sites", "tags")


class ScheduleConfigError(ValueError):
    """A bad `schedules` entry: names the schedule and the field."""

    def __init__(self, schedule: str | None, field_name: str | None, message: str) -> None:
        where = ".".join(p for p in ("schedules", schedule, field_name) if p)
        super().__init__(f"{where}: {message}")
        self.schedule, self.field = schedule, field_name


@dataclass(frozen=True)
class Selector:
    """Which inventory targets a schedule discovers. Each given key must match; within a
    key, any listed value does. Nothing given: every target."""

    groups: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()

    def matches(self, target: Target) -> bool:
        return ((not self.groups or bool(self.groups & set(target.groups)))
                and (not self.sites or target.site in self.sites)
                and (not self.tags or bool(self.tags & set(target.tags))))

    def select(self, inventory: Inventory) -> Inventory:
        return Inventory(tuple(t for t in inventory.targets if self.matches(t)),
                         inventory.sources)

    def to_json(self) -> dict[str, list[str]]:
        return {k: sorted(getattr(self, k)) for k in _SELECT_KEYS if getattr(self, k)}


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    cron: Cron
    timezone: str
    inventory: tuple[Path, ...]
    select: Selector = field(default_factory=Selector)
    audit: bool = False
    concurrency: int = 8
    timeout: float = 120.0
    catch_up: bool = False


def parse_schedules(raw: object, base_dir: Path) -> tuple[ScheduleSpec, ...]:
    """The `schedules:` mapping (name -> settings) as checked specs, in file order."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise ScheduleConfigError(None, None, "expected a mapping of schedule names to "
                                              "settings")
    return tuple(_schedule(str(name), value, base_dir) for name, value in raw.items())


def _schedule(name: str, raw: object, base_dir: Path) -> ScheduleSpec:
    if not _NAME.match(name):
        raise ScheduleConfigError(name, None, "a schedule name is letters, digits, '.', "
                                              "'_' and '-', starting with a letter or digit")
    if not isinstance(raw, Mapping):
        raise ScheduleConfigError(name, None, "expected a mapping of settings")
    unknown = sorted(str(k) for k in raw if k not in _FIELDS)
    if unknown:
        raise ScheduleConfigError(name, unknown[0], f"unknown setting (known: "
                                                    f"{', '.join(_FIELDS)})")
    timezone = _text(name, "timezone", raw.get("timezone", "UTC"))
    try:
        zone = time_zone(timezone)
    except CronError as exc:
        raise ScheduleConfigError(name, "timezone", str(exc)) from exc
    try:
        cron = Cron.parse(_text(name, "cron", raw.get("cron")), zone)
    except CronError as exc:
        raise ScheduleConfigError(name, "cron", str(exc)) from exc
    return ScheduleSpec(
        name=name, cron=cron, timezone=timezone,
        inventory=tuple(_path(p, base_dir) for p in _texts(name, "inventory",
                                                            raw.get("inventory"))),
        select=_selector(name, raw.get("select")),
        audit=_flag(name, "audit", raw.get("audit", False)),
        concurrency=int(_number(name, "concurrency", raw.get("concurrency", 8), 1, 512, int)),
        timeout=float(_number(name, "timeout", raw.get("timeout", 120.0), 1, None, float)),
        catch_up=_flag(name, "catch_up", raw.get("catch_up", False)),
    )


def _text(name: str, key: str, value: object) -> str:
    if value is None:
        raise ScheduleConfigError(name, key, "missing")
    if not isinstance(value, str) or not value.strip():
        raise ScheduleConfigError(name, key, f"expected text, got {value!r}")
    return value.strip()


def _texts(name: str, key: str, value: object) -> tuple[str, ...]:
    """One string or a non-empty list of strings."""
    if value is None:
        raise ScheduleConfigError(name, key, "missing")
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ScheduleConfigError(name, key, f"expected a name or a list, got {value!r}")
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise ScheduleConfigError(name, f"{key}[{index}]", f"expected text, got {item!r}")
    return tuple(item.strip() for item in items)


def _path(text: str, base_dir: Path) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else base_dir / path


def _selector(name: str, raw: object) -> Selector:
    if raw is None:
        return Selector()
    if not isinstance(raw, Mapping):
        raise ScheduleConfigError(name, "select", f"expected a mapping with any of "
                                                  f"{', '.join(_SELECT_KEYS)}")
    for key in raw:
        if key not in _SELECT_KEYS:
            raise ScheduleConfigError(name, f"select.{key}", f"unknown key (known: "
                                                             f"{', '.join(_SELECT_KEYS)})")
    return Selector(**{key: frozenset(_texts(name, f"select.{key}", value))
                       for key, value in raw.items()})


def _flag(name: str, key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ScheduleConfigError(name, key, f"expected true or false, got {value!r}")
    return value


def _number(name: str, key: str, value: Any, low: float, high: float | None,
            kind: type[int] | type[float]) -> float:
    ok_type = isinstance(value, int) if kind is int else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type:
        wanted = "an integer" if kind is int else "a number"
        raise ScheduleConfigError(name, key, f"expected {wanted}, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise ScheduleConfigError(name, key, f"must be {bounds}, got {value!r}")
    return float(value)
