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
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["assignment", "points", "min_test_accuracy", "seed", "limits", "skip_tags"],
    "properties": {
        "assignment": {"type": "string", "pattern": "^[A-Za-z0-9_]+$"},
        "points": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
        "min_test_accuracy": {"type": "number", "minimum": 0, "maximum": 1},
        "seed": {"type": "integer", "minimum": 0},
        "limits": {
            "type": "object",
            "additionalProperties": False,
            "required": ["cell_timeout_seconds", "call_timeout_seconds", "max_model_parameters"],
            "properties": {
                "cell_timeout_seconds": _POSITIVE,
                "call_timeout_seconds": _POSITIVE,
                "max_model_parameters": {"type": "integer", "minimum": 1},
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
    max_model_parameters: int
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
        max_model_parameters=limits["max_model_parameters"],
        skip_tags=tuple(data["skip_tags"]),
        mnist_path=data.get("mnist_path"),
        path=path,
    )
