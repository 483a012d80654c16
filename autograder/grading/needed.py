"""Which optional cells the graded notebook needs.

Optional cells (tagged `demo`: the baseline's training and plots) are slow and change no
grade, unless something run after them uses what they define or change: a student who
writes `improved_model = model` and trains on must be graded on the model they saw, trained
by the demo cell first. So an optional cell is skipped only when no later cell that runs,
and no test, reads a name it assigns or changes (`model.fit(...)` changes `model`).

A question-only regrade treats every cell as optional: it runs what that question's tests
read and what those cells need, and not the training its other questions need.
"""

import ast

from IPython.core.inputtransformer2 import TransformerManager

from autograder.assign.template import tags

# A cell that calls one of these may read any name: everything before it runs.
_ANY_NAME = {"eval", "exec", "globals", "locals", "vars", "get_ipython", "__import__"}


def needed_cells(cells, optional_tags, test_names, all_optional=False):
    """The cells to run, in order: every cell but the optional ones (all, if `all_optional`) nothing later needs."""
    trees = [_parse(cell.source) if cell.cell_type == "code" else [] for cell in cells]
    names = [[_Names(s) for s in tree] if tree is not None else [_Names(None)] for tree in trees]
    modules = set().union(*(n.imported for cell in names for n in cell))  # plt.plot(...) changes no variable
    used, kept = set(test_names), []
    for cell, tree, cell_names in zip(reversed(cells), reversed(trees), reversed(names)):
        changed = set().union(*(n.assigned | n.imported | (n.called_on - modules) for n in cell_names))
        optional = all_optional or tags(cell) & set(optional_tags)
        if optional and not changed & used and None not in used:
            continue
        kept.append(cell)
        used = _live_before(tree, used) if tree is not None else used | {None}
    return kept[::-1]


def _parse(source):
    """A cell's top-level statements (IPython's %magics made Python first); None if it does not parse."""
    try:
        return ast.parse(TransformerManager().transform_cell(source)).body
    except (SyntaxError, ValueError):  # ValueError: a null byte, say
        return None


def _live_before(statements, used):
    """The names that must hold a value before `statements` run, given the names `used` after
    them: `x = ...` then `print(x)` needs no earlier x, on every branch of an if or a try."""
    for statement in reversed(statements):
        if isinstance(statement, ast.If):
            branches = _live_before(statement.body, used) | _live_before(statement.orelse, used)
            used = _Names(statement.test).read | branches
        elif isinstance(statement, ast.Try):
            after = _live_before(statement.finalbody, used)
            handlers = [
                _live_before(h.body, after) | (_Names(h.type).read if h.type else set()) for h in statement.handlers
            ]
            used = _live_before(statement.body, _live_before(statement.orelse, after)).union(after, *handlers)
        else:
            names = _Names(statement)
            used = (used - names.bound) | names.read
    return used


class _Names:
    """What a statement assigns, imports, calls methods on and reads at the notebook's top
    level (a function's own local names are its own), and what it surely binds; None among
    the read names when it cannot tell (it may read any name)."""

    def __init__(self, statement):
        self.assigned, self.imported, self.called_on, self.read, self.bound = set(), set(), set(), set(), set()
        if statement is None:
            self.read.add(None)
            return
        self._walk(statement, frozenset())
        self.called_on.discard(None)
        self.assigned.discard(None)
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            stored = {
                n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            self.bound = stored - self.read  # x = x + 1 still needs the x before it
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            self.bound = self.assigned | self.imported

    def _walk(self, node, local):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                self._note(node.name, self.assigned, local)
            outer = [*getattr(node, "decorator_list", []), *node.args.defaults, *node.args.kw_defaults]
            for child in filter(None, outer):
                self._walk(child, local)
            inner = local | _locals(node)
            for child in node.body if isinstance(node.body, list) else [node.body]:
                self._walk(child, inner)
            return
        if isinstance(node, (ast.For, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            targets = (
                [node.target] if isinstance(node, (ast.For, ast.AsyncFor)) else [g.target for g in node.generators]
            )
            for target in targets:
                self._walk(target, local)  # a loop's variable is assigned...
            local = local | {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}  # ...then its own
        self._visit(node, local)
        for child in ast.iter_child_nodes(node):
            self._walk(child, local)

    def _visit(self, node, local):
        if isinstance(node, ast.Name):
            self._note(node.id, self.read if isinstance(node.ctx, ast.Load) else self.assigned, local)
            if node.id in _ANY_NAME:
                self.read.add(None)
        elif isinstance(node, ast.ClassDef):
            self._note(node.name, self.assigned, local)
        elif isinstance(node, ast.alias):
            self._note((node.asname or node.name).split(".")[0], self.imported, local)
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store):
            self._note(_root(node), self.assigned, local)  # x.attr = ..., x[i] = ...
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            self._note(_root(node.func), self.called_on, local)  # a method may change its object: model.fit(...)

    @staticmethod
    def _note(name, into, local):
        if name not in local:
            into.add(name)


def _locals(function):
    """A function's local names: its parameters and what its body assigns, less its globals."""
    args = function.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}
    body = function.body if isinstance(function.body, list) else [function.body]
    declared = set()
    for node in (n for statement in body for n in ast.walk(statement)):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
    return frozenset(names - declared)


def _root(node):
    """The name an attribute or item chain starts from (`model` in model.layers[0].units)."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None
