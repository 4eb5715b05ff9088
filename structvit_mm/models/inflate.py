"""Image -> video weight inflation (2D kernels become 3D), as I3D / UniFormer.

``'center'`` (default, mmaction2 UniFormer's choice) puts the 2D kernel in
the middle temporal slice and zeros elsewhere, so a video model fed a static
clip reproduces the image model's features on every frame exactly.
``'average'`` repeats the kernel over time divided by its length (I3D's
"boring video" rule): the same static-clip answer away from the temporal
zero padding, but every temporal tap starts out in use.

A learned position embedding ``(1, P + H*W, C)`` (the analysis model's) is
repeated over the video's ``T`` token frames, ``(1, P + T*H*W, C)``, the
``P`` prefix (cls) entries kept once: every frame starts with the image's
spatial embedding. Other non-kernel parameters (linear layers, norms,
biases) have the same shapes in both models and are copied as they are.
"""
import os
import re
from typing import Dict, Mapping, Optional, Tuple

import torch

MODES = ('center', 'average')


def describe_state_dict(state: Mapping[str, torch.Tensor]) -> dict:
    """What a StructViT / UniFormer state dict holds, read from its shapes.

    Returns a dict with the entries that can be read (absent ones are left
    out): ``ndim`` (2 image, 3 video, from ``patch_embed1.proj.weight``),
    ``channels`` and ``depths`` per stage, ``structure_dim`` (``D``; 0 when
    the attention has no ``key_conv``, i.e. UniFormer / vanilla attention)
    and ``kernel_size``; ``evidence`` maps each entry to the key and shape
    it was read from, so error messages can point at them.
    """
    info, evidence = {}, {}
    stem = state.get('patch_embed1.proj.weight')
    if stem is None:
        return dict(evidence=evidence)
    info['ndim'] = stem.dim() - 2
    evidence['ndim'] = f'patch_embed1.proj.weight {tuple(stem.shape)}'
    channels, depths = [], []
    for i in range(1, 5):
        w = state.get(f'patch_embed{i}.proj.weight')
        channels.append(None if w is None else int(w.shape[0]))
        ids = {int(m.group(1)) for m in
               (re.match(rf'blocks{i}\.(\d+)\.', k) for k in state) if m}
        depths.append(max(ids) + 1 if ids else 0)
    info['channels'], info['depths'] = channels, depths
    evidence['channels'] = 'patch_embed{1-4}.proj.weight'
    evidence['depths'] = 'blocks{1-4}.<i> indices'
    key_conv = next((k for k in sorted(state)
                     if k.endswith('attn.key_conv.weight')), None)
    if key_conv is not None:
        w = state[key_conv]
        stage = int(re.match(r'blocks(\d)', key_conv).group(1))
        C = channels[stage - 1]
        # channel-wise: (C * D, 1, *k); shared: (D, 1, *k)
        if C and w.shape[0] % C == 0 and w.shape[0] >= C:
            info['structure_dim'] = w.shape[0] // C
        else:
            info['structure_dim'] = int(w.shape[0])
        info['kernel_size'] = tuple(w.shape[2:])
        evidence['structure_dim'] = evidence['kernel_size'] = \
            f'{key_conv} {tuple(w.shape)}'
    elif any(k.endswith('attn.qkv.weight') for k in state):
        info['structure_dim'] = 0
        evidence['structure_dim'] = \
            'attn.qkv without attn.key_conv (UniFormer / vanilla attention)'
    info['evidence'] = evidence
    return info


def explain_mismatch(ckpt_state: Mapping[str, torch.Tensor],
                     model_state: Mapping[str, torch.Tensor]) -> str:
    """One line per setting in which a checkpoint and a model differ, e.g.
    ``structure_dim: checkpoint 8 (from blocks3.0.attn.key_conv.weight
    (512, 1, 3, 3)), model 4``. Empty when nothing readable differs.

    The temporal dimension is not compared (image weights are inflated).
    """
    ckpt, model = describe_state_dict(ckpt_state), describe_state_dict(
        model_state)
    if 'ndim' not in ckpt:
        head = ', '.join(list(ckpt_state)[:5])
        return ('the checkpoint is not a StructViT / UniFormer one (no '
                f'patch_embed1.proj.weight); its first keys: {head}')
    lines = []
    for key in ('channels', 'depths', 'structure_dim', 'kernel_size'):
        a, b = ckpt.get(key), model.get(key)
        if key == 'kernel_size':
            if a is None or b is None:
                continue  # no kernel on one side: structure_dim says so
            a, b = a[-2:], b[-2:]  # compare the spatial part only
        if a != b:
            where = ckpt['evidence'].get(key, 'not found')
            lines.append(f'{key}: checkpoint {a} (from {where}), model {b}')
    return '\n'.join(lines)


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


def inflate_pos_embed(pos_2d: torch.Tensor, length_3d: int,
                      num_prefix_tokens: int) -> Optional[torch.Tensor]:
    """(1, P + N, C) -> (1, P + T*N, C), the grid part repeated ``T`` times;
    None when ``length_3d - P`` is not a multiple of ``N``."""
    P = num_prefix_tokens
    n = pos_2d.shape[1] - P
    if n <= 0 or (length_3d - P) % n:
        return None
    grid = pos_2d[:, P:].repeat(1, (length_3d - P) // n, 1)
    return torch.cat([pos_2d[:, :P], grid], 1)


def inflate_state_dict(
        state_2d: Mapping[str, torch.Tensor],
        state_3d: Mapping[str, torch.Tensor],
        mode: str = 'center',
        num_prefix_tokens: int = 0) -> Tuple[Dict[str, torch.Tensor], list]:
    """Inflate every 2D kernel of ``state_2d`` whose key in ``state_3d`` is
    3D, and a position embedding over time.

    Args:
        state_2d: image weights (keys as the video model names them).
        state_3d: the video model's own state dict (only shapes are read).
        mode: ``'center'`` or ``'average'``.
        num_prefix_tokens: entries of a ``pos_embed`` that belong to tokens
            outside the grid (a cls token), kept once.

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
        elif key.endswith('pos_embed') and w2d.dim() == w3d.dim() == 3 and \
                w2d.shape[::2] == w3d.shape[::2] and inflate_pos_embed(
                    w2d, w3d.shape[1], num_prefix_tokens) is not None:
            state[key] = inflate_pos_embed(w2d, w3d.shape[1],
                                           num_prefix_tokens)
            inflated.append(key)
        else:
            why = explain_mismatch(state_2d, state_3d)
            raise ValueError(
                f'cannot inflate {key}: image shape {tuple(w2d.shape)} vs '
                f'video shape {tuple(w3d.shape)}; '
                + (f'checkpoint and model differ in:\n{why}' if why else
                   '(different arch, D or kernel size?)'))
    return state, inflated


def load_image_checkpoint(video_model: torch.nn.Module,
                          filename: str,
                          prefix: Optional[str] = None,
                          mode: str = 'center',
                          strict: bool = True) -> Tuple[list, list, list]:
    """Load an image checkpoint into a video backbone, inflating its kernels.

    Args:
        video_model: the 3D backbone.
        filename: anything mmengine's checkpoint loaders read.
        prefix: keep only keys under it (stripped); by default an mmpretrain
            classifier's ``backbone.`` prefix is stripped when present.
        mode: ``'center'`` or ``'average'``.
        strict: refuse a checkpoint that leaves model keys missing or has
            keys the model lacks (e.g. UniFormer weights, ``D = 0``, for a
            StructViT with ``D = 4``). A checkpoint sharing no key with the
            model, or with shapes that do not fit, is refused either way.

    Returns:
        ``(missing_keys, unexpected_keys, inflated_keys)``.

    Raises:
        ValueError: naming the mismatched keys and what the checkpoint
            holds (arch, ``D``, kernel) against the model.
    """
    from mmengine.runner.checkpoint import _load_checkpoint
    state = _load_checkpoint(filename, map_location='cpu')
    state = state.get('state_dict', state)
    if prefix is None and any(k.startswith('backbone.') for k in state):
        prefix = 'backbone.'
    if prefix:
        state = {k[len(prefix):]: v for k, v in state.items()
                 if k.startswith(prefix)}
    model_state = video_model.state_dict()
    name = type(video_model).__name__
    if not set(state) & set(model_state):
        raise ValueError(
            f'{filename} shares no key with {name} (prefix {prefix!r}): '
            f'{explain_mismatch(state, model_state)}')
    state, inflated = inflate_state_dict(
        state, model_state, mode,
        getattr(video_model, 'num_extra_tokens', 0))
    missing, unexpected = video_model.load_state_dict(state, strict=False)
    if strict and (missing or unexpected):
        why = explain_mismatch(state, model_state)
        raise ValueError(
            f'{filename} does not fit {name}: {len(missing)} model keys '
            f'missing from it {missing[:4]}, {len(unexpected)} unexpected '
            f'keys {unexpected[:4]} (the first 4 of each shown)'
            + (f'; checkpoint and model differ in:\n{why}' if why else '')
            + "\n(pass strict=False, e.g. in the backbone's init_cfg, to "
            'load the matching part anyway)')
    return missing, unexpected, inflated


def init_from_image_checkpoint(video_model: torch.nn.Module) -> bool:
    """``init_weights`` of a video backbone whose ``init_cfg`` is
    ``dict(type='Pretrained', checkpoint=IMAGE_CKPT[, prefix, inflate,
    strict])``: load and inflate the image checkpoint
    (:func:`load_image_checkpoint`). Returns False (nothing done) for any
    other ``init_cfg``, so the caller runs its usual initialisation."""
    cfg = video_model.init_cfg
    if not (isinstance(cfg, dict) and cfg.get('type') == 'Pretrained'):
        return False
    from mmengine.logging import print_log
    path = cfg['checkpoint']
    if '://' not in path and not os.path.isfile(path):
        # the video rows point at the image row's work dir (the chain in
        # docs/en/user_guides/configs.md); say how to go on instead of mmengine's bare error
        raise FileNotFoundError(
            f'image checkpoint to inflate not found: {path} '
            "(model.backbone.init_cfg.checkpoint). Train the ImageNet-1K "
            'row first, pass another file with --cfg-options '
            'model.backbone.init_cfg.checkpoint=PATH, or train from '
            'scratch with --cfg-options model.backbone.init_cfg=None')
    missing, unexpected, inflated = load_image_checkpoint(
        video_model, path, prefix=cfg.get('prefix'),
        mode=cfg.get('inflate', 'center'), strict=cfg.get('strict', True))
    print_log(f'{type(video_model).__name__}: loaded {path}, inflated '
              f'{len(inflated)} 2D kernels; missing keys {missing}, '
              f'unexpected keys {unexpected}', logger='current')
    video_model._is_init = True
    return True
