"""Multi-view testing a few views at a time (``max_testing_views``) and
feature extraction with mmaction2's own ``clip_feature_extraction.py``.

The B video rows (32 frames, 3-12 test views) set
``model.test_cfg.max_testing_views=4`` on ``ViewChunkRecognizer3D``
(structvit_mm/models/recognizer.py): the scores equal those of all views in
one forward, and validation's multi-video batches, which mmaction2's
``Recognizer3D`` refuses with that option, still run.
"""
import argparse
import glob
import os.path as osp

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config, DictAction
from mmengine.registry import DefaultScope
from small_runs import make_videos, small_options, video_data_options
from tool_runner import run_tool

import structvit_mm  # noqa: F401

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ROWS = osp.join(ROOT, 'configs', 'structvit')
THREE_CROP = osp.join(ROWS, 'structvit-b-4-1_in1k-pre_32x4x1_k400-rgb_'
                      '3crop-test.py')
B_K400 = osp.join(ROWS, 'structvit-b-4-1_in1k-pre_32x4x1_k400-rgb.py')
TINY = dict(_delete_=True, depths=[1, 1, 1, 1], channels=[8, 16, 32, 32],
            heads=[1, 1, 1, 1])
SITE_TOOLS = osp.join(osp.dirname(__import__('mmaction').__file__), '.mim',
                      'tools')


def _views(cfg):
    """Views per test video: clips x crops of the test pipeline."""
    n = 1
    for step in cfg.test_dataloader.dataset.pipeline:
        if step.type in ('SampleFrames', 'UniformSample'):
            n *= step.get('num_clips', 1)
        if step.type == 'ThreeCrop':
            n *= 3
        if step.type == 'TenCrop':
            n *= 10
    return n


def test_the_multi_view_32_frame_rows_set_it():
    seen = {}
    for path in glob.glob(osp.join(ROWS, '*.py')):
        cfg = Config.fromfile(path)
        if cfg.default_scope != 'mmaction':
            continue
        frames = {s.clip_len for s in cfg.test_dataloader.dataset.pipeline
                  if 'clip_len' in s}
        test_cfg = cfg.model.get('test_cfg') or {}
        if frames == {32} and _views(cfg) > 1:
            seen[osp.basename(path)] = _views(cfg)
            assert test_cfg.get('max_testing_views') == 4, path
            assert cfg.model.type == 'ViewChunkRecognizer3D', path
        else:  # the 16-frame rows: all views at once, as before
            assert 'max_testing_views' not in test_cfg, path
    assert seen[osp.basename(THREE_CROP)] == 12
    assert seen[osp.basename(B_K400)] == 4
    assert len(seen) == 13  # 2 K400 x (4 views) + 12 views + 10 on SS / ...


def _model(max_views):
    from mmaction.registry import MODELS
    cfg = Config.fromfile(THREE_CROP)
    cfg.model.backbone.arch = TINY
    cfg.model.cls_head.in_channels = 32
    cfg.model.backbone.init_cfg = None
    cfg.model.test_cfg = dict(max_testing_views=max_views) if max_views \
        else None
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmaction'):
        return MODELS.build(cfg.model).eval()


@pytest.mark.parametrize('videos,views', [(1, 12), (2, 3), (3, 1)])
def test_same_scores_as_all_views_at_once(videos, views):
    """1 x 12: the 3-crop row's test; 2 x 3 / 3 x 1: validation-like
    batches of several videos, which mmaction2's Recognizer3D refuses."""
    full, chunked = _model(None), _model(4)
    chunked.load_state_dict(full.state_dict())
    calls = []
    chunked.backbone.register_forward_hook(
        lambda m, i, o: calls.append(i[0].shape[0]))
    x = torch.randn(videos, views, 3, 4, 32, 32)
    samples = [ActionDataSample() for _ in range(videos)]
    with torch.no_grad():
        expected = full(x, [s.clone() for s in samples], mode='predict')
        got = chunked(x, [s.clone() for s in samples], mode='predict')
    total = videos * views
    assert calls == [4] * (total // 4) + ([total % 4] if total % 4 else [])
    for a, b in zip(got, expected):
        torch.testing.assert_close(a.pred_score, b.pred_score, rtol=1e-5,
                                   atol=1e-6)
    if videos > 1:  # what the option did to mmaction2's own recognizer
        from mmaction.models import Recognizer3D
        with pytest.raises(AssertionError, match='batch_size == 1'):
            Recognizer3D.extract_feat(chunked, x, test_mode=True)


# ------------------------------------------------------ through the tools
@pytest.fixture(scope='module')
def videos(tmp_path_factory):
    root = tmp_path_factory.mktemp('videos')
    make_videos(str(root), num_classes=3)
    return root


def test_a_b_row_trains_validates_and_tests(videos, tmp_path):
    """Validation batches of 2 clips and the 4-view test, chunked."""
    opts = small_options(B_K400) + video_data_options(str(videos)) + [
        'model.cls_head.num_classes=3']
    proc = run_tool(['tools/train.py', B_K400, '--work-dir', str(tmp_path),
                     '--cfg-options', *opts])
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert 'Epoch(val) [1]' in proc.stdout
    proc = run_tool(['tools/test.py', B_K400, str(tmp_path / 'epoch_1.pth'),
                     '--work-dir', str(tmp_path), '--cfg-options', *opts])
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert 'Epoch(test)' in proc.stdout


def test_mmaction2_clip_feature_extraction_on_our_config(videos, tmp_path):
    """mmaction2's tools/misc/clip_feature_extraction.py, as the docs give
    it, on the K400 short-name config at toy size: one pooled feature of the
    backbone's width per video, under the list's names."""
    from mmaction.registry import MODELS
    config = osp.join(ROOT, 'configs', 'structvit_k400.py')
    opts = small_options(config) + video_data_options(str(videos))
    parser = argparse.ArgumentParser()  # as the tools parse --cfg-options
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(parser.parse_args(['--cfg-options',
                                           *opts]).cfg_options)
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(cfg.model)
    ckpt = tmp_path / 'model.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    val_list = str(videos / 'kinetics400_val_list_videos.txt')
    out = tmp_path / 'feats'
    proc = run_tool([
        osp.join(SITE_TOOLS, 'misc', 'clip_feature_extraction.py'), config,
        str(ckpt), str(out), '--video-list', val_list, '--cfg-options',
        *opts, f'test_dataloader.dataset.data_prefix.video='
        f'{videos}/videos_val'])
    assert proc.returncode == 0, proc.stdout[-6000:]
    with open(val_list) as f:
        names = [line.split()[0] for line in f if line.strip()]
    feats = [torch.as_tensor(__import__('mmengine').load(
        str(out / f'{name}.pkl'))) for name in names]
    assert len(feats) == 3
    assert all(f.shape == (32, ) and torch.isfinite(f).all() for f in feats)
    assert not torch.allclose(feats[0], feats[1])
