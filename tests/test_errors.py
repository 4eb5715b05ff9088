"""Errors that name the config key, the values and the file involved."""
import os.path as osp

import pytest
from tool_runner import run_tool
import torch
from mmaction.registry import MODELS as VIDEO_MODELS
from mmengine.config import Config
from mmpretrain.registry import MODELS as IMAGE_MODELS

from structvit_mm.models.inflate import describe_state_dict
from structvit_mm.utils import ConfigError, check_config

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO = osp.join(ROOT, 'configs', 'demo', 'structvit-tiny_motion-demo.py')
ARCH = dict(depths=[1, 1, 1, 1], channels=[16, 32, 64, 64],
            heads=[1, 1, 2, 2])


# ------------------------------------------------------------- model args
@pytest.mark.parametrize('registry,name', [(IMAGE_MODELS, 'StructViT'),
                                           (VIDEO_MODELS, 'StructViT3D')])
def test_unknown_arch_lists_valid_ones(registry, name):
    with pytest.raises(ValueError) as err:
        registry.build(dict(type=name, arch='xl'))
    msg = str(err.value)
    assert "'xl'" in msg and "['b', 'l', 's']" in msg, msg


def test_channels_not_divisible_by_heads_names_stage():
    arch = dict(depths=[1, 1, 1, 1], channels=[16, 32, 64, 100],
                heads=[1, 1, 2, 3])
    with pytest.raises(ValueError) as err:
        VIDEO_MODELS.build(dict(type='StructViT3D', arch=arch))
    msg = str(err.value)
    assert 'stage 4' in msg and 'channels[3]=100' in msg and \
        'heads[3]=3' in msg, msg


# ------------------------------------------------------------ checkpoints
def _save(tmp_path, state, name='ckpt.pth', prefix='backbone.'):
    path = str(tmp_path / name)
    torch.save({'state_dict': {prefix + k: v for k, v in state.items()},
                'meta': {}}, path)
    return path


def _video(init_ckpt=None, **kwargs):
    cfg = dict(type='StructViT3D', arch=ARCH, structure_dim=4, kv_stride=1)
    cfg.update(kwargs)
    if init_ckpt:
        cfg['init_cfg'] = dict(type='Pretrained', checkpoint=init_ckpt)
    return VIDEO_MODELS.build(cfg)


def _image_state(**kwargs):
    cfg = dict(type='StructViT', arch=ARCH, structure_dim=4, kv_stride=1)
    cfg.update(kwargs)
    return IMAGE_MODELS.build(cfg).state_dict()


def test_describe_state_dict_reads_arch():
    info = describe_state_dict(_image_state(structure_dim=8))
    assert info['ndim'] == 2 and info['structure_dim'] == 8
    assert info['channels'] == [16, 32, 64, 64]
    assert info['depths'] == [1, 1, 1, 1]
    assert info['kernel_size'] == (3, 3)


def test_wrong_structure_dim_is_explained(tmp_path):
    ckpt = _save(tmp_path, _image_state(structure_dim=8))
    with pytest.raises(ValueError) as err:
        _video(ckpt).init_weights()
    msg = str(err.value)
    assert 'cannot inflate blocks3.0.attn.key_conv.weight' in msg, msg
    # 64 channels x 8 detectors
    assert ('structure_dim: checkpoint 8 (from blocks3.0.attn.key_conv.'
            'weight (512, 1, 3, 3)), model 4') in msg, msg


def test_wrong_depth_is_explained(tmp_path):
    deeper = dict(ARCH, depths=[1, 1, 3, 1])
    ckpt = _save(tmp_path, _image_state(arch=deeper))
    with pytest.raises(ValueError) as err:
        _video(ckpt).init_weights()
    msg = str(err.value)
    assert 'does not fit StructViT3D' in msg and 'unexpected' in msg, msg
    assert 'depths: checkpoint [1, 1, 3, 1]' in msg and \
        'model [1, 1, 1, 1]' in msg, msg
    # and strict=False loads the part that fits
    video = _video(ckpt)
    video.init_cfg['strict'] = False
    video.init_weights()


def test_uniformer_checkpoint_for_structvit_is_explained(tmp_path):
    uniformer = VIDEO_MODELS.build(dict(
        type='UniFormer', depth=[1, 1, 1, 1], embed_dim=[16, 32, 64, 64],
        head_dim=32))
    ckpt = _save(tmp_path, uniformer.state_dict())
    with pytest.raises(ValueError) as err:
        _video(ckpt).init_weights()
    msg = str(err.value)
    assert 'missing' in msg and 'attn.key_conv.weight' in msg, msg
    assert 'structure_dim: checkpoint 0 (from attn.qkv without ' \
        'attn.key_conv (UniFormer / vanilla attention)), model 4' in msg, msg
    # the same UniFormer weights fit StructViT3D with D=0 (it is UniFormer)
    _video(ckpt, structure_dim=0).init_weights()


def test_missing_image_checkpoint_says_how_to_go_on(tmp_path):
    # what `python tools/train.py configs/structvit_k400.py` meets before
    # the ImageNet-1K row has been trained
    path = str(tmp_path / 'epoch_300.pth')
    with pytest.raises(FileNotFoundError) as err:
        _video(path).init_weights()
    msg = str(err.value)
    assert path in msg and 'model.backbone.init_cfg=None' in msg, msg


def test_unrelated_checkpoint_matching_nothing_is_refused(tmp_path):
    from torchvision.models import resnet18
    ckpt = _save(tmp_path, resnet18().state_dict())
    with pytest.raises(ValueError) as err:
        _video(ckpt).init_weights()
    msg = str(err.value)
    assert 'shares no key with StructViT3D' in msg, msg
    assert 'not a StructViT / UniFormer one' in msg and 'conv1.weight' in msg


def test_inflation_tool_reports_mismatch(tmp_path):
    ckpt = _save(tmp_path, _image_state(structure_dim=8))
    config = tmp_path / 'video.py'
    config.write_text(
        "custom_imports = dict(imports=['structvit_mm'])\n"
        "model = dict(type='Recognizer3D', backbone=dict(type='StructViT3D', "
        f"arch={ARCH!r}, structure_dim=4, kv_stride=1))\n")
    run = run_tool(['tools/convert/inflate_image_to_video.py', ckpt,
                    str(config), str(tmp_path / 'out.pth')],
                   merge_output=False, timeout=300)
    assert run.returncode != 0
    assert 'structure_dim: checkpoint 8' in run.stderr, run.stderr
    assert 'Traceback' not in run.stderr, run.stderr
    assert not (tmp_path / 'out.pth').exists()


# ----------------------------------------------------------------- configs
def test_check_config_names_missing_keys():
    cfg = Config.fromfile(DEMO)
    check_config(cfg, 'train')
    check_config(cfg, 'test')
    cfg.optim_wrapper = None
    cfg.train_dataloader.pop('sampler')
    cfg.val_evaluator = None
    with pytest.raises(ConfigError) as err:
        check_config(cfg, 'train', 'my_config.py')
    msg = str(err.value)
    assert msg.startswith('my_config.py cannot be used to train'), msg
    for key in ('optim_wrapper', 'train_dataloader.sampler', 'val_evaluator'):
        assert f'  {key}:' in msg, msg
    # --cfg-options can supply what the file lacks
    check_config(cfg, 'test')
    with pytest.raises(ConfigError, match='test_cfg'):
        check_config(cfg, 'test', cfg_options={'test_cfg': None})


def _tool(args, tmp_path):
    return run_tool(args, merge_output=False, timeout=300)


@pytest.mark.parametrize('tool,drop,key', [
    ('train', 'optim_wrapper', 'optim_wrapper'),
    ('train', 'train_dataloader', 'train_dataloader'),
    ('test', 'test_evaluator', 'test_evaluator'),
])
def test_tools_fail_fast_on_missing_key(tmp_path, tool, drop, key):
    config = tmp_path / 'broken.py'
    config.write_text(f'_base_ = [{DEMO!r}]\n{drop} = None\n')
    args = [f'tools/{tool}.py', str(config)]
    if tool == 'test':
        args.append(str(tmp_path / 'never_read.pth'))
    run = _tool(args + ['--work-dir', str(tmp_path / 'work')], tmp_path)
    assert run.returncode != 0
    assert f'{config} cannot be used to {tool}' in run.stderr, run.stderr
    assert f'  {key}:' in run.stderr, run.stderr
    assert 'Traceback' not in run.stderr, run.stderr


@pytest.mark.parametrize('tool', ['train', 'test'])
def test_tools_name_a_missing_checkpoint(tmp_path, tool):
    # a fine-tuning row before its K400 stage exists / a mistyped test ckpt
    args = [f'tools/{tool}.py', osp.join(ROOT, 'configs', 'structvit_sthv1.py')]
    if tool == 'test':
        args.append(str(tmp_path / 'missing.pth'))
    run = _tool(args + ['--work-dir', str(tmp_path / 'work')], tmp_path)
    assert run.returncode != 0
    expected = ('load_from = work_dirs/structvit-s-4-1_in1k-pre_16x4x1_k400-'
                'rgb/epoch_110.pth does not exist' if tool == 'train' else
                f'checkpoint not found: {tmp_path}/missing.pth')
    assert expected in run.stderr, run.stderr
    assert 'Traceback' not in run.stderr, run.stderr
