"""Measuring the op and the models: FLOPs, speed, memory, the init's signal.

The scripts under ``tools/analysis/`` are these modules' command lines.
Names resolve lazily (PEP 562) so that ``import structvit_mm.analysis``
(and ``from structvit_mm.analysis import complexity_info``, the import
path of the former ``analysis.py``) loads only the submodule it needs:
``mmengine.analysis`` and the timing code stay out of a plain
``import structvit_mm``.
"""
import importlib

#: public name -> the submodule that defines it
_NAMES = {
    'flops': ('SDPA_OP', 'sdpa_flop', 'sdpa_flop_jit', 'FLOP_HANDLES',
              'add_flop_handles', 'flop_analyzer', 'complexity_info',
              'ClassifierForward', 'input_shape_from',
              # re-exported by the former analysis.py
              'FlopAnalyzer', 'parameter_count', 'get_shape'),
}
_WHERE = {name: mod for mod, names in _NAMES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        module = importlib.import_module(f'{__name__}.{_WHERE[name]}')
        value = getattr(module, name)
        globals()[name] = value  # resolve once
        return value
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted(set(globals()) | set(_WHERE))
