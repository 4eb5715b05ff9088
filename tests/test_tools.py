"""End-to-end checks of tools/train.py and tools/test.py (as subprocesses).

A handful of synthetic motion clips (tools/data/make_motion_demo.py) in the
Kinetics-400 layout; the demo config, shrunk with ``--cfg-options``.
"""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'configs', 'demo', 'structvit-tiny_motion-demo.py')
sys.path.insert(0, osp.join(ROOT, 'tools', 'data'))


def _run(args, cwd):
    env = dict(os.environ, OMP_NUM_THREADS='2', PYTHONWARNINGS='ignore')
    proc = subprocess.run([sys.executable] + args, cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-6000:]
    return proc.stdout


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    from make_motion_demo import make_motion_demo
    root = str(tmp_path_factory.mktemp('motion_demo'))
    make_motion_demo(root, train_per_class=2, val_per_class=1,
                     num_frames=16, size=32)
    return root


def _options(data_root, max_epochs):
    train_ds = 'train_dataloader.dataset.'
    val_ds = 'val_dataloader.dataset.'
    return [
        '--cfg-options',
        f'train_cfg.max_epochs={max_epochs}',
        f'{train_ds}ann_file={data_root}/kinetics400_train_list_videos.txt',
        f'{train_ds}data_prefix.video={data_root}/videos_train',
        f'{val_ds}ann_file={data_root}/kinetics400_val_list_videos.txt',
        f'{val_ds}data_prefix.video={data_root}/videos_val',
        # the demo's test_dataloader is its val_dataloader
        'test_dataloader.dataset.ann_file='
        f'{data_root}/kinetics400_val_list_videos.txt',
        f'test_dataloader.dataset.data_prefix.video={data_root}/videos_val',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'train_dataloader.batch_size=4',
        'model.backbone.arch.channels=[8,16,32,32]',
        'model.cls_head.in_channels=32',
        'default_hooks.logger.interval=1',
    ]


@pytest.fixture(scope='module')
def trained(data_root, tmp_path_factory):
    """One epoch through tools/train.py; returns its work dir and log."""
    work_dir = str(tmp_path_factory.mktemp('work'))
    out = _run(['tools/train.py', CONFIG, '--work-dir', work_dir] +
               _options(data_root, 1), ROOT)
    return work_dir, out


def _epoch_of(path):
    import structvit_mm  # noqa: F401  (mmengine checkpoints, weights_only)
    import torch
    return torch.load(path, map_location='cpu')['meta']['epoch']


def test_train_writes_checkpoint(trained):
    work_dir, out = trained
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth')), os.listdir(work_dir)
    assert _epoch_of(osp.join(work_dir, 'epoch_1.pth')) == 1
    assert 'Epoch(val) [1]' in out and 'acc/top1' in out


def test_test_tool_reports_accuracy(trained, data_root, tmp_path):
    work_dir, _ = trained
    dump = str(tmp_path / 'preds.pkl')
    out = _run(['tools/test.py', CONFIG, osp.join(work_dir, 'epoch_1.pth'),
                '--work-dir', str(tmp_path), '--dump', dump] +
               _options(data_root, 1), ROOT)
    acc = re.findall(r'Epoch\(test\).*acc/top1: ([0-9.]+)', out)
    assert acc, out[-3000:]
    assert 0. <= float(acc[-1]) <= 1.
    assert osp.isfile(dump)


def test_resume_continues_from_saved_epoch(trained, data_root, tmp_path):
    work_dir, _ = trained
    # resume from a path into a fresh work dir, one more epoch (1 -> 2)
    out = _run(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                '--resume', osp.join(work_dir, 'epoch_1.pth')] +
               _options(data_root, 2), ROOT)
    assert 'resumed epoch: 1' in out, out[-3000:]
    assert 'Epoch(train) [1]' not in out
    assert 'Epoch(train) [2]' in out
    assert not osp.exists(tmp_path / 'epoch_1.pth')
    assert _epoch_of(str(tmp_path / 'epoch_2.pth')) == 2

    # `--resume` without a path: the latest checkpoint of the work dir
    out = _run(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                '--resume'] + _options(data_root, 3), ROOT)
    assert 'resumed epoch: 2' in out, out[-3000:]
    assert _epoch_of(str(tmp_path / 'epoch_3.pth')) == 3
