"""Image -> video inflation reproduces the image model on static clips."""
from pathlib import Path

import pytest
from tool_runner import run_tool
import torch
from mmaction.registry import MODELS as VIDEO_MODELS
from mmpretrain.registry import MODELS as IMAGE_MODELS

from structvit_mm.models.inflate import inflate_state_dict, inflate_weight

ROOT = Path(__file__).resolve().parents[2]
ARCH = dict(depths=[1, 1, 2, 1], channels=[16, 32, 64, 64],
            heads=[1, 2, 2, 4])


def _models(D=4, stride=2):
    torch.manual_seed(0)
    common = dict(arch=ARCH, structure_dim=D, kv_stride=stride,
                  drop_path_rate=0.)
    image = IMAGE_MODELS.build(dict(type='StructViT', **common))
    video = VIDEO_MODELS.build(dict(type='StructViT3D', **common))
    # Non-trivial weights and BN statistics everywhere.
    with torch.no_grad():
        for name, t in image.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.randn_like(t) * 0.2 + (1. if 'var' in name
                                                     else 0.))
                if 'var' in name:
                    t.abs_()
    return image.eval(), video.eval()


def test_inflate_weight_modes():
    w = torch.randn(4, 1, 3, 3)
    c = inflate_weight(w, 3, 'center')
    assert c.shape == (4, 1, 3, 3, 3)
    torch.testing.assert_close(c[:, :, 1], w)
    assert c[:, :, [0, 2]].abs().sum() == 0
    a = inflate_weight(w, 3, 'average')
    torch.testing.assert_close(a.sum(2), w)
    with pytest.raises(ValueError, match='mode'):
        inflate_weight(w, 3, 'mean')


@pytest.mark.parametrize('D,stride', [(4, 2), (1, 1)])
def test_static_clip_reproduces_image_features(D, stride):
    image, video = _models(D, stride)
    state, inflated = inflate_state_dict(image.state_dict(),
                                         video.state_dict(), 'center')
    assert 'patch_embed1.proj.weight' in inflated
    assert 'blocks3.0.attn.key_conv.weight' in inflated
    video.load_state_dict(state)
    frame = torch.randn(2, 3, 64, 64)
    clip = frame.unsqueeze(2).repeat(1, 1, 8, 1, 1)  # (B, 3, T, H, W)
    with torch.no_grad():
        expected = image(frame)[-1]  # (B, C, 2, 2)
        got = video(clip)  # (B, C, 4, 2, 2)
    assert got.shape == (2, 64, 4, 2, 2)
    for t in range(got.shape[2]):
        torch.testing.assert_close(got[:, :, t], expected, rtol=1e-4,
                                   atol=1e-4)


def test_mismatched_arch_is_refused():
    image, _ = _models(D=4)
    _, video = _models(D=8)
    with pytest.raises(ValueError, match='cannot inflate'):
        inflate_state_dict(image.state_dict(), video.state_dict())


def test_inflation_tool(tmp_path):
    image, video = _models()
    ckpt = tmp_path / 'image.pth'
    torch.save({'state_dict': {f'backbone.{k}': v
                               for k, v in image.state_dict().items()},
                'meta': {}}, ckpt)
    config = tmp_path / 'video.py'
    config.write_text(
        "custom_imports = dict(imports=['structvit_mm'])\n"
        f"model = dict(type='Recognizer3D', backbone=dict(type='StructViT3D', "
        f"arch={ARCH!r}, structure_dim=4, kv_stride=2))\n")
    out = tmp_path / 'video.pth'
    run = run_tool(['tools/convert/inflate_image_to_video.py', str(ckpt),
                    str(config), str(out)], merge_output=False, timeout=300)
    assert run.returncode == 0, run.stderr
    state = torch.load(out)['state_dict']
    expected, _ = inflate_state_dict(image.state_dict(), video.state_dict())
    assert state.keys() == {f'backbone.{k}' for k in expected}
    for k, v in expected.items():
        torch.testing.assert_close(state[f'backbone.{k}'], v)


@pytest.mark.parametrize('prefix', [None, 'backbone.'])
def test_video_backbone_takes_image_checkpoint_in_init_cfg(tmp_path, prefix):
    image, _ = _models()
    ckpt = tmp_path / 'image.pth'
    torch.save({'state_dict': {f'backbone.{k}': v
                               for k, v in image.state_dict().items()},
                'meta': {}}, ckpt)
    init_cfg = dict(type='Pretrained', checkpoint=str(ckpt))
    if prefix:
        init_cfg['prefix'] = prefix
    video = VIDEO_MODELS.build(
        dict(type='StructViT3D', arch=ARCH, structure_dim=4, kv_stride=2,
             init_cfg=init_cfg))
    video.init_weights()
    video.eval()
    frame = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        got = video(frame.unsqueeze(2).repeat(1, 1, 4, 1, 1))
        expected = image(frame)[-1]
    torch.testing.assert_close(got[:, :, 0], expected, rtol=1e-4, atol=1e-4)
