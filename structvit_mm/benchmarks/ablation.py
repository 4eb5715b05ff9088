"""Statistics and report of an ablation grid (variants x seeds).

What ``tools/analysis/ablate.py`` computes once its runs are done (the
tool itself starts the trainings and tests): the grid file's reading, the
paired bootstrap over seeds and test clips, ``results.csv`` /
``results.md`` / ``results.png`` under the work root. The layout of a work
root and the grid file's format: that tool's docstring.
"""
import csv
import json
import os
import os.path as osp
import pickle
import textwrap

import numpy as np


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


def _read_predictions(path):
    """``--dump`` pickle -> (pred labels, gt labels, number of classes): the
    labels as int arrays, the classes counted from the score vectors."""
    with open(path, 'rb') as f:
        samples = pickle.load(f)
    pred, gt, num_classes = [], [], 0
    for s in samples:
        score = s['pred_score'] if 'pred_score' in s else s['pred_scores'][
            'item']
        label = s['gt_label'] if 'gt_label' in s else s['gt_labels']['item']
        score = np.asarray(score).reshape(-1)
        num_classes = max(num_classes, score.size)
        pred.append(int(score.argmax()))
        gt.append(int(np.asarray(label).reshape(-1)[0]))
    return np.array(pred), np.array(gt), num_classes


def run_predictions(run_dir):
    """(pred labels, gt labels, number of classes) of the run in
    ``run_dir``: from its ``--dump`` (``test/predictions.pkl``), or else
    from a record's ``test/predictions.json``; None where it has neither."""
    dump = osp.join(run_dir, 'test', 'predictions.pkl')
    if osp.isfile(dump):
        return _read_predictions(dump)
    recorded = osp.join(run_dir, 'test', 'predictions.json')
    if osp.isfile(recorded):
        with open(recorded) as f:
            r = json.load(f)
        return np.array(r['pred']), np.array(r['gt']), int(r['num_classes'])
    return None


# ---------------------------------------------------------------- report
#: a run "ends near chance" below chance + this (the grids' plateau test)
NEAR_CHANCE = 0.05


def near_chance(result):
    """Whether a run's top-1 is within ``NEAR_CHANCE`` of its chance level
    (False where the result does not know its chance)."""
    chance = result.get('chance')
    return chance not in (None, '') and \
        float(result['top1']) < float(chance) + NEAR_CHANCE


def finished_runs(work_root):
    """``(variant, seed directory name, run directory)`` of every finished
    run (one with ``result.json``) under ``work_root``, in sorted order."""
    for name in sorted(os.listdir(work_root)):
        vdir = osp.join(work_root, name)
        for sd in sorted(os.listdir(vdir)) if osp.isdir(vdir) else []:
            if sd.startswith('seed_') and osp.isfile(
                    osp.join(vdir, sd, 'result.json')):
                yield name, sd, osp.join(vdir, sd)


def plateau_stats(curve, chance, tail=0.1):
    """Whether one run left the chance plateau, from its curve
    (:func:`read_curve`): ``(end_loss, leaves_chance_at)``.

    ``end_loss`` is the mean training loss over the last ``tail`` of the
    logged iterations (None without a loss curve); a run still on the
    plateau ends near ln(1 / chance). ``leaves_chance_at`` is the first
    curve test no longer within ``NEAR_CHANCE`` of chance (the test
    :func:`near_chance` puts to the final top-1): its iteration,
    ``'never'``, or None without a top-1 curve (or a known chance)."""
    end_loss = None
    if curve['loss']:
        first = curve['loss'][-1][0] * (1 - tail)
        end_loss = float(np.mean([v for i, v in curve['loss'] if i >= first]))
    leaves = None
    if curve['top1'] and chance not in (None, ''):
        leaves = next((i for i, v in curve['top1']
                       if v >= float(chance) + NEAR_CHANCE), 'never')
    return end_loss, leaves


def collect(work_root):
    """Every finished run under ``work_root``: list of result dicts (with
    :func:`plateau_stats` of its curve as ``end_loss`` and
    ``leaves_chance_at``), plus per-clip correctness arrays keyed by
    (variant, seed)."""
    rows, correct = [], {}
    for _, _, run_dir in finished_runs(work_root):
        with open(osp.join(run_dir, 'result.json')) as f:
            r = json.load(f)
        r['end_loss'], r['leaves_chance_at'] = plateau_stats(
            read_curve(run_dir), r.get('chance'))
        rows.append(r)
        found = run_predictions(run_dir)
        if found is not None:
            pred, gt, _ = found
            correct[(r['variant'], r['seed'])] = (pred == gt).astype(
                np.float64)
    return rows, correct


def _fmt_num(x, unit=1e6, suffix='M'):
    return '' if x in (None, '') else f'{float(x) / unit:.3g} {suffix}'


def compare(a, b, by, correct, num_samples=10000):
    """Paired difference ``a - b`` in top-1 over the seeds both ran (and
    their test clips, where dumped): ``(mean, low, high)``. ``by``:
    variant -> seed -> result; ``correct``: (variant, seed) -> per-clip
    correctness."""
    paired = sorted(set(by[a]) & set(by[b]))
    pa = [correct.get((a, s)) for s in paired]
    pb = [correct.get((b, s)) for s in paired]
    if all(p is not None for p in pa + pb) and \
            len({len(p) for p in pa + pb}) == 1:
        xa, xb = np.stack(pa), np.stack(pb)
    else:
        xa = np.array([by[a][s]['top1'] for s in paired])
        xb = np.array([by[b][s]['top1'] for s in paired])
    return paired_bootstrap(xa, xb, num_samples)


#: the paper's orderings the grids test: (what, where, better, worse); the
#: paper prints M = 5 and M = 3 within 0.1 of each other, a claim of
#: equality (read by :func:`verdict_equal`)
ORDERINGS = [
    ('StructSA over plain attention', 'Table 1a', 'd4', 'd0'),
    ('D = 1 over D = 0', 'Table 1a', 'd1', 'd0'),
    ('D = 2 over D = 1', 'Table 1a', 'd2', 'd1'),
    ('D = 4 over D = 2', 'Table 1a', 'd4', 'd2'),
    ('D = 8 over D = 4', 'Table 1a', 'd8', 'd4'),
    ('M = 3 over M = 1', 'Table 1b', 'd4', 'm1'),
    ('M = 5 the same as M = 3', 'Table 1b', 'm5', 'd4'),
    ('context over element aggregation', 'Table 1c', 'd4', 'element'),
    ('channel-wise over shared', 'Table 6a', 'd4', 'no-channelwise'),
    ('StructSA over a wider ConvSA, equal FLOPs', 'Table 7', 'd4',
     'convsa-width'),
    ('StructSA over a deeper ConvSA, equal FLOPs', 'Table 7', 'd4',
     'convsa-depth'),
]
#: not the paper's: what the 'attention' init and the per-detector softmax
#: change (docs/en/advanced_guides/warm_start.md)
INIT_COMPARISONS = [
    ("'attention' init at D = 4", 'd4-attention-init', 'd4'),
    ("'attention' init at D = 8", 'd8-attention-init', 'd8'),
    ('per-detector softmax at D = 4', 'd4-per-detector', 'd4'),
]


def verdict(lo, hi):
    """``holds`` where the whole 95 % interval of better - worse is above
    zero, ``reversed`` where it is below, else ``not shown``."""
    return 'holds' if lo > 0 else 'reversed' if hi < 0 else 'not shown'


#: orderings that claim equality, not an order
EQUAL = {('m5', 'd4')}


def verdict_equal(lo, hi, a='first', b='second'):
    """For a claim of equality (``a`` the same as ``b``): ``equal: not
    rejected`` where the interval of ``a - b`` contains zero, else which
    is better."""
    return ('equal: not rejected' if lo <= 0 <= hi else
            f'{a} better' if lo > 0 else f'{b} better')


def verdict_change(lo, hi):
    """For a change the paper makes no claim about: ``higher`` / ``lower``
    where the interval is on one side of zero, else ``not shown``."""
    return 'higher' if lo > 0 else 'lower' if hi < 0 else 'not shown'


def orderings_lines(by, correct, num_samples=10000):
    """The report's section on the paper's orderings (and the inits),
    for the pairs whose variants both ran."""
    out = ['## The paper\'s orderings', '',
           'Paired difference better - worse (points of top-1, seeds both '
           'ran, paired by seed and test clip) and its 95 % paired bootstrap '
           'interval. *holds*: the interval is above zero; *reversed*: '
           'below; *not shown*: it contains zero (for the inits, which the '
           'paper does not rank: *higher* / *lower*).', '',
           '| ordering | paper | better - worse | 95 % CI | seeds | '
           'reading |', '|---|---|---|---|---|---|']
    rows = [(what, where, a, b) for what, where, a, b in ORDERINGS] + \
        [(what, '(ours)', a, b) for what, a, b in INIT_COMPARISONS]
    n = 0
    for what, where, a, b in rows:
        if a not in by or b not in by or not set(by[a]) & set(by[b]):
            continue
        m, lo, hi = compare(a, b, by, correct, num_samples)
        seeds = len(set(by[a]) & set(by[b]))
        reading = (verdict_equal(lo, hi, a, b) if (a, b) in EQUAL else
                   verdict_change(lo, hi) if where == '(ours)' else
                   verdict(lo, hi))
        out.append(f'| {what} ({a} - {b}) | {where} | {m * 100:+.1f} | '
                   f'[{lo * 100:+.1f}, {hi * 100:+.1f}] | {seeds} | '
                   f'{reading} |')
        n += 1
    if not n:
        return []
    return out + ['', f'{n} intervals at 95 % each, uncorrected for their '
                  'number: about one in twenty reads *holds* or *reversed* '
                  'by chance where there is no difference; a reading that '
                  'matters should hold on more than one grid.', '']


def rank_correlation(x, y):
    """Spearman's rank correlation of two equal-length sequences (ties
    share their mean rank); ``None`` with fewer than three pairs or a
    constant side. The plateau section uses it to say whether test top-1
    follows how far the training loss fell (lower scores from under- rather
    than over-fitting)."""
    from scipy.stats import rankdata  # scipy comes with mmaction2
    if len(x) != len(y):
        raise ValueError(f'{len(x)} values against {len(y)}')
    if len(x) < 3:
        return None
    rx, ry = rankdata(x), rankdata(y)
    if rx.std() == 0 or ry.std() == 0:
        return None
    return float(np.corrcoef(rx, ry)[0, 1])


def plateau_lines(order, by):
    """The report's section on the chance plateau: each variant's end
    loss and, where runs tested along the way, the iteration at which each
    seed left chance (:func:`plateau_stats`). Empty when no run logged a
    curve."""
    runs = [r for v in order for r in by[v].values()]
    if all(r['end_loss'] is None for r in runs):
        return []
    chances = {float(r['chance']) for r in runs if r.get('chance')}
    level = (f'; a run on the plateau ends near ln {1 / min(chances):.0f} '
             f'= {-np.log(min(chances)):.2f}') if len(chances) == 1 else ''
    tested = any(r['leaves_chance_at'] is not None for r in runs)
    lines = ['## Off the chance plateau?', '',
             'Training loss at the end (mean over the last 10 % of the '
             f'logged iterations{level}), by seed'
             + (', and the first test along the way no longer within '
                f'{NEAR_CHANCE * 100:.0f} points of chance (iteration; '
                'blank: not tested along the way)' if tested else '') + '.',
             '', '| variant | seeds | end loss by seed |'
             + (' leaves chance at |' if tested else ''),
             '|---|---|---|' + ('---|' if tested else '')]
    for v in order:
        seeds = sorted(by[v])
        loss = ', '.join('' if by[v][s]['end_loss'] is None
                         else f"{by[v][s]['end_loss']:.2f}" for s in seeds)
        row = f"| {v} | {', '.join(map(str, seeds))} | {loss} |"
        if tested:
            row += ' ' + ', '.join(
                '' if by[v][s]['leaves_chance_at'] is None
                else str(by[v][s]['leaves_chance_at']) for s in seeds) + ' |'
        lines.append(row)
    ended = [r for r in runs if r['end_loss'] is not None]
    rho = rank_correlation([r['end_loss'] for r in ended],
                           [r['top1'] for r in ended])
    if rho is not None:
        lines += ['', f'Rank correlation (Spearman) of end loss and top-1 '
                  f'over the {len(ended)} runs with a curve: {rho:+.2f}. '
                  'Near -1, runs rank the same by training loss as by test '
                  'accuracy: a lower score comes with less fitting of the '
                  'training set, not with over-fitting.']
    return lines + ['']


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

    fields = ['variant', 'seed', 'top1', 'chance', 'num_test', 'params',
              'flops', 'train_time_s', 'test_time_s', 'jobs', 'checkpoint',
              'end_loss', 'leaves_chance_at']
    with open(osp.join(work_root, 'results.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction='ignore')
        w.writeheader()
        for r in rows:
            w.writerow(dict(r, end_loss='' if r['end_loss'] is None
                            else f"{r['end_loss']:.4f}"))

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
                                       for s in seeds]),
                   near_chance=sum(near_chance(by[v][s]) for s in seeds))
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
            rec['diff'], rec['diff_lo'], rec['diff_hi'] = compare(
                v, baseline, by, correct, num_samples)
            rec['diff_by_seed'] = [by[v][s]['top1'] - base[s]['top1']
                                   for s in paired]
            rec['paired_seeds'] = paired
        summary.append(rec)

    lines = [f'# {title or "Ablation results"}', '',
             f'Work root: `{osp.basename(osp.normpath(work_root))}`; '
             f'baseline: **{baseline}**; test '
             'top-1 of the checkpoint each run selected. Mean +- std over '
             'seeds; the 95 % intervals are paired bootstrap percentile '
             f'intervals ({num_samples} samples, resampling seeds and, '
             'where predictions were dumped, test clips). *By seed*: '
             'in ascending order of seed.', '',
             '| variant | seeds | top-1 mean +- std | top-1 by seed | '
             f'95 % CI | diff vs {baseline} [95 % CI] | diff by seed | '
             'near chance | params | FLOPs | train s |',
             '|---|---|---|---|---|---|---|---|---|---|---|']
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
        runs = by[rec['variant']]
        top1 = ', '.join(f"{runs[s]['top1'] * 100:.1f}" for s in sorted(runs))
        lines.append(
            f"| {rec['variant']} | {rec['n']} | {rec['mean'] * 100:.1f}"
            f"{std} | {top1} | "
            f"[{rec['lo'] * 100:.1f}, {rec['hi'] * 100:.1f}] | "
            f"{diff} | {by_seed} | {rec['near_chance']} | "
            f"{_fmt_num(rec['params'])} | "
            f"{_fmt_num(rec['flops'], 1e9, 'G')} | "
            f"{rec['train_time']:.0f} |")
    known = [r for r in rows if r.get('chance')]
    n_near = sum(near_chance(r) for r in known)
    lines += ['', 'Differences are in points of top-1 (variant minus '
              'baseline), paired by seed and test clip. *Near chance*: runs '
              f'that end within {NEAR_CHANCE * 100:.0f} points of chance '
              '(1 / number of classes).', '']
    if known:
        lines += [f'{n_near} of {len(known)} runs '
                  f'({100 * n_near / len(known):.0f} %) end near chance.', '']
    concurrent = {r.get('jobs', 1) for r in rows} - {1}
    if concurrent:
        lines += [f'Train seconds are wall times of {max(concurrent)} runs at '
                  'once sharing the cores: a cost, not a timing.', '']
    lines += plateau_lines(order, by)
    lines += orderings_lines(by, correct, num_samples)
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


# ---------------------------------------------------------------- curves
#: test top-1 keys TestCurveHook logs -> their scale to a fraction
_TOP1_KEYS = {'curve/acc/top1': 1., 'curve/accuracy/top1': 0.01}


def read_curve(work_dir):
    """Loss and test top-1 by iteration of one run, from mmengine's
    ``*/vis_data/scalars.json`` under ``work_dir`` (several when a run was
    resumed, read in time order; a later record of an iteration wins), or
    else from a record's ``curve.json``. Returns
    ``dict(loss=[(iter, loss)], top1=[(iter, top1 fraction)])``; top-1 is
    ``TestCurveHook``'s."""
    loss, top1 = {}, {}
    runs = sorted(d for d in os.listdir(work_dir)
                  if osp.isfile(osp.join(work_dir, d, 'vis_data',
                                         'scalars.json')))
    recorded = osp.join(work_dir, 'curve.json')
    if not runs and osp.isfile(recorded):
        with open(recorded) as f:
            c = json.load(f)
        return {k: [(int(i), float(v)) for i, v in c[k]]
                for k in ('loss', 'top1')}
    for d in runs:
        with open(osp.join(work_dir, d, 'vis_data', 'scalars.json')) as f:
            for line in f:
                rec = json.loads(line)
                if 'loss' in rec and 'iter' in rec:
                    loss[int(rec['iter'])] = float(rec['loss'])
                for key, scale in _TOP1_KEYS.items():
                    if key in rec:
                        top1[int(rec['step'])] = float(rec[key]) * scale
    return dict(loss=sorted(loss.items()), top1=sorted(top1.items()))


def collect_curves(work_root, variants=None):
    """``{(variant, seed): read_curve(...)}`` of every finished run under
    ``work_root`` (one with ``result.json``) that logged any."""
    curves = {}
    for name, sd, run_dir in finished_runs(work_root):
        if variants and name not in variants:
            continue
        c = read_curve(run_dir)
        if c['loss'] or c['top1']:
            curves[(name, int(sd[5:]))] = c
    return curves


def plot_curves(work_root, out_png, variants=None, title=None,
                out_csv=None, curves=None):
    """Training loss and test top-1 against iterations for every finished
    run under ``work_root`` (one colour per variant, one line per seed);
    the points also go to ``out_csv`` (variant, seed, iter, loss, top1).
    Returns the curves (``curves``, else :func:`collect_curves`)."""
    curves = curves if curves is not None else collect_curves(work_root,
                                                              variants)
    if not curves:
        raise RuntimeError(f'no training logs (vis_data/scalars.json, or a '
                           f"record's curve.json) under {work_root}")
    order = [v for v in (variants or []) if any(k[0] == v for k in curves)]
    order += sorted({k[0] for k in curves} - set(order))
    if out_csv:
        with open(out_csv, 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['variant', 'seed', 'iter', 'loss', 'top1'])
            for (v, s), c in sorted(curves.items(),
                                    key=lambda kv: (order.index(kv[0][0]),
                                                    kv[0][1])):
                top1 = dict(c['top1'])
                for it, lo in c['loss']:
                    w.writerow([v, s, it, f'{lo:.5f}',
                                '' if it not in top1 else f'{top1[it]:.4f}'])
                for it in sorted(set(top1) - {i for i, _ in c['loss']}):
                    w.writerow([v, s, it, '', f'{top1[it]:.4f}'])

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, (ax_l, ax_a) = plt.subplots(1, 2, figsize=(10, 3.8))
    colors = plt.get_cmap('tab20' if len(order) > 10 else 'tab10')
    for i, v in enumerate(order):
        for j, ((name, seed), c) in enumerate(
                (k, c) for k, c in sorted(curves.items()) if k[0] == v):
            label = v if j == 0 else None
            if c['loss']:
                x, y = zip(*c['loss'])
                ax_l.plot(x, y, color=colors(i), lw=0.8, alpha=0.7,
                          label=label)
            if c['top1']:
                x, y = zip(*c['top1'])
                ax_a.plot(x, np.array(y) * 100, color=colors(i), lw=0.8,
                          alpha=0.7, marker='.', ms=3, label=label)
    ax_l.set_xlabel('iteration')
    ax_l.set_ylabel('training loss')
    ax_a.set_xlabel('iteration')
    ax_a.set_ylabel('test top-1 (%)')
    ax_a.legend(fontsize=7, ncol=2)
    fig.suptitle(title or 'training curves (one line per seed)', fontsize=9)
    fig.tight_layout()
    fig.savefig(out_png, dpi=120)
    plt.close(fig)
    return curves
