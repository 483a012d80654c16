"""grading_config.yml is validated: a typo fails loudly, naming the field."""

import pytest

from autograder.config import DEFAULT_PATH, load_config
from autograder.errors import ConfigError


def test_the_shipped_config_loads():
    config = load_config()
    assert config.min_test_accuracy == 0.979
    assert set(config.points) == {"activations", "gradient_descent", "improved_model", "mnist_accuracy"}


@pytest.mark.parametrize(
    "old, new, complaint",
    [
        ("min_test_accuracy: 0.979", "min_test_accuracy: 98", "min_test_accuracy"),
        ("seed: 42", "seed: forty-two", "seed"),
        ("cell_timeout_seconds: 600", "cell_timout_seconds: 600", "limits"),
        ("flag_threshold: 0.6", "flag_threshold: 60", "flag_threshold"),
        ("context_questions: [improved_model]", "context_questions: [improved_modle]", "no question improved_modle"),
    ],
)
def test_a_bad_value_is_named(tmp_path, old, new, complaint):
    path = tmp_path / "grading_config.yml"
    path.write_text(DEFAULT_PATH.read_text().replace(old, new))
    with pytest.raises(ConfigError, match=complaint):
        load_config(path)


def test_a_floor_above_the_target_is_refused(tmp_path):
    path = tmp_path / "grading_config.yml"
    path.write_text(DEFAULT_PATH.read_text().replace("accuracy_floor: 0.974", "accuracy_floor: 0.99"))
    with pytest.raises(ConfigError, match=r"accuracy_floor 0\.99 is above min_test_accuracy"):
        load_config(path)
