"""Token Labeling (structvit_mm/datasets/token_label.py,
structvit_mm/models/token_labeling.py) on generated score maps and tiny
data: the map follows the image through crop, flip and RandAugment's
geometric ops; MixToken boxes sit on the token grid and mixed targets stay
distributions; the loss and the inference rule against hand computation;
a short train -> test -> resume run through the tools on an ImageNet-layout
set with maps, the 384 fine-tune from its checkpoint, the K400 inflation of
such a checkpoint; missing / malformed maps name the file.
"""
import math
import os
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config
from small_runs import image_data_options, make_images, small_options
from tool_runner import run_ok, run_tool

import structvit_mm  # noqa: F401  (registration)
from structvit_mm.datasets.token_label import (LoadTokenLabel,
                                               TokenLabelError,
                                               TokenLabelRandomFlip,
                                               TokenLabelRandomResizedCrop,
                                               TokenLabelRotate,
                                               TokenLabelShear,
                                               TokenLabelTranslate,
                                               token_label_path)
from structvit_mm.models.token_labeling import (MixToken,
                                                TokenLabelClassifier,
                                                TokenLabelClsHead)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG_224 = osp.join(ROOT, 'configs', 'structvit',
                   'structvit-s-4-1_tl_in1k-224.py')
CFG_384 = osp.join(ROOT, 'configs', 'structvit',
                   'structvit-s-4-1_tl_in1k-384.py')
TINY = dict(depths=[1, 1, 1, 1], channels=[8, 16, 32, 32],
            heads=[1, 1, 1, 1])


# ------------------------------------------------------------- helpers
def _blocks(rng, cells=(15, 15), blocks=3):
    """A random bright / dark block pattern on the map grid (bool)."""
    coarse = rng.random((blocks, blocks)) < 0.5
    coarse[0, 0], coarse[0, 1] = True, False  # both classes, asymmetric
    reps = (math.ceil(cells[0] / blocks), math.ceil(cells[1] / blocks))
    return np.kron(coarse, np.ones(reps, bool))[:cells[0], :cells[1]]


def _image_and_map(pattern, cell_px=(10, 12)):
    """An image whose pixels repeat ``pattern`` (255 bright / 0 dark, cells
    of ``cell_px``) and its 2-class top-1 map: score 10 for the cell's
    class (1 bright, 0 dark)."""
    img = np.kron(pattern.astype(np.uint8) * 255,
                  np.ones(cell_px, np.uint8))
    img = np.repeat(img[..., None], 3, -1)
    topk = torch.stack([torch.full((1, ) + pattern.shape, 10.),
                        torch.from_numpy(pattern[None].astype(np.float32))])
    return img, topk


def _assert_aligned(img, label, margin=1):
    """Every token whose image region (grown by ``margin`` tokens) is all
    bright or all dark has the matching majority class; returns how many
    tokens of each were checked."""
    S = label.shape[-1]
    h, w = img.shape[:2]
    bright = img[..., 0] > 127
    checked = {True: 0, False: 0}
    for i in range(S):
        for j in range(S):
            ys = slice(max(0, (i - margin) * h // S),
                       min(h, (i + 1 + margin) * h // S))
            xs = slice(max(0, (j - margin) * w // S),
                       min(w, (j + 1 + margin) * w // S))
            region = bright[ys, xs]
            if region.all() or not region.any():
                value = bool(region.all())
                assert (label[1, i, j] > 0.5) == value, (i, j, label[1])
                checked[value] += 1
    return checked


def _results(img, topk, path='train/class_0/a.JPEG'):
    return dict(img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2],
                img_path=path, token_label_topk=topk,
                token_label_classes=2)


# ----------------------------------------------------- map format, errors
def test_map_path_mirrors_the_image_folders():
    assert token_label_path('data/imagenet/train/n01/x_1.JPEG',
                            'labels') == osp.join('labels', 'n01', 'x_1.pt')


def test_missing_or_malformed_map_names_the_file(tmp_path):
    load = LoadTokenLabel(label_root=str(tmp_path), num_classes=10)
    img = 'data/train/n01/img_7.JPEG'
    with pytest.raises(TokenLabelError, match=r'missing.*img_7\.JPEG.*'
                       r'n01.img_7\.pt'):
        load(dict(img_path=img))
    os.makedirs(tmp_path / 'n01')
    target = str(tmp_path / 'n01' / 'img_7.pt')
    good = torch.stack([torch.rand(5, 3, 3), torch.randint(0, 10, (5, 3, 3))
                        .float()]).half()
    cases = [
        (good[0], r'shape \(5, 3, 3\), expected \(2, k, H, W\)'),
        (good.clone().index_fill_(0, torch.tensor([1]), 12.),
         r'integers in \[0, 10\)'),
        ({'scores': good}, 'holds a dict'),
        (torch.full_like(good, float('nan')), 'non-finite'),
    ]
    for bad, why in cases:
        torch.save(bad, target)
        with pytest.raises(TokenLabelError) as err:
            load(dict(img_path=img))
        assert re.search(why, str(err.value)), str(err.value)
        assert target in str(err.value) and img in str(err.value)
    with open(target, 'wb') as f:
        f.write(b'not a tensor file')
    with pytest.raises(TokenLabelError, match='cannot be read'):
        load(dict(img_path=img))
    torch.save(good, target)
    out = load(dict(img_path=img))
    assert out['token_label_topk'].dtype == torch.float32
    assert out['token_label_topk'].shape == (2, 5, 3, 3)


def test_dataset_with_a_missing_map_fails_naming_it(tmp_path):
    """Through mmpretrain's ImageNet dataset as the configs build it."""
    from mmpretrain.registry import DATASETS
    make_images(str(tmp_path / 'data'), num_classes=2, per_class=1)
    ds = DATASETS.build(dict(
        type='ImageNet', data_root=str(tmp_path / 'data'), split='train',
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadTokenLabel',
                       label_root=str(tmp_path / 'labels'))]))
    with pytest.raises(TokenLabelError, match=r'class_0.train_0\.pt'):
        ds[0]


# ------------------------------------------------------ transform geometry
def test_crop_and_flip_keep_the_map_on_the_image():
    """Random crops (and flips every other time) of images whose map is
    their own block pattern: every token well inside one block has that
    block's class."""
    totals = {True: 0, False: 0}
    for seed in range(12):
        rng = np.random.default_rng(seed)
        np.random.seed(seed)
        pattern = _blocks(rng)
        img, topk = _image_and_map(pattern)  # 150 x 180 px, 15 x 15 cells
        crop = TokenLabelRandomResizedCrop(scale=56, label_size=7,
                                           crop_ratio_range=(0.3, 1.0),
                                           interpolation='nearest')
        flip = TokenLabelRandomFlip(prob=float(seed % 2),
                                    direction='horizontal')
        out = flip(crop(_results(img, topk)))
        assert out['flip'] == bool(seed % 2)
        label = out['token_label']
        assert label.shape == (2, 7, 7)
        torch.testing.assert_close(label.sum(0), torch.ones(7, 7))
        torch.testing.assert_close(out['token_label_cls'].sum(),
                                   torch.tensor(1.))
        for value, n in _assert_aligned(out['img'], label).items():
            totals[value] += n
    assert min(totals.values()) >= 20, totals


def test_without_a_map_the_transforms_are_mmpretrains():
    img = np.random.randint(0, 255, (40, 50, 3), np.uint8)
    np.random.seed(0)
    ours = TokenLabelRandomResizedCrop(scale=16)(dict(img=img.copy()))
    np.random.seed(0)
    from mmpretrain.datasets.transforms import RandomResizedCrop
    theirs = RandomResizedCrop(scale=16)(dict(img=img.copy()))
    np.testing.assert_array_equal(ours['img'], theirs['img'])
    assert 'token_label' not in ours


@pytest.mark.parametrize('op', [
    dict(type=TokenLabelRotate, angle=30.),
    dict(type=TokenLabelShear, magnitude=0.3, direction='horizontal'),
    dict(type=TokenLabelShear, magnitude=0.3, direction='vertical'),
    dict(type=TokenLabelTranslate, magnitude=0.3, direction='horizontal'),
    dict(type=TokenLabelTranslate, magnitude=0.3, direction='vertical'),
])
def test_randaugment_geometric_ops_move_the_map(op):
    """The map of an image region stays on it; cells moved in from outside
    the image get the uniform distribution (the sources' zero scores)."""
    pattern = np.zeros((14, 14), bool)
    pattern[:7, :7], pattern[7:, 7:] = True, False
    pattern[:7, 7:], pattern[7:, :7] = False, True
    img, topk = _image_and_map(pattern, cell_px=(8, 8))  # 112 x 112
    crop = TokenLabelRandomResizedCrop(scale=112, label_size=14,
                                       crop_ratio_range=(1., 1.),
                                       aspect_ratio_range=(1., 1.),
                                       interpolation='nearest')
    op = dict(op)
    cls = op.pop('type')
    # random sign: the map must follow the direction the image op draws
    aug = cls(prob=1., random_negative_prob=0.5, pad_val=128,
              interpolation='nearest', **op)
    for seed in range(4):
        np.random.seed(seed)
        out = aug(crop(_results(img, topk)))
        _check_warped(out)


def _check_warped(out):
    label = out['token_label']
    torch.testing.assert_close(label.sum(0), torch.ones(14, 14))
    grey = (out['img'][..., 0] == 128)  # padding (neither class)
    assert grey.any()  # something came from outside the image
    # cells fully outside: uniform
    for i in range(14):
        for j in range(14):
            if grey[i * 8:(i + 1) * 8, j * 8:(j + 1) * 8].all():
                torch.testing.assert_close(label[:, i, j],
                                           torch.full((2, ), .5))
    # check only tokens that see no padding within one token
    keep = out['img'].copy()
    for i in range(14):
        for j in range(14):
            if grey[max(0, i - 1) * 8:(i + 2) * 8,
                    max(0, j - 1) * 8:(j + 2) * 8].any():
                keep[i * 8:(i + 1) * 8, j * 8:(j + 1) * 8] = 127  # skip
    _assert_aligned_skip(keep, label)


def _assert_aligned_skip(img, label):
    """:func:`_assert_aligned` that also skips pixels marked 127."""
    S = label.shape[-1]
    h, w = img.shape[:2]
    checked = 0
    for i in range(S):
        for j in range(S):
            ys = slice(max(0, (i - 1) * h // S), min(h, (i + 2) * h // S))
            xs = slice(max(0, (j - 1) * w // S), min(w, (j + 2) * w // S))
            region = img[ys, xs, 0]
            if (region == 127).any():
                continue
            if (region > 127).all() or (region < 127).all():
                assert (label[1, i, j] > 0.5) == bool(region[0, 0] > 127), \
                    (i, j)
                checked += 1
    assert checked >= 8, checked


# --------------------------------------------------------------- MixToken
@pytest.mark.parametrize('seed', range(20))
def test_mixtoken_boxes_sit_on_the_token_grid(seed):
    np.random.seed(seed)
    B, K, h, w, s = 4, 6, 3, 5, 8
    inputs = torch.arange(B, dtype=torch.float).view(B, 1, 1, 1).expand(
        B, 3, h * s, w * s).clone()
    tok = torch.rand(B, K, h, w).softmax(1)
    cls = torch.rand(B, K).softmax(1)
    mix = MixToken(alpha=1., token_stride=s)
    x, t, c, (y1, y2, x1, x2), lam = mix(inputs, tok, cls)
    area = (y2 - y1) * (x2 - x1)
    assert lam == pytest.approx(1 - area / (h * w))
    # pixels: image b takes image B-1-b inside box * stride, else its own
    box = torch.zeros(h * s, w * s, dtype=torch.bool)
    box[y1 * s:y2 * s, x1 * s:x2 * s] = True
    for b in range(B):
        expected = torch.where(box, float(B - 1 - b), float(b))
        torch.testing.assert_close(x[b, 0], expected)
    # token targets: the same box on the grid
    cell = torch.zeros(h, w, dtype=torch.bool)
    cell[y1:y2, x1:x2] = True
    torch.testing.assert_close(t, torch.where(cell, tok.flip(0), tok))
    torch.testing.assert_close(c, lam * cls + (1 - lam) * cls.flip(0))
    torch.testing.assert_close(t.sum(1), torch.ones(B, h, w))
    torch.testing.assert_close(c.sum(1), torch.ones(B))
    assert inputs[0, 0, 0, 0] == 0  # inputs not changed in place


def test_mixtoken_mixes_most_batches_and_checks_the_grid():
    np.random.seed(0)
    mix = MixToken(token_stride=4)
    lams = [mix.sample_box((7, 7))[1] for _ in range(200)]
    assert 0.3 < np.mean(lams) < 0.8 and sum(lam < 1 for lam in lams) > 150
    with pytest.raises(ValueError, match='label_size'):
        mix(torch.zeros(2, 3, 30, 28), torch.zeros(2, 3, 7, 7),
            torch.zeros(2, 3))


def test_mixing_targets_equals_unmixing_predictions():
    """UniFormer swaps the token predictions in the box back and compares
    them with unmixed targets; mixing the targets instead gives the same
    loss (same pairs)."""
    torch.manual_seed(0)
    B, K, h, w = 4, 5, 3, 3
    aux = torch.randn(B, K, h, w)
    tok = torch.rand(B, K, h, w).softmax(1)
    y1, y2, x1, x2 = 0, 2, 1, 3
    mixed_t = tok.clone()
    mixed_t[..., y1:y2, x1:x2] = tok.flip(0)[..., y1:y2, x1:x2]
    unmixed_p = aux.clone()
    unmixed_p[..., y1:y2, x1:x2] = aux.flip(0)[..., y1:y2, x1:x2]

    def ce(p, t):
        return (-t * p.log_softmax(1)).sum(1).mean()
    torch.testing.assert_close(ce(aux, mixed_t), ce(unmixed_p, tok))


# -------------------------------------------------------- loss, inference
def _head(**kw):
    torch.manual_seed(0)
    head = TokenLabelClsHead(num_classes=3, in_channels=2, **kw)
    for p in head.parameters():
        torch.nn.init.normal_(p)
    return head


def test_loss_against_hand_computation():
    head = _head(cls_weight=1., dense_weight=0.5, label_smooth_val=0.1)
    feat = torch.tensor([[[[1., -1.], [0., 2.]], [[0.5, 0.], [-1., 1.]]],
                         [[[0., 0.], [1., 1.]], [[2., -2.], [0., 1.]]]])
    tok = torch.rand(2, 3, 2, 2).softmax(1)
    cls = torch.rand(2, 3).softmax(1)
    losses = head.loss((feat, ), [], token_targets=tok, cls_targets=cls)

    W, b = head.fc.weight.tolist(), head.fc.bias.tolist()
    Wa, ba = head.aux_fc.weight.tolist(), head.aux_fc.bias.tolist()

    def ce(x, target, W, b):  # soft cross-entropy of one feature vector
        z = [sum(W[k][c] * x[c] for c in range(2)) + b[k] for k in range(3)]
        lse = math.log(sum(math.exp(v) for v in z))
        y = [0.9 * t + 0.1 / 3 for t in target]
        return -sum(y[k] * (z[k] - lse) for k in range(3))

    f = feat.tolist()
    loss_cls = sum(
        ce([sum(f[n][c][i][j] for i in range(2) for j in range(2)) / 4
            for c in range(2)], cls[n].tolist(), W, b) for n in range(2)) / 2
    loss_tok = sum(
        ce([f[n][c][i][j] for c in range(2)], tok[n, :, i, j].tolist(), Wa,
           ba) for n in range(2) for i in range(2) for j in range(2)) / 8
    assert losses['loss_cls'].item() == pytest.approx(loss_cls, rel=1e-5)
    assert losses['loss_token'].item() == pytest.approx(0.5 * loss_tok,
                                                        rel=1e-5)
    head.dense_weight = 1.
    assert head.loss((feat, ), [], token_targets=tok, cls_targets=cls)[
        'loss_token'].item() == pytest.approx(loss_tok, rel=1e-5)


def test_inference_adds_half_the_aux_max():
    head = _head()
    feat = torch.randn(2, 2, 3, 3)
    cls, aux = head.forward_train((feat, ))
    expected = head.fc(feat.mean((2, 3))) + 0.5 * torch.stack([
        torch.stack([aux[n, k].max() for k in range(3)]) for n in range(2)])
    torch.testing.assert_close(head((feat, )), expected)


def test_classifier_targets_errors_and_gt_mode():
    from mmpretrain.structures import DataSample
    model = TokenLabelClassifier(
        backbone=dict(type='StructViT', arch=TINY, kv_stride=1),
        head=dict(type='TokenLabelClsHead', num_classes=3, in_channels=32,
                  cls_target='gt'),
        train_cfg=dict(mix_token=dict(type='MixToken')))
    samples = [DataSample().set_gt_label(k) for k in (0, 2)]
    with pytest.raises(ValueError, match='LoadTokenLabel'):
        model.loss(torch.randn(2, 3, 64, 64), samples)
    for s in samples:
        s.set_field(torch.full((3, 2, 2), 1 / 3), 'token_label')
    tok, cls = model.head.targets(samples)
    torch.testing.assert_close(cls, torch.tensor([[1., 0, 0], [0, 0, 1]]))
    losses = model.loss(torch.randn(2, 3, 64, 64), samples)
    assert set(losses) == {'loss_cls', 'loss_token'}
    with pytest.raises(ValueError, match='mix_token'):
        TokenLabelClassifier(
            backbone=dict(type='StructViT', arch=TINY),
            head=dict(type='TokenLabelClsHead', num_classes=3,
                      in_channels=32),
            train_cfg=dict(augments=[dict(type='CutMix', alpha=1.)]))


def test_k400_inflation_takes_a_token_labeling_checkpoint(tmp_path):
    """The video backbone loads the image classifier's backbone weights;
    the class and auxiliary heads are left out."""
    from mmaction.registry import MODELS as ACTION_MODELS
    from structvit_mm.models.inflate import load_image_checkpoint
    image = TokenLabelClassifier(
        backbone=dict(type='StructViT', arch=TINY, kv_stride=1),
        head=dict(type='TokenLabelClsHead', num_classes=3, in_channels=32))
    path = str(tmp_path / 'tl.pth')
    torch.save(dict(state_dict=image.state_dict()), path)
    assert any(k.startswith('head.aux_fc') for k in image.state_dict())
    video = ACTION_MODELS.build(
        dict(type='StructViT3D', arch=TINY, kv_stride=1))
    missing, unexpected, inflated = load_image_checkpoint(video, path)
    assert not missing and not unexpected and inflated
    torch.testing.assert_close(video.blocks4[0].mlp.fc1.weight,
                               image.backbone.blocks4[0].mlp.fc1.weight)


# ---------------------------------------------- configs and tools, tiny run
def _make_maps(data_root, label_root, num_classes=1000, seed=0):
    """A (2, 5, 15, 15) float16 map per training image, as released; the
    image's class leads the top 5."""
    rng = torch.Generator().manual_seed(seed)
    with open(osp.join(data_root, 'meta', 'train.txt')) as f:
        for line in f:
            rel, label = line.split()
            idx = torch.randint(0, num_classes, (5, 15, 15), generator=rng)
            idx[0] = int(label)
            scores = torch.sort(torch.rand(5, 15, 15, generator=rng) * 10,
                                0, descending=True)[0]
            path = token_label_path(osp.join(data_root, 'train', rel),
                                    label_root)
            os.makedirs(osp.dirname(path), exist_ok=True)
            torch.save(torch.stack([scores, idx.float()]).half(), path)


def _tiny_options(config, data_root, label_root, epochs):
    """Toy size (tests/small_runs.py) with 64-pixel crops so the last stage
    has a 2 x 2 token grid for MixToken, and the generated maps."""
    cfg = Config.fromfile(config)
    # no load_from=None: --resume and the 384 row set their own
    opts = [o for o in small_options(config, epochs)
            if not o.startswith('load_from=')] + image_data_options(data_root)
    for i, step in enumerate(cfg.train_dataloader.dataset.pipeline):
        key = f'train_dataloader.dataset.pipeline.{i}'
        if step.type == 'LoadTokenLabel':
            opts.append(f'{key}.label_root={label_root}')
        if step.type == 'TokenLabelRandomResizedCrop':
            opts += [f'{key}.scale=64', f'{key}.label_size=2']
    for split in ('val', 'test'):
        for i, step in enumerate(cfg[f'{split}_dataloader'].dataset.pipeline):
            key = f'{split}_dataloader.dataset.pipeline.{i}'
            if step.type in ('ResizeEdge', 'CenterCrop'):
                name = 'scale' if step.type == 'ResizeEdge' else 'crop_size'
                opts.append(f'{key}.{name}=64')
    return opts + ['train_dataloader.batch_size=4']


@pytest.fixture(scope='module')
def tiny_set(tmp_path_factory):
    root = tmp_path_factory.mktemp('tl')
    data = str(root / 'imagenet')
    make_images(data, num_classes=3, per_class=2)
    labels = str(root / 'labels')
    _make_maps(data, labels)
    return data, labels


@pytest.fixture(scope='module')
def trained(tiny_set, tmp_path_factory):
    data, labels = tiny_set
    work = str(tmp_path_factory.mktemp('tl_work'))
    out = run_ok(['tools/train.py', CFG_224, '--work-dir', work,
                  '--cfg-options'] + _tiny_options(CFG_224, data, labels, 1),
                 cwd=ROOT)
    return work, out


def test_train_and_test_through_the_tools(trained, tiny_set):
    work, out = trained
    # both terms trained, validated with the EMA weights, checkpoint saved
    assert re.search(r'loss_cls: [\d.]+\s+loss_token: [\d.]+', out), \
        out[-3000:]
    assert 'Epoch(val) [1]' in out
    ckpt = osp.join(work, 'epoch_1.pth')
    state = torch.load(ckpt, map_location='cpu', weights_only=False)
    assert any(k.startswith('head.aux_fc') for k in state['state_dict'])
    assert 'ema_state_dict' in state
    data, labels = tiny_set
    out = run_ok(['tools/test.py', CFG_224, ckpt, '--work-dir', work,
                  '--cfg-options'] + _tiny_options(CFG_224, data, labels, 1),
                 cwd=ROOT)
    assert re.search(r'accuracy/top1: [\d.]+', out), out[-3000:]


def test_resume_continues_the_token_labeling_run(trained, tiny_set,
                                                 tmp_path):
    work, _ = trained
    data, labels = tiny_set
    out = run_ok(['tools/train.py', CFG_224, '--work-dir', str(tmp_path),
                  '--resume', osp.join(work, 'epoch_1.pth'), '--cfg-options']
                 + _tiny_options(CFG_224, data, labels, 2), cwd=ROOT)
    assert 'resumed epoch: 1' in out, out[-3000:]
    assert 'Epoch(train) [1]' not in out and 'Epoch(train) [2]' in out
    assert osp.isfile(tmp_path / 'epoch_2.pth')


def test_384_fine_tunes_from_the_224_checkpoint(trained, tiny_set, tmp_path):
    work, _ = trained
    data, labels = tiny_set
    opts = _tiny_options(CFG_384, data, labels, 1)
    # without the 224 row's checkpoint: says to train it first
    proc = run_tool(['tools/train.py', CFG_384, '--work-dir', str(tmp_path)])
    assert proc.returncode != 0
    assert 'structvit-s-4-1_tl_in1k-224/epoch_310.pth does not exist' in \
        proc.stdout and 'Train the stage it comes from first' in proc.stdout
    out = run_ok(['tools/train.py', CFG_384, '--work-dir', str(tmp_path),
                  '--cfg-options', f'load_from={work}/epoch_1.pth'] + opts,
                 cwd=ROOT)
    assert 'Load checkpoint from' in out and 'epoch_1.pth' in out
    assert 'Epoch(train) [1]' in out


# ------------------------------------------------------- the row configs
TL_ROWS = sorted(
    osp.join(ROOT, 'configs', 'structvit', f'structvit-{m}-4-1_tl_in1k-{r}.py')
    for m in 'sbl' for r in (224, 384))


@pytest.mark.parametrize('path', TL_ROWS, ids=osp.basename)
def test_token_labeling_recipe(path, tmp_path):
    """UniFormer's token-labeling schedule (224) and 384 fine-tune, read
    from the configs as built, and the training pipeline run on an image
    with a released-format map at full size."""
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS, TRANSFORMS
    cfg = Config.fromfile(path)
    m = re.match(r'structvit-([sbl])-4-1_tl_in1k-(\d+)\.py',
                 osp.basename(path))
    arch, res = m.group(1), int(m.group(2))
    assert cfg.model.backbone.arch == arch
    assert (cfg.model.backbone.structure_dim,
            cfg.model.backbone.kv_stride) == (4, 1)
    assert cfg.model.backbone.drop_path_rate == dict(s=.1, b=.3, l=.4)[arch]
    assert cfg.model.type == 'TokenLabelClassifier' and cfg.model.neck is None
    head = cfg.model.head
    assert (head.type, head.num_classes, head.in_channels) == (
        'TokenLabelClsHead', 1000, 640 if arch == 'l' else 512)
    assert (head.cls_weight, head.dense_weight, head.aux_infer_weight,
            head.label_smooth_val, head.cls_target) == (1., 1., .5, .1, 'map')
    assert cfg.model.train_cfg == dict(
        mix_token=dict(type='MixToken', alpha=1., token_stride=32))
    train = cfg.train_dataloader.dataset.pipeline
    assert [s.type for s in train] == [
        'LoadImageFromFile', 'LoadTokenLabel', 'TokenLabelRandomResizedCrop',
        'TokenLabelRandomFlip', 'RandAugment', 'RandomErasing', 'PackInputs']
    assert (train[2].scale, train[2].label_size) == (res, res // 32)
    assert train[4].policies == 'timm_increasing_tl'
    assert train[5].erase_prob == .25
    test = cfg.test_dataloader.dataset.pipeline
    assert (test[1].scale, test[2].crop_size) == (int(res / .9), res)
    hooks = [h.type for h in cfg.custom_hooks]
    opt = cfg.optim_wrapper.optimizer
    gpus = 16 if (arch, res) == ('l', 224) else 8
    if res == 224:
        assert cfg.train_cfg.max_epochs == 310
        assert opt.lr == (1.2e-3 if arch == 'l' else 1.6e-3)
        assert opt.weight_decay == .05
        assert cfg.train_dataloader.batch_size * gpus == 1024
        assert cfg.auto_scale_lr.base_batch_size == 1024
        assert hooks[-1] == 'EMAHook'
        assert cfg.custom_hooks[-1].momentum == pytest.approx(8e-5)
        assert cfg.get('load_from') is None
        assert 310 % cfg.default_hooks.checkpoint.interval == 0
    else:
        assert cfg.train_cfg.max_epochs == 60
        assert (opt.lr, opt.weight_decay) == (5e-6, 1e-8)
        assert [s.type for s in cfg.param_scheduler] == ['ConstantLR']
        batch = 32 if arch == 'l' else 64
        assert cfg.train_dataloader.batch_size == batch
        assert cfg.auto_scale_lr.base_batch_size == batch * gpus
        assert 'EMAHook' not in hooks
        assert cfg.load_from == (f'work_dirs/structvit-{arch}-4-1_tl_'
                                 'in1k-224/epoch_310.pth')
    assert hooks[:2] == ['NonFiniteLossHook', 'RandomStateHook']
    # the pipeline at full size on a 300 x 400 image and its map
    img_path = tmp_path / 'train' / 'n0' / 'x.JPEG'
    os.makedirs(img_path.parent)
    import cv2
    cv2.imwrite(str(img_path), np.random.randint(0, 255, (300, 400, 3),
                                                 np.uint8))
    idx = torch.randint(0, 1000, (5, 15, 15)).float()
    os.makedirs(tmp_path / 'labels' / 'n0')
    torch.save(torch.stack([torch.rand(5, 15, 15) * 10, idx]).half(),
               tmp_path / 'labels' / 'n0' / 'x.pt')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        steps = [TRANSFORMS.build(dict(s, label_root=str(tmp_path / 'labels'))
                                  if s.type == 'LoadTokenLabel' else s)
                 for s in train]
        results = dict(img_path=str(img_path))
        for step in steps:
            results = step(results)
        sample = results['data_samples']
        assert tuple(results['inputs'].shape) == (3, res, res)
        assert tuple(sample.token_label.shape) == (1000, res // 32,
                                                    res // 32)
        assert tuple(sample.token_label_cls.shape) == (1000, )
        if arch == 's':  # the model's last stage matches the label grid
            model = MODELS.build(cfg.model)
            feats = model.extract_feat(torch.zeros(1, 3, res, res))
            assert tuple(feats[-1].shape[-2:]) == (res // 32, res // 32)


def test_imported_when_mmpretrain_registries_are_used():
    """``import structvit_mm`` leaves Token Labeling (and mmpretrain's
    models, seconds to import) out until an mmpretrain registry looks a
    name up; then every class is there."""
    run_ok(['-c', (
        'import sys; import structvit_mm\n'
        'assert not [m for m in sys.modules if "token_label" in m\n'
        '            or m == "mmpretrain.models"], sorted(sys.modules)\n'
        'from mmpretrain.registry import BATCH_AUGMENTS, MODELS, TRANSFORMS\n'
        'assert MODELS.get("TokenLabelClassifier") is not None\n'
        'assert MODELS.get("TokenLabelClsHead") is not None\n'
        'assert BATCH_AUGMENTS.get("MixToken") is not None\n'
        'assert TRANSFORMS.get("TokenLabelRandomResizedCrop") is not None\n'
        'TRANSFORMS.build(dict(type="RandAugment", num_policies=2,\n'
        '                      policies="timm_increasing_tl",\n'
        '                      magnitude_level=9))\n')], cwd=ROOT)
