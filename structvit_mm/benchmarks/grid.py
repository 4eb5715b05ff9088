"""Running an ablation grid (variants x seeds): what
``tools/analysis/ablate.py`` does before it reports
(:mod:`structvit_mm.benchmarks.ablation` holds the statistics and the
report).

Each ``(variant, seed)`` is one training and one test, each in its own
process, through the package's ``tools/train.py`` / ``tools/test.py``
command lines (``python -m structvit_mm.cli.train`` / ``.test``), under
``WORK_ROOT/VARIANT/seed_S/``:

* a run whose ``result.json`` exists is skipped;
* a training that stopped half-way continues from its last checkpoint
  (``--resume``, mmengine's ``last_checkpoint``) where the config saves
  one on the way (the benchmark configs save only the last, so theirs
  start again); a finished training whose test failed only re-tests;
* a run directory keeps the options it ran with (``options.json``, and
  ``result.json``) and a digest of its resolved config (``result.json``):
  a second call with other options (another schedule, data root, scale)
  or after the config file changed is refused rather than mixed in;
* with a *record* directory, each finished run also leaves there what the
  report needs of it (``result.json``, its per-clip predictions, its
  curve: a few kB of text, meant to be committed), in the work root's
  layout; a run recorded there counts as done in a new work root (on a
  new machine), so a grid run over several sessions loses no finished run
  with its work root.

``jobs`` runs that many ``(variant, seed)`` at once (each at
``threads`` threads), in seed-major order, so a grid stopped early has
whole seeds. Wall times of concurrent runs are not timings (the runs share
the cores); ``result.json`` records ``jobs`` beside them.
"""
import argparse
import contextlib
import functools
import hashlib
import json
import os
import os.path as osp
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

from .ablation import finished_runs, read_curve, run_predictions

_LOCK = threading.Lock()
#: the trainings and tests running now, so that an interrupt ends them all
_RUNNING = set()
#: set while a grid is being stopped: no further training or test starts
#: (one grid per process at a time, as _RUNNING assumes)
_STOPPING = threading.Event()
#: a stop signal has arrived; further ones are ignored while the runs end
_SIGNALLED = False
#: (config, options, shape) -> (params, FLOPs): counted once per variant
_COMPLEXITY = {}
_BUILD_LOCK = threading.Lock()


def _say(msg):
    with _LOCK:
        print(msg, flush=True)


def _run(cmd, log_path, env):
    """Run ``cmd`` (list), its output appended to ``log_path``; returns the
    exit status."""
    # checked and started under the lock _stop_running looks under: no run
    # starts after it has looked, to go on unseen, and a refused run leaves
    # no trace in its log. The child holds its own copy of the log's file
    # descriptor, so the log may close before the run ends.
    with _LOCK:
        if _STOPPING.is_set():
            raise RuntimeError('the grid is stopping: not started')
        with open(log_path, 'a') as log:
            log.write(f'\n$ {shlex.join(cmd)}\n')
            log.flush()
            proc = subprocess.Popen(cmd, stdout=log,
                                    stderr=subprocess.STDOUT, env=env)
        _RUNNING.add(proc)
    try:
        return proc.wait()
    finally:
        with _LOCK:
            _RUNNING.discard(proc)


def _stop_running():
    with _LOCK:
        _STOPPING.set()
        procs = list(_RUNNING)
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _raise_interrupt(signum, frame):
    # once only: a second signal must not break off the cleanup the first
    # one started (it is bounded: see _stop_running)
    global _SIGNALLED
    if not _SIGNALLED:
        _SIGNALLED = True
        raise KeyboardInterrupt(f'signal {signum}')


@contextlib.contextmanager
def _stop_on_signals():
    """Make SIGTERM and SIGINT (even one the harness was started ignoring)
    end the grid as Ctrl-C does: runs in flight are terminated, none is left
    orphaned; a repeated signal does not cut that short.

    A shell starts a background job (``nohup ... &`` in a script) with
    SIGINT ignored, and SIGTERM's default kills the harness without its
    cleanup, leaving the trainings running. Signal handlers can only be set
    from the main thread; elsewhere this does nothing.
    """
    global _SIGNALLED
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _SIGNALLED = False
    old = {signum: signal.signal(signum, _raise_interrupt)
           for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)


def _check_same_options(work_dir, options, tag):
    """A run directory belongs to one set of options: refuse to resume or
    skip it under others (another schedule, data root, scale), which would
    mix results silently."""
    path = osp.join(work_dir, 'options.json')
    if osp.isfile(path):
        with open(path) as f:
            _refuse_other_options(work_dir, json.load(f), options, tag,
                                  '--work-root')
    else:
        _write_json(path, list(options), indent=1)


def _check_same_config(work_dir, config, tag):
    """A run directory belongs to one version of its config too: the
    digest taken when it first started (``config_sha.json``) is what a
    resumed training or a re-test must find, and what its ``result.json``
    keeps. Returns that digest."""
    now = config_digest(config)
    path = osp.join(work_dir, 'config_sha.json')
    if osp.isfile(path):
        with open(path) as f:
            before = json.load(f)
        if before != now:
            raise RuntimeError(
                f'{tag}: {work_dir} started under another version of '
                f'{config} or of a config it inherits (config sha {before}, '
                f'now {now}); use another --work-root or delete that run')
    else:
        _write_json(path, now)
    return now


def _last_checkpoint(work_dir):
    """The checkpoint mmengine's ``last_checkpoint`` file names, or None."""
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return None
    with open(marker) as f:
        path = f.read().strip()
    return path if osp.isfile(path) else None


def _best_checkpoint(work_dir):
    best = [f for f in os.listdir(work_dir)
            if f.startswith('best_') and f.endswith('.pth')]
    if not best:
        return None
    return max((osp.join(work_dir, f) for f in best), key=osp.getmtime)


def curve_options(interval):
    """``--cfg-options`` that test every ``interval`` iterations, for
    training curves (``TestCurveHook``, which the benchmark configs carry
    switched off; it leaves the training as it was)."""
    return [f'default_hooks.curve.interval={interval}']


def model_complexity(config, options, shape):
    """(params, FLOPs) of the classifier a variant builds, counted as
    tools/analysis/get_flops.py counts them (SDPA included); None on
    failure. One model at a time: building one sets mmengine's default
    scope, which is per process, not per thread (two at once lose their
    registry)."""
    with _BUILD_LOCK:
        return _model_complexity(config, options, shape)


def _model_complexity(config, options, shape):
    try:
        import torch

        from ..analysis import ClassifierForward, complexity_info
        from ..apis import init_model
        model = init_model(config, cfg_options=_parse_options(options))
        wrapped = ClassifierForward(model)
        with torch.no_grad():
            info = complexity_info(wrapped, (torch.randn(*shape), ))
        return int(info['params']), int(info['flops'])
    except Exception as e:  # the numbers are extra; never fail a run on them
        _say(f'  (params/FLOPs not counted: {type(e).__name__}: {e})')
        return None, None


#: what a record keeps of a run, relative to its run directory;
#: ``result.json``, which marks a run as done, is written last
RECORDED = (osp.join('test', 'predictions.json'), 'curve.json',
            'result.json')


def _refuse_other_options(where, before, options, tag, instead):
    """A run (at ``where``, made under the options ``before``) counts or
    resumes only under the same ``options``, in the same order (a later
    option overrides an earlier one); the error names what differs."""
    before, options = list(before), list(options)
    if before != options:
        only_then = sorted(set(before) - set(options))
        only_now = sorted(set(options) - set(before))
        differs = (f'only then: {only_then}; only now: {only_now}'
                   if only_then or only_now else 'the same, in another order')
        raise RuntimeError(
            f'{tag}: {where} was run with other options ({differs}); use '
            f'another {instead} or delete that run')


def _load_config(config):
    """The config file, resolved. One load at a time, with the model
    builds of :func:`model_complexity`: a config inheriting from an
    installed package's (``mmpretrain::``) asks ``pkg_resources`` whether
    it is installed, and two threads asking at once can fail with
    ``TypeError: Expected str, Requirement, or Distribution``."""
    from mmengine.config import Config
    with _BUILD_LOCK:
        return Config.fromfile(config, import_custom_modules=False)


def config_digest(config):
    """What a run's config holds, resolved (``_base_`` files merged), as a
    short sha256: a run counts for a grid only under the config it trained
    with, and an edited config file (a longer schedule, say) keeps its path
    and the variants their options."""
    text = json.dumps(_load_config(config).to_dict(), sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _parse_options(options):
    """``--cfg-options`` strings as the dict mmengine's ``DictAction``
    makes of them (a later key overrides an earlier one), or None."""
    if not options:
        return None
    from mmengine import DictAction
    ns = argparse.Namespace()
    DictAction(option_strings=[], dest='o')(None, ns, list(options))
    return ns.o


def _final_iteration(config, options):
    """The iteration an iteration-based schedule ends at, with the
    options merged in (``--scale`` writes one), or None."""
    cfg = _load_config(config)
    parsed = _parse_options(options)
    if parsed:
        cfg.merge_from_dict(parsed)
    value = cfg.get('train_cfg', {}).get('max_iters')
    return value if isinstance(value, int) else None


def _refuse_other_config(where, result, config, options, tag, instead):
    """A finished run counts only under the config it ran with: its
    ``config_sha`` where it has one; a run recorded before that field
    (2026-12-07) at least under the schedule length its tested checkpoint
    (``iter_N.pth``) shows."""
    before = result.get('config_sha')
    if before is not None:
        now = config_digest(config)
        if before != now:
            raise RuntimeError(
                f'{tag}: {where} was run under another version of {config} '
                f'or of a config it inherits (config sha {before}, now '
                f'{now}); use another {instead} or delete that run')
        return
    ckpt = osp.basename(str(result.get('checkpoint', '')))
    end = _final_iteration(config, options)
    if ckpt.startswith('iter_') and end is not None and \
            ckpt != f'iter_{end}.pth':
        raise RuntimeError(
            f'{tag}: {where} tested {ckpt}, but {config} now trains to '
            f'iteration {end}; use another {instead} or delete that run')


@contextlib.contextmanager
def _whole(path):
    """Yield a temporary path that becomes ``path`` once written: an
    interrupt leaves no half-written file that reads as a finished run
    (and no temporary one)."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def _write_json(path, obj, **kw):
    """Write ``obj`` to ``path`` as JSON, whole or not at all."""
    with _whole(path) as tmp:
        with open(tmp, 'w') as f:
            json.dump(obj, f, **kw)


def record_run(work_dir, record_dir):
    """Write what the report needs of the finished run in ``work_dir`` into
    ``record_dir`` (the same relative paths, :data:`RECORDED`): its
    per-clip predictions as JSON (``pred``, ``gt``, ``num_classes``), its
    curve (:func:`read_curve`) and, last, its ``result.json``. A recorded
    file the run lacks is removed (the record is of this run only); a
    record of the run under other options is refused."""
    if osp.realpath(work_dir) == osp.realpath(record_dir):
        return  # the record is this work root
    with open(osp.join(work_dir, 'result.json')) as f:
        result = json.load(f)
    rec_result = osp.join(record_dir, 'result.json')
    if osp.isfile(rec_result):
        options = result.get('options', [])
        with open(rec_result) as f:
            recorded = json.load(f)
        tag = f'[{result["variant"]} seed {result["seed"]}]'
        _refuse_other_options(record_dir, recorded.get('options', options),
                              options, tag, '--record')
        before, now = recorded.get('config_sha'), result.get('config_sha')
        if before and now and before != now:
            raise RuntimeError(
                f'{tag}: {record_dir} records a run under another version of '
                f'the config (config sha {before}, this run {now}); use '
                'another --record or delete that record')
    found = run_predictions(work_dir)
    curve = read_curve(work_dir)
    content = {
        RECORDED[0]: found and dict(pred=found[0].tolist(),
                                    gt=found[1].tolist(),
                                    num_classes=found[2]),
        RECORDED[1]: (curve['loss'] or curve['top1']) and curve,
        RECORDED[2]: result}
    for rel in RECORDED:
        path = osp.join(record_dir, rel)
        if content[rel]:
            _write_json(path, content[rel],
                        **(dict(indent=1) if rel == 'result.json' else
                           dict(separators=(',', ':'))))
        elif osp.isfile(path):
            os.remove(path)


def record_finished(work_root, record):
    """Record every finished run under ``work_root`` (and its
    ``grid.json``) into ``record``, for a work root that was run without
    ``--record``; returns how many runs."""
    if not osp.isdir(work_root):
        raise RuntimeError(f'no work root {work_root}')
    os.makedirs(record, exist_ok=True)
    grid = osp.join(work_root, 'grid.json')
    if osp.isfile(grid) and osp.realpath(work_root) != osp.realpath(record):
        with open(grid) as f:
            save_grid(record, **json.load(f))
    n = 0
    for name, sd, run_dir in finished_runs(work_root):
        record_run(run_dir, osp.join(record, name, sd))
        n += 1
    return n


def _restore_run(record_dir, work_dir):
    """Copy a recorded run into a work root that lacks it (``result.json``
    last)."""
    for rel in RECORDED:
        src = osp.join(record_dir, rel)
        if osp.isfile(src):
            with _whole(osp.join(work_dir, rel)) as tmp:
                shutil.copyfile(src, tmp)


@functools.lru_cache(maxsize=None)
def _machine() -> tuple:
    import torch
    info = dict(python=platform.python_version(), torch=torch.__version__,
                platform=platform.platform(), cpu=platform.processor(),
                cores=os.cpu_count())
    info['device'] = (torch.cuda.get_device_name(0)
                      if torch.cuda.is_available() else 'cpu')
    try:
        import mmengine
        info['mmengine'] = mmengine.__version__
    except ImportError:
        pass
    return tuple(info.items())


def machine() -> dict:
    """What ran: device, cores, versions (kept in each run's
    ``result.json``; a record gathers runs from several machines)."""
    return dict(_machine())


def save_grid(where, **grid):
    """Write ``where/grid.json``, what names the grid for the report
    (``config``, ``variants``, ``seeds``, ``baseline``, ...). A phase adds
    to the grid saved there before: its seeds and variants join the
    earlier ones (runs under other options are refused run by run, so a
    record's grid is saved only after its runs were not)."""
    path = osp.join(where, 'grid.json')
    if osp.isfile(path):
        with open(path) as f:
            before = json.load(f)
        grid = {**before, **grid,
                'seeds': sorted({*(before.get('seeds') or []),
                                 *(grid.get('seeds') or [])}),
                'variants': {**(before.get('variants') or {}),
                             **(grid.get('variants') or {})}}
    _write_json(path, grid, indent=1)


def run_one(config, name, options, seed, work_root, checkpoint='last',
            train_args=(), test_args=(), shape=None, threads=None, jobs=1,
            record=None):
    """Train and test one (variant, seed) unless done; returns its result
    dict (also written to ``WORK_ROOT/VARIANT/seed_S/result.json``).
    ``record``: a record root (see the module docstring); a run it holds
    under the same options is done (under others: ``RuntimeError``), and a
    run finished here is recorded there."""
    work_dir = osp.join(work_root, name, f'seed_{seed}')
    result_file = osp.join(work_dir, 'result.json')
    tag = f'[{name} seed {seed}]'
    record_dir = record and osp.join(record, name, f'seed_{seed}')
    if record_dir and not osp.isfile(result_file) and osp.isfile(
            osp.join(record_dir, 'result.json')):
        with open(osp.join(record_dir, 'result.json')) as f:
            recorded = json.load(f)
        _refuse_other_options(f'the record {record_dir}',
                              recorded.get('options', options), options,
                              tag, '--record')
        _refuse_other_config(f'the record {record_dir}', recorded, config,
                             options, tag, '--record')
        _restore_run(record_dir, work_dir)
        _say(f'{tag} restored from the record {record_dir}')
    if osp.isfile(result_file):
        with open(result_file) as f:
            result = json.load(f)
        _refuse_other_options(result_file, result.get('options', options),
                              options, tag, '--work-root')
        _refuse_other_config(result_file, result, config, options, tag,
                             '--work-root')
        _say(f'{tag} done, skipped')
        if record_dir:  # complete (or make) its record from the work root
            record_run(work_dir, record_dir)
        return result
    _check_same_options(work_dir, options, tag)
    config_sha = _check_same_config(work_dir, config, tag)
    log_path = osp.join(work_dir, 'ablate.log')
    env = dict(os.environ)
    if threads:
        env['OMP_NUM_THREADS'] = str(threads)
    cfg_opts = ['--cfg-options', *options] if options else []
    py = [sys.executable, '-m']

    train_done = osp.join(work_dir, 'train_done.json')
    if osp.isfile(train_done):
        with open(train_done) as f:
            train_time = json.load(f)['train_time_s']
    else:
        resume = ['--resume'] if _last_checkpoint(work_dir) else []
        _say(f'{tag} train{" (resumed)" if resume else ""} -> {work_dir}')
        t0 = time.time()
        rc = _run([*py, 'structvit_mm.cli.train', config, '--work-dir',
                   work_dir, '--seed', str(seed), *resume, *train_args,
                   *cfg_opts], log_path, env)
        train_time = time.time() - t0
        if rc != 0:
            raise RuntimeError(f'training {name} seed {seed} failed (exit '
                               f'{rc}); see {log_path}')
        _write_json(train_done, dict(train_time_s=train_time))

    ckpt = _best_checkpoint(work_dir) if checkpoint == 'best' else None
    if checkpoint == 'best' and ckpt is None:
        raise RuntimeError(f'--checkpoint best: no best_*.pth in {work_dir} '
                           '(does the config validate and save_best?)')
    ckpt = ckpt or _last_checkpoint(work_dir)
    if ckpt is None:
        raise RuntimeError(f'no checkpoint in {work_dir} after training')
    test_dir = osp.join(work_dir, 'test')
    dump = osp.join(test_dir, 'predictions.pkl')
    _say(f'{tag} test {osp.relpath(ckpt, work_dir)}')
    t0 = time.time()
    rc = _run([*py, 'structvit_mm.cli.test', config, ckpt, '--work-dir',
               test_dir, '--dump', dump, *test_args, *cfg_opts], log_path,
              env)
    test_time = time.time() - t0
    if rc != 0 or not osp.isfile(dump):
        raise RuntimeError(f'testing {name} seed {seed} failed (exit {rc});'
                           f' see {log_path}')
    pred, gt, num_classes = run_predictions(work_dir)
    params, flops = None, None
    if shape:
        key = (config, tuple(options), tuple(shape))
        if key not in _COMPLEXITY:
            _COMPLEXITY[key] = model_complexity(config, options, shape)
        params, flops = _COMPLEXITY[key]
    result = dict(variant=name, seed=seed, top1=float((pred == gt).mean()),
                  chance=1. / num_classes, num_test=int(len(gt)),
                  params=params, flops=flops,
                  train_time_s=round(train_time, 1),
                  test_time_s=round(test_time, 1), jobs=jobs,
                  checkpoint=osp.relpath(ckpt, work_dir), options=options,
                  config_sha=config_sha, machine=machine())
    _write_json(result_file, result, indent=1)
    if record_dir:
        record_run(work_dir, record_dir)
    _say(f'{tag} top1 {result["top1"]:.4f} (train {train_time:.0f} s, test '
         f'{test_time:.0f} s)')
    return result


def run_grid(config, variants, seeds, work_root, names=None, options=(),
             jobs=1, keep_going=False, **run_kwargs):
    """Every ``(variant, seed)`` of a grid, ``jobs`` at a time, seed-major.

    ``variants``: name -> list of ``key=value`` strings; ``options`` go
    before each variant's (e.g. a data root, a shorter schedule). Returns
    the failed ``(name, seed)`` pairs (only with ``keep_going``). Without
    it the first failure starts no further run, lets the runs in flight
    finish (they are good runs) and raises its ``RuntimeError``. An
    interrupt (Ctrl-C, SIGINT, SIGTERM) or any other error ends the runs in
    flight too.
    """
    with _stop_on_signals():
        return _run_grid(config, variants, seeds, work_root, names, options,
                         jobs, keep_going, **run_kwargs)


def _run_grid(config, variants, seeds, work_root, names, options, jobs,
              keep_going, **run_kwargs):
    names = list(names or variants)
    todo = [(seed, name) for seed in seeds for name in names]
    failed = []
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {pool.submit(
            run_one, config, name, list(options) + list(variants[name]),
            seed, work_root, jobs=jobs, **run_kwargs): (name, seed)
            for seed, name in todo}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for fut in sorted(done, key=lambda f: todo.index(
                    futures[f][::-1])):
                err = fut.exception() if not fut.cancelled() else None
                if err is None:
                    continue
                if not isinstance(err, RuntimeError) or not keep_going:
                    for other in pending:
                        other.cancel()
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise err
                _say(f'FAILED: {err}')
                failed.append(futures[fut])
    except BaseException as err:
        pool.shutdown(wait=False, cancel_futures=True)
        _stop_running()
        if isinstance(err, KeyboardInterrupt):
            _say('interrupted: the runs in flight were ended; finished runs '
                 'are kept, and the same command resumes the grid')
        raise
    finally:
        pool.shutdown(wait=True)
        _STOPPING.clear()  # the next grid in this process may start runs
    return failed
