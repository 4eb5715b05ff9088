"""mmengine's ``Runner`` that makes the config's number of classes one
number before building anything (:mod:`structvit_mm.num_classes`), scales
the learning rate by the effective batch with gradient accumulation counted
(:mod:`structvit_mm.engine.lr_scaling`), and honours ``compile=True`` in
``test()`` as well as in ``train()``.

The project's runtime bases set ``runner_type = 'StructViTRunner'``; every
OpenMMLab ``tools/train.py`` / ``tools/test.py`` (this repository's,
mmaction2's, mmpretrain's, hence ``mim train`` / ``mim test``) builds
``runner_type`` through ``RUNNERS``, so the fix applies under all of them.
This repository's two tools share :func:`build_runner`.
"""
from mmengine.registry import RUNNERS, init_default_scope
from mmengine.runner import Runner

from ..num_classes import sync_num_classes
from .lr_scaling import check_accumulative_counts, scale_lr


# mmengine's root registry: mmaction2's and mmpretrain's child registries
# both find it
@RUNNERS.register_module()
class StructViTRunner(Runner):
    """``Runner`` whose :meth:`from_cfg` first calls
    :func:`~structvit_mm.num_classes.sync_num_classes` and checks
    ``optim_wrapper.accumulative_counts``: a mismatch or a bad count stops
    here, before the model, the datasets or the work directory exist."""

    @classmethod
    def from_cfg(cls, cfg) -> 'Runner':
        sync_num_classes(cfg)
        check_accumulative_counts(cfg)
        return super().from_cfg(cfg)

    def scale_lr(self, optim_wrapper, auto_scale_lr=None) -> None:
        # mmengine's counts processes x batch_size only: with accumulation
        # the lr came out divided by accumulative_counts, silently
        loader = self._train_dataloader
        batch_size = loader['batch_size'] if isinstance(loader, dict) \
            else loader.batch_size
        scale_lr(optim_wrapper, auto_scale_lr, self.world_size, batch_size,
                 logger=self.logger)

    def test(self) -> dict:
        # mmengine compiles only in train(); ``compile=True`` on
        # tools/test.py compiles the model's forward too (structvit_mm.compat)
        self._maybe_compile('test_step')
        return super().test()


def build_runner(cfg):
    """Build the runner as mmaction2's and mmpretrain's tools do; a custom
    ``runner_type`` resolves in the config's ``default_scope``."""
    if 'runner_type' not in cfg:
        # build the default runner
        return Runner.from_cfg(cfg)
    # build customized runner from the registry
    # if 'runner_type' is set in the cfg
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    return RUNNERS.build(cfg)
