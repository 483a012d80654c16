"""The weights a student hands in with their notebook: a file of numeric arrays and names, nothing else.

A Keras file can carry code that runs when it is loaded (safe mode has been bypassed: CVE-2025-1550),
and a pickle always can, so the Submission cell writes `<assignment>.weights.npz`: one array per
weight of the model, in the model's order, named `000_kernel`, `001_bias`, ... (its place and its
variable's name, which do not depend on what else the student's session built). It is read here
with numpy alone, pickle refused, every array's size bounded before it is unpacked.
"""

import io
import re

import numpy as np

NAME = re.compile(r"(\d{3})_(\w{1,100})")
KINDS = "biuf"  # booleans, integers, floats: what a model's weights are


class WeightsRefused(Exception):
    """The file is not one the grader loads; its message says why, to the student."""


SUFFIX = ".weights.npz"


def file_name(assignment):
    return f"{assignment}{SUFFIX}"


def read_weights(data, max_parameters):
    """[(variable name, array)] in the model's order, from the bytes of a weights file."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            members = npz.zip.infolist()
            values = sum(i.file_size for i in members)
            if values > 8 * max_parameters + 1024 * len(members):  # float64 at most, and each array's header
                raise WeightsRefused(
                    f"it holds {values / 2**20:.0f} MB, more than a model of {max_parameters:,} parameters"
                )
            arrays = {key: npz[key] for key in npz.files}
    except WeightsRefused:
        raise
    except Exception as e:  # whatever a damaged or crafted file makes numpy raise
        raise WeightsRefused(f"it is not a file of arrays as the Submission cell writes ({str(e)[:200]})") from None
    names = {key: NAME.fullmatch(key) for key in sorted(arrays)}
    if not all(names.values()) or [int(m[1]) for m in names.values()] != list(range(len(names))):
        raise WeightsRefused("its arrays are not named as the Submission cell names them (000_kernel, 001_bias, ...)")
    odd = next((key for key, array in arrays.items() if array.dtype.kind not in KINDS), None)
    if odd:
        raise WeightsRefused(f"its array {odd} holds {arrays[odd].dtype} values, not numbers")
    return [(m[2], arrays[key]) for key, m in names.items()]


def misfit(variables, weights):
    """Why `weights` ([(name, array)]) do not fit a model's `variables` (its Keras weights), or None."""
    if len(variables) != len(weights):
        return f"it holds {len(weights)} arrays, and the model has {len(variables)} weights"
    for i, (variable, (name, array)) in enumerate(zip(variables, weights)):
        wanted = (variable.name, tuple(variable.shape), np.dtype(variable.dtype).name)
        given = (name, array.shape, array.dtype.name)
        if wanted != given:
            return f"its array {i:03d} is {_shown(given)}, where the model has {_shown(wanted)}"
    return None


def _shown(weight):
    name, shape, dtype = weight
    return f"{name} of shape {shape} ({dtype})"
