"""Every byte a submission holds counts in its budget, and a class grades only as many at once as fit."""

from dataclasses import replace

import psutil
import pytest

from autograder.contract import Status
from autograder.errors import KitError
from autograder.grading.isolate import affordable_jobs
from autograder.reports.text import summary_line
from tests.grading.test_child import grade
from tests.helpers import make_submission

# Each of the sandbox's folders in memory filled to its bound (tmp_mb), then an array on top.
FILL = """
import os
def relu(z):
    return np.maximum(z, 0)
for folder in (os.path.expanduser("~"), "/tmp", "/var/tmp", "/dev/shm"):
    try:
        with open(os.path.join(folder, "fill"), "wb") as f:
            while True:
                f.write(b"x" * 2**20)
    except OSError:
        pass
held = np.ones({mb} * 2**20 // 8)
import time
time.sleep(5)
"""


@pytest.mark.slow
def test_files_held_in_memory_count_with_the_processes(tmp_path, built, config, sandbox):
    """The folders in memory (4 x 256 MB) and a 1 GB array: past 3 GB only if the files count."""
    if not sandbox.bwrap:
        pytest.skip("without bubblewrap the folders are the host's")
    path = make_submission(tmp_path / "fill.ipynb", built, activations=FILL.format(mb=1024))
    result = grade(path, tmp_path / "out", replace(config, memory_limit_mb=3000), sandbox)
    assert result.status is Status.OUT_OF_MEMORY, result.error
    assert "files in memory" in result.error
    assert "limits.tmp_mb" in result.measurements["full"]  # the folders were full: their bound, named


@pytest.mark.slow
def test_a_full_folder_in_memory_is_named_with_its_bound(tmp_path, built, config, sandbox):
    """The folders filled (no space left on device) and nothing else: graded, the bound said."""
    if not sandbox.bwrap:
        pytest.skip("without bubblewrap the folders are the host's")
    path = make_submission(tmp_path / "fill.ipynb", built, activations=FILL.format(mb=1), mnist_accuracy="...")
    result = grade(path, tmp_path / "out", config, sandbox)
    assert result.status is Status.GRADED and "256 MB (limits.tmp_mb)" in result.measurements["full"]
    assert "limits.tmp_mb" in summary_line(result) and result.measurements["peak_memory_mb"] > 4 * 256


def test_a_class_grades_at_once_only_what_fits_in_memory(config, sandbox):
    available = psutil.virtual_memory().available / 2**20
    one = sandbox.worst_case_mb(config)
    fits = int(available // one)
    if fits < 1:
        pytest.skip(f"{available:.0f} MB available: not one submission of the shipped config fits")
    jobs, why = affordable_jobs(fits + 3, config, sandbox)
    assert jobs == fits and f"grading {fits} at once, not {fits + 3}" in why
    assert affordable_jobs(1, replace(config, memory_limit_mb=available / 2), sandbox) == (1, None)
    with pytest.raises(KitError, match="lower those limits"):
        affordable_jobs(1, replace(config, memory_limit_mb=available * 2), sandbox)
