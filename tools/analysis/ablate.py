"""Run an ablation grid (variants x seeds) through tools/train.py and
tools/test.py, and report test top-1 with paired bootstrap intervals.

    python tools/analysis/ablate.py CONFIG --grid GRID --seeds 0 1 2 \\
        --work-root work_dirs/ablate_motion
    python tools/analysis/ablate.py CONFIG --grid GRID --seeds 0 1 2 \\
        --work-root work_dirs/ablate_motion --report-only

A *variant* is a name and a list of ``--cfg-options`` strings (``key=value``)
applied to the base config. Variants come from a grid file and/or the
command line (``--variant NAME key=value ...``, repeatable). A grid file is
a Python config (read with ``mmengine.Config``), YAML or JSON with

    variants = {'d4': [], 'd0': ['model.backbone.structure_dim=0'], ...}
    baseline = 'd4'          # optional; default: the first variant
    config = 'configs/...'   # optional; the base config if none is given
    seeds = [0, 1, 2]        # optional; --seeds overrides it

Each (variant, seed) runs, one after another, as

    python tools/train.py CONFIG --work-dir ROOT/VARIANT/seed_S --seed S \\
        --cfg-options ...
    python tools/test.py CONFIG CKPT --work-dir ROOT/VARIANT/seed_S/test \\
        --dump ROOT/VARIANT/seed_S/test/predictions.pkl --cfg-options ...

``CKPT`` is the *last* checkpoint by default (``--checkpoint last``): a
benchmark without a validation split must not pick its checkpoint on the
test split; ``--checkpoint best`` takes ``best_*.pth`` where the config
validates and saves one. Resumable: a run whose ``result.json`` exists is
skipped; a run whose training stopped half-way is resumed with ``--resume``
(mmengine's ``last_checkpoint``); a finished training with a failed test
only re-tests. Top-1 is computed from the dumped predictions (so the report
can bootstrap over test clips as well as seeds) and written beside the
metrics mmengine printed.

The report (``--report-only`` re-makes it from the work root alone):

* ``ROOT/results.csv``: variant, seed, top1, params, FLOPs (of the model
  the variant builds, at ``--shape``), train and test wall time;
* ``ROOT/results.md``: mean +- std over seeds per variant, and each
  variant's paired difference from the baseline (same seeds, same test
  clips) with a paired bootstrap 95 % interval;
* ``ROOT/results.png``: means with their bootstrap intervals.
"""
import argparse
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
import time

from structvit_mm.benchmarks.ablation import (_check_options,
                                              _read_predictions, load_grid,
                                              report)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


# ---------------------------------------------------------------- running
def _run(cmd, log_path, env):
    """Run ``cmd`` (list), its output appended to ``log_path``; returns the
    exit status."""
    with open(log_path, 'a') as log:
        log.write(f'\n$ {shlex.join(cmd)}\n')
        log.flush()
        return subprocess.call(cmd, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT, env=env)


def _last_checkpoint(work_dir):
    """The checkpoint mmengine's ``last_checkpoint`` file names, or None."""
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        return None
    with open(marker) as f:
        path = f.read().strip()
    if not osp.isabs(path):
        path = osp.join(ROOT, path)
    return path if osp.isfile(path) else None


def _best_checkpoint(work_dir):
    best = [f for f in os.listdir(work_dir)
            if f.startswith('best_') and f.endswith('.pth')]
    if not best:
        return None
    return max((osp.join(work_dir, f) for f in best), key=osp.getmtime)


def model_complexity(config, options, shape):
    """(params, FLOPs) of the classifier a variant builds, counted as
    tools/analysis/get_flops.py counts them (SDPA included); None on
    failure."""
    try:
        import torch
        from mmengine import DictAction
        from structvit_mm.analysis import ClassifierForward, complexity_info
        from structvit_mm.apis import init_model
        cfg_options = None
        if options:
            ns = argparse.Namespace()
            DictAction(option_strings=[], dest='o')(None, ns, options)
            cfg_options = ns.o
        model = init_model(config, cfg_options=cfg_options)
        wrapped = ClassifierForward(model)
        with torch.no_grad():
            info = complexity_info(wrapped, (torch.randn(*shape), ))
        return int(info['params']), int(info['flops'])
    except Exception as e:  # the numbers are extra; never fail a run on them
        print(f'  (params/FLOPs not counted: {type(e).__name__}: {e})')
        return None, None


def run_one(config, name, options, seed, work_root, checkpoint='last',
            train_args=(), test_args=(), shape=None, threads=None):
    """Train and test one (variant, seed) unless done; returns its result
    dict (also written to ``ROOT/VARIANT/seed_S/result.json``)."""
    work_dir = osp.join(work_root, name, f'seed_{seed}')
    result_file = osp.join(work_dir, 'result.json')
    if osp.isfile(result_file):
        with open(result_file) as f:
            print(f'[{name} seed {seed}] done, skipped')
            return json.load(f)
    os.makedirs(work_dir, exist_ok=True)
    log_path = osp.join(work_dir, 'ablate.log')
    env = dict(os.environ)
    if threads:
        env['OMP_NUM_THREADS'] = str(threads)
    cfg_opts = ['--cfg-options', *options] if options else []
    py = sys.executable

    train_done = osp.join(work_dir, 'train_done.json')
    if osp.isfile(train_done):
        with open(train_done) as f:
            train_time = json.load(f)['train_time_s']
    else:
        resume = ['--resume'] if _last_checkpoint(work_dir) else []
        print(f'[{name} seed {seed}] train'
              f'{" (resumed)" if resume else ""} -> {work_dir}')
        t0 = time.time()
        rc = _run([py, 'tools/train.py', config, '--work-dir', work_dir,
                   '--seed', str(seed), *resume, *train_args, *cfg_opts],
                  log_path, env)
        train_time = time.time() - t0
        if rc != 0:
            raise RuntimeError(f'training {name} seed {seed} failed (exit '
                               f'{rc}); see {log_path}')
        with open(train_done, 'w') as f:
            json.dump(dict(train_time_s=train_time), f)

    ckpt = _best_checkpoint(work_dir) if checkpoint == 'best' else None
    if checkpoint == 'best' and ckpt is None:
        raise RuntimeError(f'--checkpoint best: no best_*.pth in {work_dir} '
                           '(does the config validate and save_best?)')
    ckpt = ckpt or _last_checkpoint(work_dir)
    if ckpt is None:
        raise RuntimeError(f'no checkpoint in {work_dir} after training')
    test_dir = osp.join(work_dir, 'test')
    dump = osp.join(test_dir, 'predictions.pkl')
    print(f'[{name} seed {seed}] test {osp.relpath(ckpt, work_dir)}')
    t0 = time.time()
    rc = _run([py, 'tools/test.py', config, ckpt, '--work-dir', test_dir,
               '--dump', dump, *test_args, *cfg_opts], log_path, env)
    test_time = time.time() - t0
    if rc != 0 or not osp.isfile(dump):
        raise RuntimeError(f'testing {name} seed {seed} failed (exit {rc});'
                           f' see {log_path}')
    pred, gt = _read_predictions(dump)
    params, flops = model_complexity(config, options, shape) if shape \
        else (None, None)
    result = dict(variant=name, seed=seed, top1=float((pred == gt).mean()),
                  num_test=int(len(gt)), params=params, flops=flops,
                  train_time_s=round(train_time, 1),
                  test_time_s=round(test_time, 1),
                  checkpoint=osp.relpath(ckpt, work_dir), options=options)
    with open(result_file, 'w') as f:
        json.dump(result, f, indent=1)
    print(f'[{name} seed {seed}] top1 {result["top1"]:.4f} (train '
          f'{train_time:.0f} s, test {test_time:.0f} s)')
    return result


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description='Ablation grid: train/test variants x seeds, report '
        'top-1 with paired bootstrap intervals.')
    p.add_argument('config', nargs='?', help='base config (or the grid '
                   "file's `config`)")
    p.add_argument('--grid', help='grid file (.py, .yaml, .json)')
    p.add_argument('--variant', nargs='+', action='append', default=[],
                   metavar=('NAME', 'KEY=VALUE'),
                   help='a variant on the command line (repeatable)')
    p.add_argument('--cfg-options', nargs='+', default=[],
                   metavar='KEY=VALUE',
                   help='options for every run, before each variant\'s '
                   '(e.g. a shorter schedule or another data_root)')
    p.add_argument('--only', nargs='+', help='run only these variants')
    p.add_argument('--baseline', help='variant the differences are taken '
                   'from (default: the grid\'s, else the first)')
    p.add_argument('--seeds', type=int, nargs='+',
                   help="seeds (default: the grid's, else 0)")
    p.add_argument('--work-root', required=True)
    p.add_argument('--checkpoint', choices=['last', 'best'], default='last',
                   help='checkpoint to test (default: last; see docstring)')
    p.add_argument('--shape', type=int, nargs='+',
                   help='input shape for params/FLOPs, e.g. 1 3 8 32 32 '
                   '(default: not counted)')
    p.add_argument('--train-args', default='',
                   help='extra tools/train.py arguments (one string)')
    p.add_argument('--test-args', default='',
                   help='extra tools/test.py arguments (one string)')
    p.add_argument('--threads', type=int,
                   help='OMP_NUM_THREADS for the runs')
    p.add_argument('--report-only', action='store_true',
                   help='only collect finished runs and write the report')
    p.add_argument('--keep-going', action='store_true',
                   help='report and go on when a run fails')
    p.add_argument('--num-bootstrap', type=int, default=10000)
    p.add_argument('--title', help='title of the report')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    grid = load_grid(args.grid) if args.grid else {'variants': {}}
    variants = dict(grid['variants'])
    for item in args.variant:
        name, opts = item[0], item[1:]
        _check_options(name, opts, '--variant')
        variants[name] = opts
    config = args.config or grid.get('config')
    seeds = args.seeds or grid.get('seeds') or [0]
    baseline = args.baseline or grid.get('baseline')
    names = list(variants)
    if args.only:
        unknown = set(args.only) - set(names)
        if unknown:
            raise SystemExit(f'--only: unknown variants {sorted(unknown)}; '
                             f'the grid has {names}')
        names = [n for n in names if n in args.only]
    saved = osp.join(args.work_root, 'grid.json')
    if args.report_only and not names and osp.isfile(saved):
        with open(saved) as f:
            saved = json.load(f)
        names = list(saved['variants'])
        baseline = baseline or saved.get('baseline')
    if baseline and baseline not in variants and not args.report_only:
        raise SystemExit(f'baseline {baseline!r} is not a variant: {names}')

    if not args.report_only:
        if not config or not osp.isfile(config):
            raise SystemExit(f'base config not found: {config!r}')
        if not names:
            raise SystemExit('no variants: give --grid and/or --variant')
        os.makedirs(args.work_root, exist_ok=True)
        with open(osp.join(args.work_root, 'grid.json'), 'w') as f:
            json.dump(dict(config=config, variants=variants, seeds=seeds,
                           baseline=baseline, cfg_options=args.cfg_options),
                      f, indent=1)
        failed = []
        for seed in seeds:  # seed-major: a partial grid has whole seeds
            for name in names:
                try:
                    run_one(config, name,
                            args.cfg_options + variants[name], seed,
                            args.work_root, args.checkpoint,
                            shlex.split(args.train_args),
                            shlex.split(args.test_args), args.shape,
                            args.threads)
                except RuntimeError as e:
                    if not args.keep_going:
                        raise SystemExit(str(e))
                    print(f'FAILED: {e}')
                    failed.append((name, seed))
        if failed:
            print(f'{len(failed)} runs failed: {failed}')
    summary = report(args.work_root, names or None, baseline,
                     args.num_bootstrap, args.title)
    for rec in summary:
        print(f"{rec['variant']:>24s}  {rec['mean'] * 100:5.1f} "
              f"(n={rec['n']})")
    print(f'wrote {args.work_root}/results.csv, results.md, results.png')


if __name__ == '__main__':
    main()
