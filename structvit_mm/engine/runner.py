"""mmengine's ``Runner`` that makes the config's number of classes one
number before building anything (:mod:`structvit_mm.num_classes`), and
honours ``compile=True`` in ``test()`` as well as in ``train()``.

The project's runtime bases set ``runner_type = 'StructViTRunner'``; every
OpenMMLab ``tools/train.py`` / ``tools/test.py`` (this repository's,
mmaction2's, mmpretrain's, hence ``mim train`` / ``mim test``) builds
``runner_type`` through ``RUNNERS``, so the fix applies under all of them.
This repository's two tools share :func:`build_runner`.
"""
from mmengine.registry import RUNNERS, init_default_scope
from mmengine.runner import Runner

from ..num_classes import sync_num_classes


# mmengine's root registry: mmaction2's and mmpretrain's child registries
# both find it
@RUNNERS.register_module()
class StructViTRunner(Runner):
    """``Runner`` whose :meth:`from_cfg` first calls
    :func:`~structvit_mm.num_classes.sync_num_classes`: a mismatch stops
    here, before the model, the datasets or the work directory exist."""

    @classmethod
    def from_cfg(cls, cfg) -> 'Runner':
        sync_num_classes(cfg)
        return super().from_cfg(cfg)

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
