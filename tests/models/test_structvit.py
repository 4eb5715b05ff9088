"""StructViT backbones, configs and the SDPA-aware FLOP counter (CPU, small)."""
import glob
import os
import os.path as osp

import pytest
from tool_runner import run_tool
import torch
import torch.nn as nn

import structvit_mm  # noqa: F401  (compat fixes + registration)
from structvit_mm.analysis import complexity_info, sdpa_flop
from structvit_mm.models import StructSA, StructViT, StructViT3D

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TINY = dict(depths=[1, 1, 2, 1], channels=[8, 16, 32, 64], heads=[1, 1, 2, 4])


def _mmpretrain_build(cfg):
    # Pin the scope: another test may have left a different default scope
    # (e.g. 'mmengine', whose root registry does not hold our modules).
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return MODELS.build(cfg)


def _mmaction_build(cfg):
    from mmaction.registry import MODELS
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmaction'):
        return MODELS.build(cfg)


# ----------------------------------------------------------------- shapes
def test_image_shapes_through_registry():
    model = _mmpretrain_build(
        dict(type='StructViT', arch=TINY, out_indices=(0, 1, 2, 3)))
    assert isinstance(model, StructViT)
    model.eval()
    with torch.no_grad():
        outs = model(torch.randn(2, 3, 224, 224))
    assert isinstance(outs, tuple)
    assert [tuple(o.shape) for o in outs] == [(2, 8, 56, 56), (2, 16, 28, 28),
                                             (2, 32, 14, 14), (2, 64, 7, 7)]
    # stage 4 is 7x7, odd: StructSA with stride 2 pools it to ceil(7/2)=4
    assert model.blocks4[0].attn.stride == (2, 2)


@pytest.mark.parametrize('arch', ['s', 'b', 'l'])
def test_image_default_single_output(arch):
    model = StructViT(arch=arch)  # no forward: only the stage layout
    assert model.out_indices == (3, )
    assert model.num_features == (640 if arch == 'l' else 512)
    depths = {'s': [3, 4, 8, 3], 'b': [5, 8, 20, 7], 'l': [5, 10, 24, 7]}
    assert [len(getattr(model, f'blocks{i}')) for i in range(1, 5)] == \
        depths[arch]


def test_image_odd_grid_forward():
    model = StructViT(arch=TINY, kv_stride=2).eval()
    with torch.no_grad():
        (out, ) = model(torch.randn(1, 3, 96, 160))  # stage 4: 3x5
    assert out.shape == (1, 64, 3, 5)


def test_video_shapes_through_registry():
    model = _mmaction_build(dict(type='StructViT3D', arch=TINY)).eval()
    assert isinstance(model, StructViT3D)
    assert model.blocks3[0].attn.stride == (1, 2, 2)
    assert model.blocks3[0].attn.kernel_size == (3, 3, 3)
    with torch.no_grad():
        out = model(torch.randn(1, 3, 6, 96, 96))
    # stem halves time (pad 1): T'=3; spatial 96/32 = 3 (odd)
    assert isinstance(out, torch.Tensor)
    assert out.shape == (1, 64, 3, 3, 3)

    multi = StructViT3D(arch=TINY, out_indices=(2, 3)).eval()
    with torch.no_grad():
        outs = multi(torch.randn(1, 3, 4, 64, 64))
    assert isinstance(outs, tuple)
    assert [tuple(o.shape) for o in outs] == [(1, 32, 2, 4, 4),
                                             (1, 64, 2, 2, 2)]


def test_video_uniformer_equivalence():
    """D=0, S=1 is mmaction2's UniFormer: same keys, same outputs."""
    from mmaction.models.backbones.uniformer import UniFormer
    uni = UniFormer(depth=[1, 1, 1, 1], embed_dim=[64, 128, 128, 128],
                    head_dim=64, pretrained2d=False).eval()
    ours = StructViT3D(
        arch=dict(depths=[1, 1, 1, 1], channels=[64, 128, 128, 128],
                  heads=[1, 2, 2, 2]),
        structure_dim=0, kv_stride=1).eval()
    missing = ours.load_state_dict(uni.state_dict(), strict=True)
    assert not missing.missing_keys and not missing.unexpected_keys
    x = torch.randn(1, 3, 4, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), uni(x), rtol=1e-4, atol=1e-4)


def test_uniformer_s_parameter_count():
    from mmaction.models.backbones.uniformer import UniFormer
    uni = UniFormer(depth=[3, 4, 8, 3], embed_dim=[64, 128, 320, 512],
                    head_dim=64)
    base = StructViT3D(arch='s', structure_dim=0, kv_stride=1)
    n = sum(p.numel() for p in uni.parameters())
    assert sum(p.numel() for p in base.parameters()) == n
    # StructSA adds only the two grouped convolutions (C*D*27 each)
    ours = StructViT3D(arch='s', structure_dim=4, kv_stride=2)
    extra = 2 * 4 * 27 * (8 * 320 + 3 * 512)
    assert sum(p.numel() for p in ours.parameters()) == n + extra


# ------------------------------------------------------ training options
def test_frozen_stages():
    model = StructViT(arch=TINY, frozen_stages=2)
    model.train()
    for name in ('patch_embed1', 'blocks1', 'patch_embed2', 'blocks2'):
        mod = getattr(model, name)
        assert all(not p.requires_grad for p in mod.parameters()), name
        assert all(not m.training for m in mod.modules()), name
    for name in ('patch_embed3', 'blocks3', 'blocks4', 'norm'):
        mod = getattr(model, name)
        assert all(p.requires_grad for p in mod.parameters()), name
        assert mod.training
    model3d = StructViT3D(arch=TINY, frozen_stages=4).train()
    assert not any(p.requires_grad for p in model3d.parameters())
    with pytest.raises(ValueError):
        StructViT(arch=TINY, frozen_stages=5)


@pytest.mark.parametrize('cls,shape', [(StructViT, (2, 3, 64, 64)),
                                       (StructViT3D, (2, 3, 4, 64, 64))])
def test_with_cp_same_output_and_grads(cls, shape):
    torch.manual_seed(0)
    ref = cls(arch=TINY, drop_path_rate=0.2, out_indices=(1, 3))
    cpm = cls(arch=TINY, drop_path_rate=0.2, out_indices=(1, 3),
              with_cp=True)
    cpm.load_state_dict(ref.state_dict())
    ref.train()
    cpm.train()
    x = torch.randn(*shape)
    grads = []
    outs = []
    for model in (ref, cpm):
        torch.manual_seed(1)  # same DropPath masks
        xi = x.clone().requires_grad_(True)
        out = model(xi)
        loss = sum((o.float()**2).mean() for o in out)
        loss.backward()
        outs.append([o.detach() for o in out])
        grads.append([xi.grad] + [p.grad for p in model.parameters()])
    for a, b in zip(*outs):
        torch.testing.assert_close(a, b)
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_unknown_arch_raises():
    with pytest.raises(ValueError, match='Unknown StructViT arch'):
        StructViT(arch='xxl')
    with pytest.raises(ValueError, match='Unknown StructViT arch'):
        _mmaction_build(dict(type='StructViT3D', arch='tiny'))
    with pytest.raises(ValueError, match='missing'):
        StructViT(arch=dict(depths=[1, 1, 1, 1], channels=[8, 8, 8, 8]))
    with pytest.raises(ValueError):
        StructViT(arch=TINY, out_indices=(4, ))


def test_vanilla_attention_needs_unit_stride():
    with pytest.raises(ValueError):
        StructViT(arch=TINY, structure_dim=0, kv_stride=2)
    StructViT(arch=TINY, structure_dim=0, kv_stride=1)


# ---------------------------------------------------------------- configs
# The paper's ImageNet-1K and Kinetics-400 rows and their short names (that
# every row of structvit_mm.zoo has its config: test_paper_rows.py; the
# fine-tuning rows and every other config are checked in test_configs.py;
# the demo config (4 classes) is trained and tested in test_tools.py).
CONFIGS = sorted(
    f for f in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                         recursive=True)
    if f'{os.sep}_base_{os.sep}' not in f
    and f'{os.sep}demo{os.sep}' not in f
    and osp.basename(f).startswith('structvit')  # not the analysis model
    and (f.endswith(('_in1k-224.py', '_k400-rgb.py')) or osp.basename(f)
         in ('structvit_in1k.py', 'structvit_k400.py')))


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.relpath(f, ROOT) for f in CONFIGS])
def test_config_builds(path):
    from mmengine import Config
    cfg = Config.fromfile(path)
    assert cfg.custom_imports == dict(
        imports=['structvit_mm'], allow_failed_imports=False)
    assert cfg.get('_base_') is None  # merged: it did inherit
    is_image = cfg.default_scope == 'mmpretrain'
    model = (_mmpretrain_build if is_image else _mmaction_build)(cfg.model)
    bb = cfg.model.backbone
    name = osp.basename(path)
    if name.startswith('structvit-'):
        arch, d, s = name.split('_')[0].split('-')[1:]
        assert (bb.arch, bb.structure_dim, bb.kv_stride) == (arch, int(d),
                                                            int(s))
    if is_image:
        assert isinstance(model.backbone, StructViT)
        assert model.head.num_classes == 1000
    else:
        assert isinstance(model.backbone, StructViT3D)
        assert cfg.model.cls_head.average_clips == 'prob'
        assert model.cls_head.num_classes == 400
    assert isinstance(model.backbone.blocks3[0].attn, StructSA)
    if bb.arch == 's':  # tiny forward at small resolution, whole network
        model.eval()
        shape = (1, 3, 64, 64) if is_image else (1, 1, 3, 4, 64, 64)
        with torch.no_grad():
            if is_image:
                out = model(torch.randn(*shape), mode='tensor')
            else:  # Recognizer3D's 'tensor' mode stops at the backbone
                feats, _ = model.extract_feat(torch.randn(*shape))
                out = model.cls_head(feats)
        assert out.shape[-1] == (1000 if is_image else 400)


# ----------------------------------------------------------------- FLOPs
class _Grid(nn.Module):
    def __init__(self, op, grid):
        super().__init__()
        self.op = op
        self.grid = grid

    def forward(self, x):
        return self.op(x, self.grid)


@pytest.mark.parametrize('grid,kernel,stride,D', [
    ((14, 14), (3, 3), (2, 2), 4),
    ((7, 7), (3, 3), (2, 2), 4),  # odd grid: ceil(7/2) = 4 keys per side
    ((14, 14), (3, 3), (1, 1), 8),
    ((4, 6, 6), (3, 3, 3), (1, 2, 2), 4),
])
def test_flops_count_structsa(grid, kernel, stride, D):
    C, heads, B = 64, 2, 2
    op = StructSA(C, heads, structure_dim=D, kernel_size=kernel,
                  stride=stride).eval()
    N = 1
    Nkv = 1
    M = 1
    for g, k, s in zip(grid, kernel, stride):
        N *= g
        Nkv *= -(-g // s)
        M *= k
    expected = B * (
        2 * N * (D * Nkv) * C  # q k^T + attn v over D*N/S^2 keys
        + N * C * 3 * C + N * C * C  # qkv, proj
        + 2 * Nkv * C * D * M)  # key_conv + value_conv (depthwise)
    res = complexity_info(_Grid(op, grid), (torch.randn(B, N, C), ))
    assert res['flops'] == expected
    by_op = res['analyzer'].by_operator()
    assert by_op['scaled_dot_product_attention'] == B * 2 * N * D * Nkv * C
    assert 'aten::scaled_dot_product_attention' not in res['unsupported']


def test_sdpa_flop_formula():
    assert sdpa_flop([2, 4, 10, 8], [2, 4, 30, 8], [2, 4, 30, 8]) == \
        2 * 2 * 4 * 10 * 30 * 8
    assert sdpa_flop([2, 4, 10, 8], [1, 4, 30, 8], [1, 4, 30, 16]) == \
        2 * 4 * 10 * 30 * (8 + 16)


def test_get_flops_tool_runs():
    out = run_tool(['tools/analysis/get_flops.py', 'configs/structvit_in1k.py',
                    '--shape', '1', '3', '64', '64',
                    '--cfg-options', 'model.backbone.structure_dim=2'],
                   merge_output=False, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'Flops:' in out.stdout and 'Params:' in out.stdout
    assert 'scaled_dot_product_attention' in out.stdout
    assert 'Uncounted ops' not in out.stdout or \
        'scaled_dot_product_attention' not in out.stdout.split(
            'Uncounted ops')[1]


def test_init_weights_and_drop_path_defaults():
    for cls in (StructViT, StructViT3D):
        model = cls(arch=TINY)
        model.init_weights()  # TruncNormal Linear / Constant LayerNorm
        assert torch.all(model.blocks3[0].norm1.weight == 1)
        assert torch.all(model.blocks3[0].attn.qkv.bias == 0)
    assert StructViT(arch='s').drop_path_rate == 0.1
    assert StructViT3D(arch='b').drop_path_rate == 0.3
    last = StructViT(arch='l').blocks4[-1].drop_path
    assert abs(last.drop_prob - 0.4) < 1e-6
