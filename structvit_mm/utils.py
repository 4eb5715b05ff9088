"""Config checks that fail fast, naming the missing key and the config file.

mmengine's ``Runner`` reports a missing section late and vaguely (a
``KeyError: 'sampler'`` deep inside ``build_dataloader``, or an
``AttributeError`` from ``ConfigDict``); ``tools/train.py`` and
``tools/test.py`` call :func:`check_config` before building the runner.
"""
import copy
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import Config

#: ``mode -> [(dotted key, why)]``; ``a.b`` means ``cfg.a`` must hold ``b``.
REQUIRED = {
    'train': [
        ('model', 'the model to build'),
        ('model.type', 'the registered model class'),
        ('train_dataloader', 'the training data'),
        ('train_dataloader.dataset', 'the training dataset'),
        ('train_dataloader.sampler', "e.g. dict(type='DefaultSampler', "
         'shuffle=True)'),
        ('train_cfg', "the training loop, e.g. dict(type='EpochBasedTrainLoop'"
         ', max_epochs=...)'),
        ('optim_wrapper', 'the optimizer, e.g. dict(optimizer=dict('
         "type='AdamW', lr=...))"),
    ],
    'test': [
        ('model', 'the model to build'),
        ('model.type', 'the registered model class'),
        ('test_dataloader', 'the test data'),
        ('test_dataloader.dataset', 'the test dataset'),
        ('test_dataloader.sampler', "e.g. dict(type='DefaultSampler', "
         'shuffle=False)'),
        ('test_cfg', "the test loop, e.g. dict(type='TestLoop')"),
        ('test_evaluator', "the metric, e.g. dict(type='AccMetric')"),
    ],
}
#: mmengine builds a loop only from all three of these, or none of them.
_TOGETHER = {
    'train': ('val_dataloader', 'val_cfg', 'val_evaluator'),
    'test': (),
}


class ConfigError(ValueError):
    """A config lacks a key the tool needs."""


def _lookup(cfg, dotted: str):
    node = cfg
    for part in dotted.split('.'):
        if not isinstance(node, (dict, Config)) or node.get(part) is None:
            return None
        node = node[part]
    return node


def check_config(cfg: Config,
                 mode: str,
                 filename: Optional[str] = None,
                 cfg_options: Optional[dict] = None) -> None:
    """Raise :class:`ConfigError` naming every required key that is missing
    (or a ``load_from`` file that does not exist).

    Args:
        cfg: the loaded config.
        mode: ``'train'`` or ``'test'``.
        filename: the config file, for the message (default
            ``cfg.filename``).
        cfg_options: ``--cfg-options`` still to be merged (they may supply
            a missing key); ``cfg`` itself is not changed.
    """
    if mode not in REQUIRED:
        raise ValueError(f'mode must be one of {sorted(REQUIRED)}, got {mode!r}')
    if cfg_options:
        cfg = copy.deepcopy(cfg)
        cfg.merge_from_dict(cfg_options)
    filename = filename or getattr(cfg, 'filename', None) or '<config>'
    problems = []
    for key, why in REQUIRED[mode]:
        parent = key.rsplit('.', 1)[0] if '.' in key else None
        if parent is not None and _lookup(cfg, parent) is None:
            continue  # the whole section is missing: reported once
        if _lookup(cfg, key) is None:
            problems.append(f'  {key}: {why}')
    together = _TOGETHER[mode]
    present = [k for k in together if cfg.get(k) is not None]
    if present and len(present) < len(together):
        missing = [k for k in together if k not in present]
        problems.append(
            f'  {", ".join(missing)}: {", ".join(present)} given, but mmengine '
            f'needs all of {", ".join(together)} (or none, to skip '
            'validation: tools/train.py --no-validate)')
    if problems:
        raise ConfigError(
            f'{filename} cannot be used to {mode}; missing config keys:\n' +
            '\n'.join(problems))
    load_from = cfg.get('load_from')
    if (isinstance(load_from, str) and '://' not in load_from
            and not osp.isfile(load_from)):
        # the fine-tuning rows load the previous stage from its work dir;
        # mmengine would only say "can not be found" after building it all
        if mode == 'test':
            raise ConfigError(f'checkpoint not found: {load_from}')
        raise ConfigError(
            f'{filename}: load_from = {load_from} does not exist. Train the '
            'stage it comes from first (docs/en/user_guides/configs.md: the checkpoint chain), pass '
            'another checkpoint with --cfg-options load_from=PATH, or start '
            'from the initialisation alone with --cfg-options load_from=None')


def check_config_or_exit(cfg: Config,
                         mode: str,
                         filename: Optional[str] = None,
                         cfg_options: Optional[dict] = None) -> None:
    """:func:`check_config` for command-line tools: print the message and
    exit with status 1 instead of a traceback."""
    try:
        check_config(cfg, mode, filename, cfg_options)
    except ConfigError as err:
        raise SystemExit(f'error: {err}') from None


__all__: Sequence[str] = ['ConfigError', 'check_config',
                          'check_config_or_exit']
