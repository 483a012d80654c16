"""The phases of a grading add up: each second charged to the innermost phase running."""

import time

from autograder.phases import OTHER, phase, recording


def test_a_nested_phase_is_charged_to_itself_not_to_its_enclosing_phase():
    seconds = {}
    with recording(seconds):
        with phase("tests"):
            time.sleep(0.05)
            with phase("evaluation"):
                time.sleep(0.1)
        with phase("tests"):
            time.sleep(0.05)
    assert seconds.keys() == {"tests", "evaluation", OTHER} and seconds[OTHER] < 0.01
    assert 0.09 <= seconds["tests"] < 0.14 and 0.09 <= seconds["evaluation"] < 0.14


def test_outside_a_recording_a_phase_records_nothing_and_inside_no_time_is_lost():
    with phase("tests"):
        pass
    seconds = {}
    with recording(seconds):
        time.sleep(0.05)
    assert seconds.keys() == {OTHER} and seconds[OTHER] >= 0.05
