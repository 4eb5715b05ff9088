"""The command line of ``tools/test.py``: mmaction2 1.2.0's test.py (same
flags, same behaviour) with these changes: the runner registry follows the
config's ``default_scope`` (mmaction2 and mmpretrain configs alike),
``--show-dir`` adds a ``VisualizationHook`` when the config has none, and
``--amp`` tests in fp16 (as mmpretrain's tool). mmengine checkpoints load
under torch's ``weights_only=True`` through ``structvit_mm``'s compat fixes,
which importing this package applies first.
"""
# Copyright (c) OpenMMLab. All rights reserved. (argparse and flow from
# mmaction2's tools/test.py)
import argparse
import os.path as osp

from mmengine.config import Config

from ..engine.runner import build_runner
from . import add_cfg_options, add_launcher, set_local_rank
from ..utils import check_config_or_exit


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--dump',
        type=str,
        help='dump predictions to a pickle file for offline evaluation')
    add_cfg_options(parser)
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic-mixed-precision test')
    parser.add_argument(
        '--show-dir',
        help='directory where the visualization images will be saved.')
    parser.add_argument(
        '--show',
        action='store_true',
        help='whether to display the prediction results in a window.')
    parser.add_argument(
        '--interval',
        type=int,
        default=1,
        help='visualize per interval samples.')
    parser.add_argument(
        '--wait-time',
        type=float,
        default=2,
        help='display time of every window. (second)')
    add_launcher(parser)
    args = parser.parse_args(argv)
    set_local_rank(args)
    return args


def merge_args(cfg, args):
    """Merge CLI arguments to config."""
    # -------------------- visualization --------------------
    if args.show or (args.show_dir is not None):
        if 'visualization' not in cfg.default_hooks:
            # mmaction2's and mmpretrain's hooks share this registered name
            cfg.default_hooks.visualization = dict(type='VisualizationHook')
        cfg.default_hooks.visualization.enable = True
        cfg.default_hooks.visualization.show = args.show
        cfg.default_hooks.visualization.wait_time = args.wait_time
        cfg.default_hooks.visualization.out_dir = args.show_dir
        cfg.default_hooks.visualization.interval = args.interval

    # -------------------- Dump predictions --------------------
    if args.dump is not None:
        assert args.dump.endswith(('.pkl', '.pickle')), \
            'The dump file must be a pkl file.'
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        if isinstance(cfg.test_evaluator, (list, tuple)):
            cfg.test_evaluator = list(cfg.test_evaluator)
            cfg.test_evaluator.append(dump_metric)
        else:
            cfg.test_evaluator = [cfg.test_evaluator, dump_metric]

    # enable automatic-mixed-precision test
    if args.amp:
        cfg.test_cfg = cfg.get('test_cfg') or dict(type='TestLoop')
        cfg.test_cfg.fp16 = True

    return cfg


def main(argv=None):
    args = parse_args(argv)

    # load config
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    # work_dir is determined in this priority: CLI > segment in file > filename
    if args.work_dir is not None:
        # update configs according to CLI args if args.work_dir is not None
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        # use config filename as default work_dir if cfg.work_dir is None
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    cfg.load_from = args.checkpoint
    # a missing section fails here, naming the key and the file
    check_config_or_exit(cfg, 'test', args.config)

    runner = build_runner(cfg)

    # start testing
    runner.test()


if __name__ == '__main__':  # python -m structvit_mm.cli.test
    main()
