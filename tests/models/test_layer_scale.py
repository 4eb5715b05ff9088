"""LayerScale (``layer_scale_init_value``) on StructViT and StructDeiT.

StructViT holds UniFormer's ``gamma_1`` / ``gamma_2`` in UniFormer-L-LS's
shapes (Sense-X/UniFormer, image_classification/token_labeling/tlt/models/
uniformer.py: ``CBlock`` ``(1, dim, 1, 1)``, ``SABlock`` ``(dim, )``, both
``init_value * ones``); StructDeiT holds mmpretrain ``VisionTransformer``'s
``attn.gamma1`` / ``ffn.gamma2`` and gives its logits at ``D = 0``.
"""
import glob
import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS as VIDEO_MODELS
from mmengine.config import Config
from mmpretrain.registry import MODELS as IMAGE_MODELS

import structvit_mm  # noqa: F401
from structvit_mm.models import StructViT, StructViT3D
from structvit_mm.models.structdeit import StructDeiT, StructDeiT3D

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = dict(depths=[1, 1, 2, 1], channels=[8, 16, 32, 64], heads=[1, 1, 2, 4])
L = dict(depths=[5, 10, 24, 7], channels=[128, 192, 448, 640])


def _uniformer_l_ls_gammas():
    """The LayerScale keys and shapes of UniFormer's uniformer_large_ls, as
    its source defines them (read from that file, not from ours)."""
    keys = {}
    for stage, (depth, dim) in enumerate(zip(L['depths'], L['channels'])):
        shape = (1, dim, 1, 1) if stage < 2 else (dim, )
        for j in range(depth):
            for g in ('gamma_1', 'gamma_2'):
                keys[f'blocks{stage + 1}.{j}.{g}'] = shape
    return keys


def test_uniformer_l_ls_keys_and_shapes():
    plain = StructViT(arch='l', structure_dim=0, kv_stride=1).state_dict()
    ls = StructViT(arch='l', structure_dim=0, kv_stride=1,
                   layer_scale_init_value=1e-6).state_dict()
    added = {k: tuple(v.shape) for k, v in ls.items() if k not in plain}
    assert added == _uniformer_l_ls_gammas()
    assert set(plain) <= set(ls)
    for k in added:
        assert torch.equal(ls[k], torch.full_like(ls[k], 1e-6))


def test_a_uniformer_l_ls_state_dict_loads_strictly():
    """UniFormer-L-LS's backbone keys: the plain (D = 0, UniFormer-L) keys
    plus its gammas in its shapes, loaded strictly and used."""
    plain = StructViT(arch='l', structure_dim=0, kv_stride=1).state_dict()
    state = dict(plain)
    for k, shape in _uniformer_l_ls_gammas().items():
        state[k] = torch.rand(shape)
    ours = StructViT(arch='l', structure_dim=0, kv_stride=1,
                     layer_scale_init_value=1e-6)
    ours.load_state_dict(state, strict=True)
    torch.testing.assert_close(ours.blocks3[5].gamma_2,
                               state['blocks3.5.gamma_2'])


@pytest.mark.parametrize('cls,shape', [(StructViT, (2, 3, 64, 64)),
                                       (StructViT3D, (1, 3, 4, 64, 64))])
def test_gammas_scale_both_branches(cls, shape):
    """gamma = 1 is the model without LayerScale; gamma = 0 leaves each
    block at x + pos_embed(x); the init value scales the branches."""
    torch.manual_seed(0)
    plain = cls(arch=TINY, drop_path_rate=0.).eval()
    ls = cls(arch=TINY, drop_path_rate=0., layer_scale_init_value=1.).eval()
    missing, unexpected = ls.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and all('gamma' in k for k in missing)
    x = torch.randn(*shape)
    with torch.no_grad():
        out = plain(x)
        torch.testing.assert_close(ls(x), out)
        for blk in (ls.blocks1[0], ls.blocks3[1]):
            y = torch.randn(1, blk.pos_embed.in_channels,
                            *[5] * (len(shape) - 2))
            ref = y + blk.pos_embed(y)
            blk.gamma_1.fill_(0), blk.gamma_2.fill_(0)
            torch.testing.assert_close(blk(y), ref)
            blk.gamma_1.fill_(0.5)  # only the token mixer
            assert not torch.allclose(blk(y), ref)


@pytest.mark.parametrize('value', [0, -1e-6, True, 'small', float('nan')])
@pytest.mark.parametrize('cls,extra', [
    (StructViT, {}), (StructViT3D, {}),
    (StructDeiT, dict(img_size=32, patch_size=4)),
    (StructDeiT3D, dict(img_size=32, num_frames=4, patch_size=(2, 4, 4)))])
def test_bad_values_name_the_key_and_the_fix(cls, extra, value):
    arch = TINY if cls in (StructViT, StructViT3D) else dict(
        embed_dims=32, num_layers=2, num_heads=2)
    with pytest.raises(ValueError) as err:
        cls(arch=arch, layer_scale_init_value=value, **extra)
    msg = str(err.value)
    assert f'layer_scale_init_value={value!r} is not a positive number' \
        in msg
    assert 'model.backbone.layer_scale_init_value' in msg and 'None' in msg


def test_inflation_carries_the_gammas_into_video(tmp_path):
    image = StructViT(arch=TINY, layer_scale_init_value=1e-6)
    with torch.no_grad():
        for name, p in image.named_parameters():
            if 'gamma' in name:
                p.copy_(torch.rand_like(p))
    ckpt = tmp_path / 'image.pth'
    torch.save({'state_dict': image.state_dict()}, ckpt)
    video = StructViT3D(arch=TINY, layer_scale_init_value=1e-6,
                        init_cfg=dict(type='Pretrained',
                                      checkpoint=str(ckpt)))
    video.init_weights()
    torch.testing.assert_close(video.blocks1[0].gamma_1[:, :, 0],
                               image.blocks1[0].gamma_1)
    assert video.blocks1[0].gamma_1.shape == (1, 8, 1, 1, 1)
    torch.testing.assert_close(video.blocks3[1].gamma_2,
                               image.blocks3[1].gamma_2)


def test_structdeit_d0_with_layer_scale_is_mmpretrain_vit():
    """mmpretrain's VisionTransformer with LayerScale (random init) loads
    into StructDeiT (D = 0) strictly and gives the same logits."""
    torch.manual_seed(0)
    head = dict(type='VisionTransformerClsHead', num_classes=10,
                in_channels=192)

    def build(backbone):
        return IMAGE_MODELS.build(dict(type='ImageClassifier',
                                       backbone=backbone, head=head))

    vit = build(dict(type='VisionTransformer', arch='deit-tiny',
                     img_size=64, patch_size=16,
                     layer_scale_init_value=0.1))
    vit.init_weights()
    with torch.no_grad():  # gammas away from their init, per channel
        for name, p in vit.named_parameters():
            if 'gamma' in name:
                p.copy_(torch.rand_like(p))
    ours = build(dict(type='StructDeiT', arch='deit-tiny', img_size=64,
                      structure_dim=0, layer_scale_init_value=0.1))
    ours.load_state_dict(vit.state_dict(), strict=True)
    assert 'backbone.layers.3.attn.gamma1.weight' in ours.state_dict()
    assert 'backbone.layers.3.ffn.gamma2.weight' in ours.state_dict()
    vit.eval(), ours.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        # the features: the ViT head starts at zero (mmpretrain's init),
        # so its logits would agree whatever the backbones did
        expected = vit.extract_feat(x)[0]
        torch.testing.assert_close(ours.extract_feat(x)[0], expected,
                                   rtol=0, atol=1e-5)
    assert expected.abs().mean() > 0.1
    # off by default: no keys, and the plain ViT's logits are not these
    assert not [k for k in build(dict(
        type='StructDeiT', arch='deit-tiny', img_size=64,
        structure_dim=0)).state_dict() if 'gamma' in k]


# ------------------------------------------------------------- the rows
def _rows():
    return sorted(glob.glob(osp.join(ROOT, 'configs', 'structvit', '*.py'))
                  + glob.glob(osp.join(ROOT, 'configs', 'structdeit',
                                       '*.py')))


def test_only_the_l_rows_use_layer_scale():
    for path in _rows():
        cfg = Config.fromfile(path)
        value = cfg.model.backbone.get('layer_scale_init_value')
        is_l = osp.basename(path).startswith('structvit-l-')
        assert value == (1e-6 if is_l else None), path


def test_l_rows_weight_decay_matches_uniformers():
    """UniFormer's timm optimiser exempts 1-D parameters from weight decay:
    the attention blocks' (C,) gammas; the convolution blocks'
    (1, C, 1, 1) gammas decay. The L rows' optimiser (mmpretrain's Swin
    schedule, flat_decay_mult=0) does the same."""
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'structvit',
                                   'structvit-l-4-1_in1k-224.py'))
    cfg.model.backbone.arch = dict(depths=[1, 1, 1, 1],
                                   channels=[128, 192, 448, 640],
                                   heads=[2, 3, 7, 10])
    model = IMAGE_MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    decay = {}
    names = {id(p): n for n, p in model.named_parameters()}
    for group in wrapper.optimizer.param_groups:
        for p in group['params']:
            if 'gamma' in names[id(p)]:
                decay[names[id(p)]] = group['weight_decay']
    assert decay == {
        f'backbone.blocks{s}.0.gamma_{g}': 0.05 if s < 3 else 0.0
        for s in range(1, 5) for g in (1, 2)}
