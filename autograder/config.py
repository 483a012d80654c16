"""grading_config.yml: the numbers an instructor may change, checked before use.

A typo in the config must fail loudly at load time, not silently change a grade,
so the file is validated against a JSON schema.
"""
import os
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

from . import ROOT

DEFAULT_PATH = ROOT / "grading_config.yml"

_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
_LIMITS = (
    "cell_timeout_seconds", "call_timeout_seconds", "submission_timeout_seconds",
    "memory_limit_mb", "max_output_bytes", "max_model_parameters",
)
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["assignment", "points", "min_test_accuracy", "seed", "limits", "feedback", "skip_tags"],
    "properties": {
        "assignment": {"type": "string", "pattern": "^[A-Za-z0-9_]+$"},
        "points": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
        "min_test_accuracy": {"type": "number", "minimum": 0, "maximum": 1},
        "seed": {"type": "integer", "minimum": 0},
        "limits": {
            "type": "object",
            "additionalProperties": False,
            "required": list(_LIMITS),
            "properties": {name: _POSITIVE for name in _LIMITS},
        },
        "feedback": {
            "type": "object",
            "additionalProperties": False,
            "required": ["question_visibility", "show_hidden_details"],
            "properties": {
                "question_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
                "show_hidden_details": {"type": "boolean"},
            },
        },
        "skip_tags": {"type": "array", "items": {"type": "string"}},
        "mnist_path": {"type": ["string", "null"]},
    },
}


@dataclass(frozen=True)
class Config:
    assignment: str
    points: dict
    min_test_accuracy: float
    seed: int
    cell_timeout: float
    call_timeout: float
    submission_timeout: float
    memory_limit_mb: float
    max_output_bytes: int
    max_model_parameters: int
    question_visibility: str
    show_hidden_details: bool
    skip_tags: tuple
    mnist_path: str | None
    path: Path


class ConfigError(ValueError):
    pass


def load_config(path=None) -> Config:
    """Read the config named by `path`, $GRADING_CONFIG, or the repository's own."""
    path = Path(path or os.environ.get("GRADING_CONFIG") or DEFAULT_PATH)
    try:
        data = yaml.safe_load(path.read_text())
        jsonschema.validate(data, SCHEMA)
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from e
    except jsonschema.ValidationError as e:
        where = "/".join(map(str, e.absolute_path)) or "top level"
        raise ConfigError(f"{path}: {where}: {e.message}") from e
    limits = data["limits"]
    return Config(
        assignment=data["assignment"],
        points=dict(data["points"]),
        min_test_accuracy=float(data["min_test_accuracy"]),
        seed=data["seed"],
        cell_timeout=float(limits["cell_timeout_seconds"]),
        call_timeout=float(limits["call_timeout_seconds"]),
        submission_timeout=float(limits["submission_timeout_seconds"]),
        memory_limit_mb=float(limits["memory_limit_mb"]),
        max_output_bytes=int(limits["max_output_bytes"]),
        max_model_parameters=int(limits["max_model_parameters"]),
        question_visibility=data["feedback"]["question_visibility"],
        show_hidden_details=data["feedback"]["show_hidden_details"],
        skip_tags=tuple(data["skip_tags"]),
        mnist_path=data.get("mnist_path"),
        path=path,
    )
