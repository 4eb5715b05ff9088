"""demo/demo.py (top-5 of a video) and tools/visualizations/vis_structsa.py,
plus StructSA.structure_maps, the maps the visualisation draws."""
import os.path as osp
import re

import numpy as np
import pytest
from tool_runner import run_tool
import torch

from structvit_mm.models.structsa import StructSA

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_CFG = osp.join(ROOT, 'configs', 'demo', 'structvit-tiny_motion-demo.py')
NAMES = ['riding a bike', 'juggling balls', 'dancing', 'swimming',
         'playing chess', 'reading', 'cooking']


# ------------------------------------------------------ structure_maps
@pytest.mark.parametrize('kwargs,grid', [
    (dict(kernel_size=(3, 3), stride=(2, 2)), (5, 6)),
    (dict(kernel_size=(3, 3, 3), stride=(1, 2, 2)), (3, 4, 5)),
    (dict(kernel_size=(3, 3), stride=(1, 1), channelwise_correlation=False,
          channelwise_aggregation=False), (4, 4)),
    (dict(kernel_size=(3, 3), stride=(1, 1), aggregation='element',
          structure_dim=2), (4, 5)),
    (dict(kernel_size=(3, 3), stride=(1, 1), structure_dim=0), (4, 4)),
])
def test_structure_maps_reconstruct_forward(kwargs, grid):
    """The maps are the ones the layer uses: their attention, applied to
    the values, gives the fast path's output for those queries."""
    torch.manual_seed(0)
    kwargs = dict(dict(structure_dim=4), **kwargs)
    attn = StructSA(32, 2, **kwargs).double().eval()
    N = int(np.prod(grid))
    x = torch.randn(2, N, 32, dtype=torch.float64)
    queries = [0, N // 2, N - 1]
    maps = attn.structure_maps(x, grid, queries)
    with torch.no_grad():
        expected = attn(x, grid)[:, queries]  # impl='fast'
    torch.testing.assert_close(maps['output'], expected, rtol=1e-10,
                               atol=1e-10)
    D = max(attn.structure_dim, 1)
    key_grid = tuple((g - 1) // s + 1 for g, s in zip(grid, attn.stride))
    assert maps['scores'].shape == (2, 2, 3, D) + key_grid
    assert maps['attention'].shape == (2, 2, 3, D) + key_grid
    sums = maps['attention'].flatten(3).sum(-1)
    torch.testing.assert_close(sums, torch.ones_like(sums))
    # the correlation map is q . k per head
    q, k, _ = attn.qkv(x).reshape(2, N, 3, 2, 16).permute(2, 0, 3, 1, 4)
    corr = (q[:, :, queries] @ k.transpose(-2, -1)).reshape(
        2, 2, 3, *grid)
    torch.testing.assert_close(maps['correlation'], corr.detach())


# ------------------------------------------------------------ fixtures
@pytest.fixture(scope='module')
def assets(tmp_path_factory):
    """A 7-class tiny video model (untrained) with its checkpoint, a label
    map, a clip, an image model config and an image."""
    from structvit_mm.benchmarks.motion_demo import make_motion_demo
    root = tmp_path_factory.mktemp('demo_vis')
    make_motion_demo(str(root / 'data'), train_per_class=1, val_per_class=1,
                     num_frames=8, size=32)
    video = str(root / 'data' / 'videos_val' / 'move_up' / 'val_0000.mp4')
    assert osp.isfile(video)
    config = root / 'video_cfg.py'
    config.write_text(
        f'_base_ = [{DEMO_CFG!r}]\n'
        'model = dict(backbone=dict(arch=dict(channels=[8, 16, 32, 32])),\n'
        '             cls_head=dict(in_channels=32, num_classes=7))\n')
    from mmaction.apis import init_recognizer
    from mmengine.config import Config
    torch.manual_seed(0)
    model = init_recognizer(Config.fromfile(str(config)), device='cpu')
    ckpt = str(root / 'video.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    label_map = root / 'labels.txt'
    label_map.write_text('\n'.join(NAMES) + '\n')

    image_cfg = root / 'image_cfg.py'
    image_cfg.write_text(
        "default_scope = 'mmpretrain'\n"
        "custom_imports = dict(imports=['structvit_mm'])\n"
        "model = dict(type='ImageClassifier',\n"
        "    backbone=dict(type='StructViT', arch=dict(depths=[1, 1, 1, 1],\n"
        "        channels=[8, 16, 32, 32], heads=[1, 1, 2, 2]),\n"
        "        structure_dim=4, kv_stride=2),\n"
        "    neck=dict(type='GlobalAveragePooling'),\n"
        "    head=dict(type='LinearClsHead', num_classes=3, in_channels=32),\n"
        "    data_preprocessor=dict(mean=[123.675, 116.28, 103.53],\n"
        "        std=[58.395, 57.12, 57.375], to_rgb=True))\n"
        "test_pipeline = [dict(type='LoadImageFromFile'),\n"
        "    dict(type='ResizeEdge', scale=96, edge='short'),\n"
        "    dict(type='CenterCrop', crop_size=96), dict(type='PackInputs')]\n")
    import cv2
    image = str(root / 'image.png')
    rng = np.random.default_rng(0)
    cv2.imwrite(image, rng.integers(0, 255, (80, 120, 3), dtype=np.uint8))
    return dict(video=video, config=str(config), ckpt=ckpt,
                label_map=str(label_map), image_cfg=str(image_cfg),
                image=image, root=root)


def _run(args):
    return run_tool(args, merge_output=False, timeout=300)


# ------------------------------------------------------------- demo.py
def test_demo_prints_top5(assets):
    run = _run(['demo/demo.py', assets['video'], assets['config'],
                assets['ckpt'], '--label-map', assets['label_map']])
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    assert lines[-6].startswith('top-5 classes of'), run.stdout
    names, scores = [], []
    for line in lines[-5:]:
        name, score = line.rsplit(': ', 1)
        names.append(name)
        scores.append(float(score))
    assert all(n in NAMES for n in names) and len(set(names)) == 5
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores) and sum(scores) <= 1 + 1e-3


def test_demo_clear_errors(assets, tmp_path):
    from structvit_mm.cli import demo
    missing = str(tmp_path / 'missing.mp4')
    with pytest.raises(SystemExit, match='video file not found: .*missing'):
        demo.main([missing, assets['config'], assets['ckpt']])
    junk = tmp_path / 'junk.mp4'
    junk.write_bytes(b'this is not a video' * 10)
    with pytest.raises(SystemExit, match='cannot decode video .*junk.mp4'):
        demo.main([str(junk), assets['config'], assets['ckpt']])
    short = tmp_path / 'short.txt'
    short.write_text('a\nb\n')
    with pytest.raises(SystemExit, match='names 2 classes, the model has 7'):
        demo.read_label_map(str(short), 7)


# ----------------------------------------------------- vis_structsa.py
PNGS = ('correlation.png', 'detectors.png', 'attention.png', 'overview.png')


def _check_outputs(out_dir, D, grid, query):
    import cv2
    for name in PNGS:
        img = cv2.imread(osp.join(out_dir, name))
        assert img is not None and img.shape[0] > 50, name
    maps = np.load(osp.join(out_dir, 'maps.npz'))
    assert tuple(maps['grid']) == grid and tuple(maps['query']) == query
    assert maps['scores'].shape[0] == D
    assert maps['correlation'].shape == grid
    assert abs(maps['attention'].sum() - 1) < 1e-4


def test_vis_video(assets, tmp_path):
    # demo model, 8x64x64 input: stage-3 token grid (4, 4, 4)
    run = _run(['tools/visualizations/vis_structsa.py', assets['config'],
                assets['ckpt'], '--input', assets['video'], '--stage', '3',
                '--head', '1', '--query', '1,2,-1', '--out-dir',
                str(tmp_path)])
    assert run.returncode == 0, run.stderr[-3000:]
    assert 'query (1, 2, 3) on token grid (4, 4, 4)' in run.stdout
    _check_outputs(str(tmp_path), 4, (4, 4, 4), (1, 2, 3))


def test_vis_image_and_errors(assets, tmp_path):
    # image model, 96x96 input: stage-4 grid (3, 3), kv stride 2 -> (2, 2)
    run = _run(['tools/visualizations/vis_structsa.py', assets['image_cfg'],
                '--input', assets['image'], '--stage', '4', '--out-dir',
                str(tmp_path)])
    assert run.returncode == 0, run.stderr[-3000:]
    assert 'randomly initialised' in run.stdout
    _check_outputs(str(tmp_path), 4, (3, 3), (1, 1))
    assert np.load(str(tmp_path / 'maps.npz'))['scores'].shape == (4, 2, 2)

    from structvit_mm.cli import vis_structsa as vis
    common = [assets['image_cfg'], '--input', assets['image'], '--out-dir',
              str(tmp_path / 'x')]
    with pytest.raises(SystemExit, match=r'outside the token grid \(3, 3\)'):
        vis.main(common + ['--stage', '4', '--query', '5,0'])
    with pytest.raises(SystemExit, match='stage 2 is a convolution stage'):
        vis.main(common + ['--stage', '2'])
    with pytest.raises(SystemExit, match='this layer has 2 heads'):
        vis.main(common + ['--stage', '3', '--head', '2'])


# ------------------------------------------------------------ progress
def test_test_tool_shows_progress(assets, tmp_path):
    """Long test runs print `Epoch(test) [i/N] eta: ...` every
    ``default_hooks.logger.interval`` batches (mmengine's LoggerHook and
    IterTimerHook, which tools/test.py keeps)."""
    data = assets['root'] / 'data'
    ds = 'test_dataloader.dataset.'
    run = _run(['tools/test.py', assets['config'], assets['ckpt'],
                '--work-dir', str(tmp_path), '--cfg-options',
                f'{ds}ann_file={data}/kinetics400_val_list_videos.txt',
                f'{ds}data_prefix.video={data}/videos_val',
                'test_dataloader.batch_size=1',
                'test_dataloader.num_workers=0',
                'test_dataloader.persistent_workers=False',
                'default_hooks.logger.interval=1'])
    assert run.returncode == 0, run.stderr[-3000:]
    log = run.stdout + run.stderr
    for i in (1, 2, 3):
        assert re.search(rf'Epoch\(test\) \[{i}/4\]\s+eta: ', log), log[-3000:]
    assert re.search(r'Epoch\(test\) \[4/4\]\s+acc/top1', log), log[-3000:]
