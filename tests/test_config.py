"""grading_config.yml is validated: a typo fails loudly, naming the field; an assignment's section wins."""

import json
import shutil

import pytest
import yaml

from autograder import ROOT
from autograder.config import DEFAULT_PATH, Config, load_config, read_course
from autograder.errors import ConfigError


def test_the_shipped_config_loads():
    config = load_config(assignment="deep_learning_primer")
    assert config.measured["test_accuracy"] == {"target": 0.979, "floor": 0.974, "margin": 0.003, "spread": 0.005}
    assert config.weights == {"model": "improved_model", "training_tag": "training"}
    assert config.points == {"activations": 4, "gradient_descent": 3, "improved_model": 1, "mnist_accuracy": 2}
    assert config.context_questions == ("improved_model",) and config.settings == {"mnist_path": None}


def test_settings_travel_as_values():
    config = load_config(assignment="deep_learning_primer")
    assert Config.from_dict(json.loads(json.dumps(config.to_dict()))) == config


@pytest.mark.parametrize(
    "old, new, complaint",
    [
        ("target: 0.979", "target: 98", "target"),
        ("seed: 42", "seed: forty-two", "seed"),
        ("cell_timeout_seconds: 600", "cell_timout_seconds: 600", "limits"),
        ("flag_threshold: 0.6", "flag_threshold: 60", "flag_threshold"),
        ("context_questions: [improved_model]", "context_questions: [improved_modle]", "no question improved_modle"),
        ("mnist_path: null", "mnist_pth: null", "no option 'mnist_pth'"),
        (
            "training_tag: training}",
            "training_tag: trainnig}",
            "no cell of deep_learning_primer.ipynb is tagged 'trainnig'",
        ),
        ("weights: {model:", "weights: {modle:", "weights"),
        ("  deep_learning_primer:", "  deep_learning_primr:", "no solutions/deep_learning_primr.ipynb"),
        ("test_accuracy: {target: 0.979", "mnist_accuracy: {target: 0.979", "mnist_accuracy: a question has that name"),
    ],
)
def test_a_bad_value_is_named(tmp_path, old, new, complaint):
    path = tmp_path / "grading_config.yml"
    text = DEFAULT_PATH.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(ConfigError, match=complaint):
        load_config(path, assignment="deep_learning_primer")


def test_a_floor_above_the_target_is_refused(tmp_path):
    path = tmp_path / "grading_config.yml"
    path.write_text(DEFAULT_PATH.read_text().replace("floor: 0.974", "floor: 0.99"))
    with pytest.raises(ConfigError, match=r"floor 0\.99 is above the target 0\.979"):
        load_config(path, assignment="deep_learning_primer")


def test_a_section_overrides_the_course_and_points_come_from_the_master(tmp_path):
    """Two assignments: one with a section of its own (limits, late, points), one without any."""
    for folder in ("solutions", "assignments"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(tmp_path / "solutions" / "deep_learning_primer.ipynb", tmp_path / "solutions" / "second.ipynb")
    _, data = read_course()
    data["assignments"]["deep_learning_primer"] |= {
        "limits": {"memory_limit_mb": 2000},
        "late": {"late_policy": "cap"},
        "points": {"activations": 6},
    }
    path = tmp_path / "grading_config.yml"
    path.write_text(yaml.safe_dump(data))
    primer = load_config(path, tmp_path, "deep_learning_primer")
    second = load_config(path, tmp_path, "second")
    assert (primer.memory_limit_mb, primer.late_policy, primer.points["activations"]) == (2000, "cap", 6)
    assert (primer.cell_timeout_seconds, primer.points["gradient_descent"]) == (600, 3)  # the course's, the master's
    assert (second.memory_limit_mb, second.late_policy, second.points["activations"]) == (6000, "none", 4)
    assert second.measured == {} and second.context_questions == ()
    with pytest.raises(ConfigError, match="which assignment"):
        load_config(path, tmp_path)
