"""The command line of ``tools/train.py``: mmaction2 1.2.0's train.py (same
flags, same behaviour) with these changes: the runner registry is
mmengine's root one under the config's ``default_scope``, so it serves
mmaction2 (video) and mmpretrain (image) configs alike; ``--seed`` wins
over the config's ``randomness``; ``RandomStateHook`` joins
``custom_hooks``, so ``--resume`` is exact; ``--vis-backend`` picks
experiment trackers (TensorBoard, W&B, MLflow...).
"""
import argparse
import importlib.util
import os.path as osp

from mmengine.config import Config

from ..engine.runner import build_runner
from . import add_cfg_options, add_launcher, set_local_rank
from ..utils import check_config_or_exit


#: --vis-backend name -> (mmengine backend, the package it needs)
VIS_BACKENDS = {
    'local': ('LocalVisBackend', None),
    'tensorboard': ('TensorboardVisBackend', 'tensorboard'),
    'wandb': ('WandbVisBackend', 'wandb'),
    'mlflow': ('MLflowVisBackend', 'mlflow'),
    'clearml': ('ClearMLVisBackend', 'clearml'),
    'neptune': ('NeptuneVisBackend', 'neptune'),
    'dvclive': ('DVCLiveVisBackend', 'dvclive'),
    'aim': ('AimVisBackend', 'aim'),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='If specify checkpoint path, resume from it, while if not '
        'specify, try to auto resume from the latest checkpoint '
        'in the work directory.')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic-mixed-precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='whether not to evaluate the checkpoint during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='whether to auto scale the learning rate according to the '
        'actual batch size and the original batch size.')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument(
        '--diff-rank-seed',
        action='store_true',
        help='whether or not set different seeds for different ranks')
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='whether to set deterministic options for CUDNN backend.')
    parser.add_argument(
        '--vis-backend',
        nargs='+',
        choices=list(VIS_BACKENDS),
        help='experiment trackers that receive the losses, learning rate and '
        'validation metrics, besides the local vis_data/scalars.json '
        '(mmengine visualisation backends; the same as --cfg-options '
        'visualizer.vis_backends="[dict(type=\'LocalVisBackend\'),'
        'dict(type=\'TensorboardVisBackend\')]"). Their settings follow '
        'with --cfg-options, e.g. visualizer.vis_backends.1.init_kwargs.'
        'project=NAME for wandb')
    add_cfg_options(parser)
    add_launcher(parser)
    args = parser.parse_args(argv)
    set_local_rank(args)
    for name in args.vis_backend or []:
        package = VIS_BACKENDS[name][1]
        # mmengine imports it only at the first logged value, mid-epoch
        if package and importlib.util.find_spec(package) is None:
            parser.error(f'--vis-backend {name} needs the {package} package '
                         f'(pip install {package})')

    return args


def set_vis_backends(cfg, names):
    """``visualizer.vis_backends``: the local one, then ``names``."""
    if cfg.get('visualizer') is None:
        raise SystemExit('--vis-backend: the config has no visualizer')
    types = ['LocalVisBackend'] + [
        VIS_BACKENDS[n][0] for n in names if n != 'local']
    cfg.visualizer.vis_backends = [dict(type=t) for t in types]


def merge_args(cfg, args):
    """Merge CLI arguments to config."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None

    cfg.launcher = args.launcher

    # work_dir is determined in this priority: CLI > segment in file > filename
    if args.work_dir is not None:
        # update configs according to CLI args if args.work_dir is not None
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        # use config filename as default work_dir if cfg.work_dir is None
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    # enable automatic-mixed-precision training
    if args.amp is True:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        assert optim_wrapper in ['OptimWrapper', 'AmpOptimWrapper'], \
            '`--amp` is not supported custom optimizer wrapper type ' \
            f'`{optim_wrapper}.'
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    # resume training
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    # enable auto scale learning rate
    if args.auto_scale_lr:
        assert cfg.get('auto_scale_lr') is not None, \
            '`--auto-scale-lr` needs `auto_scale_lr = dict(base_batch_size=' \
            '...)` in the config'
        cfg.auto_scale_lr.enable = True

    # set random seeds. mmaction2's train.py drops --seed whenever the config
    # has a `randomness` dict (every runtime base has one), so a seed sweep
    # silently trains one seed; here a flag given on the command line wins.
    randomness = dict(cfg.get('randomness', None) or {})
    if args.seed is not None or 'seed' not in randomness:
        randomness['seed'] = args.seed
    if args.diff_rank_seed:
        randomness['diff_rank_seed'] = True
    if args.deterministic:
        randomness['deterministic'] = True
    randomness.setdefault('diff_rank_seed', False)
    randomness.setdefault('deterministic', False)
    cfg.randomness = randomness

    # before --cfg-options, which may then set the backends' arguments
    if args.vis_backend:
        set_vis_backends(cfg, args.vis_backend)

    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    # not in mmaction2's tool: checkpoints keep the random generators'
    # states, so `--resume` continues exactly (structvit_mm.engine)
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(isinstance(h, dict) and h.get('type') == 'RandomStateHook'
               for h in hooks):
        cfg.custom_hooks = hooks + [dict(type='RandomStateHook')]

    return cfg


def main(argv=None):
    args = parse_args(argv)

    cfg = Config.fromfile(args.config)

    # merge cli arguments to config
    cfg = merge_args(cfg, args)
    # a missing section fails here, naming the key and the file
    check_config_or_exit(cfg, 'train', args.config)

    runner = build_runner(cfg)

    # start training
    runner.train()


if __name__ == '__main__':  # python -m structvit_mm.cli.train
    main()
