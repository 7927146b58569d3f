"""What is due now: pure, from the fire times since the last look.

The last look (the watermark) is kept in the state file, so a fire time is considered
once only, whatever the restarts. Of the fire times since then, only the newest can
still run, and only if it is at most `grace` old (the scheduler woke up on time);
anything older passed while no scheduler was running: it is *missed*, recorded and
reported, never fired late, except that `catch_up: true` fires the newest one as a single
coalesced catch-up run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from discovery.schedule.cron import Cron
from discovery.schedule.model import Trigger

# Beyond this many missed fire times we stop counting (a week of a per-minute schedule).
MAX_COUNTED = 10_000


@dataclass(frozen=True)
class Missed:
    first: datetime
    last: datetime
    count: int
    at_least: bool = False  # more than MAX_COUNTED were missed: `count` is a floor


@dataclass(frozen=True)
class FirePlan:
    fire: datetime | None = None
    trigger: Trigger | None = None
    missed: Missed | None = None


def plan_fires(cron: Cron, after: datetime, now: datetime, grace: timedelta,
               catch_up: bool) -> FirePlan:
    """Decide about the fire times in (after, now]."""
    fires = list(islice(cron.fires(after, now), MAX_COUNTED + 1))
    if not fires:
        return FirePlan()
    capped = len(fires) > MAX_COUNTED
    # After a long outage, the newest two come from walking back from now.
    newest = cron.last_before(now, 2) if capped else fires[-2:]
    latest, before = newest[-1], newest[:-1]
    if now - latest <= grace or catch_up:
        trigger = Trigger.CRON if now - latest <= grace else Trigger.CATCH_UP
        missed = Missed(fires[0], before[0], min(len(fires), MAX_COUNTED) - 1 + capped,
                        capped) if before else None
        return FirePlan(latest, trigger, missed)
    return FirePlan(missed=Missed(fires[0], latest, min(len(fires), MAX_COUNTED), capped))
