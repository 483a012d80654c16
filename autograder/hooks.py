"""What an assignment adds to the engine: its own module, `solutions/<name>.py`, all optional.

The engine knows no dataset, framework or metric. An assignment whose grading needs one says
so in a small module beside its master, which may define any of:

    SETTINGS          {option: JSON schema with a "default"}: its own options, set in its
                      config section's `settings:` (config.settings)
    find_data(config) {name: Path}: the data files its grading reads, where they are on this
                      machine; raises a KitError naming the fix when one is missing. Called once,
                      before any student code; the paths travel with the config (config.data),
                      and a cluster or the Gradescope zip ships the files
    kernel_data(config)  {environment variable: Path}: the files the student's kernel may read
                      (read-only), from config.data; default: none
    KERNEL_SETUP      code run in each fresh kernel before the notebook (after the kit's own)
    GRADER_IMPORTS    modules the grader imports while a kernel starts (say, for models it rebuilds)
    KIT_EXTRAS        the kit's optional dependencies its grading needs (pyproject.toml: "keras"),
                      which its Gradescope image installs
    notebook_values(config)  {NAME: value}: written over the `NAME = ...` lines of its
                      notebooks at build, so that what a notebook says is what grading enforces

Its hidden tests may import it by the assignment's name (`from deep_learning_primer import ...`):
the grader loads it under that name. An assignment without a module gets the defaults: no data,
nothing mounted, nothing imported.
"""

import dataclasses
import importlib.util
import json
import sys

import jsonschema

from autograder.errors import ConfigError

KIT_SETUP = """\
# Run by the grader in each fresh kernel, before the notebook: plots go to files.
import matplotlib
matplotlib.use("Agg")
"""


_LOADED = {}  # assignment name -> the path of the module loaded under it, by module_of


def module_of(config):
    """The assignment's module, loaded once per process under the assignment's name; None if it has none.
    A name Python already has a module of (an assignment called `statistics`) is refused, not shadowed."""
    path = config.files.module
    if _LOADED.get(config.assignment) == path:
        return sys.modules[config.assignment]
    if not path.is_file():
        return None
    foreign = config.assignment not in _LOADED and (
        config.assignment in sys.modules or importlib.util.find_spec(config.assignment) is not None
    )
    if foreign:
        raise ConfigError(
            f"{path}: its tests import it as {config.assignment!r}, which is already a Python module's name: "
            "rename the assignment (its master and its module)"
        )
    spec = importlib.util.spec_from_file_location(config.assignment, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[config.assignment] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        del sys.modules[config.assignment]
        raise ConfigError(f"{path} does not load: {type(e).__name__}: {e}") from None
    _LOADED[config.assignment] = path
    return module


def _hook(config, name, default):
    return getattr(module_of(config), name, default)


def with_settings(config):
    """The config with its module's settings filled in (defaults) and checked against their schemas."""
    declared = _hook(config, "SETTINGS", {})
    given = dict(config.settings or {})
    unknown = [name for name in given if name not in declared]
    if unknown:
        raise ConfigError(
            f"{config.source}: assignments/{config.assignment}/settings: no option {unknown[0]!r} "
            f"(its module declares: {', '.join(declared) or 'none'})"
        )
    for name, schema in declared.items():
        given.setdefault(name, schema.get("default"))
        try:
            jsonschema.validate(given[name], {k: v for k, v in schema.items() if k != "default"})
        except jsonschema.ValidationError as e:
            raise ConfigError(
                f"{config.source}: assignments/{config.assignment}/settings/{name}: {e.message}"
            ) from None
    return dataclasses.replace(config, settings=given)


def with_data(config):
    """The config with its data files found (config.data), once: a KitError now if one is missing."""
    if config.data:
        return config
    found = _hook(config, "find_data", lambda config: {})(config)
    return dataclasses.replace(config, data={name: str(path) for name, path in found.items()})


def kernel_data(config):
    """{environment variable: path} of the files the kernel may read."""
    return {name: str(path) for name, path in _hook(config, "kernel_data", lambda config: {})(config).items()}


def kernel_setup(config):
    return KIT_SETUP + _seeding(config) + _hook(config, "KERNEL_SETUP", "")


def _seeding(config):
    """otter's intercell seeding (`seed` in its config), as `otter run` does it: before each of the
    notebook's cells, NumPy's and Python's generators seeded, or the seed variable set, again."""
    path = config.files.otter_config
    settings = json.loads(path.read_text()) if path.is_file() else {}
    seed, variable = settings.get("seed"), settings.get("seed_variable")
    if not isinstance(seed, int):
        return ""
    again = (
        f"get_ipython().user_ns[{variable!r}] = {seed}" if variable else f"np.random.seed({seed}); random.seed({seed})"
    )
    return f"""
def _kit_seed(info, np=__import__("numpy"), random=__import__("random")):
    {again}
get_ipython().events.register("pre_run_cell", _kit_seed)
del _kit_seed
"""


def grader_imports(config):
    return tuple(_hook(config, "GRADER_IMPORTS", ()))


def kit_extras(config):
    return tuple(_hook(config, "KIT_EXTRAS", ()))


def notebook_values(config):
    return dict(_hook(config, "notebook_values", lambda config: {})(config))
