"""Optional (demo) cells are skipped only when nothing graded after them needs them."""

import re

import nbformat
import pytest

from autograder.grading import grade
from autograder.grading.merge import merge
from autograder.grading.needed import needed_cells
from tests.helpers import make_submission

TRAIN_ON_FROM_THE_BASELINE = """
improved_model = model
improved_model.fit(X_train_flat, y_train, epochs=2, batch_size=128, verbose=2)
"""


def graded_cells(tmp_path, built, config, **answers):
    template = nbformat.read(built, as_version=4)
    submission = nbformat.read(make_submission(tmp_path / "s.ipynb", built, **answers), as_version=4)
    cells = merge(template, submission, config.skip_tags).cells
    kept = needed_cells(cells, config.optional_tags, grade._names_tests_read(grade.test_files(config)))
    demo = [c for c in cells if "demo" in c.metadata.get("tags", [])]
    return [c for c in demo if c in kept], demo


def test_the_baseline_demo_is_skipped_when_nothing_uses_it(tmp_path, built, config):
    ran, demo = graded_cells(tmp_path, built, config)
    assert demo and not ran


def test_a_model_trained_on_from_the_baseline_is_graded_as_the_student_trained_it(tmp_path, built, config):
    ran, _demo = graded_cells(tmp_path, built, config, mnist_accuracy=TRAIN_ON_FROM_THE_BASELINE)
    assert any("history = model.fit(" in c.source for c in ran)  # the baseline's 10 epochs come first
    assert not any("plt." in c.source and "model" not in c.source for c in ran)  # its plots are not needed


def test_a_cell_that_may_read_any_name_keeps_everything_before_it():
    cells = [nbformat.v4.new_code_cell(s) for s in ("x = 1", "y = 2", "print(globals()['x'])")]
    cells[0].metadata["tags"] = cells[1].metadata["tags"] = ["demo"]
    assert needed_cells(cells, ["demo"], set()) == cells
    cells[2].source = "print('x')"
    assert needed_cells(cells, ["demo"], set()) == cells[2:]

    cells[2].source = "print('x')\x00"  # a null byte: no parser reads it, so it may read anything
    assert needed_cells(cells, ["demo"], set()) == cells


@pytest.mark.slow
def test_grading_trains_the_baseline_when_the_student_grades_it(strict_run, built):
    """End to end: `improved_model = model` is graded as trained by the demo (untrained: about 0.1),
    at about the accuracy the notebook says the baseline reaches. Deterministic on one machine, but
    another processor's kernels train the same seeded model to other weights (0.976 on one machine,
    0.972 on another; over seeds the baseline spans 0.972-0.978)."""
    _, rows = strict_run
    stated = re.search(r"The baseline above reaches about ([0-9.]+)%", built.read_text())[1]
    assert abs(float(rows["from_baseline"]["test_accuracy"]) - float(stated) / 100) < 0.01
