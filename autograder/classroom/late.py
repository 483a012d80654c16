"""Late work: how late a submission is, and what the config's late policy takes for it.

Lateness is measured from what the LMS recorded, never from the file (a student controls
its dates): Gradescope's `created_at` against the config's due date, or Canvas's LATE mark,
which comes without a time and so counts as one day.
"""

import math
from dataclasses import dataclass, replace
from datetime import datetime

from autograder.contract import Settlement


@dataclass(frozen=True)
class Lateness:
    days: int
    """Whole days late, a started day counted; 0 when on time or when nothing says otherwise."""
    why: str
    """How the days were found, for the gradebook and the feedback page ("" when on time)."""


ON_TIME = Lateness(0, "")


def lateness(submitted_at: datetime | None, marked_late: bool, due_date: str | None) -> Lateness:
    if submitted_at is not None and due_date is not None:
        late_by = (submitted_at - datetime.fromisoformat(due_date)).total_seconds()
        if late_by <= 0:
            return ON_TIME
        days = math.ceil(late_by / 86400)
        return Lateness(days, f"submitted {submitted_at.isoformat()}, due {due_date}: {days} day(s) late")
    if marked_late:
        return Lateness(1, "marked late by Canvas, which does not say by how much: counted as 1 day")
    return ON_TIME


def settle(tested, possible, adjustments, late, config, by_hand=()) -> Settlement:
    """The grade of a score `tested` (of `possible`): the manual questions' points (question, points,
    comment) and adjustments (question, points, reason) added, then what `late` (a Lateness) costs
    under the config's policy."""
    settlement = Settlement(tested, adjustments, late.days, late.why, 0.0, policy_text(config), list(by_hand))
    return replace(settlement, late_penalty=late_penalty(settlement.earned, possible, late.days, config))


def late_penalty(earned, possible, days, config):
    """The points `days` late takes from the score `earned` (of `possible`) under the config's policy."""
    if days <= 0 or earned <= 0 or config.late_policy == "none":
        return 0.0
    if config.late_policy == "percent_per_day":
        return round(earned * min(1.0, days * config.percent_per_day / 100), 4)
    return round(max(0.0, earned - possible * config.cap_percent / 100), 4)  # "cap"


def policy_text(config):
    """The policy in words, as the feedback page states it."""
    return {
        "none": "late work is recorded, nothing is deducted",
        "percent_per_day": f"{config.percent_per_day:g}% of the score per day late",
        "cap": f"a late submission scores at most {config.cap_percent:g}% of the points",
    }[config.late_policy]
