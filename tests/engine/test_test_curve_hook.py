"""TestCurveHook (structvit_mm/engine/test_curve_hook.py): test top-1
along the training, logged as scalars, and the training left exactly as it
is without the hook."""
import json

import pytest
import torch

from tool_runner import run_ok

from structvit_mm.benchmarks import digits
from structvit_mm.benchmarks.ablation import read_curve
from structvit_mm.engine import TestCurveHook

CONFIG = 'configs/benchmark/structdeit-tiny-d4_digits-64.py'


def test_interval_is_checked():
    with pytest.raises(ValueError, match='interval must be an int'):
        TestCurveHook(interval=-1)
    with pytest.raises(ValueError, match='interval must be an int'):
        TestCurveHook(interval=2.5)


def _train(tmp_path, data, name, *extra):
    work = tmp_path / name
    run_ok(['tools/train.py', CONFIG, '--work-dir', str(work), '--seed', '3',
            '--cfg-options', f'train_dataloader.dataset.data_root={data}',
            f'test_dataloader.dataset.data_root={data}',
            'train_cfg.max_iters=4', 'default_hooks.checkpoint.interval=4',
            'default_hooks.logger.interval=1', 'param_scheduler=[]',
            'train_dataloader.batch_size=4',
            # stochastic depth draws from torch's generator every step, and
            # so does each new iterator over the hook's test loader (its
            # base seed): without the hook's restore the runs would differ
            'model.backbone.drop_path_rate=0.1',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'test_dataloader.num_workers=1', *extra])
    return work


def test_curves_do_not_change_the_training(tmp_path):
    data = tmp_path / 'data'
    digits.make_digits(str(data), train_per_class=2, test_per_class=1)
    plain = _train(tmp_path, data, 'plain')
    curved = _train(tmp_path, data, 'curved',
                    'default_hooks.curve.interval=2')
    a = torch.load(plain / 'iter_4.pth', map_location='cpu',
                   weights_only=False)['state_dict']
    b = torch.load(curved / 'iter_4.pth', map_location='cpu',
                   weights_only=False)['state_dict']
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    # the curve: test top-1 at iterations 2 and 4, none without the hook
    c = read_curve(str(curved))
    assert [it for it, _ in c['top1']] == [2, 4]
    assert all(0 <= acc <= 1 for _, acc in c['top1'])
    assert [it for it, _ in c['loss']] == [1, 2, 3, 4]
    assert read_curve(str(plain))['top1'] == []


def test_read_curve_follows_a_resumed_run(tmp_path):
    for stamp, recs in (('20260101_000000', [
            dict(loss=2.0, iter=1, step=1), {'curve/acc/top1': 0.2,
                                             'step': 1},
            dict(loss=1.5, iter=2, step=2)]),
            ('20260101_000100', [
                dict(loss=1.4, iter=2, step=2),
                {'curve/acc/top1': 0.5, 'step': 2}])):
        d = tmp_path / stamp / 'vis_data'
        d.mkdir(parents=True)
        (d / 'scalars.json').write_text(
            ''.join(json.dumps(r) + '\n' for r in recs))
    c = read_curve(str(tmp_path))
    assert c['loss'] == [(1, 2.0), (2, 1.4)]  # the resumed record wins
    assert c['top1'] == [(1, 0.2), (2, 0.5)]
    # mmpretrain's key is in percent
    (tmp_path / '20260101_000100' / 'vis_data' / 'scalars.json').write_text(
        json.dumps({'curve/accuracy/top1': 70.0, 'step': 3}) + '\n')
    assert read_curve(str(tmp_path))['top1'][-1] == (3, pytest.approx(0.7))
