"""The command lines behind the scripts under ``tools/`` and ``demo/``:
each script is one call into a module here, so the tests import what they
check instead of loading a script by its path."""


def add_cfg_options(parser):
    """mmaction2's / mmpretrain's ``--cfg-options KEY=VALUE ...``."""
    from mmengine.config import DictAction
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')


def add_launcher(parser):
    """``--launcher`` and the rank that ``torch.distributed.launch`` passes
    (``--local-rank`` from torch 2.0, ``--local_rank`` before; torchrun sets
    ``LOCAL_RANK`` instead)."""
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def set_local_rank(args):
    """``LOCAL_RANK`` from ``--local-rank`` unless a launcher set it."""
    import os
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
