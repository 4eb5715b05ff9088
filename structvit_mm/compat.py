"""Work-arounds for known bugs of the pinned stack, all in one place.

Each fix is applied once, on ``import structvit_mm``, and only where the bug
is present; the ``drn`` placeholder goes in before anything imports
``mmaction.models``.
"""
import functools
import importlib.util
import logging
import os
import pickle
import sys
import types
from unittest import mock

import torch


def _patch_missing_drn() -> None:
    """mmaction2 1.2.0's PyPI wheel and sdist lack ``mmaction/models/localizers/drn``
    (upstream packaging bug: ``localizers/__init__.py`` imports
    ``.drn.drn.DRN``, which was never packaged), so ``import mmaction.models``
    fails with ``ModuleNotFoundError``. Put a placeholder for that one
    localizer into ``sys.modules`` when, and only when, the files are
    missing; site-packages is never edited. Building ``DRN`` then raises.
    """
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return
    root = spec.submodule_search_locations[0]
    if os.path.isdir(os.path.join(root, 'models', 'localizers', 'drn')):
        return
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules:
        return

    class DRN:  # noqa: D401 - placeholder with the upstream name
        """Placeholder: the DRN localizer is missing from the mmaction2 wheel."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'mmaction2 1.2.0 from PyPI ships without '
                'mmaction.models.localizers.drn; structvit_mm registered a '
                'placeholder so the rest of mmaction.models imports. Install '
                'mmaction2 from source to use DRN.')

    package = types.ModuleType(name)
    package.__path__ = []  # a package, so `from .drn.drn import` resolves
    module = types.ModuleType(name + '.drn')
    module.DRN = DRN
    package.drn = module
    sys.modules[name] = package
    sys.modules[name + '.drn'] = module


def _safe_checkpoint_globals() -> list:
    """The non-tensor types that mmengine 0.10.7 writes into checkpoints."""
    import numpy as np
    from mmengine.logging import HistoryBuffer

    core = getattr(np, '_core', None) or np.core  # renamed in numpy 2
    types_ = [HistoryBuffer, np.ndarray, np.dtype,
              core.multiarray._reconstruct, core.multiarray.scalar]
    # numpy >= 1.25 pickles dtypes as their concrete classes (Float64DType...)
    types_ += [getattr(np.dtypes, n) for n in dir(np.dtypes)
               if n.endswith('DType')]
    # HistoryBuffer pickles its statistics methods as builtins.getattr(cls,
    # 'min'); allowing the real getattr would open every attribute of every
    # allowed type, so that name resolves to a getattr for those methods only.
    types_.append((_history_buffer_getattr, 'builtins.getattr'))
    return types_


def _history_buffer_getattr(obj, name):
    from mmengine.logging import HistoryBuffer
    if obj is HistoryBuffer and name in ('min', 'max', 'mean', 'current'):
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}); only '
        'HistoryBuffer statistics are allowed in a weights_only load')


def _allow_mmengine_checkpoints() -> None:
    """torch >= 2.6 loads with ``weights_only=True`` by default; mmengine
    0.10.7 calls plain ``torch.load``, so every checkpoint it saved fails with
    ``Unsupported global: ...HistoryBuffer`` (``--resume``, ``load_from``,
    ``test.py``). Allow-list the few safe types mmengine writes, and never
    turn ``weights_only`` off: a pickle that would run code stays refused.
    """
    if hasattr(torch.serialization, 'add_safe_globals'):
        torch.serialization.add_safe_globals(_safe_checkpoint_globals())


def _on_cpu() -> bool:
    """True when mmengine will put the model on the CPU (no CUDA, NPU, MLU,
    MUSA or MPS device; also ``CUDA_VISIBLE_DEVICES=-1`` on a GPU node)."""
    from mmengine.device import get_device
    return get_device() == 'cpu'


def _cpu_safe_init(init_fn):
    """Wrap one of mmengine's ``_init_dist_{pytorch,slurm,mpi}`` for CPU."""

    @functools.wraps(init_fn)
    def wrapper(backend, *args, **kwargs):
        if not _on_cpu():
            return init_fn(backend, *args, **kwargs)  # GPU nodes: unchanged
        if backend == 'nccl':
            # NCCL needs GPUs; on a CPU-only node gloo is the only choice.
            from mmengine.logging import print_log
            print_log("no GPU: distributed backend nccl -> gloo (set "
                      "env_cfg.dist_cfg.backend='gloo' to silence this)",
                      logger='current', level=logging.WARNING)
            backend = 'gloo'
        # set_device is the only CUDA call on this path; without a GPU it
        # can only fail, and a CPU process has no device to pick.
        with mock.patch.object(torch.cuda, 'set_device', lambda device: None):
            return init_fn(backend, *args, **kwargs)

    wrapper._structvit_cpu_safe = True
    return wrapper


def _allow_cpu_distributed() -> None:
    """mmengine 0.10.7 cannot run distributed on CPU-only machines, whatever
    ``env_cfg.dist_cfg.backend`` says:

    * ``mmengine/dist/utils.py``: ``_init_dist_pytorch`` (torchrun),
      ``_init_dist_slurm`` and ``_init_dist_mpi`` call
      ``torch.cuda.set_device(local_rank)`` unconditionally -> ``RuntimeError:
      Found no NVIDIA driver`` before the process group exists;
    * ``mmengine/runner/runner.py`` ``Runner.wrap_model`` always passes
      ``device_ids=[LOCAL_RANK]`` to ``MMDistributedDataParallel``, which
      torch's DDP rejects for a CPU module ("device_ids ... only work with
      ... GPU modules").

    Only when mmengine's device is the CPU: skip ``set_device``, use gloo
    for nccl, and drop ``device_ids`` for CPU modules (DDP's documented
    form for them). With a GPU every call goes to mmengine unchanged.
    """
    import mmengine.dist.utils as dist_utils
    from mmengine.model.wrappers import MMDistributedDataParallel

    # init_dist looks these up in its module at call time
    for name in ('_init_dist_pytorch', '_init_dist_slurm', '_init_dist_mpi'):
        fn = getattr(dist_utils, name, None)
        if fn is not None and not getattr(fn, '_structvit_cpu_safe', False):
            setattr(dist_utils, name, _cpu_safe_init(fn))

    ddp_init = MMDistributedDataParallel.__init__
    if getattr(ddp_init, '_structvit_cpu_safe', False):
        return

    @functools.wraps(ddp_init)
    def __init__(self, module, *args, **kwargs):
        if all(p.device.type == 'cpu' for p in module.parameters()):
            kwargs.pop('device_ids', None)
            kwargs.pop('output_device', None)
        ddp_init(self, module, *args, **kwargs)

    __init__._structvit_cpu_safe = True
    MMDistributedDataParallel.__init__ = __init__


def _views_as_one_video(inputs: torch.Tensor) -> torch.Tensor:
    """``(views, C, T, H, W)`` -> ``(C, views * T, H, W)``: the clips and
    crops of one sample shown one after another."""
    views, channels = inputs.shape[:2]
    return inputs.transpose(0, 1).reshape(channels, -1, *inputs.shape[3:])


def _fix_video_visualization() -> None:
    """mmaction2 1.2.0's ``VisualizationHook._draw_samples``
    (``mmaction/engine/hooks/visualization_hook.py``) permutes every input
    as a 4-D ``(C, T, H, W)`` video, but ``PackActionInputs`` gives 3D
    (``NCTHW``) configs ``(views, C, T, H, W)``, so ``test.py --show-dir``
    fails with ``permute(sparse_coo): number of dimensions ... input.dim() = 5
    is not equal to len(dims) = 4`` (open upstream fix:
    open-mmlab/mmaction2#2697). Hand the hook each 5-D input as one 4-D
    video of its views laid end to end in time; 4-D inputs pass unchanged.
    The same hook then passes its ``show`` flag to
    ``ActionVisualizer.add_datasample``, which calls it ``show_frames``
    (``TypeError: ... unexpected keyword argument 'show'``): rename it.
    """
    try:
        from mmaction.engine.hooks import visualization_hook as vis
    except ImportError:
        return
    draw = vis.VisualizationHook._draw_samples
    if getattr(draw, '_structvit_views', False):
        return

    @functools.wraps(draw)
    def _draw_samples(self, batch_idx, data_batch, data_samples, step=0):
        if 'show' in self.draw_args:
            self.draw_args['show_frames'] = self.draw_args.pop('show')
        inputs = data_batch['inputs']
        if any(x.dim() == 5 for x in inputs):
            data_batch = dict(data_batch, inputs=[
                _views_as_one_video(x) if x.dim() == 5 else x
                for x in inputs])
        return draw(self, batch_idx, data_batch, data_samples, step=step)

    _draw_samples._structvit_views = True
    vis.VisualizationHook._draw_samples = _draw_samples


def _one_line(exc: BaseException, limit: int = 300) -> str:
    return ' '.join(str(exc).split())[:limit]


def _compile_the_model_not_the_step() -> None:
    """mmengine 0.10.7's ``compile=True`` wraps ``model.train_step`` in
    ``torch.compile`` (``Runner._maybe_compile``): the optimizer step and
    mmengine's parameter-scheduler wrapper inside it are traced too, and
    with torch 2.14 that fails on the first iteration, after minutes of
    tracing, with ``InternalTorchDynamoError: AttributeError:
    'UserDefinedDictVariable' object has no attribute 'items'`` at
    ``for group in self.param_groups`` (the same class of failure as
    open-mmlab/mmdetection#11398: ``--cfg-options compile=True`` breaks
    official training). Compile the model's ``forward`` instead (loss and
    predict modes; the data preprocessor and the optimizer stay eager),
    with the same options (``compile=dict(backend=..., mode=...)``), once.
    ``compile`` unset or ``False`` goes to mmengine unchanged.
    """
    from mmengine.model import is_model_wrapper
    from mmengine.runner import Runner

    original = Runner._maybe_compile
    if getattr(original, '_structvit_forward', False):
        return

    @functools.wraps(original)
    def _maybe_compile(self, target: str) -> None:
        options = self.cfg.get('compile', None)
        if not options:
            return original(self, target)
        options = {} if options is True else dict(options)
        model = self.model.module if is_model_wrapper(self.model) \
            else self.model
        if getattr(model, '_structvit_compiled', False):
            return
        compiled = torch.compile(model.forward, **options)

        @functools.wraps(model.forward)
        def forward(*args, **kwargs):
            try:
                return compiled(*args, **kwargs)
            except torch._dynamo.exc.TorchDynamoException as exc:
                raise RuntimeError(
                    f'compile={self.cfg.compile!r}: torch.compile of '
                    f'{type(model).__name__}.forward failed '
                    f"({type(exc).__name__}: {_one_line(exc)}). "
                    'Train without it (compile=False), or try another '
                    "backend, e.g. --cfg-options compile.backend=aot_eager "
                    "(no code generation; inductor needs a working C++ "
                    'compiler on CPU)') from exc

        # an instance attribute shadows the class's forward in __call__
        model.forward = forward
        model._structvit_compiled = True
        self.logger.info(
            f'compile: torch.compile({type(model).__name__}.forward'
            f'{", " if options else ""}'
            f'{", ".join(f"{k}={v!r}" for k, v in options.items())}) '
            '(not train_step: mmengine would trace the optimizer step, '
            'which fails); the first iterations of each mode and input '
            'shape compile and are slow')

    _maybe_compile._structvit_forward = True
    Runner._maybe_compile = _maybe_compile


def apply() -> None:
    _patch_missing_drn()
    _allow_mmengine_checkpoints()
    _allow_cpu_distributed()
    _fix_video_visualization()  # imports mmaction: after the drn fix
    _compile_the_model_not_the_step()
