"""Warm starts from public checkpoints: UniFormer -> StructViT, DeiT ->
StructDeiT.

StructViT keeps UniFormer's module names and StructDeiT keeps mmpretrain
DeiT's, so a source checkpoint fills every weight of the target but the
StructSA detectors / aggregators (``attn.key_conv`` / ``attn.value_conv``),
which UniFormer and DeiT lack. Those come from the ``'attention'`` init,
which makes each StructSA layer compute the source's attention, exactly
where :func:`~structvit_mm.models.structsa.attention_init_exactness` says
(``docs/en/advanced_guides/warm_start.md`` has the table). So the converted model starts as
the source model, not from scrambled attention.

Source layouts read (each checked against the upstream code):

* UniFormer, mmaction2's video checkpoints: ``backbone.*`` and
  ``cls_head.fc_cls.*`` under ``state_dict``;
* UniFormer, the original release (``Sense-X/UniFormer``, image and video):
  bare module names and ``head.*``, bare or under ``model`` /
  ``model_state``; image weights are inflated into a video target;
* DeiT, mmpretrain: ``backbone.*`` and ``head.layers.head.*``;
* DeiT, timm / the DeiT release: ``blocks.{i}.norm1 / attn / norm2 /
  mlp.fc1 / mlp.fc2``, ``patch_embed.proj``, ``norm``, ``head``, bare or
  under ``model``; renamed to mmpretrain's names.

The classifier is carried over when its shape fits the target head (same
number of classes), and left out otherwise (say, K400 -> SSv2).
"""
import os
import os.path as osp
import re
import tempfile
from typing import Dict, List, Mapping, Optional, Tuple

import torch

from .models.inflate import explain_mismatch, inflate_state_dict

#: Which backbones each source family converts into.
TARGETS = {
    'uniformer': ('StructViT', 'StructViT3D'),
    'deit': ('StructDeiT', 'StructDeiT3D'),
}
_NEW_KEYS = re.compile(r'attn\.(key|value)_conv\.weight$')
_TIMM_TO_MMPRETRAIN = [
    (r'^patch_embed\.proj\.', 'patch_embed.projection.'),
    (r'^blocks\.(\d+)\.norm1\.', r'layers.\1.ln1.'),
    (r'^blocks\.(\d+)\.norm2\.', r'layers.\1.ln2.'),
    (r'^blocks\.(\d+)\.attn\.', r'layers.\1.attn.'),
    (r'^blocks\.(\d+)\.mlp\.fc1\.', r'layers.\1.ffn.layers.0.0.'),
    (r'^blocks\.(\d+)\.mlp\.fc2\.', r'layers.\1.ffn.layers.1.'),
    (r'^norm\.', 'ln1.'),
]


class ConversionError(ValueError):
    """The source checkpoint does not fit the target config."""


def read_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """The tensors of a checkpoint file (``weights_only``), unwrapped from
    ``state_dict`` / ``model`` / ``model_state`` when nested."""
    if not osp.isfile(path):
        raise ConversionError(f'source checkpoint not found: {path}')
    ckpt = torch.load(path, map_location='cpu', weights_only=True)
    for key in ('state_dict', 'model', 'model_state'):
        if isinstance(ckpt, dict) and isinstance(ckpt.get(key), dict):
            ckpt = ckpt[key]
            break
    if not isinstance(ckpt, dict) or not ckpt or not all(
            isinstance(v, torch.Tensor) for v in ckpt.values()):
        raise ConversionError(f'{path} holds no state dict of tensors')
    return dict(ckpt)


def split_source(state: Mapping[str, torch.Tensor], family: str
                 ) -> Tuple[Dict[str, torch.Tensor], Optional[tuple], str]:
    """``(backbone state in our names, (head weight, head bias) or None,
    layout name)`` of a UniFormer or DeiT checkpoint."""
    if family not in TARGETS:
        raise ConversionError(f'family must be one of {sorted(TARGETS)}, '
                              f'got {family!r}')
    if any(k.startswith('backbone.') for k in state):
        backbone = {k[len('backbone.'):]: v for k, v in state.items()
                    if k.startswith('backbone.')}
        head_prefix = 'cls_head.fc_cls.' if family == 'uniformer' \
            else 'head.layers.head.'
        layout = 'mmaction2' if family == 'uniformer' else 'mmpretrain'
    else:
        backbone = {k: v for k, v in state.items()
                    if not k.startswith('head.')}
        head_prefix = 'head.'
        layout = 'UniFormer release' if family == 'uniformer' else 'timm'
        if family == 'deit':
            if 'dist_token' in backbone:
                raise ConversionError(
                    'a distilled DeiT checkpoint (dist_token, head_dist): '
                    'StructDeiT has one cls token; use the non-distilled '
                    'DeiT weights')
            backbone = {_rename(k, _TIMM_TO_MMPRETRAIN): v
                        for k, v in backbone.items()}
    w, b = state.get(head_prefix + 'weight'), state.get(head_prefix + 'bias')
    return backbone, (w, b) if w is not None else None, layout


def _rename(key: str, rules: List[Tuple[str, str]]) -> str:
    for pattern, repl in rules:
        new, n = re.subn(pattern, repl, key)
        if n:
            return new
    return key


def _head_keys(target: Mapping[str, torch.Tensor]) -> Tuple[str, str]:
    """The target's classifier (the one non-backbone linear layer)."""
    weights = [k for k, v in target.items()
               if not k.startswith('backbone.') and k.endswith('.weight')
               and v.dim() == 2]
    if len(weights) != 1:
        raise ConversionError(f'expected one linear classifier outside the '
                              f'backbone, found {weights}')
    return weights[0], weights[0][:-len('weight')] + 'bias'


def convert(src: str, config: str, family: str,
            inflate: str = 'center') -> Tuple[Dict[str, torch.Tensor], dict]:
    """Convert the checkpoint ``src`` into the model that ``config`` builds.

    Returns ``(state_dict, info)``: the full model's state dict (keys as
    the config's model names them, loadable with ``load_from``) and what
    was done (``layout``, ``inflated`` kernels, ``initialised`` StructSA
    keys, ``head`` copied or not, ``exactness`` of the attention init).

    Raises:
        ConversionError: naming the first mismatched keys and shapes and
            the config, when the checkpoint is of another family, arch or
            size than the config's model.
    """
    from .apis import init_model
    from .models.structsa import StructSA, attention_init_exactness
    backbone, head, layout = split_source(read_state_dict(src), family)
    model = init_model(config, cfg_options={
        'model.backbone.structure_init': 'attention',
        'model.backbone.init_cfg': None})
    btype = model.cfg.model.backbone.type
    if btype not in TARGETS[family]:
        raise ConversionError(
            f'{config} builds a {btype}; {family} checkpoints convert into '
            f'{" / ".join(TARGETS[family])} configs')
    target = model.state_dict()
    tb = {k[len('backbone.'):]: v for k, v in target.items()
          if k.startswith('backbone.')}
    inflated = []
    if _is_2d(backbone, family) and not _is_2d(tb, family):
        try:
            backbone, inflated = inflate_state_dict(
                backbone, tb, inflate,
                getattr(model.backbone, 'num_extra_tokens', 0))
        except ValueError as err:
            raise ConversionError(f'{src} ({layout}) does not fit {config}: '
                                  f'{err}') from None
    _check_fit(backbone, tb, src, layout, config, family)

    state = {}
    for key, value in target.items():
        name = key[len('backbone.'):]
        state[key] = backbone[name] if key.startswith('backbone.') and \
            name in backbone else value
    head_w, head_b = _head_keys(target)
    for key in target:  # the classifier is decided below; the rest (e.g.
        # data preprocessor buffers) are not weights
        if not key.startswith('backbone.'):
            state.pop(key)
    if head is None:
        head_note = 'not in the checkpoint'
    elif head[0].shape == target[head_w].shape and head[1] is not None:
        state[head_w], state[head_b] = head
        head_note = f'copied ({head[0].shape[0]} classes)'
    else:
        head_note = (f'left out: {head[0].shape[0]} classes in the '
                     f'checkpoint, {target[head_w].shape[0]} in the config')
    verdicts = {attention_init_exactness(
        m.structure_dim, m.stride, m.kernel_size, m.value_kernel_size,
        m.score_norm, num_prefix_tokens=int(family == 'deit'))
        for m in model.modules() if isinstance(m, StructSA)}
    info = dict(layout=layout, inflated=inflated, head=head_note,
                initialised=sorted(k for k in tb if _NEW_KEYS.search(k)),
                exactness=sorted(verdicts), backbone=btype)
    return state, info


def _is_2d(state: Mapping[str, torch.Tensor], family: str) -> bool:
    key = 'patch_embed1.proj.weight' if family == 'uniformer' \
        else 'patch_embed.projection.weight'
    return key in state and state[key].dim() == 4


def _check_fit(source: Mapping[str, torch.Tensor],
               target: Mapping[str, torch.Tensor], src: str, layout: str,
               config: str, family: str, show: int = 5) -> None:
    """Every source tensor has a target key of its shape, and every target
    key but the StructSA kernels (and BatchNorm step counters, which old
    checkpoints lack) has a source tensor."""
    missing = [k for k in target if k not in source
               and not _NEW_KEYS.search(k)
               and not k.endswith('num_batches_tracked')]
    unexpected = [k for k in source if k not in target]
    shapes = [f'{k} {tuple(source[k].shape)} vs {tuple(target[k].shape)}'
              for k in source if k in target
              and source[k].shape != target[k].shape]
    if not (missing or unexpected or shapes):
        return
    lines = [f'{src} ({family}, {layout} layout) does not fit the model of '
             f'{config}:']
    for what, keys in (('missing from the checkpoint', missing),
                       ('not in the model', unexpected),
                       ('shape (checkpoint vs model)', shapes)):
        if keys:
            lines.append(f'  {len(keys)} {what}: {", ".join(keys[:show])}'
                         + (' ...' if len(keys) > show else ''))
    if family == 'uniformer':
        why = explain_mismatch(source, target)
        if why:
            lines.append('  the checkpoint and the model differ in: '
                         + why.replace('\n', '; '))
    lines.append('  pick the config of the same arch (S / B / L), image or '
                 'video, and input size as the checkpoint')
    raise ConversionError('\n'.join(lines))


def _refuse_existing(dst: str, force: bool) -> None:
    if osp.exists(dst) and not force:
        raise ConversionError(f'{dst} exists; pass --force to overwrite it')


def save_checkpoint(state: Mapping[str, torch.Tensor], dst: str,
                    meta: Optional[dict] = None, force: bool = False) -> None:
    """Write ``dict(state_dict=..., meta=...)`` to ``dst`` atomically (a
    temporary file in the same folder, renamed at the end), so a failure
    leaves no partial file; an existing ``dst`` only with ``force``."""
    _refuse_existing(dst, force)
    folder = osp.dirname(osp.abspath(dst))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix='.part')
    os.close(fd)
    try:
        torch.save(dict(state_dict=dict(state), meta=dict(meta or {})), tmp)
        os.replace(tmp, dst)
    except BaseException:
        os.unlink(tmp)
        raise


def main(family: str, argv: Optional[List[str]] = None) -> None:
    """The command line of ``tools/convert/{uniformer_to_structvit,
    deit_to_structdeit}.py``: ``SRC DST --config CONFIG [--force]``."""
    import argparse
    src_name = {'uniformer': 'UniFormer', 'deit': 'DeiT'}[family]
    parser = argparse.ArgumentParser(
        description=f'Convert a {src_name} checkpoint into a '
        f'{TARGETS[family][0]} one that starts as the {src_name} model '
        "(StructSA kernels at the 'attention' init).")
    parser.add_argument('src', help=f'{src_name} checkpoint (.pth)')
    parser.add_argument('dst', help='converted checkpoint to write')
    parser.add_argument('--config', required=True,
                        help='config of the target model (its row)')
    parser.add_argument('--inflate', choices=('center', 'average'),
                        default='center',
                        help='2D -> 3D kernel inflation for a video target '
                        'from image weights')
    parser.add_argument('--force', action='store_true',
                        help='overwrite DST if it exists')
    args = parser.parse_args(argv)
    try:
        _refuse_existing(args.dst, args.force)  # before the slow part
        state, info = convert(args.src, args.config, family, args.inflate)
        save_checkpoint(state, args.dst, force=args.force, meta=dict(
            converted_from=osp.abspath(args.src), config=args.config,
            **{k: info[k] for k in ('layout', 'head', 'backbone')}))
    except ConversionError as err:
        raise SystemExit(f'error: {err}') from None
    print(f"{info['layout']} {src_name} checkpoint -> {info['backbone']} of "
          f'{args.config}')
    print(f"  StructSA kernels at the attention init: "
          f"{len(info['initialised'])} tensors; inflated 2D -> 3D: "
          f"{len(info['inflated'])}; classifier: {info['head']}")
    for exact, why in info['exactness']:
        how = 'exactly, where every StructSA grid divides by the stride' \
            if exact else 'approximately'
        print(f'  starts as {src_name} {how} ({why})')
    print(f'wrote {args.dst}')
