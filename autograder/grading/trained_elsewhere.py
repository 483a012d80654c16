"""A model the student trained elsewhere (on Colab's GPU, say), graded without training it again.

Where an assignment allows it (`weights: {model: ..., training_tag: ...}` in its config section),
the Submission cell hands in the model's weights with the notebook (bridge/weights_file.py). The
grader runs the notebook as always, but where the first cell tagged for training stands it asks the
kernel for the model the student's code built, checks that every array fits it (count, names,
shapes, dtypes) and sets them through the bridge; the training cells are then skipped. Weights
that do not fit, or a notebook with no such model there, are refused with why, and the notebook
is trained as it is written: a student never loses points for the file they added.
"""

import zipfile
from pathlib import Path

from autograder.assign.template import tags
from autograder.bridge.grader_side import KernelNamespace
from autograder.bridge.weights_file import WeightsRefused, file_name, misfit, read_weights
from autograder.errors import KitError
from autograder.grading.submission import MAX_BYTES
from autograder.phases import phase

LOADED, RETRAINED = "loaded", "retrained"  # contract.MODEL_WEIGHTS


def handed_in(path, config):
    """(the weights file's bytes, where they are) handed in with the submission at `path`; None if none.
    They are in its zip, or beside a notebook that is alone in its folder (Gradescope's upload)."""
    path, name = Path(path), file_name(config.assignment)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            found = [i for i in z.infolist() if Path(i.filename).name == name and "__MACOSX" not in i.filename]
            if len(found) == 1 and found[0].file_size <= MAX_BYTES:
                return z.read(found[0]), f"{path.name}/{found[0].filename}"
        return None
    beside = path.parent / name
    if beside.is_file() and len(list(path.parent.glob("*.ipynb"))) == 1 and beside.stat().st_size <= MAX_BYTES:
        return beside.read_bytes(), beside.name
    return None


class WeightsLoader:
    """The grader's stand-in for the training cells (kernel.run_notebook's `stand_in`): the first one
    loads the weights, and each is skipped if that worked; `outcome` says what happened, for the reports."""

    def __init__(self, config, data, source):
        self.config, self.tag = config, config.weights["training_tag"]
        self.outcome = None
        try:
            self.weights, self.source = read_weights(data, config.max_model_parameters), source
        except WeightsRefused as e:
            self.weights, self.outcome = None, f"{RETRAINED}: {source} was not loaded: {e}"

    def __call__(self, kernel, cell):
        if self.tag not in tags(cell):
            return False
        if self.outcome is None:
            with phase("weights load"):
                why = self._load(kernel)
            kernel.end_bridge()
            self.outcome = LOADED if why is None else f"{RETRAINED}: {self.source} was not loaded: {why}"
        return self.outcome == LOADED

    def _load(self, kernel):
        """Why the weights could not be set into the kernel's model; None once they are."""
        name = self.config.weights["model"]
        namespace = KernelNamespace(kernel, self.config.max_model_parameters)
        try:
            model = namespace.get(name)
            if model is None:
                return f"the notebook has no model {name} where its training starts"
            if not hasattr(model, "weights"):
                return f"{name} is not a Keras model there"
            why = misfit(model.weights, self.weights)
            if why is not None:
                return f"it does not fit the model your notebook builds: {why}"
            setter = namespace.decode(
                *kernel.ask({"op": "getattr", "name": name, "args": ("set_weights",), "kwargs": {}})
            )
            setter([array for _, array in self.weights])
        except KitError:
            raise
        except Exception as e:  # the student's code raised, or their model cannot be rebuilt safely
            return str(e)[:300]
        return None
