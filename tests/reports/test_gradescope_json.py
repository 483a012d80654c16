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


def test_a_settled_grade_is_the_score_and_the_page_says_how(config):
    import jsonschema

    from autograder.contract import Settlement
    from autograder.reports.feedback import feedback_html
    from tests.helpers import SCHEMA

    settlement = Settlement(1.0, [("activations", 0.5, "regrade request accepted")], 2, "2 days", 0.3, "20% a day")
    results = gradescope_results(_result(), config, settlement)
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 1.2 and "regrade request accepted" in results["output"]
    assert "Late: 2 days; the policy: 20% a day: -0.30." in results["output"]
    page = feedback_html(_result(), config, "ann", settlement)
    assert "1.20 / 2" in page and "Your grade: 1.20 points." in page
