"""Build a model from a config, as mmaction2's ``init_recognizer`` and
mmpretrain's ``get_model`` do, for either host library."""
import copy
from typing import Optional, Union

import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import DefaultScope

#: Model types of mmpretrain's classifiers; every other model is built in
#: mmaction2's scope.
_IMAGE_MODELS = ('ImageClassifier', 'TokenLabelClassifier')


def model_scope(cfg: Config) -> str:
    """The registry scope a config's model builds in: its ``default_scope``
    if set, else ``'mmpretrain'`` for image classifiers and ``'mmaction'``
    for the rest."""
    scope = cfg.get('default_scope')
    if scope:
        return scope
    return 'mmpretrain' if cfg.model.get('type') in _IMAGE_MODELS \
        else 'mmaction'


def strip_pretrained(model_cfg) -> None:
    """Drop what would read weights at build or ``init_weights`` time
    (``init_cfg`` / ``pretrained`` of backbone and head, the backbone's
    ``pretrained2d``), in place: measurements need no downloads."""
    for part in ('backbone', 'cls_head', 'head'):
        if part in model_cfg:
            model_cfg[part].pop('init_cfg', None)
            model_cfg[part].pop('pretrained', None)
    model_cfg.backbone.pop('pretrained2d', None)


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               cfg_options: Optional[dict] = None,
               device: str = 'cpu',
               no_pretrained: bool = False) -> nn.Module:
    """Build ``config``'s model (and load ``checkpoint``), in eval mode.

    Args:
        config: a config file, a host library's config name
            (``'mmaction::recognition/...py'``) or a loaded
            :class:`~mmengine.config.Config` (copied, not changed).
        checkpoint: weights to load (non-strict, as mmaction2 does); None
            keeps the model as built: no ``init_weights``, so a backbone's
            ``init_cfg`` checkpoint is not read.
        cfg_options: overrides merged into the config first, e.g.
            ``{'model.backbone.structure_init': 'attention'}``.
        device: where the model goes.
        no_pretrained: also strip the model's pretrained references
            (:func:`strip_pretrained`), as the speed benchmarks do.

    The built model keeps its config in ``model.cfg``.
    """
    import structvit_mm  # noqa: F401  (registers our modules)
    if not isinstance(config, str):
        cfg = copy.deepcopy(config)
    elif '::' in config:
        from mmengine.hub import get_config
        cfg = get_config(config)
    else:
        cfg = Config.fromfile(config)
    if cfg_options:  # a copy: mmengine's merge pops `_delete_` from values
        cfg.merge_from_dict(copy.deepcopy(cfg_options))
    if no_pretrained:
        strip_pretrained(cfg.model)
    scope = model_scope(cfg)
    if scope == 'mmpretrain':
        from mmpretrain.registry import MODELS
    else:
        from mmaction.registry import MODELS
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(cfg.model)
    if checkpoint is not None:
        from mmengine.runner import load_checkpoint
        load_checkpoint(model, checkpoint, map_location='cpu')
    model.cfg = cfg
    return model.to(device).eval()
