"""Ops that make the host wait for the device, seen on any device.

Used by ``tools/analysis/gpu_check.py`` (the op's step on the GPU) and the
tests (the same step on the CPU, where ``torch.cuda.set_sync_debug_mode``
cannot look).
"""
import torch
from torch.utils._python_dispatch import TorchDispatchMode

#: aten ops that make the host wait for the device: a value read from a
#: tensor (``.item()``, ``int(t)``, ``bool(t)``, ``if t:``) and outputs whose
#: size depends on values
SYNC_OPS = frozenset({'_local_scalar_dense', 'is_nonzero', 'equal',
                      'nonzero', 'masked_select', 'unique', '_unique',
                      '_unique2', 'unique_consecutive', 'unique_dim'})


class HostSyncs(TorchDispatchMode):
    """Records every op run inside it that would wait for the GPU (see
    ``SYNC_OPS``; also copies from the device to the host). Works on any
    device, so the CPU tests see what ``torch.cuda.set_sync_debug_mode``
    would flag on a GPU."""

    def __init__(self):
        super().__init__()
        self.ops = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = func.overloadpacket.__name__
        to_host = False
        if name == '_to_copy' and isinstance(args[0], torch.Tensor):
            dev = kwargs.get('device')
            to_host = args[0].device.type != 'cpu' and dev is not None \
                and torch.device(dev).type == 'cpu'
        elif name == 'copy_':
            to_host = args[0].device.type == 'cpu' and \
                args[1].device.type != 'cpu'
        if name in SYNC_OPS or to_host:
            self.ops.append(name)
        return func(*args, **kwargs)
