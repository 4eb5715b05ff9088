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
import os.path as osp
import sys

import torch
import torch.nn as nn
from mmengine import Config, DictAction
from mmengine.analysis import parameter_count
from mmengine.registry import init_default_scope

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
import structvit_mm  # noqa: E402,F401  (compat fixes before mmaction)
from structvit_mm.analysis import complexity_info  # noqa: E402


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


class ClassifierForward(nn.Module):
    """Input tensor -> backbone -> neck -> head logits, for tracing.

    Holds the classifier's own ``backbone`` / ``neck`` / ``head`` modules
    under the same names, so per-module counts read ``backbone`` etc.
    """

    def __init__(self, model: nn.Module, backbone_only: bool = False):
        super().__init__()
        self.backbone = model.backbone
        self.neck = getattr(model, 'neck', None) if not backbone_only \
            else None
        head = None
        if not backbone_only:
            head = getattr(model, 'cls_head', None) or getattr(
                model, 'head', None)
        self.head = head

    def forward(self, x):
        x = self.backbone(x)
        if self.neck is not None:
            x = self.neck(x)
            if isinstance(x, tuple) and len(x) == 2 and isinstance(
                    x[1], dict):  # mmaction2 necks return (x, loss_aux)
                x = x[0]
        if self.head is not None:
            x = self.head(x)
        return x


def input_shape_from(shape):
    if len(shape) == 1:
        return (1, 3, shape[0], shape[0])
    if len(shape) == 2:
        return (1, 3) + tuple(shape)
    if len(shape) in (4, 5):
        return tuple(shape)
    raise ValueError(f'invalid input shape {shape}')


def build_model(cfg):
    scope = cfg.get('default_scope', None)
    if scope is None:
        scope = 'mmpretrain' if cfg.model.get('type') == 'ImageClassifier' \
            else 'mmaction'
    init_default_scope(scope)
    if scope == 'mmpretrain':
        from mmpretrain.registry import MODELS
    else:
        from mmaction.registry import MODELS
    return MODELS.build(cfg.model)


def main():
    args = parse_args()
    input_shape = input_shape_from(args.shape)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    model = build_model(cfg)
    model.eval()
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
