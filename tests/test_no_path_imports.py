"""Package-first: tests and tools import code from
``structvit_mm``, never a script by its path. A script loaded by path (or
found through ``sys.path``) is code the package cannot see, test or reuse.
"""
import ast
import os
import os.path as osp

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

PATH_CALLS = ('sys.path.insert', 'sys.path.append')
PATH_LOADER = 'spec_from_file_location'


def _python_files():
    for top in ('tests', 'tools', 'demo'):
        for dirpath, _, names in os.walk(osp.join(ROOT, top)):
            for name in sorted(names):
                if name.endswith('.py'):
                    yield osp.relpath(osp.join(dirpath, name), ROOT)


def _script_names():
    """Module names a tools/ script would import as (``from train import``)
    once its folder is on ``sys.path``."""
    return {osp.splitext(osp.basename(p))[0] for p in _python_files()
            if p.startswith('tools' + os.sep)}


def _offences(rel, scripts):
    found = []
    for node in ast.walk(ast.parse(open(osp.join(ROOT, rel)).read())):
        if isinstance(node, ast.Attribute):
            dotted = ast.unparse(node)
            if dotted in PATH_CALLS or node.attr == PATH_LOADER:
                found.append(f'{rel}:{node.lineno}: {dotted}')
            continue
        if isinstance(node, ast.ImportFrom) and any(
                a.name == PATH_LOADER for a in node.names):
            found.append(f'{rel}:{node.lineno}: imports {PATH_LOADER}')
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or '']
        else:
            continue
        for name in names:
            top = name.split('.')[0]
            if top == 'tools' or top in scripts:
                found.append(f'{rel}:{node.lineno}: imports {name}')
    return found


@pytest.mark.parametrize('rel', sorted(_python_files()))
def test_no_script_is_loaded_by_path(rel):
    assert not _offences(rel, _script_names())
