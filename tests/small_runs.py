"""Full-size configs run at toy size, for tests of the training tools.

:func:`small_options` returns the ``--cfg-options`` a user would type to
shrink a config (tiny backbone, 32-pixel 4-frame inputs, one epoch, no
workers, no pretrained weights) without touching its number of classes:
tests of the number of classes, trackers, ``compile`` and ``mim`` run the
real row configs this way. :func:`make_videos` / :func:`make_images` write a
small labelled dataset in the layouts the configs read.
"""
import glob
import os
import os.path as osp

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_DIR = osp.join(ROOT, 'configs')


def training_configs() -> list:
    """Every config a user trains or tests: all under ``configs/`` but the
    ``_base_`` parts and the ablation grid files (``grid_*.py``, which list
    variants, not a model)."""
    return sorted(
        f for f in glob.glob(osp.join(CONFIG_DIR, '**', '*.py'),
                             recursive=True)
        if f'{os.sep}_base_{os.sep}' not in f
        and not osp.basename(f).startswith('grid_'))


def index_models() -> dict:
    """The models of ``model-index.yml`` and the metafiles it imports, by
    name."""
    import yaml
    with open(osp.join(ROOT, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    models = []
    for metafile in index['Import']:
        with open(osp.join(ROOT, metafile)) as f:
            models += yaml.safe_load(f)['Models']
    return {m['Name']: m for m in models}

TINY_ARCH = dict(depths=[1, 1, 1, 1], channels=[8, 16, 32, 32],
                 heads=[1, 1, 1, 1])
SIZE = 32  # pixels, for every crop / resize of the pipelines


def make_videos(root: str, num_classes: int = 3, per_class: int = 2) -> dict:
    """Motion clips in Kinetics-400's layout (videos_{train,val}/<class>/,
    kinetics400_{train,val}_list_videos.txt); their annotation files."""
    from structvit_mm.benchmarks.motion_demo import make_motion_demo
    return make_motion_demo(root, train_per_class=per_class,
                            val_per_class=1, num_frames=8, size=SIZE,
                            num_classes=num_classes)


def make_images(root: str, num_classes: int = 3, per_class: int = 2) -> dict:
    """PNG images in ImageNet's layout as mmpretrain reads it
    ({train,val}/<class>/*.png, meta/{train,val}.txt "<path> <label>");
    their annotation files. Class ``k`` is a brighter or darker image."""
    import cv2
    rng = np.random.default_rng(0)
    os.makedirs(osp.join(root, 'meta'), exist_ok=True)
    out = {}
    for split in ('train', 'val'):
        lines = []
        for label in range(num_classes):
            name = f'class_{label}'
            os.makedirs(osp.join(root, split, name), exist_ok=True)
            for i in range(per_class):
                rel = f'{name}/{split}_{i}.png'
                img = rng.integers(0, 64, (40, 48, 3)) + 64 * label
                cv2.imwrite(osp.join(root, split, rel),
                            img.clip(0, 255).astype(np.uint8))
                lines.append(f'{rel} {label}')
        out[split] = osp.join(root, 'meta', f'{split}.txt')
        with open(out[split], 'w') as f:
            f.write('\n'.join(lines) + '\n')
    return out


def _shrink_pipeline(key: str, pipeline) -> list:
    opts = []
    for i, step in enumerate(pipeline or []):
        for name in ('scale', 'crop_size'):
            value = step.get(name)
            if isinstance(value, int) and value >= 100:
                opts.append(f'{key}.{i}.{name}={SIZE}')
            elif isinstance(value, (tuple, list)) and any(
                    isinstance(v, int) and v >= 100 for v in value):
                new = [SIZE if v >= 100 else v for v in value]
                opts.append(f'{key}.{i}.{name}=({new[0]},{new[1]})')
        if step.get('type') == 'SampleFrames':
            opts += [f'{key}.{i}.clip_len=4', f'{key}.{i}.frame_interval=1']
    return opts


def small_options(config: str, epochs: int = 1) -> list:
    """``--cfg-options`` values (no flag) that run ``config`` at toy size."""
    import structvit_mm  # noqa: F401  (custom_imports of the config)
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    head = 'cls_head' if 'cls_head' in cfg.model else 'head'
    opts = ['model.backbone.arch._delete_=True'] + [
        f'model.backbone.arch.{k}=[{",".join(map(str, v))}]'
        for k, v in TINY_ARCH.items()
    ] + [
        f'model.{head}.in_channels={TINY_ARCH["channels"][-1]}',
        'model.backbone.init_cfg=None', 'load_from=None',
        f'train_cfg.max_epochs={epochs}', 'train_cfg.val_interval=1',
        'default_hooks.logger.interval=1', 'randomness.seed=0'
    ]
    for split in ('train', 'val', 'test'):
        key = f'{split}_dataloader'
        opts += [f'{key}.batch_size={2 if split != "test" else 1}',
                 f'{key}.num_workers=0', f'{key}.persistent_workers=False']
        opts += _shrink_pipeline(f'{key}.dataset.pipeline',
                                 cfg[key].dataset.get('pipeline'))
    return opts


def video_data_options(root: str) -> list:
    """Point a Kinetics-layout video config at :func:`make_videos`' data."""
    opts = []
    for split, name in (('train', 'train'), ('val', 'val'), ('test', 'val')):
        key = f'{split}_dataloader.dataset'
        opts += [f'{key}.ann_file={root}/kinetics400_{name}_list_videos.txt',
                 f'{key}.data_prefix.video={root}/videos_{name}']
    return opts


def image_data_options(root: str) -> list:
    """Point an ImageNet-layout image config at :func:`make_images`'."""
    return [f'{split}_dataloader.dataset.data_root={root}'
            for split in ('train', 'val', 'test')]
