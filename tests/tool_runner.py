"""Run this repository's command-line tools the way a user does: a fresh
Python process from the repository root (so the tools' own ``import
structvit_mm`` and argument parsing are what is tested), with few threads so
that tests running side by side do not oversubscribe the CI machine's cores.
"""
import os
import os.path as osp
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def run_tool(args, cwd=ROOT, threads=1, extra_env=None, merge_output=True,
             timeout=600):
    """``python *args``; returns the ``CompletedProcess`` (text). With
    ``merge_output`` stderr is folded into ``stdout``, else kept apart."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               PYTHONWARNINGS='ignore', **(extra_env or {}))
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, text=True, timeout=timeout,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_output else subprocess.PIPE)


def run_ok(args, **kwargs):
    """:func:`run_tool` that must exit 0; returns its merged output."""
    proc = run_tool(args, **kwargs)
    assert proc.returncode == 0, proc.stdout[-6000:]
    return proc.stdout


def stock_train(lib):
    """The stock ``tools/train.py`` of ``lib`` (``'mmaction'`` or
    ``'mmpretrain'``), as the installed package ships it under ``.mim``."""
    import importlib.util
    origin = importlib.util.find_spec(lib).origin
    return osp.join(osp.dirname(origin), '.mim', 'tools', 'train.py')
