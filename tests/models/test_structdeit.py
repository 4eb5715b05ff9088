"""The analysis model (DeiT with StructSA, paper section 4.2)."""
import pytest
import torch
from mmaction.registry import MODELS as VIDEO_MODELS
from mmpretrain.registry import MODELS as IMAGE_MODELS

from structvit_mm.models.structdeit import StructDeiT, StructDeiT3D
from structvit_mm.models.structsa import StructSA

TINY = dict(embed_dims=32, num_layers=2, num_heads=2)


def _deit_classifier(backbone):
    return IMAGE_MODELS.build(dict(
        type='ImageClassifier',
        backbone=backbone,
        head=dict(type='VisionTransformerClsHead', num_classes=10,
                  in_channels=384)))


def test_structure_dim_0_is_mmpretrain_deit_small():
    """mmpretrain's own DeiT-S (random init, no download) loads into ours
    key for key, strictly, and gives the same logits."""
    torch.manual_seed(0)
    deit = _deit_classifier(dict(type='VisionTransformer', arch='deit-small',
                                 img_size=224, patch_size=16))
    deit.init_weights()
    ours = _deit_classifier(dict(type='StructDeiT', arch='deit-small',
                                 structure_dim=0))
    ours.load_state_dict(deit.state_dict(), strict=True)
    deit.eval(), ours.eval()
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        # mmpretrain initialises the ViT head to zero: its logits agree
        # whatever the backbones do, so compare the features too
        expected = deit(x, mode='tensor')
        got = ours(x, mode='tensor')
        feat = deit.extract_feat(x)[0]
        torch.testing.assert_close(ours.extract_feat(x)[0], feat, rtol=0,
                                   atol=1e-5)
    assert feat.abs().mean() > 0.1
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-5)
    # ... and StructSA (D = 4) is a different model with the same names
    ours4 = _deit_classifier(dict(type='StructDeiT', arch='deit-small'))
    missing, unexpected = ours4.load_state_dict(deit.state_dict(),
                                                strict=False)
    assert not unexpected
    assert sorted(missing) == sorted(
        f'backbone.layers.{i}.attn.{n}_conv.weight' for i in range(12)
        for n in ('key', 'value'))


def test_layers_hold_structsa_with_every_switch():
    m = StructDeiT(arch=TINY, img_size=32, patch_size=4, structure_dim=2,
                   kernel_size=5, value_kernel_size=(1, 3), kv_stride=(1, 2),
                   channelwise_correlation=False,
                   channelwise_aggregation=True)
    attn = m.layers[1].attn
    assert isinstance(attn, StructSA)
    assert (attn.structure_dim, attn.kernel_size, attn.value_kernel_size,
            attn.stride) == (2, (5, 5), (1, 3), (1, 2))
    assert attn.key_conv.weight.shape == (2, 1, 5, 5)  # shared
    assert attn.value_conv.weight.shape == (64, 1, 1, 3)  # channel-wise
    element = StructDeiT(arch=TINY, img_size=32, patch_size=4,
                         aggregation='element')
    assert element.layers[0].attn.value_kernel_size == (1, 1)
    assert m(torch.randn(2, 3, 32, 32))[0].shape == (2, 32)


@pytest.mark.parametrize('cls_token', [True, False])
def test_fast_equals_literal_through_the_model(cls_token):
    torch.manual_seed(0)
    m = StructDeiT3D(arch=TINY, img_size=16, num_frames=4,
                     patch_size=(1, 4, 4), kv_stride=(2, 1, 1),
                     with_cls_token=cls_token, drop_path_rate=0.)
    m.init_weights()
    m = m.double().eval()
    x = torch.randn(2, 3, 4, 16, 16, dtype=torch.double)
    fast = m(x)
    for layer in m.layers:
        layer.attn.impl = 'literal'
    torch.testing.assert_close(m(x), fast, rtol=0, atol=1e-10)


def _image_and_video(tmp_path, with_cls_token, frames, D=4):
    torch.manual_seed(0)
    common = dict(arch=TINY, img_size=32, structure_dim=D,
                  with_cls_token=with_cls_token, drop_path_rate=0.)
    image = StructDeiT(patch_size=8, **common)
    image.init_weights()
    with torch.no_grad():  # non-trivial position embedding and kernels
        for p in image.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    ckpt = tmp_path / 'image.pth'
    torch.save({'state_dict': {f'backbone.{k}': v
                               for k, v in image.state_dict().items()}}, ckpt)
    video = VIDEO_MODELS.build(dict(
        type='StructDeiT3D', patch_size=(2, 8, 8), num_frames=frames,
        init_cfg=dict(type='Pretrained', checkpoint=str(ckpt)), **common))
    video.init_weights()
    return image.eval(), video.eval()


def test_inflated_video_model_on_one_tubelet_is_the_image_model(tmp_path):
    """2 frames -> one token frame: with the cls token, the inflated video
    model (centre-inflated kernels, position embedding repeated over time,
    tubelet kernel centre-inflated) is exactly the image model."""
    image, video = _image_and_video(tmp_path, True, frames=2)
    assert video.pos_embed.shape == image.pos_embed.shape
    frame = torch.randn(2, 3, 32, 32)
    clip = torch.stack([torch.zeros_like(frame), frame], 2)  # centre tap: 1
    with torch.no_grad():
        torch.testing.assert_close(video(clip), image(frame)[0], rtol=0,
                                   atol=1e-5)


@pytest.mark.parametrize('D', [0, 4])
def test_inflated_video_model_on_a_static_clip(tmp_path, D):
    """Without a cls token every token frame of a static clip sees the same
    keys T times over (the softmax mass splits evenly across the copies), so
    the inflated model's pooled feature equals the image model's."""
    image, video = _image_and_video(tmp_path, False, frames=8, D=D)
    assert video.pos_embed.shape == (1, 4 * 16, 32)
    torch.testing.assert_close(video.pos_embed[:, 16:32],
                               image.pos_embed)
    frame = torch.randn(2, 3, 32, 32)
    # patch kernel centre-inflated over 2 frames: frame t=1 of each tubelet
    clip = frame.unsqueeze(2).repeat(1, 1, 8, 1, 1)
    with torch.no_grad():
        torch.testing.assert_close(video(clip), image(frame)[0], rtol=0,
                                   atol=1e-5)


def test_inflation_keeps_the_cls_entry_once(tmp_path):
    image, video = _image_and_video(tmp_path, True, frames=8)
    assert video.pos_embed.shape == (1, 1 + 4 * 16, 32)
    torch.testing.assert_close(video.pos_embed[:, :1], image.pos_embed[:, :1])
    for t in range(4):
        torch.testing.assert_close(
            video.pos_embed[:, 1 + 16 * t:1 + 16 * (t + 1)],
            image.pos_embed[:, 1:])


@pytest.mark.parametrize('kwargs,match', [
    (dict(arch='deit-huge'), 'Unknown StructDeiT arch'),
    (dict(arch=dict(embed_dims=30, num_layers=1, num_heads=4)), 'divisible'),
    (dict(img_size=30, patch_size=4), 'multiple of patch_size'),
    (dict(structure_dim=0, kv_stride=2), 'stride'),
])
def test_bad_arguments(kwargs, match):
    args = dict(arch=TINY, img_size=32, patch_size=4)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        StructDeiT(**args)


def test_wrong_input_size_names_the_setting():
    m = StructDeiT(arch=TINY, img_size=32, patch_size=4)
    with pytest.raises(ValueError, match='img_size'):
        m(torch.randn(1, 3, 48, 48))


def test_video_sizes_of_the_paper():
    """16 frames at 224 with 2x16x16 tubelets: an 8x14x14 = 1568 grid."""
    m = StructDeiT3D(arch=dict(embed_dims=64, num_layers=1, num_heads=1))
    assert m.grid == (8, 14, 14)
    assert m.pos_embed.shape == (1, 1 + 1568, 64)


def test_inflation_tool_on_an_analysis_row(tmp_path):
    """tools/convert/inflate_image_to_video.py turns the IN-1K row's
    checkpoint into the SSv1 row's backbone (D = 4, kv_stride (2, 1, 1))."""
    from mmengine.config import Config
    from tool_runner import ROOT, run_ok
    cfg = Config.fromfile(
        f'{ROOT}/configs/structdeit/structdeit-s-d4_in1k-224.py')
    image = IMAGE_MODELS.build(cfg.model)
    ckpt, out = tmp_path / 'in1k.pth', tmp_path / 'sthv1_init.pth'
    torch.save({'state_dict': image.state_dict()}, ckpt)
    log = run_ok(['tools/convert/inflate_image_to_video.py', str(ckpt),
                  'configs/structdeit/structdeit-s-d4_in1k-pre_16x3x1_'
                  'sthv1-rgb.py', str(out)], threads=2)
    assert 'inflated 26 kernels' in log  # patch embed, pos embed, 2 x 12
    state = torch.load(out, weights_only=True)['state_dict']
    assert state['backbone.pos_embed'].shape == (1, 1 + 1568, 384)
    assert state['backbone.layers.0.attn.key_conv.weight'].shape == (
        1536, 1, 3, 3, 3)
    torch.testing.assert_close(state['backbone.cls_token'],
                               image.backbone.cls_token.detach())
