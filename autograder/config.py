"""grading_config.yml: the numbers an instructor may change, checked before use.

One file for the course: its top level holds the course's defaults (limits, feedback, late
policy, similarity, seed) and `assignments:` a section per assignment that overrides any of
them and adds what is its own (`points` over its master's, `measured`, `settings`). A typo
must fail loudly at load time, not silently change a grade, so the file is validated against
a JSON schema. Each option is declared once, as a field of `Config` whose metadata holds its
section, its schema and its meaning; the schema and the loader are derived from them.

A `Config` is one assignment's settings, resolved. It travels to the grading child and to a
cluster's workers as values (`to_dict`), never as a path to read again.
"""

import dataclasses
import os
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path

import jsonschema
import yaml

from autograder import ROOT, hooks, secret
from autograder import master as masters
from autograder.course import Assignment, assignment_names
from autograder.errors import ConfigError

DEFAULT_PATH = ROOT / "grading_config.yml"

_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_VISIBILITY = ["hidden", "after_due_date", "after_published", "visible"]
_MEASURE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["target"],
    "properties": {
        "target": {**_SHARE, "description": "the value for all of the measuring test's points"},
        "floor": {**_SHARE, "description": "from here up to the target the test earns a share, linearly"},
        "margin": {**_SHARE, "description": "the public check warns this close above the target"},
        "spread": {
            **_SHARE,
            "description": "what training the same notebook again may change (seeds, machines): weights handed "
            "in that measure more than their reproduction plus this are flagged (grade --reproduce)",
        },
    },
}


def _option(schema, description, section=None, own=False):
    """A setting; `own`: only an assignment's section may hold it (it has no course-wide default)."""
    return field(metadata={"schema": {**schema, "description": description}, "section": section, "own": own})


@dataclass(frozen=True)
class Config:
    assignment: str = field(metadata={})  # its section's name, and its master's
    points: dict = _option(
        {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
        "points per question, over the master's own (# BEGIN QUESTION points:), shared as its tests' own points are",
        own=True,
    )
    measured: dict = _option(
        {"type": "object", "additionalProperties": _MEASURE},
        "values the grader measures itself (by name, as its hidden tests record them), each with its target",
        own=True,
    )
    settings: dict = _option(
        {"type": "object"}, "the assignment's own options, declared by its module (solutions/<name>.py)", own=True
    )
    weights: dict | None = _option(
        {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["model"],
            "properties": {
                "model": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "description": "the model's name"},
                "training_tag": {"type": "string", "description": "the tag of the cells that train it"},
            },
        },
        "a model a student may train elsewhere and hand in the weights of: the grader loads them where its "
        "training cells (tagged training_tag, default training) stand, instead of running those",
        own=True,
    )
    seed: int = _option(
        {"type": "integer", "minimum": 0},
        "seeds the graded notebook (numpy, random, TensorFlow); the hidden tests' inputs come from the grading secret",
    )
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
        _SHARE,
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
    known_as: tuple = field(default=(), metadata={})
    """Another name its notebooks may carry: the `name` its master's ASSIGNMENT CONFIG gives, where
    that is not its file's (otter wrote it into the notebooks it built before the kit did)."""
    manual: tuple = field(default=(), metadata={})
    """The questions a person grades (`manual: true` in the master): no tests, points given in the review app."""
    data: dict = field(default_factory=dict, metadata={})
    """The data files its grading reads, by name, where they are on this machine (hooks.with_data)."""
    source: str = field(default="", metadata={})  # the file it was read from, for messages
    root: Path = field(default=ROOT, metadata={})  # the course folder (solutions/, assignments/, dist/)
    secret: str = field(default="", repr=False, metadata={})
    """The course's grading secret (secret.py): where the grader's random draws come from."""

    @property
    def files(self) -> Assignment:
        return Assignment(self.assignment, self.root)

    def to_dict(self) -> dict:
        """Its values as JSON: what a grading child or a worker is handed."""
        return {**dataclasses.asdict(self), "root": str(self.root)}

    @classmethod
    def from_dict(cls, values) -> "Config":
        tuples = {f.name: tuple(values[f.name]) for f in fields(cls) if f.type is tuple}
        return cls(**{**values, **tuples, "root": Path(values["root"])})


def _options():
    return [f for f in fields(Config) if "schema" in f.metadata]


def _schema():
    """The JSON schema of grading_config.yml, from the declarations above: the course's defaults
    (every option but an assignment's own, all required) and `assignments`, whose sections may
    hold any option."""

    def node():
        return {"type": "object", "additionalProperties": False, "required": [], "properties": {}}

    def declare(target, option, required):
        section = option.metadata["section"]
        if section is not None:
            if section not in target["properties"]:
                target["properties"][section] = node()
                target["required"] += [section] if required else []
            target = target["properties"][section]
        target["properties"][option.name] = option.metadata["schema"]
        target["required"] += [option.name] if required else []

    top, section = node(), node()
    for option in _options():
        if not option.metadata["own"]:
            declare(top, option, required=True)
        declare(section, option, required=False)
    top["properties"]["assignments"] = {
        "type": "object",
        "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
        "additionalProperties": section,
    }
    return top


SCHEMA = _schema()


def _dates_as_text(data):
    """YAML reads an unquoted 2026-12-10T23:59:00-05:00 as a datetime; the schema wants text."""
    sections = [data, *((data.get("assignments") or {}).values())] if isinstance(data, dict) else []
    for section in sections:
        late = section.get("late") if isinstance(section, dict) else None
        if isinstance(late, dict) and isinstance(late.get("due_date"), (datetime, date)):
            late["due_date"] = late["due_date"].isoformat()


def _instant(text):
    """An ISO 8601 date and time with a time zone, else None (a due date without one is ambiguous)."""
    try:
        when = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return when if when.tzinfo else None


def read_course(path=None):
    """The config file's content, validated: (its path, its data)."""
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
    return path, data


def load_config(path=None, root=ROOT, assignment=None) -> Config:
    """The settings of `assignment` (None: the course's only one) in the config named by `path`,
    $GRADING_CONFIG, or the course's own; `root` is the course folder."""
    path, data = read_course(path)
    names = assignment_names(root)
    sections = data.get("assignments") or {}
    strays = [name for name in sections if name not in names]
    if strays:
        raise ConfigError(f"{path}: assignments/{strays[0]}: there is no solutions/{strays[0]}.ipynb in {root}")
    name = assignment or _only(names, path)
    if name not in names:
        raise ConfigError(f"no assignment {name!r} in {root} (its assignments: {', '.join(names) or 'none'})")
    section = sections.get(name) or {}
    values = {}
    for option in _options():
        where = option.metadata["section"]
        own = (section.get(where) or {}) if where else section
        course = {} if option.metadata["own"] else (data[where] if where else data)
        value = own.get(option.name, course.get(option.name))
        values[option.name] = tuple(value) if isinstance(value, list) else value
    config = Config(assignment=name, source=str(path), root=Path(root), secret=secret.ensure(root), **values)
    master = config.files.master
    nb = masters.read(master) if master.is_file() else None
    settings = (masters.assignment_config(nb, master.parent) or {}) if nb else {}
    known_as = (str(settings["name"]),) if settings.get("name") and str(settings["name"]) != name else ()
    config = dataclasses.replace(config, manual=masters.manual(nb, master.name) if nb else (), known_as=known_as)
    points = _points(config, nb, masters.points_possible(settings))
    weights = {"training_tag": "training", **values["weights"]} if values["weights"] else None
    config = dataclasses.replace(config, points=points, measured=_measured(values["measured"] or {}), weights=weights)
    _check_training_cells(config, nb)
    return hooks.with_settings(_checked(config))


def _check_training_cells(config, nb):
    """An assignment that takes submitted weights must tag the cells they stand in for."""
    if config.weights and nb is not None:
        tag = config.weights["training_tag"]
        if not any(tag in c.metadata.get("tags", []) for c in nb.cells):
            raise ConfigError(
                f"{config.source}: assignments/{config.assignment}/weights: no cell of {config.files.master.name} "
                f"is tagged {tag!r}: tag the cells that train {config.weights['model']} (the grader skips them when "
                "it loads a student's weights)"
            )


def _measured(measured):
    """Each measured value with its floor and margin given (a floor at the target: all or nothing)."""
    return {
        name: {"floor": measure["target"], "margin": 0, "spread": 0.005, **measure}
        for name, measure in measured.items()
    }


def _only(names, path):
    if len(names) == 1:
        return names[0]
    raise ConfigError(f"{path}: which assignment? name one with --assignment ({', '.join(names) or 'none built'})")


def _points(config, nb, possible):
    """The master's points (`nb`: the master, None before there is one), with the config's over them,
    in the master's order, scaled to `possible` (its points_possible) if it gives one."""
    where = f"{config.files.master.name} or assignments/{config.assignment}/points in {Path(config.source).name}"
    master = config.files.master
    points = masters.points(nb, master.name, master.parent) if nb else {}
    given = config.points or {}
    unknown = [q for q in given if q not in points]
    if nb and unknown:
        raise ConfigError(
            f"{config.source}: assignments/{config.assignment}/points: no question {unknown[0]!r} in {master.name}"
        )
    points = {**points, **given}
    missing = [q for q, p in points.items() if p is None]
    if missing:
        raise ConfigError(f"question {missing[0]!r} has no points: add `points: N` to its # BEGIN QUESTION in {where}")
    return _scaled(points, config.manual, possible)


def _scaled(points, manual, possible):
    """otter's `points_possible`: the autograded questions' points scaled to sum to it (each question's
    tests keep their shares), so that every page, the gradebook and the total agree; manual
    questions keep their own points, as in otter (graded apart from the autograder)."""
    tested = sum(p for q, p in points.items() if q not in manual)
    if not possible or not tested:
        return points
    return {q: p if q in manual else round(p * possible / tested, 6) for q, p in points.items()}


def _checked(config):
    where = f"{config.source}: assignments/{config.assignment}"
    for name, measure in config.measured.items():
        if name in config.points:
            raise ConfigError(
                f"{where}/measured/{name}: a question has that name too (the gradebook has a column for each): "
                "rename the measured value"
            )
        if measure["floor"] > measure["target"]:
            raise ConfigError(
                f"{where}/measured/{name}: floor {measure['floor']} is above the target {measure['target']}"
            )
    unknown = [q for q in config.context_questions if q not in config.points]
    if unknown:
        raise ConfigError(f"{where}: similarity/context_questions: no question {', '.join(unknown)}")
    if config.due_date is not None and _instant(config.due_date) is None:
        raise ConfigError(f"{where}: late/due_date {config.due_date!r} is not a date and time with a time zone")
    return config
