"""Inflate an ImageNet StructViT checkpoint into a video StructViT one.

    python tools/convert/inflate_image_to_video.py IMAGE_CKPT VIDEO_CONFIG OUT \
        [--mode center|average]

IMAGE_CKPT: an mmpretrain checkpoint (keys ``backbone.*``) or a bare
backbone state dict. VIDEO_CONFIG: the mmaction2 config whose backbone the
weights are for (arch, D, stride and kernel must match the image model).
OUT is a checkpoint with ``backbone.*`` keys, usable as ``load_from`` or as
the backbone's ``init_cfg=dict(type='Pretrained', prefix='backbone.', ...)``.
The classification head is not carried over (the label sets differ).
"""
import argparse

import torch
from mmengine.config import Config

import structvit_mm  # noqa: F401  (registers models, applies compat fixes)
from structvit_mm.models.inflate import MODES, load_image_checkpoint


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('image_checkpoint')
    parser.add_argument('video_config')
    parser.add_argument('out')
    parser.add_argument('--mode', choices=MODES, default='center',
                        help='temporal inflation of the 2D kernels')
    return parser.parse_args()


def main():
    args = parse_args()
    from mmaction.registry import MODELS
    cfg = Config.fromfile(args.video_config).model.backbone
    cfg.pop('init_cfg', None)
    print(f'building {cfg.type} from {args.video_config} ...', flush=True)
    video = MODELS.build(cfg)
    print(f'loading and inflating {args.image_checkpoint} ...', flush=True)
    try:  # strict: a checkpoint that does not fit says how, no traceback
        missing, unexpected, inflated = load_image_checkpoint(
            video, args.image_checkpoint, mode=args.mode)
    except ValueError as err:
        raise SystemExit(f'error: image checkpoint does not fit {cfg.type} '
                         f'of {args.video_config}: {err}') from None
    print(f'saving {args.out} ...', flush=True)
    torch.save(
        dict(state_dict={f'backbone.{k}': v
                         for k, v in video.state_dict().items()},
             meta=dict(inflated_from=args.image_checkpoint, mode=args.mode)),
        args.out)
    print(f'inflated {len(inflated)} kernels ({args.mode}); wrote {args.out}')


if __name__ == '__main__':
    main()
