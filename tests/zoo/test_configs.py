"""Every config under configs/: it parses, builds its model and every
pipeline, and holds the recipe the paper gives for its dataset (the paper's
protocol). CPU only; models are built at full size.
"""
import argparse
import glob
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import DefaultScope

import structvit_mm  # noqa: F401  (registers our modules)
from small_runs import training_configs

from structvit_mm import zoo
from structvit_mm.num_classes import sync_num_classes

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(ROOT, 'configs')
CONFIGS = training_configs()
IDS = [osp.relpath(f, CONFIG_DIR) for f in CONFIGS]

NUM_CLASSES = dict(in1k=1000, k400=400, sthv1=174, sthv2=174, diving48=48,
                   gym99=99, gym288=288)
SEGMENT_BASED = ('sthv1', 'sthv2', 'diving48', 'gym99', 'gym288')
# what the short names point at: the zoo's aliases
SHORT_NAMES = {alias: row.name for alias, row in zoo.ALIASES.items()}
# the augmentations beyond random cropping (the paper's protocol)
EXTRA_AUGMENTS = {'TorchVisionWrapper', 'RandAugment', 'RandomErasing',
                  'Flip', 'RandomFlip', 'ColorJitter', 'PytorchVideoWrapper'}
ROW_RE = re.compile(r'^structvit-(?P<model>[sbl]-\d-\d)_'
                    r'(?:(?P<tl>tl_)?in1k-(?P<res>224|384)|'
                    r'(?P<pre>in1k|k400)-pre_(?P<frames>\d+)x'
                    r'(?P<interval>\d)x1_(?P<ds>\w+)-rgb)\.py$')


def _row_name(path):
    """The paper-row file a config is or points at (short names)."""
    name = osp.basename(path)
    m = re.match(r'^structvit_(\w+)\.py$', name)
    return SHORT_NAMES[m.group(1)] + '.py' if m else name


def _dataset_of(path):
    m = ROW_RE.match(_row_name(path))
    if m is None:
        return None
    return m.group('ds') or 'in1k'


def _load(path, options=()):
    cfg = Config.fromfile(path)
    if options:  # parsed as tools/train.py / test.py parse --cfg-options
        parser = argparse.ArgumentParser()
        parser.add_argument('--cfg-options', nargs='+', action=DictAction)
        cfg.merge_from_dict(
            parser.parse_args(['--cfg-options', *options]).cfg_options)
    return cfg


def _registries(cfg):
    if cfg.default_scope == 'mmpretrain':
        from mmpretrain.registry import DATASETS, MODELS, TRANSFORMS
    else:
        assert cfg.default_scope == 'mmaction'
        from mmaction.registry import DATASETS, MODELS, TRANSFORMS
    return MODELS, TRANSFORMS, DATASETS


def _pipelines(cfg):
    # (the motion-structure benchmark has no validation split)
    return {split: cfg[f'{split}_dataloader'].dataset.pipeline
            for split in ('train', 'val', 'test')
            if cfg.get(f'{split}_dataloader')}


def _step(pipeline, *types):
    steps = [s for s in pipeline if s.type in types]
    assert len(steps) == 1, (types, [s.type for s in pipeline])
    return steps[0]


def _run_after_decoding(cfg, pipeline, TRANSFORMS, frame_hw=(256, 340)):
    """Run a video pipeline on fake decoded frames (no file needed): the
    sampler picks frame indices of a 100-frame video, the decoding steps are
    replaced by frames of ``frame_hw``, every other step runs as built.
    Returns the packed ``inputs`` tensor."""
    results = dict(total_frames=100, start_index=0, filename='fake.mp4',
                   label=0, modality='RGB')
    for step in pipeline:
        if step.type in ('DecordInit', 'RawFrameDecode', 'DecordDecode'):
            if step.type != 'DecordInit':
                inds = results['frame_inds'].reshape(-1)
                results['imgs'] = [
                    np.random.randint(0, 255, (*frame_hw, 3), np.uint8)
                    for _ in inds
                ]
                results['original_shape'] = frame_hw
                results['img_shape'] = frame_hw
            continue
        results = TRANSFORMS.build(step)(results)
    return results['inputs']


# ------------------------------------------------------------- all configs
@pytest.mark.parametrize('path', CONFIGS, ids=IDS)
def test_config_builds_model_and_pipelines(path):
    cfg = Config.fromfile(path)
    # what every tools/train.py builds: the runtime bases' StructViTRunner
    # first makes the number of classes one (raises on a head / dataset
    # mismatch)
    sync_num_classes(cfg)
    assert cfg.custom_imports == dict(
        imports=['structvit_mm'], allow_failed_imports=False)
    MODELS, TRANSFORMS, DATASETS = _registries(cfg)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
        for split, pipeline in _pipelines(cfg).items():
            assert pipeline, split
            for step in pipeline:
                TRANSFORMS.build(step)
            assert DATASETS.get(cfg[f'{split}_dataloader'].dataset.type)
    assert isinstance(model, torch.nn.Module)
    ds = _dataset_of(path)
    if ds is None:  # the demo: trained end to end in test_tools.py
        return
    n = NUM_CLASSES[ds]
    assert cfg.num_classes == n
    head = model.head if ds == 'in1k' else model.cls_head
    assert head.num_classes == n
    # mixup / cutmix must draw labels of the same size
    if ds == 'in1k':
        # mmpretrain: the runner hands the top-level data_preprocessor over
        assert cfg.data_preprocessor.num_classes == n
        if _token_labeling(path):  # MixToken in the model instead
            assert 'augments' not in cfg.model.train_cfg
            assert cfg.model.train_cfg.mix_token.type == 'MixToken'
        else:
            assert [a.type for a in cfg.model.train_cfg.augments] == [
                'Mixup', 'CutMix']
    elif _random_crop_only(path):
        assert model.data_preprocessor.blending is None
    else:
        augments = cfg.model.data_preprocessor.blending.augments
        assert [a.type for a in augments] == ['MixupBlending',
                                              'CutmixBlending']
        assert [a.num_classes for a in augments] == [n, n]


def _token_labeling(path):
    m = ROW_RE.match(_row_name(path))
    return m is not None and m.group('tl') is not None


def _in1k_row(m):
    """'b-4-1', 'b-4-1*' (Token Labeling), 'b-4-1* 384'."""
    return m.group('model') + ('*' if m.group('tl') else '') + (
        ' 384' if m.group('res') == '384' else '')


def _random_crop_only(path):
    """The B rows on SS / Diving-48 / FineGym (the paper's protocol)."""
    m = ROW_RE.match(_row_name(path))
    return m is not None and m.group('ds') in SEGMENT_BASED and \
        m.group('model').startswith('b-')


SEGMENT_ROWS = [f for f in CONFIGS if _dataset_of(f) in SEGMENT_BASED]


@pytest.mark.parametrize('path', SEGMENT_ROWS,
                         ids=[osp.relpath(f, CONFIG_DIR) for f in SEGMENT_ROWS])
def test_b_rows_train_with_random_cropping_only(path):
    """Reads the *built* training pipeline and data preprocessor: B rows
    have random cropping and no other augmentation; S rows keep the K400
    recipe's RandAugment, random erasing, mixup and cutmix."""
    cfg = Config.fromfile(path)
    MODELS, TRANSFORMS, _ = _registries(cfg)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        steps = [TRANSFORMS.build(s) for s in
                 cfg.train_dataloader.dataset.pipeline]
        preprocessor = MODELS.build(cfg.model.data_preprocessor)
    names = {type(t).__name__ for t in steps}
    assert 'RandomResizedCrop' in names
    if _random_crop_only(path):
        assert not names & EXTRA_AUGMENTS, names
        assert preprocessor.blending is None
    else:
        assert {'TorchVisionWrapper', 'RandomErasing'} <= names
        assert [type(a).__name__ for a in preprocessor.blending.augments] \
            == ['MixupBlending', 'CutmixBlending']


def test_k400_three_crop_test_row():
    """Table 4's B-4-1 32x3x4 row: the 32x1x4 row's model and training,
    12 test views (3 crops x 4 clips)."""
    base = 'structvit-b-4-1_in1k-pre_32x4x1_k400-rgb'
    cfg = Config.fromfile(osp.join(CONFIG_DIR, 'structvit',
                                   base + '_3crop-test.py'))
    row = Config.fromfile(osp.join(CONFIG_DIR, 'structvit', base + '.py'))
    a, b = cfg.to_dict(), row.to_dict()
    for d in (a, b):
        d.pop('test_dataloader'), d.pop('test_pipeline')
    assert a == b
    _, TRANSFORMS, _ = _registries(cfg)
    with DefaultScope.overwrite_default_scope('mmaction'):
        inputs = _run_after_decoding(cfg, _pipelines(cfg)['test'],
                                     TRANSFORMS)
    assert tuple(inputs.shape) == (12, 3, 32, 224, 224)


def _paper_rows(names):
    """dataset -> models (in1k: 'b-4-1', 'b-4-1*', 'b-4-1* 384'; video:
    (model, frames)) of the row-named configs among ``names``."""
    found = {}
    for name in names:
        m = ROW_RE.match(name)
        if m:
            ds = m.group('ds') or 'in1k'
            found.setdefault(ds, set()).add(
                _in1k_row(m) if ds == 'in1k' else
                (m.group('model'), int(m.group('frames'))))
    return found


def test_every_paper_row_has_a_config():
    """The row-named configs are the zoo's rows of Tables 3-5, both ways
    (tests/zoo/test_paper_rows.py: every zoo row's config exists)."""
    paper_rows = _paper_rows(osp.basename(r.config) for r in zoo.ROWS
                             if r.family == 'structvit')
    assert set(paper_rows) == set(NUM_CLASSES)
    assert _paper_rows(osp.basename(f) for f in CONFIGS) == paper_rows


@pytest.mark.parametrize('short', sorted(SHORT_NAMES))
def test_short_names_are_their_rows(short):
    cfg = Config.fromfile(osp.join(CONFIG_DIR, f'structvit_{short}.py'))
    row = Config.fromfile(
        osp.join(CONFIG_DIR, 'structvit', SHORT_NAMES[short] + '.py'))
    assert cfg.to_dict() == row.to_dict()


# ------------------------------------------------------------- per dataset
def _rows(*datasets):
    return [f for f in CONFIGS if _dataset_of(f) in datasets]


@pytest.mark.parametrize('path', _rows('k400'),
                         ids=[osp.basename(f) for f in _rows('k400')])
def test_k400_recipe(path):
    cfg = Config.fromfile(path)
    m = ROW_RE.match(_row_name(path))
    frames = int(m.group('frames'))
    pipes = _pipelines(cfg)
    assert cfg.train_dataloader.dataset.type == 'RobustVideoDataset'
    for split, pipeline in pipes.items():  # dense 16x4 / 32x4 sampling
        sampler = _step(pipeline, 'SampleFrames')
        assert (sampler.clip_len, sampler.frame_interval) == (frames, 4)
        assert sampler.num_clips == (4 if split == 'test' else 1)
    assert [s.type for s in pipes['train']].count('Flip') == 1
    # test: 1 crop x 4 clips; step 4 is the crop the model zoo's 3x4 option
    # (test_dataloader.dataset.pipeline.4.type=ThreeCrop) replaces
    assert pipes['test'][4].type == 'CenterCrop'
    _, TRANSFORMS, _ = _registries(cfg)
    with DefaultScope.overwrite_default_scope('mmaction'):
        inputs = _run_after_decoding(cfg, pipes['test'], TRANSFORMS)
        assert tuple(inputs.shape) == (4, 3, frames, 224, 224)
        three = _load(path, ['test_dataloader.dataset.pipeline.4.type='
                             'ThreeCrop'])
        inputs = _run_after_decoding(three, _pipelines(three)['test'],
                                     TRANSFORMS)
        assert tuple(inputs.shape) == (12, 3, frames, 224, 224)
        inputs = _run_after_decoding(cfg, pipes['train'], TRANSFORMS)
        assert tuple(inputs.shape) == (1, 3, frames, 224, 224)
    # schedule: 110 epochs, 10 warm-up, AdamW lr 2e-4 at batch 64, cosine
    assert cfg.train_cfg.max_epochs == 110
    warmup, cosine = cfg.param_scheduler
    assert (warmup.type, warmup.end) == ('LinearLR', 10)
    assert (cosine.type, cosine.begin, cosine.end) == ('CosineAnnealingLR',
                                                       10, 110)
    assert cfg.optim_wrapper.optimizer.type == 'AdamW'
    assert cfg.optim_wrapper.optimizer.lr == 2e-4
    assert cfg.optim_wrapper.optimizer.weight_decay == 0.05
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=64)
    assert cfg.train_dataloader.batch_size * 8 == 64
    # initialised from the inflated IN-1K checkpoint of the same model
    init = cfg.model.backbone.init_cfg
    in1k = f'structvit-{m.group("model")}_in1k-224'
    assert init == dict(type='Pretrained', inflate='center',
                        checkpoint=f'work_dirs/{in1k}/epoch_300.pth')
    _assert_saves_last_epoch(in1k)


@pytest.mark.parametrize('path', _rows(*SEGMENT_BASED),
                         ids=[osp.basename(f) for f in _rows(*SEGMENT_BASED)])
def test_segment_based_recipe(path):
    cfg = Config.fromfile(path)
    m = ROW_RE.match(_row_name(path))
    ds, frames = m.group('ds'), int(m.group('frames'))
    pipes = _pipelines(cfg)
    for split, pipeline in pipes.items():
        # no horizontal flip anywhere (left/right classes)
        assert not {'Flip', 'RandomFlip'} & {s.type for s in pipeline}
        sampler = _step(pipeline, 'UniformSample')
        assert (sampler.clip_len, sampler.num_clips) == (frames, 1)
        assert sampler.get('test_mode', False) == (split != 'train')
    _step(pipes['test'], 'ThreeCrop')
    dataset = cfg.train_dataloader.dataset
    if ds == 'sthv1':  # JPEG frames 00001.jpg ...
        assert dataset.type == 'RobustRawframeDataset'
        assert dataset.filename_tmpl == '{:05}.jpg'
        assert set(dataset.data_prefix) == {'img'}
        assert 'Decord' not in ''.join(s.type for s in pipes['train'])
    else:
        assert dataset.type == 'RobustVideoDataset'
        assert set(dataset.data_prefix) == {'video'}
    # its own lists, not those of the file it inherits from
    assert osp.basename(dataset.ann_file).startswith(f'{ds}_')
    _, TRANSFORMS, _ = _registries(cfg)
    with DefaultScope.overwrite_default_scope('mmaction'):
        inputs = _run_after_decoding(cfg, pipes['test'], TRANSFORMS)
        assert tuple(inputs.shape) == (3, 3, frames, 224, 224)
        inputs = _run_after_decoding(cfg, pipes['train'], TRANSFORMS)
        assert tuple(inputs.shape) == (1, 3, frames, 224, 224)
    if ds.startswith('gym'):  # the paper reports mean class accuracy
        for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
            assert 'mean_class_accuracy' in evaluator.metric_list
        assert cfg.default_hooks.checkpoint.save_best == 'acc/mean1'
    # schedule: 60 epochs, 5 warm-up, otherwise as K400
    assert cfg.train_cfg.max_epochs == 60
    warmup, cosine = cfg.param_scheduler
    assert (warmup.type, warmup.end) == ('LinearLR', 5)
    assert (cosine.type, cosine.T_max, cosine.begin, cosine.end) == (
        'CosineAnnealingLR', 55, 5, 60)
    assert cfg.optim_wrapper.optimizer.lr == 2e-4
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=64)
    # initialised from the K400 checkpoint of the same model
    k400 = f'structvit-{m.group("model")}_in1k-pre_{frames}x4x1_k400-rgb'
    assert cfg.load_from == f'work_dirs/{k400}/epoch_110.pth'
    assert cfg.model.backbone.get('init_cfg') is None
    _assert_saves_last_epoch(k400)


def _assert_saves_last_epoch(row):
    """The previous stage's config exists and writes epoch_<max>.pth."""
    prev = Config.fromfile(osp.join(CONFIG_DIR, 'structvit', row + '.py'))
    interval = prev.default_hooks.checkpoint.interval
    assert prev.train_cfg.max_epochs % interval == 0


IN1K_PLAIN = [f for f in _rows('in1k') if not _token_labeling(f)]


@pytest.mark.parametrize('path', IN1K_PLAIN,
                         ids=[osp.basename(f) for f in IN1K_PLAIN])
def test_in1k_recipe(path):
    cfg = Config.fromfile(path)
    for split in ('train', 'val'):
        ds = cfg[f'{split}_dataloader'].dataset
        assert (ds.type, ds.data_root, ds.split) == ('ImageNet',
                                                     'data/imagenet', split)
    train = [s.type for s in cfg.train_dataloader.dataset.pipeline]
    assert train == ['LoadImageFromFile', 'RandomResizedCrop', 'RandomFlip',
                     'RandAugment', 'RandomErasing', 'PackInputs']
    assert cfg.train_dataloader.dataset.pipeline[4].erase_prob == 0.25
    assert cfg.model.head.loss.label_smooth_val == 0.1
    # DeiT schedule: 300 epochs, 5 warm-up, AdamW lr 1e-3 at batch 1024
    assert cfg.train_cfg.max_epochs == 300
    assert cfg.param_scheduler[0].end == 5
    assert cfg.optim_wrapper.optimizer.lr == 1e-3
    assert cfg.optim_wrapper.optimizer.weight_decay == 0.05
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=1024)
    gpus = 16 if cfg.model.backbone.arch == 'l' else 8
    assert cfg.train_dataloader.batch_size * gpus == 1024
    assert cfg.model.backbone.get('init_cfg') is None  # from scratch


@pytest.mark.parametrize('path', [
    f for f in CONFIGS if ROW_RE.match(osp.basename(f))
], ids=lambda f: osp.basename(f))
def test_rows_use_the_project_runtime(path):
    """Project-wide hooks go into configs/_base_/default_runtime*.py once."""
    image = _dataset_of(path) == 'in1k'
    base_files = Config._get_base_files(path)
    ours = '../_base_/default_runtime_image.py' if image else \
        '../_base_/default_runtime.py'
    assert ours in base_files
    assert not [b for b in base_files if 'default_runtime' in b and b != ours]


def test_dataset_configs_share_their_pipelines():
    """The 32-frame files change the sampler only: same steps otherwise."""
    base = osp.join(CONFIG_DIR, '_base_', 'datasets')
    for short, long in [('k400_16x4x1_video', 'k400_32x4x1_video'),
                        ('sthv2_16x3x1_video', 'sthv2_32x3x1_video'),
                        ('sthv1_16x3x1_rawframes', 'sthv1_32x3x1_rawframes'),
                        ('sthv2_32x3x1_video', 'diving48_32x3x1_video'),
                        ('sthv2_32x3x1_video', 'gym288_32x3x1_video')]:
        a = Config.fromfile(osp.join(base, short + '.py'))
        b = Config.fromfile(osp.join(base, long + '.py'))
        for split in ('train', 'val', 'test'):
            pa = _pipelines(a)[split]
            pb = _pipelines(b)[split]
            strip = [{k: v for k, v in s.items() if k != 'clip_len'}
                     for s in pa]
            assert strip == [{k: v for k, v in s.items() if k != 'clip_len'}
                             for s in pb]


# ------------------------------------------------- analysis model (sec. 5)
ANALYSIS = sorted(glob.glob(osp.join(CONFIG_DIR, 'structdeit', '*.py')))
ANALYSIS_RE = re.compile(r'^structdeit-s-(?P<tag>[\w-]+?)_'
                         r'(?P<ds>in1k-224|in1k-pre_16x3x1_sthv1-rgb)\.py$')


def _zoo_analysis():
    """tag -> datasets of the zoo's analysis rows (Tables 1, 6, 7)."""
    rows = {}
    for row in zoo.ROWS:
        m = ANALYSIS_RE.match(osp.basename(row.config))
        if row.family == 'structdeit':
            assert m, row.config
            rows.setdefault(m.group('tag'), set()).add(row.dataset)
    return rows


# every row of Tables 1a-c, 6a, 6b and 7 on both datasets
ANALYSIS_TAGS = {t for t, ds in _zoo_analysis().items()
                 if ds == {'in1k', 'sthv1'}}


def _analysis_rows():
    rows = {}
    for path in ANALYSIS:
        m = ANALYSIS_RE.match(osp.basename(path))
        assert m, path
        ds = 'in1k' if m.group('ds') == 'in1k-224' else 'sthv1'
        rows.setdefault(m.group('tag'), {})[ds] = path
    return rows


def test_every_analysis_row_has_both_configs():
    rows = _analysis_rows()
    for tag in ANALYSIS_TAGS:
        assert set(rows[tag]) == {'in1k', 'sthv1'}, tag
    assert len(ANALYSIS_TAGS) == 16
    # Table 7's equal-FLOPs ConvSA rows, sized per dataset: the IN-1K rows,
    # and the SSv1 rows with their ImageNet-1K stage (no paper row)
    single = {t: ds for t, ds in _zoo_analysis().items()
              if t not in ANALYSIS_TAGS}
    assert {t: set(rows[t]) for t in rows if t not in ANALYSIS_TAGS} == {
        t: ds | {'in1k'} for t, ds in single.items()}
    assert single == {'d1-w432': {'in1k'}, 'd1-l16': {'in1k'},
                      'd1-w480': {'sthv1'}, 'd1-l17': {'sthv1'}}


@pytest.mark.parametrize('path', ANALYSIS,
                         ids=[osp.basename(f) for f in ANALYSIS])
def test_analysis_recipe(path):
    """Every row trains from its dataset's recipe; only the model's StructSA
    switches (or Table 7's width / depth) differ. SSv1 rows are fine-tuned
    from the ImageNet-1K row of the same name: random cropping only,
    segment sampling, no flip, 3 crops x 1 clip."""
    cfg = Config.fromfile(path)
    m = ANALYSIS_RE.match(osp.basename(path))
    base = Config.fromfile(osp.join(
        CONFIG_DIR, 'structdeit', '_base_', f'structdeit-s_{m["ds"]}.py'))
    a, b = cfg.to_dict(), base.to_dict()
    bb = a['model'].pop('backbone')
    b['model'].pop('backbone')
    a.pop('in1k_checkpoint', None)  # the SSv1 rows' name for init_cfg's
    for key in ('head', 'cls_head'):  # in_channels of the widened rows
        if key in a['model']:
            a['model'][key].pop('in_channels')
            b['model'][key].pop('in_channels')
    assert a == b
    if m['ds'] == 'in1k-224':
        assert bb['type'] == 'StructDeiT' and 'init_cfg' not in bb
        return
    assert bb['type'] == 'StructDeiT3D'
    ckpt = bb['init_cfg']['checkpoint']
    in1k = f'structdeit-s-{m["tag"]}_in1k-224'
    assert bb['init_cfg'] == dict(type='Pretrained', inflate='center',
                                  checkpoint=f'work_dirs/{in1k}/epoch_300.pth')
    image = Config.fromfile(osp.join(CONFIG_DIR, 'structdeit',
                                     in1k + '.py')).model.backbone
    for key, value in image.items():  # the same StructSA switches
        if key not in ('type', 'kv_stride', 'init_cfg'):
            assert bb[key] == value, key
    _assert_saves_last_epoch_of(osp.join('structdeit', in1k))
    # the reading of Table 7's SSv1 FLOPs: StructSA rows stride (2, 1, 1)
    stride = bb['kv_stride']
    stride = tuple(stride) if isinstance(stride, (list, tuple)) else stride
    assert stride == ((2, 1, 1) if bb['structure_dim'] >= 2 else 1)
    assert cfg.model.data_preprocessor.get('blending') is None
    train = [s.type for s in cfg.train_dataloader.dataset.pipeline]
    assert 'RandomResizedCrop' in train and not set(train) & EXTRA_AUGMENTS
    assert cfg.train_dataloader.dataset.type == 'RobustRawframeDataset'
    assert _step(cfg.train_dataloader.dataset.pipeline,
                 'UniformSample').clip_len == 16
    _step(cfg.test_dataloader.dataset.pipeline, 'ThreeCrop')
    assert cfg.model.cls_head.num_classes == 174


def _assert_saves_last_epoch_of(row):
    prev = Config.fromfile(osp.join(CONFIG_DIR, row + '.py'))
    assert prev.train_cfg.max_epochs % \
        prev.default_hooks.checkpoint.interval == 0
