"""Late work: days from the LMS's record, and the config's policy applied to the settled score."""

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from autograder.classroom.late import late_penalty, lateness

DUE = "2026-12-10T23:59:00-05:00"


@pytest.mark.parametrize(
    "submitted, days",
    [
        ("2026-12-10T23:59:00-05:00", 0),  # on the minute
        ("2026-12-11T04:58:00+00:00", 0),  # the same instant, another time zone: still on time
        ("2026-12-11T00:00:00-05:00", 1),  # a minute late is a started day
        ("2026-12-12T23:59:00-05:00", 2),
        ("2026-12-13T00:00:01-05:00", 3),
    ],
)
def test_days_late_count_started_days_across_time_zones(submitted, days):
    assert lateness(datetime.fromisoformat(submitted), False, DUE).days == days


def test_canvas_late_mark_counts_one_day_and_says_so():
    late = lateness(None, True, None)
    assert late.days == 1 and "Canvas" in late.why
    assert lateness(None, False, DUE).days == 0  # no time and no mark: on time


@pytest.mark.parametrize(
    "policy, earned, days, penalty",
    [
        ("none", 8.0, 3, 0.0),
        ("percent_per_day", 8.0, 0, 0.0),
        ("percent_per_day", 8.0, 2, 1.6),
        ("percent_per_day", 8.0, 20, 8.0),  # never more than the score
        ("cap", 8.0, 1, 3.0),  # at most 50% of 10 points
        ("cap", 4.0, 5, 0.0),  # already under the cap
    ],
)
def test_late_policies(config, policy, earned, days, penalty):
    policy_config = replace(config, late_policy=policy, percent_per_day=10, cap_percent=50)
    assert late_penalty(earned, 10.0, days, policy_config) == penalty


def test_a_due_date_without_a_time_zone_is_a_config_error(tmp_path, config):
    from autograder.config import load_config
    from autograder.errors import ConfigError

    path = tmp_path / "grading_config.yml"
    path.write_text(Path(config.source).read_text().replace("due_date: null", 'due_date: "2026-12-10 23:59"'))
    with pytest.raises(ConfigError, match="time zone"):
        load_config(path, assignment="deep_learning_primer")
    path.write_text(Path(config.source).read_text().replace("due_date: null", "due_date: 2026-12-10T23:59:00-05:00"))
    primer = load_config(path, assignment="deep_learning_primer")
    assert primer.due_date == "2026-12-10T23:59:00-05:00"  # YAML's own datetime, read as text
