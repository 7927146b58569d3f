"""Fire times of a 5-field cron expression in a time zone (pure; cronsim does the cron).

cronsim follows Debian's cron, DST quirks included: a time skipped by the spring change
fires right after it, a time repeated by the autumn change fires once; expressions
firing every hour or more often just follow the clock. All times leave here in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError


class CronError(ValueError):
    """A cron expression or time zone we cannot use (the message says why)."""


@dataclass(frozen=True)
class Cron:
    expr: str
    zone: ZoneInfo

    @classmethod
    def parse(cls, expr: str, zone: ZoneInfo) -> Cron:
        if len(expr.split()) != 5:
            raise CronError(f"{expr!r}: expected 5 fields (minute hour day month weekday)")
        try:
            CronSim(expr, datetime(2000, 1, 1, tzinfo=zone))
        except CronSimError as exc:
            raise CronError(f"{expr!r}: {exc}") from exc
        return cls(expr, zone)

    def fires(self, after: datetime, until: datetime) -> Iterator[datetime]:
        """Fire times in (after, until], oldest first."""
        for fire in self._from(after):
            if fire > until:
                return
            yield fire

    def next_after(self, after: datetime) -> datetime | None:
        """The first fire time after `after` (None: none within cronsim's 50 years)."""
        return next(self._from(after), None)

    def last_before(self, until: datetime, count: int) -> list[datetime]:
        """The last `count` fire times at or before `until`, oldest first."""
        it = CronSim(self.expr, (until + timedelta(seconds=1)).astimezone(self.zone),
                     reverse=True)
        found: list[datetime] = []
        for fire in it:
            utc = fire.astimezone(UTC)
            if utc <= until:
                found.insert(0, utc)
            if len(found) == count:
                break
        return found

    def _from(self, after: datetime) -> Iterator[datetime]:
        if after.tzinfo is None:
            raise ValueError("cron times need an aware datetime")
        it = CronSim(self.expr, after.astimezone(self.zone))
        while True:
            try:
                fire = next(it).astimezone(UTC)
            except StopIteration:
                return
            # Inside the hour the autumn change repeats, cronsim reads `after` as its
            # first occurrence and may answer a time that already passed: skip it.
            if fire > after:
                yield fire


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError) as exc:  # not found is a KeyError; bad keys
        raise CronError(f"unknown time zone {name!r} (an IANA name such as "  # ValueError
                        "Europe/Paris or UTC)") from exc
