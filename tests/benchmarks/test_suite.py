"""The three ablation grids as one suite (structvit_mm/benchmarks/suite.py,
tools/analysis/run_grids.py): the grids share their variants, the schedule
scales as a whole, and every grid file runs end to end at micro scale (all
variants, one seed, 2 iterations, tiny data): the CI run of the grids."""
import csv
import json
import os.path as osp

import pytest

from tool_runner import ROOT, run_ok

from structvit_mm.benchmarks import suite
from structvit_mm.benchmarks.ablation import load_grid

#: the variants every grid has, in this order (the issue's list)
VARIANTS = ['d4', 'd0', 'd1', 'convsa-width', 'convsa-depth', 'd2', 'd8',
            'd4-attention-init', 'd8-attention-init', 'd4-per-detector',
            'element', 'm1', 'm5', 'no-channelwise']


@pytest.mark.parametrize('name', list(suite.GRIDS))
def test_grids_share_the_variants_and_five_seeds(name):
    grid = load_grid(osp.join(ROOT, suite.GRIDS[name].grid))
    assert list(grid['variants']) == VARIANTS
    assert len(grid['seeds']) >= 5 and grid['baseline'] == 'd4'


def test_schedule_options_scale_every_iteration_count():
    config = osp.join(ROOT, 'configs/benchmark/structdeit-tiny-d4_digits-64.py')
    assert suite.schedule_options(config, 1) == []
    opts = suite.schedule_options(config, 5)
    assert 'train_cfg.max_iters=10000' in opts
    assert 'default_hooks.checkpoint.interval=10000' in opts
    # warm-up 200 -> 1000, cosine 200..2000 -> 1000..10000
    assert {'param_scheduler.0.begin=0', 'param_scheduler.0.end=1000',
            'param_scheduler.1.begin=1000',
            'param_scheduler.1.end=10000'} <= set(opts)


def test_data_options_name_both_splits():
    assert suite.data_options('digits', '/d') == [
        'train_dataloader.dataset.data_root=/d',
        'test_dataloader.dataset.data_root=/d']
    opts = suite.data_options('motion_structure', '/m')
    assert 'test_dataloader.dataset.data_prefix.video=/m/videos_test' in opts
    assert 'train_dataloader.dataset.ann_file=/m/train_list_videos.txt' in \
        opts


def test_unknown_grid_is_refused(tmp_path):
    with pytest.raises(ValueError, match='unknown grids'):
        suite.run_suite(['nope'], str(tmp_path))


def test_every_grid_end_to_end_micro(tmp_path):
    work, data, rec = tmp_path / 'w', tmp_path / 'd', tmp_path / 'rec'
    out = run_ok([osp.join('tools', 'analysis', 'run_grids.py'), '--micro',
                  '--work-root', str(work), '--data-root', str(data),
                  '--record-root', str(rec),
                  '--jobs', '2', '--threads', '1', '--num-bootstrap', '50'],
                 timeout=1800)
    assert 'making digits data' in out and 'making motion_structure' in out
    for name, chance in (('digits', 0.1), ('motion_structdeit', 0.125),
                         ('motion_structvit', 0.125)):
        root = work / name
        with open(root / 'results.csv') as f:
            rows = list(csv.DictReader(f))
        assert [r['variant'] for r in rows] == VARIANTS, name
        flops = {}
        for r in rows:
            assert r['seed'] == '0' and r['jobs'] == '2'
            assert float(r['chance']) == pytest.approx(chance)
            assert 0 <= float(r['top1']) <= 1
            flops[r['variant']] = int(r['flops'])
        # each variant built the model it names: more detectors, more FLOPs
        assert flops['d8'] > flops['d4'] > flops['d2'] > flops['d1'] > \
            flops['d0'], name
        assert flops['d4-attention-init'] == flops['d4-per-detector'] == \
            flops['d4']
        md = (root / 'results.md').read_text()
        assert 'near chance' in md and f'of {len(VARIANTS)} runs' in md
        with open(root / 'curves.csv') as f:
            curve = list(csv.DictReader(f))
        assert {r['variant'] for r in curve if r['top1']} == set(VARIANTS)
        assert (root / 'curves.png').stat().st_size > 1000
        meta = json.loads((root / 'machine.json').read_text())
        assert meta['device'] == 'cpu' and meta['micro'] is True
    # resumable: a second call finds every run done
    again = run_ok([osp.join('tools', 'analysis', 'run_grids.py'), '--micro',
                    '--work-root', str(work), '--data-root', str(data),
                    '--grids', 'digits', '--num-bootstrap', '50'])
    assert again.count('done, skipped') == len(VARIANTS)
    # ... and on a new machine (a new work root) from the committed record
    # alone: no run again, the same report and curves
    for name in ('digits', 'motion_structvit'):
        one = rec / name / VARIANTS[0] / 'seed_0'
        pred = json.loads((one / 'test' / 'predictions.json').read_text())
        assert len(pred['pred']) == len(pred['gt']) > 0
        assert (one / 'curve.json').is_file()
        # each run keeps its machine; the record, of many, names none
        res = json.loads((one / 'result.json').read_text())
        assert res['machine']['device'] == 'cpu' and res['machine']['cores']
        assert not (rec / name / 'machine.json').exists()
    new = tmp_path / 'w_new'
    again = run_ok([osp.join('tools', 'analysis', 'run_grids.py'), '--micro',
                    '--work-root', str(new), '--data-root', str(data),
                    '--record-root', str(rec), '--grids', 'digits',
                    '--num-bootstrap', '50'])
    assert again.count('restored from the record') == len(VARIANTS)
    assert 'train ->' not in again
    for out_file in ('results.csv', 'results.md', 'curves.csv'):
        assert (new / 'digits' / out_file).read_text() == \
            (work / 'digits' / out_file).read_text(), out_file
    # the record alone, as a work root, re-makes the curves too
    run_ok([osp.join('tools', 'analysis', 'ablate.py'), '--work-root',
            str(rec / 'digits'), '--report-only', '--num-bootstrap', '50'])
    assert (rec / 'digits' / 'curves.csv').read_text() == \
        (work / 'digits' / 'curves.csv').read_text()
