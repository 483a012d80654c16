"""Choose the accuracy target from measurements, not hopes: `python -m autograder calibrate`.

Grades the models listed in solutions/<assignment>.calibrate.yml (the solution, the notebook's
baseline, the module's own advice) as students' notebooks, once per seed, exactly as grading
does: the same notebook, kernel and sandbox, the grader's own accuracy. Prints each model's
accuracy over the seeds against the target and the points it would earn, and recommends a
target that the module's advice passes at every seed and a floor at the baseline's level.
"""

import math
import re
import statistics

import nbformat
import yaml

from autograder.build.answers import fill_answers, solution_answers
from autograder.build.assign import master_path, student_path
from autograder.classroom.bulk import grade_all
from autograder.config import load_config
from autograder.testing import accuracy_share


def calibrate(config, seeds, out, jobs, sandbox):
    """Grade every listed model at `seeds` seeds (from the config's); returns the printed report."""
    master = master_path(config.assignment)
    models = yaml.safe_load(master.with_suffix(".calibrate.yml").read_text())["models"]
    template = nbformat.read(student_path(config.assignment), as_version=4)
    solution = solution_answers(master)
    measured = {name: [] for name in models}
    for seed in range(config.seed, config.seed + seeds):
        folder = out / f"seed-{seed}"
        (folder / "notebooks").mkdir(parents=True, exist_ok=True)
        for n, model in enumerate(models.values()):
            answers = {**solution, **(model.get("answers") or {})}
            nbformat.write(fill_answers(template, answers), folder / "notebooks" / f"model{n}.ipynb")
        graded = grade_all(
            [folder / "notebooks"], folder, _seeded(config, seed, folder), jobs, sandbox, regrade=[]
        ).rows
        rows = {r.student: r for r in graded}
        for n, name in enumerate(models):
            row = rows[f"model{n}"]
            measured[name].append((seed, row.test_accuracy, row.seconds))
    return report(measured, models, config)


def _seeded(config, seed, folder):
    """The config with another seed, as a file: each grading child reads its config from one."""
    path = folder / "grading_config.yml"
    path.write_text(re.sub(r"(?m)^seed: *\d+", f"seed: {seed}", config.path.read_text()))
    return load_config(path)


def report(measured, models, config):
    """The distribution table, then the recommendation."""
    points = config.points["mnist_accuracy"]
    lines = [
        f"target {config.min_test_accuracy}, floor {config.accuracy_floor}; {points:g} points for the accuracy test",
        f"{'model':<40} {'min':>7} {'median':>7} {'max':>7} {'passes':>7} {'points':>7} {'seconds':>8}  by seed",
    ]
    for name, runs in measured.items():
        accuracies = [a for _, a, _ in runs if a is not None]
        if not accuracies:
            lines.append(f"{name:<40} not graded: see the gradebooks under the out folder")
            continue
        passes = sum(a >= config.min_test_accuracy for a in accuracies)
        earned = statistics.mean(points * accuracy_share(a, config) for a in accuracies)
        by_seed = " ".join(f"{seed}:{a:.4f}" for seed, a, _ in runs if a is not None)
        lines.append(
            f"{name:<40} {min(accuracies):>7.4f} {statistics.median(accuracies):>7.4f} {max(accuracies):>7.4f} "
            f"{passes:>3}/{len(accuracies):<3} {earned:>7.2f} {statistics.mean(s for _, _, s in runs):>8.0f}  {by_seed}"
        )
    return "\n".join(lines + _recommendation(measured, models, config))


def _recommendation(measured, models, config):
    """A target every seed of the must-pass models reaches, a floor at the baseline's median."""
    must = [a for name, runs in measured.items() if models[name].get("must_pass") for _, a, _ in runs if a is not None]
    base = [a for name, runs in measured.items() if models[name].get("baseline") for _, a, _ in runs if a is not None]
    if not must or not base:
        return ["no recommendation: a must_pass model or the baseline was not graded"]
    target, floor = math.floor(min(must) * 1000) / 1000, math.floor(statistics.median(base) * 1000) / 1000
    verdict = "keep it" if config.min_test_accuracy <= min(must) else "lower it"
    return [
        f"recommended: min_test_accuracy {target} (the lowest accuracy of the models that must pass), "
        f"accuracy_floor {min(floor, target)} (the baseline's median); the config's target {config.min_test_accuracy}: "
        f"{verdict}"
    ]
