"""Image -> video weight inflation (2D kernels become 3D), as I3D / UniFormer.

``'center'`` (default, mmaction2 UniFormer's choice) puts the 2D kernel in
the middle temporal slice and zeros elsewhere, so a video model fed a static
clip reproduces the image model's features on every frame exactly.
``'average'`` repeats the kernel over time divided by its length (I3D's
"boring video" rule): the same static-clip answer away from the temporal
zero padding, but every temporal tap starts out in use.

Non-kernel parameters (linear layers, norms, biases) have the same shapes in
both models and are copied as they are.
"""
from typing import Dict, Mapping, Optional, Tuple

import torch

MODES = ('center', 'average')


def inflate_weight(weight_2d: torch.Tensor, time_dim: int,
                   mode: str = 'center') -> torch.Tensor:
    """(O, I, kh, kw) -> (O, I, time_dim, kh, kw)."""
    if mode not in MODES:
        raise ValueError(f'inflation mode must be one of {MODES}, got {mode!r}')
    if mode == 'average':
        return weight_2d.unsqueeze(2).repeat(1, 1, time_dim, 1, 1) / time_dim
    weight_3d = weight_2d.new_zeros(weight_2d.shape[:2] + (time_dim, ) +
                                    weight_2d.shape[2:])
    weight_3d[:, :, time_dim // 2] = weight_2d
    return weight_3d


def inflate_state_dict(
        state_2d: Mapping[str, torch.Tensor],
        state_3d: Mapping[str, torch.Tensor],
        mode: str = 'center') -> Tuple[Dict[str, torch.Tensor], list]:
    """Inflate every 2D kernel of ``state_2d`` whose key in ``state_3d`` is 3D.

    Args:
        state_2d: image weights (keys as the video model names them).
        state_3d: the video model's own state dict (only shapes are read).
        mode: ``'center'`` or ``'average'``.

    Returns:
        ``(state, inflated_keys)``: ``state_2d`` with inflated kernels.

    Raises:
        ValueError: a shared key whose shapes neither match nor inflate.
    """
    state, inflated = dict(state_2d), []
    for key, w2d in state_2d.items():
        if key not in state_3d or state_3d[key].shape == w2d.shape:
            continue
        w3d = state_3d[key]
        if w3d.dim() == w2d.dim() + 1 == 5 and \
                w3d.shape[:2] + w3d.shape[3:] == w2d.shape:
            state[key] = inflate_weight(w2d, w3d.shape[2], mode)
            inflated.append(key)
        else:
            raise ValueError(
                f'cannot inflate {key}: image shape {tuple(w2d.shape)} vs '
                f'video shape {tuple(w3d.shape)} (different arch, D or '
                'kernel size?)')
    return state, inflated


def load_image_checkpoint(video_model: torch.nn.Module,
                          filename: str,
                          prefix: Optional[str] = None,
                          mode: str = 'center') -> Tuple[list, list, list]:
    """Load an image checkpoint into a video backbone, inflating its kernels.

    Args:
        video_model: the 3D backbone.
        filename: anything mmengine's checkpoint loaders read.
        prefix: keep only keys under it (stripped); by default an mmpretrain
            classifier's ``backbone.`` prefix is stripped when present.
        mode: ``'center'`` or ``'average'``.

    Returns:
        ``(missing_keys, unexpected_keys, inflated_keys)``.
    """
    from mmengine.runner.checkpoint import _load_checkpoint
    state = _load_checkpoint(filename, map_location='cpu')
    state = state.get('state_dict', state)
    if prefix is None and any(k.startswith('backbone.') for k in state):
        prefix = 'backbone.'
    if prefix:
        state = {k[len(prefix):]: v for k, v in state.items()
                 if k.startswith(prefix)}
    state, inflated = inflate_state_dict(state, video_model.state_dict(), mode)
    missing, unexpected = video_model.load_state_dict(state, strict=False)
    return missing, unexpected, inflated
