"""Which ``scaled_dot_product_attention`` backend ran, and on what layout.

The helpers of ``tools/analysis/gpu_check.py``'s ``sdpa`` section: backend
names, the aten kernel each runs as, cuDNN's layout rule and q / k / v in
the op's own layout.
"""
import contextlib

import torch

BACKENDS = ('FLASH_ATTENTION', 'EFFICIENT_ATTENTION', 'CUDNN_ATTENTION',
            'MATH')
#: aten op that ran -> backend name (the profiler sees them on the host)
KERNELS = {
    'aten::_scaled_dot_product_flash_attention_for_cpu': 'FLASH_ATTENTION',
    'aten::_scaled_dot_product_flash_attention': 'FLASH_ATTENTION',
    'aten::_scaled_dot_product_efficient_attention': 'EFFICIENT_ATTENTION',
    'aten::_scaled_dot_product_cudnn_attention': 'CUDNN_ATTENTION',
    'aten::_scaled_dot_product_attention_math': 'MATH',
    'aten::_scaled_dot_product_fused_attention_overrideable': 'OVERRIDEABLE',
}


def sdpa_kernels(prof):
    """Backends whose aten kernel ran under the profiler, in call order."""
    found = []
    for e in prof.events():
        name = KERNELS.get(e.name)
        if name and name not in found:
            found.append(name)
    return found


def cudnn_layout(q, k, v):
    """The two (B, h, S, d) memory layouts cuDNN's SDPA takes (torch's
    ``check_cudnn_layout``): 'packed' (q, k, v slices of one (B, S, 3, h, d)
    tensor) or 'bshd' (each a contiguous (B, S, h, d) tensor, transposed);
    'neither' otherwise. Flash and memory-efficient attention only need the
    last dim to have stride 1."""
    def packed(t):
        B, h, S, d = t.shape
        return t.stride() == (S * 3 * h * d, d, 3 * h * d, 1)

    def bshd(t):
        B, h, S, d = t.shape
        return t.stride() == (S * h * d, d, h * d, 1)

    if packed(v):  # torch checks v alone for the packed case
        return 'packed'
    if all(bshd(t) for t in (q, k, v)):
        return 'bshd'
    return 'neither'


def sdpa_inputs(B, h, Nq, Nkv, d, dtype, device, layout):
    """Random q, k, v at the op's shapes, in the op's own layout ('op': q a
    slice of the packed qkv projection, k / v the contiguous (B, h, D*N', d)
    stacks) or in cuDNN's 'bshd' layout."""
    def leaf(*shape):
        return torch.randn(*shape, device=device, dtype=dtype,
                           requires_grad=True)

    if layout == 'op':
        q = leaf(B, Nq, 3, h, d)[:, :, 0].transpose(1, 2)
        return q, leaf(B, h, Nkv, d), leaf(B, h, Nkv, d)
    return tuple(leaf(B, n, h, d).transpose(1, 2) for n in (Nq, Nkv, Nkv))


@contextlib.contextmanager
def record_sdpa_inputs(log):
    """Append dtype / shape / strides of every q, k, v that reach
    ``F.scaled_dot_product_attention`` (looked up at call time by the op)."""
    import torch.nn.functional as F
    original = F.scaled_dot_product_attention

    def spy(q, k, v, *args, **kwargs):
        entry = {name: dict(dtype=str(t.dtype).replace('torch.', ''),
                            shape=list(t.shape), stride=list(t.stride()))
                 for name, t in zip('qkv', (q, k, v))}
        entry['cudnn_layout'] = cudnn_layout(q, k, v)
        log.append(entry)
        return original(q, k, v, *args, **kwargs)

    F.scaled_dot_product_attention = spy
    try:
        yield log
    finally:
        F.scaled_dot_product_attention = original
