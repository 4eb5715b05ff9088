"""Linear learning-rate scaling by the effective batch, accumulation included.

mmengine 0.10.7's ``Runner.scale_lr`` scales by processes x ``batch_size``
only. A user who adds ``optim_wrapper.accumulative_counts=N`` to reach the
paper's total batch on fewer GPUs then trains at ``1/N`` of the paper's
learning rate, with no message. Here the effective batch, the one the
optimizer steps on, is processes x ``batch_size`` x ``accumulative_counts``,
and one log line says what was done::

    lr scaling: base lr 0.0002 at batch 64 (auto_scale_lr); effective batch
    64 = 1 process x 8 per process x 8 accumulated -> lr 0.0002 (x1)

:class:`~structvit_mm.engine.runner.StructViTRunner` calls
:func:`check_accumulative_counts` before anything is built and
:func:`scale_lr` where mmengine calls its own, so this holds under every
OpenMMLab ``tools/train.py`` and ``mim train``.
"""
import logging
from typing import Dict, Optional, Tuple

from mmengine.logging import print_log


class AccumulationConfigError(ValueError):
    """``optim_wrapper.accumulative_counts`` is not a positive integer
    (raised before any model or dataset is built)."""


def check_accumulative_counts(cfg) -> int:
    """``cfg.optim_wrapper.accumulative_counts`` (1 when unset), or
    :class:`AccumulationConfigError` naming the key, the value and the fix.
    mmengine itself only asserts ``> 0`` once the wrapper is built, and takes
    a float: 1.5 would step on every iteration whose count divides by 1.5."""
    wrapper = cfg.get('optim_wrapper', None)
    if not isinstance(wrapper, dict) or 'accumulative_counts' not in wrapper:
        return 1
    n = wrapper['accumulative_counts']
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise AccumulationConfigError(
            f'optim_wrapper.accumulative_counts={n!r} is not a positive '
            'integer. Set it to N >= 1 (the optimizer then steps every N '
            'iterations on an effective batch of processes x batch_size x '
            'N; 1 = no accumulation), e.g. --cfg-options '
            'optim_wrapper.accumulative_counts=8')
    return n


def _plural(n: int, word: str) -> str:
    return f'{n} {word}' + ('' if n == 1 else 'es' if word.endswith('s')
                            else 's')


def scale_lr(optim_wrapper, auto_scale_lr: Optional[Dict], world_size: int,
             batch_size: int, logger: str = 'current') -> float:
    """Scale every parameter group's lr of ``optim_wrapper`` (an
    ``OptimWrapper`` or ``OptimWrapperDict``) by effective batch /
    ``auto_scale_lr['base_batch_size']`` when ``auto_scale_lr['enable']``;
    log one line per wrapper either way. Returns the last ratio applied
    (1.0 when not scaled)."""
    from mmengine.optim import OptimWrapperDict
    enabled = bool(auto_scale_lr) and auto_scale_lr.get('enable', False)
    if enabled and 'base_batch_size' not in auto_scale_lr:
        raise KeyError('auto_scale_lr.enable=True needs '
                       'auto_scale_lr.base_batch_size, the total batch the '
                       "optimizer's lr is given for")
    wrappers = dict(optim_wrapper.items()) if isinstance(
        optim_wrapper, OptimWrapperDict) else {'': optim_wrapper}
    ratio = 1.0
    for name, wrapper in wrappers.items():
        # the built wrapper's count, i.e. what the optimizer will really do
        accum = getattr(wrapper, '_accumulative_counts', 1)
        effective = world_size * batch_size * accum
        base_lr = wrapper.optimizer.defaults['lr']
        how = (f'effective batch {effective} = '
               f'{_plural(world_size, "process")} x {batch_size} per process'
               f' x {accum} accumulated')
        where = f' ({name})' if name else ''
        if not enabled:
            print_log(
                f'lr scaling{where}: lr {base_lr:g} not scaled '
                f'(auto_scale_lr off: the config\'s lr is used as set); '
                f'{how}', logger=logger, level=logging.INFO)
            continue
        base_bs = auto_scale_lr['base_batch_size']
        ratio = effective / base_bs
        for group in wrapper.optimizer.param_groups:
            group['lr'] = group['lr'] * ratio
        # the lr without paramwise multipliers, which the schedulers also
        # step and the training log prints as base_lr: mmengine leaves it
        # unscaled, so the log showed the config's lr, not the one trained at
        base = getattr(wrapper, 'base_param_settings', None)
        if base:
            base['lr'] = base['lr'] * ratio
        print_log(
            f'lr scaling{where}: base lr {base_lr:g} at batch {base_bs} '
            f'(auto_scale_lr); {how} -> lr {base_lr * ratio:g} '
            f'(x{ratio:g})', logger=logger, level=logging.INFO)
    return ratio


def batch_plan(per_gpu: int, total: int, gpus: int) -> Tuple[int, int]:
    """``(batch per GPU, accumulative_counts)`` that reach a total batch of
    ``total`` on ``gpus`` GPUs, keeping the recipe's ``per_gpu`` batch (so
    memory per GPU and the BatchNorm statistics of stages 1-2 stay the
    paper's) and accumulating the rest; fewer per GPU only when ``gpus``
    GPUs at ``per_gpu`` already exceed ``total``. ``ValueError`` when no
    whole numbers reach ``total`` exactly."""
    if total % (gpus * per_gpu) == 0:
        return per_gpu, total // (gpus * per_gpu)
    if gpus * per_gpu > total and total % gpus == 0:
        return total // gpus, 1
    raise ValueError(f'no whole batch per GPU x accumulation reaches a total '
                     f'batch of {total} on {gpus} GPUs from {per_gpu} per '
                     'GPU')
