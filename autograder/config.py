"""grading_config.yml: the numbers an instructor may change, checked before use.

A typo in the config must fail loudly at load time, not silently change a grade, so the
file is validated against a JSON schema. Each option is declared once, as a field of
`Config` whose metadata holds its section in the YAML file, its schema and its meaning;
the schema and the loader are derived from those declarations.
"""

import os
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path

import jsonschema
import yaml

from autograder import ROOT
from autograder.errors import ConfigError

DEFAULT_PATH = ROOT / "grading_config.yml"

_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
_VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]


def _option(schema, description, section=None, required=True):
    return field(metadata={"schema": {**schema, "description": description}, "section": section, "required": required})


@dataclass(frozen=True)
class Config:
    path: Path = field(metadata={})  # where it was read from; not an option
    assignment: str = _option({"type": "string", "pattern": "^[A-Za-z0-9_]+$"}, "the assignment's name")
    points: dict = _option(
        {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
        "points per question, shared equally by its tests",
    )
    min_test_accuracy: float = _option(
        {"type": "number", "minimum": 0, "maximum": 1}, "MNIST test accuracy the improved model must reach"
    )
    accuracy_floor: float = _option(
        {"type": "number", "minimum": 0, "maximum": 1},
        "from here up to min_test_accuracy the accuracy test earns a share of its points, linearly",
    )
    accuracy_margin: float = _option(
        {"type": "number", "minimum": 0, "maximum": 1}, "the public check warns this close above the target"
    )
    seed: int = _option({"type": "integer", "minimum": 0}, "seeds the graded notebook and the hidden tests' inputs")
    cell_timeout_seconds: float = _option(_POSITIVE, "one notebook cell; a stuck cell is interrupted", "limits")
    call_timeout_seconds: float = _option(_POSITIVE, "one call of a student's function by a test", "limits")
    submission_timeout_seconds: float = _option(_POSITIVE, "one whole submission, wall clock", "limits")
    memory_limit_mb: float = _option(_POSITIVE, "one submission's kernel and grader together", "limits")
    max_output_bytes: int = _option(_POSITIVE, "output kept per cell", "limits")
    max_model_parameters: int = _option(_POSITIVE, "larger models are refused before evaluation", "limits")
    max_processes: int = _option(_POSITIVE, "processes the student's code may have at once", "limits")
    max_file_mb: float = _option(_POSITIVE, "largest file the student's code may write", "limits")
    threads: int = _option(
        {"type": "integer", "minimum": 1},
        "numeric threads of a submission's kernel and grader: fixed, so that a measurement never depends on -j",
        "limits",
    )
    tmp_mb: float = _option(
        _POSITIVE, "space in each of the sandbox's HOME, /tmp, /var/tmp, /dev/shm (in memory)", "limits"
    )
    question_visibility: str = _option(
        {"enum": _VISIBILITY}, "Gradescope visibility of per-question results", "feedback"
    )
    show_hidden_details: bool = _option({"type": "boolean"}, "name failed hidden tests and their messages", "feedback")
    skip_tags: tuple = _option({"type": "array", "items": {"type": "string"}}, "cells with these tags are not run")
    optional_tags: tuple = _option(
        {"type": "array", "items": {"type": "string"}}, "cells with these tags run only if a later cell needs them"
    )
    due_date: str | None = _option(
        {"type": ["string", "null"], "format": "date-time"},
        "when the assignment was due (ISO 8601, with a time zone); null: only Canvas's LATE mark counts",
        "late",
    )
    late_policy: str = _option({"enum": ["none", "percent_per_day", "cap"]}, "what lateness costs", "late")
    percent_per_day: float = _option(
        {"type": "number", "minimum": 0, "maximum": 100},
        "percent_per_day: share of the score lost per day late",
        "late",
    )
    cap_percent: float = _option(
        {"type": "number", "minimum": 0, "maximum": 100},
        "cap: a late score is at most this percent of the points",
        "late",
    )
    worker_retries: int = _option(
        {"type": "integer", "minimum": 0},
        "on a Dask cluster, gradings again elsewhere when the worker grading a submission dies; then it is crashed",
        "limits",
    )
    flag_threshold: float = _option(
        {"type": "number", "minimum": 0, "maximum": 1},
        "a pair of submissions is flagged when its overall share, or one scored question's, reaches this",
        "similarity",
    )
    pairs_shown: int = _option(
        {"type": "integer", "minimum": 1},
        "pairs in similarity.html and similarity.csv, most similar first",
        "similarity",
    )
    noise_threshold: int = _option(
        {"type": "integer", "minimum": 5},
        "shortest match that counts, in characters of tokenised code (copydetect's k)",
        "similarity",
    )
    context_questions: tuple = _option(
        {"type": "array", "items": {"type": "string"}},
        "questions shown side by side but never scored: a model's code is mostly an architecture many share",
        "similarity",
    )
    mnist_path: str | None = _option({"type": ["string", "null"]}, "MNIST .npz (MNIST_PATH wins)", required=False)
    root: Path = field(default=ROOT, metadata={})  # the folder of assignments/ and dist/; not an option


def _options():
    return [f for f in fields(Config) if "schema" in f.metadata]


def _schema():
    """The JSON schema of grading_config.yml, from the declarations above."""

    def section_schema():
        return {"type": "object", "additionalProperties": False, "required": [], "properties": {}}

    top = section_schema()
    for option in _options():
        section = option.metadata["section"]
        node = top
        if section is not None:
            if section not in top["properties"]:
                top["properties"][section] = section_schema()
                top["required"].append(section)
            node = top["properties"][section]
        node["properties"][option.name] = option.metadata["schema"]
        if option.metadata["required"]:
            node["required"].append(option.name)
    return top


SCHEMA = _schema()


def _dates_as_text(data):
    """YAML reads an unquoted 2026-12-10T23:59:00-05:00 as a datetime; the schema wants text."""
    late = data.get("late") if isinstance(data, dict) else None
    if isinstance(late, dict) and isinstance(late.get("due_date"), (datetime, date)):
        late["due_date"] = late["due_date"].isoformat()


def _instant(text):
    """An ISO 8601 date and time with a time zone, else None (a due date without one is ambiguous)."""
    try:
        when = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return when if when.tzinfo else None


def load_config(path=None, root=ROOT) -> Config:
    """Read the config named by `path`, $GRADING_CONFIG, or the repository's own, for the assignment
    built under `root` (a cluster worker's copy is elsewhere)."""
    path = Path(path or os.environ.get("GRADING_CONFIG") or DEFAULT_PATH).absolute()
    try:
        data = yaml.safe_load(path.read_text())
        _dates_as_text(data)
        jsonschema.validate(data, SCHEMA)
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read {path}: {e}") from e
    except jsonschema.ValidationError as e:
        where = "/".join(map(str, e.absolute_path)) or "top level"
        raise ConfigError(f"{path}: {where}: {e.message}") from e
    values = {}
    for option in _options():
        section = option.metadata["section"]
        value = (data[section] if section else data).get(option.name)
        values[option.name] = tuple(value) if isinstance(value, list) else value
    if values["accuracy_floor"] > values["min_test_accuracy"]:
        raise ConfigError(f"{path}: accuracy_floor {values['accuracy_floor']} is above min_test_accuracy")
    unknown = [q for q in values["context_questions"] if q not in values["points"]]
    if unknown:
        raise ConfigError(f"{path}: similarity/context_questions: no question {', '.join(unknown)} in points")
    if values["due_date"] is not None and _instant(values["due_date"]) is None:
        raise ConfigError(f"{path}: late/due_date {values['due_date']!r} is not a date and time with a time zone")
    return Config(path=path, root=Path(root), **values)
