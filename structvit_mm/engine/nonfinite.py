"""Stop training at the first non-finite loss, before anything saves it.

mmengine's ``CheckInvalidLossHook`` checks only every ``interval``
iterations and says "loss become infinite or NaN!". This hook checks
every iteration (the loss values are already materialised for logging, so
the check is one ``isfinite`` per loss term), names the epoch, the
iteration and the bad loss terms, and stops the run.

Why the last good checkpoint stays intact: by ``after_train_iter`` the
optimizer has already stepped, so the in-memory weights may now be NaN.
Every writer of checkpoints runs later than this hook: ``CheckpointHook``
(priority ``VERY_LOW``) saves in ``after_train_iter`` (iteration-based
interval) or ``after_train_epoch``, ``save_last`` in ``after_train``;
``EMAHook`` (``NORMAL``) would fold the weights into its average in
``after_train_iter``. This hook has priority ``HIGHEST``, so it raises
before any of them sees the iteration, and an exception ends
``Runner.train`` without ``after_train_epoch`` / ``after_train`` /
``after_run``. As a second line of defence it refuses to save a checkpoint
whose weights are non-finite (``before_save_checkpoint``), whatever the
hook order of a custom setup.

With AMP's dynamic loss scaling, non-finite *gradients* are expected and
handled by the optimizer wrapper (the step is skipped); only a non-finite
*loss* means the model itself broke, so only the loss is checked.
"""
import math
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook
from mmengine.registry import HOOKS
from mmengine.runner import EpochBasedTrainLoop


class NonFiniteLossError(RuntimeError):
    """Training produced a NaN or infinite loss."""


def _non_finite_terms(outputs: Optional[dict]) -> Dict[str, float]:
    """``{name: value}`` of the loss terms in ``outputs`` that are not finite."""
    bad = {}
    for name, value in (outputs or {}).items():
        if 'loss' not in name:
            continue  # e.g. accuracy terms in the log vars
        if isinstance(value, torch.Tensor):
            if not bool(torch.isfinite(value.detach()).all()):
                bad[name] = float(value.detach().float().mean())
        elif isinstance(value, (int, float)) and not math.isfinite(value):
            bad[name] = float(value)
    return bad


# Registered in mmengine's root registry: mmaction2's and mmpretrain's HOOKS
# are its children, so ``custom_hooks=[dict(type='NonFiniteLossHook')]``
# resolves in either default scope.
@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Raise :class:`NonFiniteLossError` at the first non-finite loss.

    Add to a config as ``custom_hooks = [dict(type='NonFiniteLossHook')]``.

    Args:
        check_checkpoint (bool): also refuse to write a checkpoint whose
            ``state_dict`` holds a non-finite value. Defaults to True.
    """

    priority = 'HIGHEST'

    def __init__(self, check_checkpoint: bool = True) -> None:
        self.check_checkpoint = check_checkpoint

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        bad = _non_finite_terms(outputs)
        if get_world_size() > 1:
            # one rank's NaN must stop every rank, or the others hang in
            # the next collective
            flag = torch.tensor(float(bool(bad)),
                                device=self._device(runner))
            all_reduce(flag)
            if flag.item() > 0 and not bad:
                bad = {'(on another rank)': float('nan')}
        if not bad:
            return
        terms = ', '.join(f'{k}={v}' for k, v in bad.items())
        where = f'iteration {runner.iter + 1}'
        if self._by_epoch(runner):
            where = (f'epoch {runner.epoch + 1}, iteration {batch_idx + 1}/'
                     f'{len(runner.train_dataloader)} of the epoch '
                     f'(global iteration {runner.iter + 1})')
        message = (
            f'Non-finite loss at {where}: {terms}. Training stopped before '
            'any checkpoint of this iteration was written; '
            f'{self._last_checkpoint(runner)}. Lower the learning rate, '
            'enable clip_grad, or check the data.')
        runner.logger.error(message)
        raise NonFiniteLossError(message)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if not self.check_checkpoint:
            return
        for key in ('state_dict', 'ema_state_dict'):
            for name, value in (checkpoint.get(key) or {}).items():
                if isinstance(value, torch.Tensor) and \
                        value.is_floating_point() and \
                        not bool(torch.isfinite(value).all()):
                    message = (
                        f'Refusing to save a checkpoint at iteration '
                        f'{runner.iter}: {key}[{name!r}] is not finite.')
                    runner.logger.error(message)
                    raise NonFiniteLossError(message)

    @staticmethod
    def _by_epoch(runner) -> bool:
        return isinstance(getattr(runner, 'train_loop', None),
                          EpochBasedTrainLoop)

    @staticmethod
    def _last_checkpoint(runner) -> str:
        """What CheckpointHook recorded as the latest save, if anything."""
        path = osp.join(runner.work_dir, 'last_checkpoint')
        if osp.isfile(path):
            with open(path) as f:
                return f'the last checkpoint, {f.read().strip()}, is ' \
                    'the last good one'
        return 'no checkpoint was written before it either'

    @staticmethod
    def _device(runner) -> torch.device:
        for p in runner.model.parameters():
            return p.device
        return torch.device('cpu')
