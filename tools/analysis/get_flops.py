"""Params and FLOPs of a model built from a config (mmaction2's interface).

    python tools/analysis/get_flops.py CONFIG --shape 1 3 16 224 224   # video
    python tools/analysis/get_flops.py CONFIG --shape 1 3 224 224      # image

FLOPs are multiply-accumulates, as ``mmengine.analysis`` / fvcore count
them and as the paper reports them. Unlike mmaction2's own tool, this one
installs a handle for ``aten::scaled_dot_product_attention`` (see
``structvit_mm.analysis``), which ``mmengine.analysis`` otherwise counts as
zero. The model is traced from the input through backbone, neck (if any)
and the classification head's logits; the backbone alone is printed too.
"""
import argparse

import structvit_mm  # noqa: F401  (compat fixes before mmaction)
import torch
from mmengine import Config, DictAction
from mmengine.analysis import parameter_count

from structvit_mm.analysis.flops import (ClassifierForward, complexity_info,
                                         input_shape_from)
from structvit_mm.apis import init_model


def parse_args():
    parser = argparse.ArgumentParser(description='Get model flops and params')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--shape',
        type=int,
        nargs='+',
        default=[224, 224],
        help='input size: H (square), H W, N C H W (image) or N C T H W '
        '(video)')
    parser.add_argument(
        '--num-views',
        type=int,
        default=1,
        help='also print FLOPs x this many test views (e.g. 4 clips)')
    parser.add_argument(
        '--backbone-only',
        action='store_true',
        help='trace the backbone alone (mmaction2 get_flops behaviour)')
    parser.add_argument(
        '--show-table', action='store_true', help='print per-module table')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value')
    return parser.parse_args()


def main():
    args = parse_args()
    input_shape = input_shape_from(args.shape)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    model = init_model(cfg)
    wrapped = ClassifierForward(model, args.backbone_only).eval()

    inputs = (torch.randn(*input_shape), )
    result = complexity_info(wrapped, inputs)
    analyzer = result['analyzer']
    flops = result['flops']
    bb_flops = analyzer.total('backbone')
    bb_params = parameter_count(wrapped.backbone)['']
    if args.show_table:
        from mmengine.analysis import complexity_stats_table
        print(complexity_stats_table(flops=analyzer, max_depth=3))
    split_line = '=' * 40
    print(f'{split_line}\nConfig: {args.config}\nInput shape: {input_shape}')
    print(f'Flops: {flops / 1e9:.2f} G  (backbone {bb_flops / 1e9:.2f} G)')
    if args.num_views > 1:
        print(f'Flops x {args.num_views} views: '
              f'{flops * args.num_views / 1e9:.1f} G')
    print(f'Params: {result["params"] / 1e6:.2f} M  '
          f'(backbone {bb_params / 1e6:.2f} M)')
    by_op = {k: round(v / 1e9, 3) for k, v in analyzer.by_operator().items()}
    print(f'By operator (G): {by_op}')
    if result['unsupported']:
        print(f'Uncounted ops: {dict(result["unsupported"])}')
    print(split_line)


if __name__ == '__main__':
    main()
