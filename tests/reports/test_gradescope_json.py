"""results.json tells a student about hidden tests only what the config allows."""

import json
from dataclasses import replace

from autograder.contract import GradeResult, QuestionResult, TestOutcome
from autograder.reports.gradescope_json import gradescope_results

SECRET = "assert np.allclose(sigmoid(-800.0), 0.0)"


def _result():
    tests = [
        TestOutcome("test_relu_examples", True, False, 1, ""),
        TestOutcome("test_sigmoid_is_stable_hidden", False, True, 1, f"AssertionError at line 3: {SECRET}"),
    ]
    return GradeResult("student", [QuestionResult("activations", 1, 2, tests)])


def test_hidden_names_and_messages_stay_hidden_by_default(config):
    text = json.dumps(gradescope_results(_result(), replace(config, show_hidden_details=False)))
    assert "test_sigmoid_is_stable_hidden" not in text and SECRET not in text
    assert "hidden tests: 0 of 1 passed" in text


def test_hidden_details_shown_when_the_config_says_so(config):
    text = json.dumps(gradescope_results(_result(), replace(config, show_hidden_details=True)))
    assert "test_sigmoid_is_stable_hidden" in text
