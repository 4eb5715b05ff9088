"""Save the random number generators' states in checkpoints, so ``--resume``
continues a run exactly as if it had never stopped.

mmengine 0.10.7 saves the weights, optimizer, schedulers, message hub, epoch
and seed, and on resume re-seeds every generator with the run's seed, i.e.
the state of epoch 0. Everything random after that (random clip sampling and
crops, drawn from the global NumPy / Python generators when
``num_workers=0``; dropout and drop-path, from torch's generator) then
differs from the uninterrupted run, so the resumed run ends with different
weights. Also, every ``DataLoader`` iterator draws one number from torch's
global generator when created, so even whether validation ran between two
epochs changes the next epoch's randomness.

:class:`RandomStateHook` fixes both for epoch-based loops:

* ``after_train_epoch``: snapshot Python's, NumPy's, torch's CPU and the
  current CUDA device's generator states of every rank (an all-gather once
  per epoch when distributed);
* ``before_save_checkpoint``: store that snapshot as ``checkpoint
  ['random_states']`` (a list by rank, plain Python types and tensors, so it
  loads under ``weights_only=True``);
* ``before_train_epoch``: put the snapshot back, i.e. start every epoch from
  the state the previous training epoch ended in. In a fresh process the
  snapshot comes from the resumed checkpoint (``after_load_checkpoint``),
  used only when training resumes at that checkpoint's epoch (a plain
  ``load_from`` leaves the generators alone); within one run it rewinds what
  validation and other between-epoch work drew.

Not covered: the generators of dataloader *worker processes*. With
``num_workers=0`` or non-persistent workers (mmengine re-seeds those every
epoch with ``seed + worker_id + rank * num_workers``) a resume is exact;
persistent workers with random augmentations restart their streams on
resume. Iteration-based loops are not covered either (mmengine fast-forwards
their dataloader on resume, drawing random numbers before any hook runs).
"""
import logging
import random
from typing import List, Optional

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import HOOKS
from mmengine.runner import EpochBasedTrainLoop

CHECKPOINT_KEY = 'random_states'


def get_random_state() -> dict:
    """This process's generator states, as plain Python types / tensors."""
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    state = dict(
        python=random.getstate(),
        numpy=(name, keys.tolist(), int(pos), int(has_gauss), float(gauss)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state()  # the current device's
    return state


def set_random_state(state: dict) -> None:
    """Inverse of :func:`get_random_state`."""
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    name, keys, pos, has_gauss, cached = state['numpy']
    np.random.set_state(
        (name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state['cuda'])


@HOOKS.register_module()  # mmengine's root: mmaction2 and mmpretrain see it
class RandomStateHook(Hook):
    """Checkpoint the random generators' states; resume them exactly.

    Add to a config as ``custom_hooks = [dict(type='RandomStateHook')]``
    (``tools/train.py`` adds it when a config does not).
    """

    priority = 'VERY_HIGH'  # restore before other hooks draw numbers

    def __init__(self) -> None:
        self._states: Optional[List[dict]] = None  # by rank
        self._epoch: Optional[int] = None  # the epoch they start
        self._warned = False

    def _epoch_based(self, runner) -> bool:
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            return True
        if not self._warned:
            self._warned = True
            print_log(f'{type(self).__name__}: only epoch-based train loops '
                      'resume their random states exactly; not saving them',
                      logger='current', level=logging.WARNING)
        return False

    def after_train_epoch(self, runner) -> None:
        if not self._epoch_based(runner):
            return
        state = get_random_state()
        self._states = (all_gather_object(state)
                        if get_world_size() > 1 else [state])
        self._epoch = runner.epoch + 1  # mmengine counts it up after hooks

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._states is not None:
            checkpoint[CHECKPOINT_KEY] = dict(epoch=self._epoch,
                                              states=self._states)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        saved = checkpoint.get(CHECKPOINT_KEY)
        if saved is not None:
            self._states, self._epoch = saved['states'], saved['epoch']

    def before_train_epoch(self, runner) -> None:
        if self._states is None or runner.epoch != self._epoch:
            return  # a new run, or a checkpoint loaded as weights only
        if len(self._states) != get_world_size():
            print_log(f'{type(self).__name__}: the checkpoint holds the '
                      f'random states of {len(self._states)} processes, '
                      f'this run has {get_world_size()}: not restored',
                      logger='current', level=logging.WARNING)
            self._states = None
            return
        set_random_state(self._states[get_rank()])
