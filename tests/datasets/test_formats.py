"""train -> checkpoint -> test through tools/train.py and tools/test.py with
the short-name configs, on tiny data in each real on-disk format:

- ImageNet layout (``train/<wnid>/*.JPEG``, ``val/*.JPEG``, ``meta/*.txt``)
  through ``structvit_in1k.py`` (mmpretrain ``ImageNet``);
- a Kinetics-400 video list (mp4 + ``<class>/<video>.mp4 <label>``) through
  ``structvit_k400.py`` (``RobustVideoDataset`` + decord);
- SSv1 rawframes (``<id>/00001.jpg ...`` + ``<id> <num_frames> <label>``)
  through ``structvit_sthv1.py`` (``RobustRawframeDataset``).

The three runs are the paper's checkpoint chain, IN-1K -> K400 -> SSv1: the
K400 run inflates the IN-1K run's checkpoint through the backbone's
``init_cfg``, the SSv1 run starts from the K400 checkpoint with ``load_from``
(its 400-way head does not fit the 174 classes: mmengine loads the rest).

Only sizes change with ``--cfg-options``: a tiny arch, 32 px crops (the scale
values of the configs' resize / crop steps; the steps themselves stay), batch
2, no workers, one epoch, and the tiny data's paths.
"""
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest
from tool_runner import run_ok

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

TINY_ARCH = [
    'model.backbone.arch._delete_=True',  # replaces the 's' string
    'model.backbone.arch.depths=[1,1,1,1]',
    'model.backbone.arch.channels=[8,16,32,32]',
    'model.backbone.arch.heads=[1,1,1,1]',
    # one model along the chain (the SS short name is S-4-1, the others S-4-2)
    'model.backbone.kv_stride=2',
]
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
SMALL_LOADERS = [
    opt for loader in LOADERS
    for opt in (f'{loader}.batch_size=2', f'{loader}.num_workers=0',
                f'{loader}.persistent_workers=False')
] + ['train_cfg.max_epochs=1', 'default_hooks.logger.interval=1']


def _train(config, work_dir, options):
    out = run_ok(['tools/train.py', osp.join('configs', config),
                  '--work-dir', work_dir, '--cfg-options', *options],
                 threads=2)
    ckpt = osp.join(work_dir, 'epoch_1.pth')
    assert osp.isfile(ckpt), os.listdir(work_dir)
    return ckpt, out


def _test(config, ckpt, work_dir, options):
    return run_ok(['tools/test.py', osp.join('configs', config), ckpt,
                   '--work-dir', work_dir, '--cfg-options', *options],
                  threads=2)


def _metric(out, mode, key):
    found = re.findall(rf'Epoch\({mode}\).*?{re.escape(key)}: ([0-9.]+)', out)
    assert found, out[-3000:]
    return float(found[-1])


# ------------------------------------------------------------------- data
def _frame(rng, h=36, w=48):
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


@pytest.fixture(scope='module')
def imagenet(tmp_path_factory):
    """data/imagenet layout: train/<wnid>/*.JPEG, val/*.JPEG, meta/*.txt."""
    root = tmp_path_factory.mktemp('imagenet')
    rng = np.random.default_rng(0)
    train, val = [], []
    for label, wnid in enumerate(('n01440764', 'n01443537')):
        os.makedirs(root / 'train' / wnid)
        for i in range(2):
            name = f'{wnid}/{wnid}_{i}.JPEG'
            cv2.imwrite(str(root / 'train' / name), _frame(rng))
            train.append(f'{name} {label}')
        name = f'ILSVRC2012_val_{label + 1:08d}.JPEG'
        os.makedirs(root / 'val', exist_ok=True)
        cv2.imwrite(str(root / 'val' / name), _frame(rng))
        val.append(f'{name} {label}')
    os.makedirs(root / 'meta')
    (root / 'meta' / 'train.txt').write_text('\n'.join(train) + '\n')
    (root / 'meta' / 'val.txt').write_text('\n'.join(val) + '\n')
    return str(root)


@pytest.fixture(scope='module')
def kinetics(tmp_path_factory):
    """Kinetics-400 layout (mp4 via OpenCV, read back by decord)."""
    from structvit_mm.benchmarks.motion_demo import make_motion_demo
    root = str(tmp_path_factory.mktemp('kinetics400'))
    make_motion_demo(root, train_per_class=1, val_per_class=1, num_frames=16,
                     size=32, num_classes=2)
    return root


@pytest.fixture(scope='module')
def sthv1(tmp_path_factory):
    """SSv1 layout: rawframes/<id>/00001.jpg ..., "<id> <frames> <label>"."""
    root = tmp_path_factory.mktemp('sthv1')
    rng = np.random.default_rng(1)
    lists = dict(train=[], val=[])
    for split, ids in (('train', (100218, 24000, 5, 77)), ('val', (42, 43))):
        for i, vid in enumerate(ids):
            num_frames = 8 + i  # SS videos differ in length
            os.makedirs(root / 'rawframes' / str(vid))
            for t in range(1, num_frames + 1):  # numbered from 1
                cv2.imwrite(str(root / 'rawframes' / str(vid) / f'{t:05}.jpg'),
                            _frame(rng))
            lists[split].append(f'{vid} {num_frames} {i % 2}')
    for split, lines in lists.items():
        (root / f'sthv1_{split}_list_rawframes.txt').write_text(
            '\n'.join(lines) + '\n')
    return str(root)


# ------------------------------------------------------------- the chain
def _in1k_options(root):
    opts = TINY_ARCH + SMALL_LOADERS + ['model.head.in_channels=32']
    for loader in LOADERS:
        opts.append(f'{loader}.dataset.data_root={root}')
    # 32 px instead of 224 (RandomResizedCrop / ResizeEdge / CenterCrop)
    opts += ['train_dataloader.dataset.pipeline.1.scale=32']
    for loader in ('val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.pipeline.1.scale=36',
                 f'{loader}.dataset.pipeline.2.crop_size=32']
    return opts


def _k400_options(root, in1k_ckpt):
    opts = TINY_ARCH + SMALL_LOADERS + [
        'model.cls_head.in_channels=32',
        f'model.backbone.init_cfg.checkpoint={in1k_ckpt}',
        f'train_dataloader.dataset.ann_file={root}/'
        'kinetics400_train_list_videos.txt',
        f'train_dataloader.dataset.data_prefix.video={root}/videos_train',
        # 32 px instead of 224 (Resize -1x256 / Resize 224x224)
        'train_dataloader.dataset.pipeline.3.scale=(-1,40)',
        'train_dataloader.dataset.pipeline.6.scale=(32,32)',
    ]
    for loader in ('val_dataloader', 'test_dataloader'):
        opts += [
            f'{loader}.dataset.ann_file={root}/'
            'kinetics400_val_list_videos.txt',
            f'{loader}.dataset.data_prefix.video={root}/videos_val',
            f'{loader}.dataset.pipeline.3.scale=(-1,32)',
            f'{loader}.dataset.pipeline.4.crop_size=32',
        ]
    return opts


def _sthv1_options(root, k400_ckpt):
    opts = TINY_ARCH + SMALL_LOADERS + [
        'model.cls_head.in_channels=32',
        f'load_from={k400_ckpt}',
        # 32 px instead of 224 (Resize -1x256 / Resize 224x224)
        'train_dataloader.dataset.pipeline.2.scale=(-1,40)',
        'train_dataloader.dataset.pipeline.5.scale=(32,32)',
    ]
    for loader, split in (('train_dataloader', 'train'),
                          ('val_dataloader', 'val'),
                          ('test_dataloader', 'val')):
        opts += [
            f'{loader}.dataset.ann_file={root}/'
            f'sthv1_{split}_list_rawframes.txt',
            f'{loader}.dataset.data_prefix.img={root}/rawframes',
        ]
    for loader in ('val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.pipeline.2.scale=(-1,32)',
                 f'{loader}.dataset.pipeline.3.crop_size=32']
    return opts


@pytest.fixture(scope='module')
def in1k_run(imagenet, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('work_in1k'))
    return _train('structvit_in1k.py', work_dir, _in1k_options(imagenet))


@pytest.fixture(scope='module')
def k400_run(kinetics, in1k_run, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('work_k400'))
    return _train('structvit_k400.py', work_dir,
                  _k400_options(kinetics, in1k_run[0]))


@pytest.fixture(scope='module')
def sthv1_run(sthv1, k400_run, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('work_sthv1'))
    return _train('structvit_sthv1.py', work_dir,
                  _sthv1_options(sthv1, k400_run[0]))


def test_in1k_imagenet_layout(in1k_run, imagenet, tmp_path):
    ckpt, out = in1k_run
    assert 'Epoch(train) [1][2/2]' in out  # 4 images, batch 2
    assert 0 <= _metric(out, 'val', 'accuracy/top1') <= 100
    out = _test('structvit_in1k.py', ckpt, str(tmp_path),
                _in1k_options(imagenet))
    assert 0 <= _metric(out, 'test', 'accuracy/top1') <= 100


def test_k400_video_list_from_inflated_in1k(k400_run, in1k_run, kinetics,
                                            tmp_path):
    ckpt, out = k400_run
    # the backbone's init_cfg loaded the IN-1K checkpoint, inflating 2D
    # kernels, with nothing missing
    m = re.search(r'StructViT3D: loaded (\S+), inflated (\d+) 2D kernels; '
                  r'missing keys \[\]', out)
    assert m, out[-3000:]
    assert m.group(1) == in1k_run[0] and int(m.group(2)) > 0
    assert 'Epoch(train) [1][1/1]' in out  # 2 videos, batch 2
    out = _test('structvit_k400.py', ckpt, str(tmp_path),
                _k400_options(kinetics, in1k_run[0]))
    assert 0 <= _metric(out, 'test', 'acc/top1') <= 1


def test_sthv1_rawframes_from_k400(sthv1_run, k400_run, sthv1, tmp_path):
    ckpt, out = sthv1_run
    # load_from: everything but the 400-way classifier comes from K400
    assert f'Load checkpoint from {k400_run[0]}' in out
    mismatch = re.findall(r'size mismatch for (\S+):', out)
    assert sorted(mismatch) == ['cls_head.fc_cls.bias',
                                'cls_head.fc_cls.weight'], out[-3000:]
    assert 'missing keys in source state_dict' not in out
    assert 'Epoch(train) [1][2/2]' in out  # 4 videos, batch 2
    out = _test('structvit_sthv1.py', ckpt, str(tmp_path),
                _sthv1_options(sthv1, k400_run[0]))
    assert 0 <= _metric(out, 'test', 'acc/top1') <= 1

    # the fine-tuned backbone started from the K400 weights: after one
    # epoch it is closer to them than to a fresh initialisation's
    import structvit_mm  # noqa: F401  (weights_only-safe mmengine loads)
    import torch
    k400 = torch.load(k400_run[0], map_location='cpu')['state_dict']
    ss = torch.load(ckpt, map_location='cpu')['state_dict']
    assert ss['cls_head.fc_cls.weight'].shape[0] == 174
    key = 'backbone.blocks3.0.attn.key_conv.weight'
    assert key in k400 and ss[key].shape == k400[key].shape
    assert (ss[key] - k400[key]).abs().max() < 0.1 * k400[key].abs().max()


def test_sthv2_webm_through_config_pipelines(tmp_path):
    """SSv2 ships as VP9 webm: the config's own datasets and pipelines
    (decord) read it, in process; 3 crops x 1 clip at test."""
    from mmaction.registry import DATASETS
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    rng = np.random.default_rng(2)
    os.makedirs(tmp_path / 'videos')
    for vid in (78687, 42326):
        # 64x48: decord 0.6.0 returns 4 channels for some tiny sizes
        # (e.g. 48x36, dmlc/decord#336); real SSv2 frames are larger
        writer = cv2.VideoWriter(str(tmp_path / 'videos' / f'{vid}.webm'),
                                 cv2.VideoWriter_fourcc(*'VP90'), 12,
                                 (64, 48))
        for _ in range(12):
            writer.write(_frame(rng, 48, 64))
        writer.release()
    ann = tmp_path / 'sthv2_val_list_videos.txt'
    ann.write_text('78687.webm 0\n42326.webm 1\n')

    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'structvit_sthv2.py'))
    with DefaultScope.overwrite_default_scope('mmaction'):
        for split, views in (('train', 1), ('test', 3)):
            ds_cfg = cfg[f'{split}_dataloader'].dataset
            ds_cfg.update(ann_file=str(ann),
                          data_prefix=dict(video=str(tmp_path / 'videos')))
            ds = DATASETS.build(ds_cfg)
            assert len(ds) == 2
            item = ds[1]
            assert tuple(item['inputs'].shape) == (views, 3, 16, 224, 224)
            assert item['data_samples'].gt_label.item() == 1
