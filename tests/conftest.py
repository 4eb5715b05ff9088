import ast
import functools

import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def _no_default_scope_leaks():
    """Every test starts without a default scope and leaves none behind.

    A Runner (or ``init_default_scope``) leaves its scope as the current
    one, which sends later ``MODELS.build`` calls of the *other* library to
    the wrong registry (mmpretrain's ``ImageClassifier`` looked up in
    mmaction2's). Module-scoped fixtures run before this function-scoped
    one, so restoring what was there before a test is not enough: clear it.
    """
    before = dict(DefaultScope._instance_dict)
    DefaultScope._instance_dict.clear()
    yield
    DefaultScope._instance_dict.clear()
    DefaultScope._instance_dict.update(before)


# Names that start a command-line tool in a subprocess.
_CLI_CALLS = {'run_tool', 'run_ok', 'subprocess', 'run_isolated'}


@functools.lru_cache(maxsize=None)
def _cli_functions(path: str) -> frozenset:
    """The module-level functions of a test file that start a tool, directly
    or through another function of the same file."""
    tree = ast.parse(open(path).read())
    uses = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            uses[node.name] = {n.id for n in ast.walk(node)
                               if isinstance(n, ast.Name)}
    cli = {f for f, names in uses.items() if names & _CLI_CALLS}
    grown = True
    while grown:
        new = {f for f, names in uses.items() if names & cli} - cli
        cli |= new
        grown = bool(new)
    return frozenset(cli)


def pytest_collection_modifyitems(config, items):
    """Mark every test that runs a tool (``cli``, see pytest.ini), and
    everything under tests/tools/."""
    for item in items:
        path = str(item.path)
        name = getattr(item, 'originalname', item.name)
        if '/tests/tools/' in path or name in _cli_functions(path):
            item.add_marker(pytest.mark.cli)
