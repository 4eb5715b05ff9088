"""The ablation harness (tools/analysis/ablate.py): its paired bootstrap on
known numbers, and a micro grid end to end (2 variants x 1 seed, 2 at
once, a few iterations on clips from tools/data/make_motion_structure.py)."""
import argparse
import csv
import glob
import json
import os.path as osp

import numpy as np
import pytest

from tool_runner import ROOT, run_ok, run_tool

from structvit_mm.benchmarks import ablation as ablate
from structvit_mm.benchmarks.grid import config_digest

CONFIG = 'configs/benchmark/structdeit-tiny-d4_8x32_motion-structure.py'


def test_paired_bootstrap_constant_difference():
    a = np.array([0.7, 0.6, 0.8])
    assert ablate.paired_bootstrap(a, a - 0.1) == pytest.approx(
        (0.1, 0.1, 0.1))
    # per-clip input: every clip right vs every clip wrong
    m = np.ones((3, 50))
    assert ablate.paired_bootstrap(m, 0 * m) == pytest.approx((1, 1, 1))


def test_paired_bootstrap_interval():
    # three seeds: the interval lies within the observed differences and
    # holds their mean
    mean, lo, hi = ablate.paired_bootstrap([3., 2., 4.], [2., 0., 1.])
    assert mean == pytest.approx(2.0)
    assert 1.0 <= lo < 2.0 < hi <= 3.0
    # many pairs of normal noise: close to mean +- 1.96 sd / sqrt(n)
    rng = np.random.default_rng(0)
    d = rng.normal(0.5, 2.0, size=400)
    mean, lo, hi = ablate.paired_bootstrap(d, np.zeros_like(d),
                                           num_samples=4000)
    half = 1.96 * d.std(ddof=1) / np.sqrt(len(d))
    assert lo == pytest.approx(d.mean() - half, abs=0.04)
    assert hi == pytest.approx(d.mean() + half, abs=0.04)
    # pairing matters: a shared per-seed offset cancels in the difference
    base = np.array([0.2, 0.5, 0.8])
    _, lo, hi = ablate.paired_bootstrap(base + 0.05, base)
    assert lo == pytest.approx(0.05) and hi == pytest.approx(0.05)
    with pytest.raises(ValueError):
        ablate.paired_bootstrap([1, 2], [1, 2, 3])


def test_plot_limits_show_every_seed():
    # a seed far above every mean (a bimodal grid) must not be cut off
    lo, hi = ablate.plot_limits([14.2, 33.3], [[3.4, 18.4], [4.6, 25.6]],
                                [12.1, 18.9, 11.8, 25.5, 14.5, 60.0])
    assert lo <= 10.8 - 5 + 1e-9 and hi >= 60.0 + 5 - 1e-9
    assert (lo, hi) == pytest.approx((5.8, 65.0))
    assert ablate.plot_limits([50.], [[60.], [60.]], [99.]) == (0., 100.)


GRIDS = sorted(
    glob.glob(osp.join(ROOT, 'configs', 'benchmark', 'grid_*.py')))


@pytest.mark.parametrize('path', GRIDS, ids=osp.basename)
def test_grid_files(path):
    """Every variant of a committed grid builds its model and changes the
    baseline's config: an option key the model does not take (a typo, or a
    StructDeiT switch given to StructViT) fails here, not an hour into the
    grid."""
    from mmengine import Config, DictAction
    from structvit_mm.apis import init_model

    grid = ablate.load_grid(path)
    assert grid['baseline'] in grid['variants']
    assert osp.isfile(osp.join(ROOT, grid['config']))
    configs = {}
    for name, opts in grid['variants'].items():
        assert all(isinstance(o, str) and '=' in o for o in opts), name
        cfg = Config.fromfile(osp.join(ROOT, grid['config']))
        if opts:
            ns = argparse.Namespace()
            DictAction(option_strings=[], dest='o')(None, ns, opts)
            cfg.merge_from_dict(ns.o)
        init_model(cfg)  # in the scope of the model type (video / image)
        configs[name] = cfg.to_dict()
    base = configs.pop(grid['baseline'])
    for name, c in configs.items():
        assert c != base, f'{name} is the baseline again'


def test_load_grid_formats(tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps({'variants': {'x': ['no_equals_sign']}}))
    with pytest.raises(ValueError, match='key=value'):
        ablate.load_grid(str(bad))
    good = tmp_path / 'g.yaml'
    good.write_text('variants:\n  a: []\n  b: ["model.x=1"]\nbaseline: a\n')
    assert ablate.load_grid(str(good))['variants'] == {'a': [],
                                                       'b': ['model.x=1']}


@pytest.fixture(scope='module')
def micro_data(tmp_path_factory):
    out = tmp_path_factory.mktemp('msdata')
    run_ok([osp.join('tools', 'data', 'make_motion_structure.py'), '--out',
            str(out), '--num-train', '16', '--num-test', '16', '--workers',
            '1'])
    return out


def test_micro_grid_end_to_end(micro_data, tmp_path):
    root = tmp_path / 'ablate'
    data = str(micro_data)
    common = [
        f'train_dataloader.dataset.ann_file={data}/train_list_videos.txt',
        f'train_dataloader.dataset.data_prefix.video={data}/videos_train',
        f'test_dataloader.dataset.ann_file={data}/test_list_videos.txt',
        f'test_dataloader.dataset.data_prefix.video={data}/videos_test',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2',
        'param_scheduler=[]', 'model.backbone.arch.embed_dims=32',
        'model.backbone.arch.num_layers=1', 'model.backbone.arch.num_heads=1',
        'model.cls_head.in_channels=32',
    ]
    args = [osp.join('tools', 'analysis', 'ablate.py'), CONFIG,
            '--variant', 'd2', 'model.backbone.structure_dim=2',
            '--variant', 'd0', 'model.backbone.structure_dim=0',
            '--baseline', 'd2', '--seeds', '0', '--work-root', str(root),
            '--shape', '1', '3', '8', '32', '32', '--num-bootstrap', '200',
            '--jobs', '2', '--threads', '1',
            '--cfg-options', *common]
    out = run_ok(args, timeout=900)
    assert 'top1' in out

    with open(root / 'results.csv') as f:
        rows = list(csv.DictReader(f))
    assert [(r['variant'], r['seed']) for r in rows] == [('d2', '0'),
                                                         ('d0', '0')]
    for r in rows:
        assert 0.0 <= float(r['top1']) <= 1.0
        assert int(r['num_test']) == 16
        assert float(r['train_time_s']) > 0
        assert float(r['chance']) == 0.125 and r['jobs'] == '2'
    # the counted FLOPs follow the variant: D = 2 has 2x the keys
    assert int(rows[0]['flops']) > int(rows[1]['flops']) > 0
    md = (root / 'results.md').read_text()
    assert '| d2 | 1 |' in md and '(baseline)' in md and '| d0 | 1 |' in md
    # 8 classes, 2 iterations: both runs end near chance, and it says so
    near = sum(float(r['top1']) < 0.125 + 0.05 for r in rows)
    assert f'{near} of 2 runs' in md and 'a cost, not a timing' in md
    top1 = {r['variant']: float(r['top1']) for r in rows}
    diff = (top1['d0'] - top1['d2']) * 100
    assert f'{diff:+.1f} [' in md
    assert (root / 'results.png').stat().st_size > 1000
    for v in ('d2', 'd0'):
        res = json.loads((root / v / 'seed_0' / 'result.json').read_text())
        assert res['checkpoint'] == 'iter_2.pth'
        assert res['config_sha'] == config_digest(CONFIG)

    # finished runs are skipped; the report alone is re-made from disk
    out = run_ok(args, timeout=900)
    assert out.count('done, skipped') == 2
    # ... but not under other options, which would mix two schedules
    proc = run_tool(args + ['train_cfg.max_iters=3'], timeout=900)
    assert proc.returncode != 0 and 'was run with other options (only ' \
        "then: []; only now: ['train_cfg.max_iters=3'])" in proc.stdout, \
        proc.stdout[-2000:]
    (root / 'results.md').unlink()
    out = run_ok([osp.join('tools', 'analysis', 'ablate.py'), '--work-root',
                  str(root), '--report-only'])
    assert (root / 'results.md').read_text().count('(baseline)') == 1
    # the record of the runs (what a phase commits) makes the same report
    rec = tmp_path / 'record' / root.name  # the report names the folder
    out = run_ok([osp.join('tools', 'analysis', 'ablate.py'), '--work-root',
                  str(root), '--report-only', '--record', str(rec)])
    assert 'recorded 2 finished runs' in out
    assert not list(rec.rglob('*.pth')) and not list(rec.rglob('*.pkl'))
    run_ok([osp.join('tools', 'analysis', 'ablate.py'), '--work-root',
            str(rec), '--report-only'])
    assert (rec / 'results.md').read_text() == \
        (root / 'results.md').read_text()
    # a recorded run is not taken for a run under other options
    i = args.index('--work-root')
    other = args[:i + 1] + [str(tmp_path / 'new')] + args[i + 2:] + [
        'train_cfg.max_iters=3']
    proc = run_tool(other[:1] + ['--record', str(rec)] + other[1:],
                    timeout=900)
    assert proc.returncode != 0, proc.stdout[-2000:]
    # two runs at once: either may be the first to meet its record
    assert any(f'the record {rec / v / "seed_0"} was run with other '
               "options (only then: []; only now: ['train_cfg.max_iters=3'])"
               in proc.stdout for v in ('d2', 'd0')), proc.stdout[-2000:]
    assert 'restored' not in proc.stdout
    # ... and leaves the record's grid as it was
    assert json.loads((rec / 'grid.json').read_text())['cfg_options'] == \
        json.loads((root / 'grid.json').read_text())['cfg_options']
    for v in ('d2', 'd0'):
        assert not (tmp_path / 'new' / v / 'seed_0' / 'result.json').exists()

    # a failing run says which one and where its log is
    proc = run_tool([osp.join('tools', 'analysis', 'ablate.py'), CONFIG,
                     '--variant', 'broken', 'model.backbone.arch.num_heads=3',
                     '--work-root', str(root), '--cfg-options', *common])
    assert proc.returncode != 0
    assert 'broken seed 0 failed' in proc.stdout and 'ablate.log' in \
        proc.stdout


def test_save_grid_phases_join(tmp_path):
    """A phase (other seeds, a subset of variants) adds to the saved grid:
    a record made over several sessions names all its seeds and
    variants."""
    from structvit_mm.benchmarks.grid import save_grid
    save_grid(str(tmp_path), config='c.py', variants={'a': [], 'b': ['x=1']},
              seeds=[2, 3], baseline='a', grid='g.py')
    save_grid(str(tmp_path), config='c.py', variants={'b': ['x=1']},
              seeds=[4, 2, 0], baseline='a')
    saved = json.loads((tmp_path / 'grid.json').read_text())
    assert saved['seeds'] == [0, 2, 3, 4] and saved['grid'] == 'g.py'
    assert saved['variants'] == {'a': [], 'b': ['x=1']}
    assert not list(tmp_path.glob('*.tmp'))
    # a write that fails half way leaves neither the file nor its tmp
    from structvit_mm.benchmarks.grid import _write_json
    with pytest.raises(TypeError):
        _write_json(str(tmp_path / 'result.json'), {'top1': object()})
    assert sorted(p.name for p in tmp_path.iterdir()) == ['grid.json']


def test_other_options_named(tmp_path):
    """A run under other options is refused with what differs, not the
    whole option lists."""
    from structvit_mm.benchmarks.grid import _check_same_options
    run = str(tmp_path / 'run')
    _check_same_options(run, ['a=1', 'b=2'], '[v seed 0]')
    _check_same_options(run, ['a=1', 'b=2'], '[v seed 0]')  # same: resumes
    with pytest.raises(RuntimeError) as e:
        _check_same_options(run, ['a=1', 'b=3'], '[v seed 0]')
    assert f'[v seed 0]: {run} was run with other options (only then: ' \
        "['b=2']; only now: ['b=3'])" in str(e.value)
    with pytest.raises(RuntimeError, match='the same, in another order'):
        _check_same_options(run, ('b=2', 'a=1'), '[v seed 0]')


def test_edited_config_refused(tmp_path):
    """A finished run counts only under the config file it trained with:
    its digest where the run has one, else the schedule length its tested
    checkpoint shows (records made before the digest)."""
    from structvit_mm.benchmarks.grid import _refuse_other_config
    cfg = tmp_path / 'c.py'
    cfg.write_text('train_cfg = dict(max_iters=2400)\nlr = 1e-3\n')
    run = dict(checkpoint='iter_2400.pth', config_sha=config_digest(str(cfg)))
    _refuse_other_config('run', run, str(cfg), [], '[v seed 0]', '--record')
    cfg.write_text('train_cfg = dict(max_iters=2400)\nlr = 2e-3\n')
    with pytest.raises(RuntimeError, match='another version of'):
        _refuse_other_config('run', run, str(cfg), [], '[v seed 0]',
                             '--record')
    # no digest: the schedule's length is what can be checked
    old = dict(checkpoint='iter_2400.pth')
    _refuse_other_config('run', old, str(cfg), [], '[v seed 0]', '--record')
    cfg.write_text('train_cfg = dict(max_iters=4800)\n')
    with pytest.raises(RuntimeError, match='tested iter_2400.pth, but .* '
                       'now trains to iteration 4800'):
        _refuse_other_config('run', old, str(cfg), [], '[v seed 0]',
                             '--record')
    # --scale writes the length into the options, the last one counting
    _refuse_other_config('run', old, str(cfg), ['train_cfg.max_iters=1',
                         'train_cfg.max_iters=2400'], '[v seed 0]', '--record')
    _refuse_other_config('run', dict(checkpoint='best_acc_top1_iter_9.pth'),
                         str(cfg), [], '[v seed 0]', '--record')


def test_run_keeps_the_config_it_started_under(tmp_path):
    """The digest is taken when a run first starts, so a training resumed
    or re-tested after the config changed is refused, and a record of a
    run under another config is not overwritten."""
    from structvit_mm.benchmarks.grid import _check_same_config, record_run
    cfg, run = tmp_path / 'c.py', tmp_path / 'run'
    cfg.write_text('train_cfg = dict(max_iters=2400)\n')
    first = _check_same_config(str(run), str(cfg), '[v seed 0]')
    assert first == config_digest(str(cfg))
    assert _check_same_config(str(run), str(cfg), '[v seed 0]') == first
    cfg.write_text('train_cfg = dict(max_iters=4800)\n')
    with pytest.raises(RuntimeError, match='started under another version'):
        _check_same_config(str(run), str(cfg), '[v seed 0]')
    rec = tmp_path / 'rec'
    rec.mkdir()
    (rec / 'result.json').write_text(json.dumps(dict(
        variant='v', seed=0, options=[], config_sha='aaaa')))
    (run / 'result.json').write_text(json.dumps(dict(
        variant='v', seed=0, options=[], config_sha=first)))
    with pytest.raises(RuntimeError, match='under another version of the '
                       'config'):
        record_run(str(run), str(rec))
    assert json.loads((rec / 'result.json').read_text())['config_sha'] == \
        'aaaa'


def test_orderings_read_the_paired_interval():
    assert ablate.verdict(0.01, 0.05) == 'holds'
    assert ablate.verdict(-0.05, -0.01) == 'reversed'
    assert ablate.verdict(-0.01, 0.05) == 'not shown'
    rng = np.random.default_rng(0)
    n, seeds = 400, range(5)
    base = {s: (rng.random(n) < 0.5).astype(float) for s in seeds}
    # d4 right on 20 % more clips than d0 in every seed; d8 the same as d4
    better = {s: np.maximum(base[s], rng.random(n) < 0.2) for s in seeds}
    correct = {}
    for s in seeds:
        correct[('d0', s)], correct[('d4', s)] = base[s], better[s]
        correct[('d8', s)] = better[s]
        # M = 1 right on yet more clips: the paper's M = 3 > M = 1 reversed
        correct[('m1', s)] = np.maximum(better[s], rng.random(n) < 0.2)
        correct[('m5', s)] = better[s]  # M = 5 the same as M = 3
    correct[('d4', 5)] = base[0]
    by = {v: {s: dict(top1=float(correct[(v, s)].mean()))
              for (w, s) in correct if w == v}
          for v in ('d0', 'd4', 'd8', 'm1', 'm5')}
    lines = '\n'.join(ablate.orderings_lines(by, correct, 500))
    assert "| StructSA over plain attention (d4 - d0) | Table 1a | +" in lines
    row = {ln.split(' |')[0]: ln for ln in lines.split('\n')}
    assert row['| StructSA over plain attention (d4 - d0)'].endswith(
        '| 5 | holds |')  # seed 5 is d4's alone: not paired
    assert row['| D = 8 over D = 4 (d8 - d4)'].endswith('| not shown |')
    assert row['| M = 3 over M = 1 (d4 - m1)'].endswith('| reversed |')
    assert row['| M = 5 the same as M = 3 (m5 - d4)'].endswith(
        '| equal: not rejected |')
    assert ablate.verdict_equal(0.01, 0.02, 'm5', 'd4') == 'm5 better'
    assert ablate.verdict_change(-0.03, -0.01) == 'lower'
    assert 'uncorrected for their number' in lines
    # variants the grid did not run are left out
    assert 'convsa' not in lines and 'D = 2' not in lines


def test_plateau_stats():
    flat = [(i, 2.08) for i in range(10, 110, 10)]
    falling = [(i, 2.0 - i / 100) for i in range(10, 110, 10)]
    top1 = [(20, 0.13), (40, 0.17), (60, 0.18), (80, 0.3)]
    # the mean loss over the last 10 % of the logged iterations (90, 100)
    assert ablate.plateau_stats(dict(loss=falling, top1=top1), 0.125) == (
        pytest.approx(1.05), 60)  # 0.175 is chance + 5 points: left there
    assert ablate.plateau_stats(dict(loss=flat, top1=top1[:2]), 0.125) == (
        pytest.approx(2.08), 'never')
    assert ablate.plateau_stats(dict(loss=[], top1=[]), 0.125) == (None,
                                                                  None)
    # without a known chance there is no plateau to leave
    assert ablate.plateau_stats(dict(loss=flat, top1=top1), None)[1] is None


def _fake_run(root, variant, seed, top1, curve=None):
    run = root / variant / f'seed_{seed}'
    run.mkdir(parents=True)
    (run / 'result.json').write_text(json.dumps(dict(
        variant=variant, seed=seed, top1=top1, chance=0.125, num_test=8,
        train_time_s=1.0, jobs=1)))
    if curve is not None:
        (run / 'curve.json').write_text(json.dumps(curve))


def test_report_says_which_runs_left_the_plateau(tmp_path):
    """The report's plateau section and CSV columns come from each run's
    curve: its end loss and, where it tested along the way, the iteration
    it left chance; runs without a curve leave the cells blank."""
    loss = [[i, 2.1 - i / 1000] for i in range(100, 1100, 100)]
    _fake_run(tmp_path, 'd4', 0, 0.6, dict(loss=loss, top1=[[500, 0.2],
                                                             [1000, 0.6]]))
    _fake_run(tmp_path, 'd4', 1, 0.13, dict(loss=[[i, 2.08] for i, _ in
                                                  loss],
                                            top1=[[500, 0.12], [1000, 0.13]]))
    _fake_run(tmp_path, 'd0', 0, 0.5, dict(loss=loss, top1=[]))
    _fake_run(tmp_path, 'd0', 1, 0.5)
    ablate.report(str(tmp_path), num_samples=100)
    with open(tmp_path / 'results.csv') as f:
        rows = {(r['variant'], r['seed']): r for r in csv.DictReader(f)}
    assert rows[('d4', '0')]['leaves_chance_at'] == '500'
    assert rows[('d4', '1')]['leaves_chance_at'] == 'never'
    assert float(rows[('d4', '1')]['end_loss']) == pytest.approx(2.08)
    assert float(rows[('d4', '0')]['end_loss']) == pytest.approx(1.15)
    assert rows[('d0', '0')]['leaves_chance_at'] == ''
    assert rows[('d0', '1')]['end_loss'] == ''
    md = (tmp_path / 'results.md').read_text()
    assert 'ends near ln 8 = 2.08' in md
    assert '| d4 | 0, 1 | 1.15, 2.08 | 500, never |' in md
    # the main table gives each seed's top-1 beside the mean, so no doc
    # needs its own copy of the per-seed numbers
    assert '| d4 | 2 | 36.5 +- 33.2 | 60.0, 13.0 | [' in md
    assert '| d0 | 2 | 50.0 +- 0.0 | 50.0, 50.0 | [' in md
    assert '| d0 | 0, 1 | 1.15,  | ,  |' in md
    # ranks of (end loss, top-1) over the three runs with a curve:
    # (1.5, 3), (3, 1), (1.5, 2) -> -1.5 / sqrt(1.5 * 2)
    assert 'end loss and top-1 over the 3 runs with a curve: -0.87' in md


def test_rank_correlation():
    # a monotone but non-linear relation is a perfect rank correlation
    x = [0.1, 0.5, 2.0, 7.0]
    assert ablate.rank_correlation(x, [np.exp(-v) for v in x]) == \
        pytest.approx(-1.0)
    assert ablate.rank_correlation(x, [v ** 3 for v in x]) == \
        pytest.approx(1.0)
    # tied values share their mean rank
    assert ablate.rank_correlation([1, 1, 2], [1, 2, 3]) == \
        pytest.approx(np.corrcoef([1.5, 1.5, 3], [1, 2, 3])[0, 1])
    assert ablate.rank_correlation([1, 2], [2, 1]) is None
    assert ablate.rank_correlation([1, 1, 1], [1, 2, 3]) is None
    with pytest.raises(ValueError, match='3 values against 2'):
        ablate.rank_correlation([1, 2, 3], [1, 2])


def test_model_complexity_from_threads():
    """--jobs counts params / FLOPs from worker threads; building a model
    sets mmengine's process-wide default scope, so two at once used to
    lose their registry (a blank FLOPs cell). Counted one at a time, each
    thread gets its own variant's numbers."""
    import threading
    from structvit_mm.benchmarks import grid
    out = {}

    def count(d):
        out[d] = grid.model_complexity(
            CONFIG, [f'model.backbone.structure_dim={d}'], (1, 3, 8, 32, 32))

    threads = [threading.Thread(target=count, args=(d, )) for d in (0, 2, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(v[1] for v in out.values()), out
    assert out[4][1] > out[2][1] > out[0][1]
