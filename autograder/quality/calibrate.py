"""Choose a measured value's target from measurements, not hopes: `python -m autograder calibrate`.

Grades the models listed in solutions/<assignment>.calibrate.yml (the solution, the notebook's
baseline, the module's own advice) as students' notebooks, once per seed, exactly as grading
does: the same notebook, kernel and sandbox, the grader's own measurement. Prints, for each value
the assignment measures (the config's `measured`), each model's value over the seeds against the
target and the share of the points it would earn, and recommends a target that the models that
must pass reach at every seed and a floor at the baseline's level.
"""

import math
import statistics
from dataclasses import replace

import nbformat
import yaml

from autograder.assign.answers import fill_answers, solution_answers
from autograder.classroom.bulk import grade_all
from autograder.errors import ConfigError
from autograder.testing import target_share


def calibrate(config, seeds, out, jobs, sandbox):
    """Grade every listed model at `seeds` seeds (from the config's); returns the printed report."""
    files = config.files
    if not config.measured or not files.calibration.is_file():
        raise ConfigError(
            f"{config.assignment}: nothing to calibrate: it needs values under "
            f"assignments/{config.assignment}/measured in {config.source}, and the models to grade "
            f"in {files.calibration}"
        )
    models = yaml.safe_load(files.calibration.read_text())["models"]
    template = nbformat.read(files.student, as_version=4)
    solution = solution_answers(files.master)
    rows_by_seed = {}
    for seed in range(config.seed, config.seed + seeds):
        folder = out / f"seed-{seed}"
        (folder / "notebooks").mkdir(parents=True, exist_ok=True)
        for n, model in enumerate(models.values()):
            answers = {**solution, **(model.get("answers") or {})}
            nbformat.write(fill_answers(template, answers), folder / "notebooks" / f"model{n}.ipynb")
        graded = grade_all([folder / "notebooks"], folder, replace(config, seed=seed), jobs, sandbox, regrade=[])
        rows_by_seed[seed] = {r.student: r for r in graded.rows}
    lines = []
    for name, measure in config.measured.items():
        measured = {
            model: [
                (seed, rows[f"model{n}"].measured.get(name), rows[f"model{n}"].seconds)
                for seed, rows in rows_by_seed.items()
            ]
            for n, model in enumerate(models)
        }
        lines += report(name, measure, measured, models)
    return "\n".join(lines)


def report(name, measure, measured, models):
    """The distribution table of one measured value, then the recommendation."""
    target, floor = measure["target"], measure["floor"]
    lines = [
        f"{name}: target {target}, floor {floor}",
        f"{'model':<40} {'min':>7} {'median':>7} {'max':>7} {'passes':>7} {'share':>7} {'seconds':>8}  by seed",
    ]
    for model, runs in measured.items():
        values = [v for _, v, _ in runs if v is not None]
        if not values:
            lines.append(f"{model:<40} not measured: see the gradebooks under the out folder")
            continue
        passes = sum(v >= target for v in values)
        earned = statistics.mean(target_share(v, measure) for v in values)
        by_seed = " ".join(f"{seed}:{v:.4f}" for seed, v, _ in runs if v is not None)
        lines.append(
            f"{model:<40} {min(values):>7.4f} {statistics.median(values):>7.4f} {max(values):>7.4f} "
            f"{passes:>3}/{len(values):<3} {earned:>7.0%} {statistics.mean(s for _, _, s in runs):>8.0f}  {by_seed}"
        )
    return lines + _recommendation(name, target, measured, models)


def _recommendation(name, target, measured, models):
    """A target every seed of the must-pass models reaches, a floor at the baseline's median."""
    must = [
        v for model, runs in measured.items() if models[model].get("must_pass") for _, v, _ in runs if v is not None
    ]
    base = [v for model, runs in measured.items() if models[model].get("baseline") for _, v, _ in runs if v is not None]
    if not must or not base:
        return [f"{name}: no recommendation: a must_pass model or the baseline was not measured"]
    recommended, floor = math.floor(min(must) * 1000) / 1000, math.floor(statistics.median(base) * 1000) / 1000
    verdict = "keep it" if target <= min(must) else "lower it"
    return [
        f"recommended for {name}: target {recommended} (the lowest value of the models that must pass), "
        f"floor {min(floor, recommended)} (the baseline's median); the config's target {target}: {verdict}"
    ]
