"""One decorator that puts a module into both host registries.

StructViT is used from mmpretrain (images) and mmaction2 (video) configs;
each library builds models only from its own ``MODELS`` registry, so every
module of this package is registered in both under the same name.

Without either library installed the op and the backbones are plain
PyTorch modules (``HOSTS`` is False and nothing is registered); with only
one of them, importing fails and names the missing one.
"""
import importlib


def _host_registries():
    found, missing = {}, []
    for name in ('mmaction', 'mmpretrain'):
        try:
            found[name] = importlib.import_module(f'{name}.registry').MODELS
        except ImportError:
            missing.append(name)
    if found and missing:
        raise ImportError(
            f'structvit_mm registers into both mmaction2 and mmpretrain; '
            f'{", ".join(found)} is installed but {", ".join(missing)} is '
            'not (pip install the pinned set, tools/setup_env.sh)')
    return found.get('mmaction'), found.get('mmpretrain')


MMACTION_MODELS, MMPRETRAIN_MODELS = _host_registries()
#: True when mmaction2 and mmpretrain are installed (the OpenMMLab plugin);
#: False for plain-PyTorch use of the op and the backbones.
HOSTS = MMACTION_MODELS is not None


def register_model(cls):
    """Class decorator: register ``cls`` in mmaction2's and mmpretrain's
    MODELS (when they are installed)."""
    if HOSTS:
        MMACTION_MODELS.register_module(module=cls)
        MMPRETRAIN_MODELS.register_module(module=cls)
    return cls


def import_on_first_use(registry, module: str) -> None:
    """Import ``module`` (which registers into ``registry``) when
    ``registry`` first looks a name up, the way mmengine imports a
    registry's own ``locations``; at once if it already has.

    For modules that need heavy imports (mmpretrain's models and
    transforms cost every process seconds): ``import structvit_mm`` stays
    light for the runs that never use them.
    """
    import importlib
    if registry._imported:  # mmengine has no public API for this
        importlib.import_module(module)
    elif module not in registry._locations:
        registry._locations.append(module)
