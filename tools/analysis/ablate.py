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
import csv
import json
import os
import os.path as osp
import pickle
import shlex
import subprocess
import sys
import textwrap
import time

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


# ---------------------------------------------------------------- statistics
def paired_bootstrap(a, b, num_samples=10000, ci=0.95, seed=0):
    """Mean of ``a - b`` and its paired bootstrap interval.

    ``a``, ``b``: the two variants' scores, paired: shape ``(S,)`` (one
    number per seed) or ``(S, N)`` (per seed, per test clip: correct = 1).
    Each bootstrap sample resamples the seeds with replacement and, for
    ``(S, N)`` input, also the test clips (the same clips for every seed and
    both variants), so the interval covers seed-to-seed and test-set
    variation. Returns ``(mean, low, high)`` (percentile interval).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim not in (1, 2) or a.shape[0] == 0:
        raise ValueError('paired_bootstrap needs two arrays of the same '
                         f'shape (S,) or (S, N); got {a.shape}, {b.shape}')
    d = a - b
    rng = np.random.default_rng(seed)
    S = d.shape[0]
    si = rng.integers(0, S, size=(num_samples, S))
    if d.ndim == 1:
        stats = d[si].mean(axis=1)
    else:
        N = d.shape[1]
        per_seed = np.empty((num_samples, S))
        for k in range(num_samples):  # clips shared by all seeds of sample k
            ci_k = rng.integers(0, N, size=N)
            per_seed[k] = d[si[k]][:, ci_k].mean(axis=1)
        stats = per_seed.mean(axis=1)
    alpha = (1 - ci) / 2
    lo, hi = np.quantile(stats, [alpha, 1 - alpha])
    return float(d.mean()), float(lo), float(hi)


# ---------------------------------------------------------------- the grid
def load_grid(path):
    """A grid file -> dict(variants=..., baseline=..., config=..., seeds=)."""
    if path.endswith('.py'):
        from mmengine import Config
        cfg = Config.fromfile(path)
        grid = {k: cfg.get(k) for k in ('variants', 'baseline', 'config',
                                        'seeds')}
        grid['variants'] = dict(cfg.get('variants') or {})
    elif path.endswith(('.yml', '.yaml')):
        import yaml
        with open(path) as f:
            grid = yaml.safe_load(f) or {}
    elif path.endswith('.json'):
        with open(path) as f:
            grid = json.load(f)
    else:
        raise ValueError(f'grid file must be .py, .yaml/.yml or .json: {path}')
    variants = grid.get('variants') or {}
    if not isinstance(variants, dict):
        raise ValueError(f'{path}: "variants" must map a name to a list of '
                         f'--cfg-options strings; got {type(variants)}')
    out = {}
    for name, opts in variants.items():
        if isinstance(opts, str):
            opts = [opts]
        _check_options(name, opts, path)
        out[str(name)] = list(opts)
    grid['variants'] = out
    return grid


def _check_options(name, opts, where):
    if not isinstance(opts, (list, tuple)) or \
            not all(isinstance(o, str) and '=' in o for o in opts):
        raise ValueError(f'{where}: variant {name!r} must be a list of '
                         f'"key=value" strings; got {opts!r}')
    if '/' in name or name in ('', '.', '..'):
        raise ValueError(f'{where}: variant name {name!r} is not usable as '
                         'a directory name')


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


def _read_predictions(path):
    """``--dump`` pickle -> (pred labels, gt labels) as int arrays."""
    with open(path, 'rb') as f:
        samples = pickle.load(f)
    pred, gt = [], []
    for s in samples:
        score = s['pred_score'] if 'pred_score' in s else s['pred_scores'][
            'item']
        label = s['gt_label'] if 'gt_label' in s else s['gt_labels']['item']
        pred.append(int(np.asarray(score).argmax()))
        gt.append(int(np.asarray(label).reshape(-1)[0]))
    return np.array(pred), np.array(gt)


def model_complexity(config, options, shape):
    """(params, FLOPs) of the classifier a variant builds, through
    tools/analysis/get_flops.py's code (SDPA counted); None on failure."""
    try:
        sys.path.insert(0, ROOT)
        import torch
        from mmengine import Config, DictAction
        import structvit_mm  # noqa: F401
        from structvit_mm.analysis import complexity_info
        cfg = Config.fromfile(config)
        if options:
            ns = argparse.Namespace()
            DictAction(option_strings=[], dest='o')(None, ns, options)
            cfg.merge_from_dict(ns.o)
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            '_get_flops', osp.join(ROOT, 'tools/analysis/get_flops.py'))
        gf = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(gf)
        model = gf.build_model(cfg).eval()
        wrapped = gf.ClassifierForward(model)
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


# ---------------------------------------------------------------- report
def collect(work_root):
    """Every finished run under ``work_root``: list of result dicts, plus
    per-clip correctness arrays keyed by (variant, seed)."""
    rows, correct = [], {}
    for name in sorted(os.listdir(work_root)):
        vdir = osp.join(work_root, name)
        if not osp.isdir(vdir):
            continue
        for sd in sorted(os.listdir(vdir)):
            rf = osp.join(vdir, sd, 'result.json')
            if not osp.isfile(rf):
                continue
            with open(rf) as f:
                r = json.load(f)
            rows.append(r)
            dump = osp.join(vdir, sd, 'test', 'predictions.pkl')
            if osp.isfile(dump):
                pred, gt = _read_predictions(dump)
                correct[(r['variant'], r['seed'])] = (pred == gt).astype(
                    np.float64)
    return rows, correct


def _fmt_num(x, unit=1e6, suffix='M'):
    return '' if x in (None, '') else f'{float(x) / unit:.3g} {suffix}'


def report(work_root, variants=None, baseline=None, num_samples=10000,
           title=None):
    """Write results.csv, results.md and results.png under ``work_root``.

    ``variants`` orders the table (others found on disk follow); the
    baseline defaults to the first variant. Returns the summary rows."""
    rows, correct = collect(work_root)
    if not rows:
        raise RuntimeError(f'no finished runs (result.json) under '
                           f'{work_root}')
    found = []
    for r in rows:
        if r['variant'] not in found:
            found.append(r['variant'])
    order = [v for v in (variants or []) if v in found] + \
        [v for v in found if v not in (variants or [])]
    baseline = baseline or order[0]
    rows.sort(key=lambda r: (order.index(r['variant']), r['seed']))

    fields = ['variant', 'seed', 'top1', 'num_test', 'params', 'flops',
              'train_time_s', 'test_time_s', 'checkpoint']
    with open(osp.join(work_root, 'results.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction='ignore')
        w.writeheader()
        for r in rows:
            w.writerow(r)

    by = {}
    for r in rows:
        by.setdefault(r['variant'], {})[r['seed']] = r
    base = by.get(baseline, {})
    summary = []
    for v in order:
        seeds = sorted(by[v])
        acc = np.array([by[v][s]['top1'] for s in seeds])
        rec = dict(variant=v, n=len(seeds), mean=acc.mean(),
                   std=acc.std(ddof=1) if len(acc) > 1 else float('nan'),
                   params=by[v][seeds[0]].get('params'),
                   flops=by[v][seeds[0]].get('flops'),
                   train_time=np.mean([by[v][s]['train_time_s']
                                       for s in seeds]))
        # the mean's own interval: bootstrap against zero
        per = [correct.get((v, s)) for s in seeds]
        if all(p is not None for p in per) and \
                len({len(p) for p in per}) == 1:
            m = np.stack(per)
            _, rec['lo'], rec['hi'] = paired_bootstrap(
                m, np.zeros_like(m), num_samples)
        else:
            _, rec['lo'], rec['hi'] = paired_bootstrap(
                acc, np.zeros_like(acc), num_samples)
        paired = sorted(set(seeds) & set(base))
        if v != baseline and paired:
            pa = [correct.get((v, s)) for s in paired]
            pb = [correct.get((baseline, s)) for s in paired]
            if all(p is not None for p in pa + pb) and \
                    len({len(p) for p in pa + pb}) == 1:
                a, b = np.stack(pa), np.stack(pb)
            else:
                a = np.array([by[v][s]['top1'] for s in paired])
                b = np.array([base[s]['top1'] for s in paired])
            rec['diff'], rec['diff_lo'], rec['diff_hi'] = paired_bootstrap(
                a, b, num_samples)
            rec['diff_by_seed'] = [by[v][s]['top1'] - base[s]['top1']
                                   for s in paired]
            rec['paired_seeds'] = paired
        summary.append(rec)

    lines = [f'# {title or "Ablation results"}', '',
             f'Work root: `{work_root}`; baseline: **{baseline}**; test '
             'top-1 of the checkpoint each run selected. Mean +- std over '
             'seeds; the 95 % intervals are paired bootstrap percentile '
             f'intervals ({num_samples} samples, resampling seeds and, '
             'where predictions were dumped, test clips).', '',
             '| variant | seeds | top-1 mean +- std | 95 % CI | diff vs '
             f'{baseline} [95 % CI] | diff by seed | params | FLOPs | '
             'train s |',
             '|---|---|---|---|---|---|---|---|---|']
    for rec in summary:
        if rec['variant'] == baseline:
            diff, by_seed = '(baseline)', ''
        elif 'diff' in rec:
            diff = (f"{rec['diff'] * 100:+.1f} [{rec['diff_lo'] * 100:+.1f},"
                    f" {rec['diff_hi'] * 100:+.1f}]")
            by_seed = ', '.join(f'{d * 100:+.1f}'
                                for d in rec['diff_by_seed'])
        else:
            diff, by_seed = 'no paired seeds', ''
        std = '' if np.isnan(rec['std']) else f" +- {rec['std'] * 100:.1f}"
        lines.append(
            f"| {rec['variant']} | {rec['n']} | {rec['mean'] * 100:.1f}"
            f"{std} | [{rec['lo'] * 100:.1f}, {rec['hi'] * 100:.1f}] | "
            f"{diff} | {by_seed} | {_fmt_num(rec['params'])} | "
            f"{_fmt_num(rec['flops'], 1e9, 'G')} | "
            f"{rec['train_time']:.0f} |")
    lines += ['', 'Differences are in points of top-1 (variant minus '
              'baseline), paired by seed and test clip.', '']
    with open(osp.join(work_root, 'results.md'), 'w') as f:
        f.write('\n'.join(lines))

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(max(4, 0.7 * len(summary) + 2), 3.6))
    x = np.arange(len(summary))
    means = np.array([r['mean'] for r in summary]) * 100
    err = np.array([[r['mean'] - r['lo'], r['hi'] - r['mean']]
                    for r in summary]).T * 100
    colors = ['tab:orange' if r['variant'] == baseline else 'tab:blue'
              for r in summary]
    ax.bar(x, means, color=colors, alpha=0.6)
    ax.errorbar(x, means, yerr=np.clip(err, 0, None), fmt='none',
                ecolor='k', capsize=3)
    for i, v in enumerate(summary):
        seeds_acc = [by[v['variant']][s]['top1'] * 100
                     for s in sorted(by[v['variant']])]
        ax.plot([i] * len(seeds_acc), seeds_acc, 'k.', ms=4)
    ax.set_xticks(x)
    ax.set_xticklabels([r['variant'] for r in summary], rotation=45,
                       ha='right')
    ax.set_ylabel('test top-1 (%)')
    ax.set_title(textwrap.fill(
        title or 'ablation (bars: mean, whiskers: 95 % CI, dots: seeds)',
        int(fig.get_figwidth() * 12)), fontsize=9)
    ax.set_ylim(*plot_limits(means, err, [r['top1'] * 100 for r in rows]))
    fig.tight_layout()
    fig.savefig(osp.join(work_root, 'results.png'), dpi=120)
    plt.close(fig)
    return summary


def plot_limits(means, err, points, margin=5.):
    """y-limits (in %) that show every bar, whisker and seed dot."""
    err = np.nan_to_num(np.asarray(err, float).reshape(2, -1))
    means = np.asarray(means, float)
    lo = min(np.min(means - err[0]), min(points))
    hi = max(np.max(means + err[1]), max(points))
    return max(0., lo - margin), min(100., hi + margin)

# ---------------------------------------------------------------- main
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
