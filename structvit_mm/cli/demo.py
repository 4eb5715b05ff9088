"""Classify one video file and print its top-5 classes.

    python demo/demo.py VIDEO CONFIG CHECKPOINT [--label-map FILE] \
        [--topk 5] [--device cpu] [--cfg-options ...]

As mmaction2's ``demo/demo.py`` (its ``init_recognizer`` and
``inference_recognizer`` do the work, with the config's ``test_pipeline``),
for StructViT configs: ``import structvit_mm`` applies the stack fixes
(mmengine checkpoints load under torch's ``weights_only=True``). The label
map has one class name per line, line ``i`` naming class ``i`` (as
mmaction2's ``tools/data/kinetics/label_map_k400.txt``); without it the
class indices are printed.
"""
import argparse
import os.path as osp

import torch
from mmengine.config import Config, DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Print the top-k classes of a video')
    parser.add_argument('video', help='video file')
    parser.add_argument('config', help='test config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--label-map', help='class names, one per line')
    parser.add_argument('--topk', type=int, default=5)
    parser.add_argument(
        '--device', default='cuda:0' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, as in tools/test.py')
    return parser.parse_args(argv)


def check_video(path: str) -> None:
    """Fail with a clear message for a missing or undecodable video."""
    if not osp.isfile(path):
        raise SystemExit(f'error: video file not found: {path}')
    import decord
    try:
        reader = decord.VideoReader(path, num_threads=1)
        num_frames = len(reader)
    except Exception as err:  # decord raises its own DECORDError
        raise SystemExit(f'error: cannot decode video {path}: '
                         f'{str(err).splitlines()[0]}') from None
    if num_frames == 0:
        raise SystemExit(f'error: video {path} has no frames')


def read_label_map(path: str, num_classes: int) -> list:
    if not osp.isfile(path):
        raise SystemExit(f'error: label map not found: {path}')
    with open(path) as f:
        names = [line.strip() for line in f if line.strip()]
    if len(names) < num_classes:
        raise SystemExit(
            f'error: label map {path} names {len(names)} classes, the model '
            f'has {num_classes}')
    return names


def predict(video: str, config, checkpoint: str, device: str = 'cpu'):
    """Class scores ``(num_classes,)`` of one video."""
    from mmaction.apis import inference_recognizer, init_recognizer
    model = init_recognizer(config, checkpoint, device=device)
    result = inference_recognizer(model, video)
    return result.pred_score.detach().float().cpu()


def main(argv=None):
    args = parse_args(argv)
    check_video(args.video)
    for path, what in ((args.config, 'config'),
                       (args.checkpoint, 'checkpoint')):
        if not osp.isfile(path):
            raise SystemExit(f'error: {what} file not found: {path}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if cfg.get('test_pipeline') is None:
        raise SystemExit(
            f'error: {args.config} has no test_pipeline (demo.py reads the '
            'video with it)')
    scores = predict(args.video, cfg, args.checkpoint, args.device)
    names = (read_label_map(args.label_map, len(scores))
             if args.label_map else [str(i) for i in range(len(scores))])
    k = min(args.topk, len(scores))
    top = scores.topk(k)
    print(f'top-{k} classes of {args.video}:')
    for score, idx in zip(top.values.tolist(), top.indices.tolist()):
        print(f'{names[idx]}: {score:.4f}')

