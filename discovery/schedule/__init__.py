"""Scheduled discovery: schedules from the configuration file, fired on time by
`cmdb scheduler run`, with a state file that proves no run overlapped or ran twice.

Imports only `inventory` and the rest of `discovery`; what a run does (discover, store,
audit) is a `Job` injected by `cli.py` (DESIGN §3).
"""

from discovery.schedule.clock import Clock, ShiftedClock, SystemClock
from discovery.schedule.cron import Cron, CronError, time_zone
from discovery.schedule.model import (
    Decision,
    Job,
    JobResult,
    MissedRow,
    Outcome,
    RunRow,
    RunTicket,
    ScheduleState,
    SkipRow,
    Trigger,
)
from discovery.schedule.owner import Owner
from discovery.schedule.plan import FirePlan, Missed, plan_fires
from discovery.schedule.scheduler import GRACE, Scheduler, execute, run_now, stop_on_signals
from discovery.schedule.spec import ScheduleConfigError, ScheduleSpec, Selector, parse_schedules
from discovery.schedule.state import ScheduleBusy, StateError, StateStore
from discovery.schedule.view import history_json, local_time, run_json, schedule_row

__all__ = [
    "GRACE",
    "Clock",
    "Cron",
    "CronError",
    "Decision",
    "FirePlan",
    "Job",
    "JobResult",
    "Missed",
    "MissedRow",
    "Outcome",
    "Owner",
    "RunRow",
    "RunTicket",
    "ScheduleBusy",
    "ScheduleConfigError",
    "ScheduleSpec",
    "ScheduleState",
    "Scheduler",
    "Selector",
    "ShiftedClock",
    "SkipRow",
    "StateError",
    "StateStore",
    "SystemClock",
    "Trigger",
    "execute",
    "history_json",
    "local_time",
    "parse_schedules",
    "plan_fires",
    "run_json",
    "run_now",
    "schedule_row",
    "stop_on_signals",
    "time_zone",
]
