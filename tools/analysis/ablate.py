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

Each (variant, seed) runs (``--jobs N`` at a time, seed-major) as

    python tools/train.py CONFIG --work-dir ROOT/VARIANT/seed_S --seed S \\
        --cfg-options ...
    python tools/test.py CONFIG CKPT --work-dir ROOT/VARIANT/seed_S/test \\
        --dump ROOT/VARIANT/seed_S/test/predictions.pkl --cfg-options ...

(through their package modules, structvit_mm/benchmarks/grid.py).

``CKPT`` is the *last* checkpoint by default (``--checkpoint last``): a
benchmark without a validation split must not pick its checkpoint on the
test split; ``--checkpoint best`` takes ``best_*.pth`` where the config
validates and saves one. Resumable: a run whose ``result.json`` exists is
skipped; a run whose training stopped half-way is resumed with ``--resume``
(mmengine's ``last_checkpoint``); a finished training with a failed test
only re-tests. Top-1 is computed from the dumped predictions (so the report
can bootstrap over test clips as well as seeds) and written beside the
metrics mmengine printed.

``--record DIR`` keeps a small copy of every finished run (its result,
per-clip predictions and curve) in DIR, in the work root's layout, to be
committed: a run recorded there is done in any work root, so a grid run in
phases on machines that do not keep their disks loses no finished run.
With ``--report-only`` it records the work root's finished runs; DIR is
itself a work root for ``--report-only``.

The report (``--report-only`` re-makes it from the work root alone):

* ``ROOT/results.csv``: variant, seed, top1, chance (1 / number of
  classes), params, FLOPs (of the model the variant builds, at
  ``--shape``), train and test wall time, jobs (runs at once);
* ``ROOT/results.md``: mean +- std over seeds per variant, its top-1 on
  each seed, and each
  variant's paired difference from the baseline (same seeds, same test
  clips) with a paired bootstrap 95 % interval;
* ``ROOT/results.png``: means with their bootstrap intervals;
* with ``--curve-interval N`` (each run also tests every N iterations;
  the checkpoint tested stays the last): ``ROOT/curves.png`` and
  ``ROOT/curves.csv``, loss and test top-1 against iterations.
"""
import argparse
import json
import os.path as osp
import shlex

from structvit_mm.benchmarks.ablation import (_check_options, collect_curves,
                                              load_grid, plot_curves, report)
from structvit_mm.benchmarks.grid import (curve_options, record_finished,
                                          run_grid, save_grid)
from structvit_mm.benchmarks.suite import schedule_options


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
    p.add_argument('--record', metavar='DIR',
                   help='keep each finished run\'s result, predictions and '
                   'curve in DIR (to commit); runs recorded there are done')
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
    p.add_argument('--jobs', type=int, default=1,
                   help='runs at once (e.g. 2 at --threads 1 on 2 cores)')
    p.add_argument('--curve-interval', type=int,
                   help='also test every N iterations and plot curves.png')
    p.add_argument('--scale', type=int, default=1,
                   help='times every iteration count of the schedule '
                   '(warm-up, cosine, checkpoint), keeping its shape')
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
        raise SystemExit(f'baseline {baseline!r} is not a variant: '
                         f'{list(variants)}')
    if baseline and baseline not in names and not args.report_only:
        # a phase of a grid: the differences pair with its runs on disk
        print(f'note: the baseline {baseline!r} is not in --only; the '
              'report pairs with its finished runs, if any')

    if not args.report_only:
        if not config or not osp.isfile(config):
            raise SystemExit(f'base config not found: {config!r}')
        if not names:
            raise SystemExit('no variants: give --grid and/or --variant')
        saved = dict(config=config, variants=variants, seeds=seeds,
                     baseline=baseline, cfg_options=args.cfg_options)
        save_grid(args.work_root, **saved)
        options = schedule_options(config, args.scale) + \
            list(args.cfg_options)
        if args.curve_interval:
            options += curve_options(args.curve_interval)
        try:
            failed = run_grid(config, variants, seeds, args.work_root, names,
                              options, args.jobs, args.keep_going,
                              checkpoint=args.checkpoint,
                              train_args=shlex.split(args.train_args),
                              test_args=shlex.split(args.test_args),
                              shape=args.shape, threads=args.threads,
                              record=args.record)
        except RuntimeError as e:
            raise SystemExit(str(e))
        if args.record:  # its runs were not refused: the grid joins it
            save_grid(args.record, **saved)
        if failed:
            print(f'{len(failed)} runs failed: {failed}')
    elif args.record:
        try:
            n = record_finished(args.work_root, args.record)
        except RuntimeError as e:
            raise SystemExit(str(e))
        print(f'recorded {n} finished runs in {args.record}')
    summary = report(args.work_root, names or None, baseline,
                     args.num_bootstrap, args.title)
    for rec in summary:
        print(f"{rec['variant']:>24s}  {rec['mean'] * 100:5.1f} "
              f"(n={rec['n']})")
    print(f'wrote {args.work_root}/results.csv, results.md, results.png')
    curves = (args.curve_interval or args.report_only) and \
        collect_curves(args.work_root, names or None)
    if args.curve_interval or (curves and any(
            c['top1'] for c in curves.values())):
        plot_curves(args.work_root, osp.join(args.work_root, 'curves.png'),
                    names or None, args.title,
                    osp.join(args.work_root, 'curves.csv'), curves)
        print(f'wrote {args.work_root}/curves.png, curves.csv')


if __name__ == '__main__':
    main()
