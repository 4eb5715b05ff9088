"""Stopping a grid started in the background ends its runs.

A shell script's ``nohup python tools/analysis/ablate.py ... &`` starts the
harness with SIGINT ignored, and SIGTERM's default ended it without its
cleanup: its trainings went on, orphaned. The runs here are stand-ins
(``sleep``) started through the harness's own ``_run``, so the test takes
seconds, not a training."""
import os
import os.path as osp
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tool_runner import ROOT

HARNESS = textwrap.dedent('''
    import os, os.path as osp, signal, sys
    # as a non-interactive shell starts a background job
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from structvit_mm.benchmarks import grid

    out = sys.argv[1]

    def stand_in(config, name, options, seed, work_root, **kw):
        """A run that writes its pid, then waits as a training would."""
        code = ('import os, time; open(%r, "w").write(str(os.getpid())); '
                'time.sleep(600)' % osp.join(out, name + '.pid'))
        rc = grid._run([sys.executable, '-c', code],
                       osp.join(out, name + '.log'), dict(os.environ))
        raise RuntimeError(f'{name} ended (exit {rc})')

    grid.run_one = stand_in
    grid.run_grid('unused.py', {'a': [], 'b': [], 'c': []}, [0], out, jobs=2)
''')


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(paths, harness, timeout=60):
    end = time.time() + timeout
    while time.time() < end and harness.poll() is None:
        if all(osp.isfile(p) and open(p).read() for p in paths):
            return [int(open(p).read()) for p in paths]
        time.sleep(0.1)
    harness.kill()
    raise AssertionError(f'the runs did not start: {paths}\n'
                         f'{harness.communicate()[0]}')


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT])
def test_signal_ends_the_runs_in_flight(tmp_path, signum):
    # its own session: whatever fails, the finally ends all it started
    harness = subprocess.Popen(
        [sys.executable, '-c', HARNESS, str(tmp_path)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        pids = _wait_for([tmp_path / 'a.pid', tmp_path / 'b.pid'], harness)
        harness.send_signal(signum)
        harness.send_signal(signum)  # an impatient second one changes nothing
        out, _ = harness.communicate(timeout=60)
        assert not [p for p in pids if _alive(p)], out
        assert harness.returncode != 0, out
        assert 'interrupted: the runs in flight were ended' in out, out
        # the queued run never started
        assert not (tmp_path / 'c.log').exists(), out
    finally:
        try:
            os.killpg(harness.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
