"""Warm starts: UniFormer / DeiT checkpoints converted into StructViT /
StructDeiT give the source model's logits (structvit_mm/convert.py), and the
command lines of docs/en/advanced_guides/warm_start.md run as written."""
import os.path as osp
import re
import shlex

import pytest
import torch
from mmengine.registry import DefaultScope

from structvit_mm.apis import init_model
from structvit_mm.convert import ConversionError, convert
from tool_runner import ROOT, run_tool

CONFIGS = osp.join(ROOT, 'configs')
K400 = {
    's-4-2': 'structvit/structvit-s-4-2_in1k-pre_16x4x1_k400-rgb.py',
    's-8-1': 'structvit/structvit-s-8-1_in1k-pre_16x4x1_k400-rgb.py',
    'b-4-2': 'structvit/structvit-b-4-2_in1k-pre_32x4x1_k400-rgb.py',
}
UNIFORMER = {'s': dict(depth=[3, 4, 8, 3]), 'b': dict(depth=[5, 8, 20, 7])}
DEIT_IN1K = osp.join(CONFIGS, 'structdeit', 'structdeit-s-d4_in1k-224.py')


def _cfg(rel):
    return osp.join(CONFIGS, rel)


def _randomise_bn(model):
    """Random BatchNorm statistics, so that they must be carried over."""
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g)
                                 * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + .5)


@pytest.fixture(scope='module')
def uniformer(tmp_path_factory):
    """Randomly initialised mmaction2 UniFormer recognizers (S and B) and
    their checkpoints, in mmaction2's layout."""
    import structvit_mm  # noqa: F401  (makes mmaction.models importable)
    from mmaction.registry import MODELS
    out = {}
    for arch, kw in UNIFORMER.items():
        torch.manual_seed(0)
        with DefaultScope.overwrite_default_scope('mmaction'):
            model = MODELS.build(dict(
                type='Recognizer3D',
                backbone=dict(type='UniFormer', embed_dim=[64, 128, 320, 512],
                              head_dim=64, **kw),
                cls_head=dict(type='I3DHead', in_channels=512,
                              num_classes=400, dropout_ratio=0.)))
        with torch.no_grad():
            _randomise_bn(model)
        path = str(tmp_path_factory.mktemp('uniformer') / f'{arch}.pth')
        torch.save(dict(state_dict=model.state_dict(), meta={}), path)
        out[arch] = (model.eval(), path)
    return out


def _video_logits(model, x):
    with torch.no_grad():
        return model.cls_head(model.backbone(x))


def _converted(src, config, family):
    state, info = convert(src, config, family)
    model = init_model(config)
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(
        k.startswith(('head.', 'cls_head.')) for k in missing), missing
    return model, info


@pytest.mark.parametrize('row', sorted(K400))
def test_uniformer_video_logits(uniformer, row):
    """StructViT-{S,B} from UniFormer-{S,B}: the same logits where every
    StructSA grid divides by the stride (8x128x128: 4x8x8 and 4x4x4)."""
    source, path = uniformer[row[0]]
    model, info = _converted(path, _cfg(K400[row]), 'uniformer')
    assert info['layout'] == 'mmaction2' and info['head'].startswith('copied')
    assert info['initialised']
    x = torch.randn(1, 3, 8, 128, 128)
    ref = _video_logits(source, x)
    torch.testing.assert_close(_video_logits(model, x), ref, rtol=0,
                               atol=1e-4)


def test_uniformer_paper_size_deviation(uniformer):
    """At 16x224x224 stage 4 is 8x7x7, which does not divide by S = 2: the
    converted S-4-2 is measurably not UniFormer-S (docs/en/advanced_guides/warm_start.md has
    the number this prints); S-8-1 (stride 1) stays exact."""
    source, path = uniformer['s']
    x = torch.randn(1, 3, 16, 224, 224, generator=torch.Generator()
                    .manual_seed(0))
    ref = _video_logits(source, x)
    devs = {}
    for row in ('s-4-2', 's-8-1'):
        model, _ = _converted(path, _cfg(K400[row]), 'uniformer')
        devs[row] = (_video_logits(model, x) - ref).abs().max().item()
    print(f'16x224x224 logits from a random UniFormer-S: max abs deviation '
          f'S-4-2 {devs["s-4-2"]:.3g}, S-8-1 {devs["s-8-1"]:.3g} (logit std '
          f'{ref.std().item():.3g})')
    assert devs['s-8-1'] < 1e-4 < devs['s-4-2']


def _release_image_checkpoint(tmp_path):
    """A checkpoint in the original UniFormer image release's layout (bare
    names, ``head.*``, under ``model``), from a random UniFormer-S image
    model (our StructViT with D = 0, whose names are UniFormer's)."""
    torch.manual_seed(0)
    source = init_model(_cfg('structvit/structvit-s-4-2_in1k-224.py'),
                        cfg_options={'model.backbone.structure_dim': 0,
                                     'model.backbone.kv_stride': 1})
    with torch.no_grad():
        _randomise_bn(source)
    state = {k[len('backbone.'):]: v for k, v in source.state_dict().items()
             if k.startswith('backbone.')}
    state['head.weight'] = source.head.fc.weight.detach().clone()
    state['head.bias'] = source.head.fc.bias.detach().clone()
    path = str(tmp_path / 'uniformer_small_in1k.pth')
    torch.save(dict(model=state), path)
    return source, path


def test_uniformer_release_image_layout_and_inflation(tmp_path):
    source, path = _release_image_checkpoint(tmp_path)
    image, info = _converted(
        path, _cfg('structvit/structvit-s-4-2_in1k-224.py'), 'uniformer')
    assert info['layout'] == 'UniFormer release'
    x = torch.randn(2, 3, 128, 128)
    with torch.no_grad():
        ref = source(x, mode='tensor')
        torch.testing.assert_close(image(x, mode='tensor'), ref, rtol=0,
                                   atol=1e-4)
    # into a video row: kernels inflated at the centre, so a static clip
    # gives the image model's features (the head is 1000-way: left out)
    video, info = _converted(path, _cfg(K400['s-4-2']), 'uniformer')
    assert info['inflated'] and info['head'].startswith('left out')
    clip = x[:1, :, None].expand(1, 3, 8, 128, 128)
    with torch.no_grad():
        feat_video = video.backbone(clip).mean((2, 3, 4))
        feat_image = source.backbone(x[:1])[-1].mean((2, 3))
    torch.testing.assert_close(feat_video, feat_image, rtol=0, atol=1e-4)


@pytest.fixture(scope='module')
def deit_sources(tmp_path_factory):
    """Random DeiT-S: mmpretrain's classifier and timm's model."""
    import timm
    import structvit_mm  # noqa: F401
    from mmpretrain.registry import MODELS
    folder = tmp_path_factory.mktemp('deit')
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        mmpre = MODELS.build(dict(
            type='ImageClassifier',
            backbone=dict(type='VisionTransformer', arch='deit-small',
                          img_size=224, patch_size=16),
            neck=None,
            head=dict(type='VisionTransformerClsHead', num_classes=1000,
                      in_channels=384)))
    with torch.no_grad():  # DeiT's init (cls token, pos embed) is not run
        mmpre.backbone.cls_token.normal_(std=0.02)
        mmpre.backbone.pos_embed.normal_(std=0.02)
    tm = timm.create_model('deit_small_patch16_224', pretrained=False)
    paths = dict(mmpretrain=str(folder / 'mmpretrain.pth'),
                 timm=str(folder / 'timm.pth'))
    torch.save(dict(state_dict=mmpre.state_dict()), paths['mmpretrain'])
    torch.save(dict(model=tm.state_dict()), paths['timm'])
    return dict(mmpretrain=(mmpre.eval(), paths['mmpretrain']),
                timm=(tm.eval(), paths['timm']))


@pytest.mark.parametrize('layout', ['mmpretrain', 'timm'])
def test_deit_logits(deit_sources, layout):
    """StructDeiT-S (D = 4, stride 1) from DeiT-S: the same logits at the
    paper's 224 px (stride 1: exact at any grid, cls token included)."""
    source, path = deit_sources[layout]
    model, info = _converted(path, DEIT_IN1K, 'deit')
    assert info['layout'] == layout and info['exactness'] == [
        (True, 'every key enters the stacked sequence equally often')]
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        ref = source(x, mode='tensor') if layout == 'mmpretrain' \
            else source(x)
        torch.testing.assert_close(model(x, mode='tensor'), ref, rtol=0,
                                   atol=1e-4)


def test_deit_into_video_row(deit_sources):
    _, path = deit_sources['mmpretrain']
    cfg = _cfg('warm_start/structdeit-s-d4_deit-s-in1k-pre_16x3x1_sthv1-rgb.py')
    model, info = _converted(path, cfg, 'deit')
    assert {'patch_embed.projection.weight', 'pos_embed'} <= set(
        info['inflated'])
    with torch.no_grad():
        y = model.cls_head(model.backbone(torch.randn(1, 3, 16, 224, 224)))
    assert y.shape == (1, 174) and torch.isfinite(y).all()


def test_distilled_deit_is_refused(tmp_path, deit_sources):
    _, path = deit_sources['timm']
    state = torch.load(path, weights_only=True)['model']
    state['dist_token'] = torch.zeros(1, 1, 384)
    torch.save(state, tmp_path / 'distilled.pth')
    with pytest.raises(ConversionError, match='distilled'):
        convert(str(tmp_path / 'distilled.pth'), DEIT_IN1K, 'deit')


# ------------------------------------------------------ the command lines
def _doc_commands():
    """The converter commands of docs/en/advanced_guides/warm_start.md, as argument lists."""
    with open(osp.join(ROOT, 'docs', 'en', 'advanced_guides', 'warm_start.md')) as f:
        text = f.read().replace('\\\n', ' ')
    return [shlex.split(line)[1:] for line in text.splitlines()
            if re.match(r'\s*python tools/convert/\w+_to_\w+\.py ', line)]


def test_doc_commands_run_as_written(tmp_path, uniformer, deit_sources):
    """Each documented command, with the source checkpoint swapped for a
    random one of its kind and the output moved to a temporary folder."""
    commands = _doc_commands()
    assert len(commands) >= 2
    sources = {'uniformer_to_structvit.py': uniformer['s'][1],
               'deit_to_structdeit.py': deit_sources['mmpretrain'][1]}
    for args in commands:
        script, src, dst = args[0], args[1], args[2]
        out = tmp_path / osp.basename(dst)
        args = [script, sources[osp.basename(script)], str(out), *args[3:]]
        proc = run_tool(args)
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert 'wrote' in proc.stdout and out.is_file()
        ckpt = torch.load(out, weights_only=True)
        assert ckpt['meta']['config'] == args[args.index('--config') + 1]
        # the converted file is what the fine-tune config's load_from wants
        config = args[args.index('--config') + 1]
        model = init_model(osp.join(ROOT, config))
        model.load_state_dict(ckpt['state_dict'], strict=False)


def test_cli_refuses_a_mismatch_and_writes_nothing(tmp_path, uniformer):
    """UniFormer-S weights for a B config: one message naming the first
    mismatched keys and the config, exit code 1, no output file."""
    dst = tmp_path / 'out.pth'
    proc = run_tool(['tools/convert/uniformer_to_structvit.py',
                     uniformer['s'][1], str(dst), '--config',
                     _cfg(K400['b-4-2'])])
    assert proc.returncode == 1
    assert 'error:' in proc.stdout and 'Traceback' not in proc.stdout
    assert 'missing from the checkpoint' in proc.stdout
    assert 'blocks1.3.' in proc.stdout and 'b-4-2' in proc.stdout
    assert 'depths' in proc.stdout
    assert not dst.exists() and not list(tmp_path.iterdir())


def test_cli_family_and_overwrite(tmp_path, uniformer, deit_sources):
    # a DeiT config for the UniFormer converter
    proc = run_tool(['tools/convert/uniformer_to_structvit.py',
                     uniformer['s'][1], str(tmp_path / 'x.pth'), '--config',
                     DEIT_IN1K])
    assert proc.returncode == 1 and 'StructViT' in proc.stdout
    # a DeiT checkpoint for a StructViT config, through the library
    with pytest.raises(ConversionError, match='does not fit'):
        convert(deit_sources['timm'][1], _cfg(K400['s-4-2']), 'uniformer')
    # an existing DST is kept without --force, replaced with it
    dst = tmp_path / 'kept.pth'
    dst.write_bytes(b'old')
    args = ['tools/convert/deit_to_structdeit.py',
            deit_sources['timm'][1], str(dst), '--config', DEIT_IN1K]
    proc = run_tool(args)
    assert proc.returncode == 1 and '--force' in proc.stdout
    assert dst.read_bytes() == b'old'
    proc = run_tool(args + ['--force'])
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert 'state_dict' in torch.load(dst, weights_only=True)
    assert [p.name for p in tmp_path.iterdir()] == ['kept.pth']
