"""Render what one StructSA layer does for one query (the paper's Figs 1-2).

    python tools/visualizations/vis_structsa.py CONFIG [CHECKPOINT] \
        --input IMAGE_OR_VIDEO --stage 3 --block 0 --head 0 \
        --query T,Y,X (video) | Y,X (image) --out-dir DIR

The input goes through the config's test pipeline and data preprocessor
(first view) and the backbone; a forward pre-hook on
``blocks{stage}[block].attn`` takes that layer's tokens, and
:meth:`StructSA.structure_maps` computes, for the query token (coordinates
on the stage's token grid, printed by the tool; negative values count from
the end; default: the centre):

- ``correlation.png``: the query-key correlation ``q . k_j`` over the key
  grid (summed over the head's channels for channel-wise correlation);
- ``detectors.png``: the ``D`` pattern detectors' pre-softmax score maps
  (the correlation volume convolved with each detector kernel);
- ``attention.png``: the final attention (one softmax over all ``D x keys``),
  summed over ``D`` (top row) and per detector (rows below);
- ``overview.png``: one row for the query's frame: input with the query,
  correlation, each detector's scores, the attention;
- ``maps.npz``: the raw maps (``correlation``, ``scores``, ``attention``,
  token grids, query).

Maps are upsampled to the network input (nearest: one cell per token) and
overlaid on its frames (video: one column per token time step; the frame
shown is the one in the middle of the step's span). Without CHECKPOINT the model is
randomly initialised (useful only to check the tool).
"""
import argparse
import os
import os.path as osp

import numpy as np
import torch
from mmengine.config import Config, DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Visualise StructSA correlation, detector and attention '
        'maps for one query')
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', default=None)
    parser.add_argument('--input', required=True, help='image or video file')
    parser.add_argument('--stage', type=int, default=3,
                        help='StructSA stage, 3 or 4')
    parser.add_argument('--block', type=int, default=0)
    parser.add_argument('--head', type=int, default=0)
    parser.add_argument('--query', default=None,
                        help='token coordinates on the stage grid: Y,X '
                        '(image) or T,Y,X (video); default: the centre')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--max-frames', type=int, default=8,
                        help='at most this many token time steps are drawn')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def build_model(cfg, checkpoint, device):
    from mmengine.registry import init_default_scope

    from structvit_mm.apis import init_model
    # init_model scopes only the build; load_input's pipeline needs the
    # scope afterwards too
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    if not checkpoint:
        print('no checkpoint given: the model is randomly initialised')
    return init_model(cfg, checkpoint, device=device)


def load_input(cfg, model, path, is_video):
    """Network input ``(1, C, [T,] H, W)`` and display frames
    ``(T_in, H, W, 3)`` uint8 RGB (``T_in = 1`` for images)."""
    from mmengine.dataset import Compose, pseudo_collate
    pipeline = cfg.get('test_pipeline') or \
        cfg.get('test_dataloader', {}).get('dataset', {}).get('pipeline')
    if not pipeline:
        raise SystemExit(f'error: {cfg.filename} has no test_pipeline')
    if not osp.isfile(path):
        raise SystemExit(f'error: input file not found: {path}')
    if is_video:
        data = dict(filename=path, label=-1, start_index=0, modality='RGB')
    else:
        data = dict(img_path=path)
    try:
        data = Compose(pipeline)(data)
    except Exception as err:
        raise SystemExit(f'error: cannot read {path} with the test pipeline '
                         f'of the config: {type(err).__name__}: {err}')
    raw = data['inputs']
    batch = model.data_preprocessor(pseudo_collate([data]), False)
    inputs = batch['inputs']
    if is_video:
        # (1, views, C, T, H, W) -> first view; raw (views, C, T, H, W), RGB
        inputs = inputs.reshape((-1, ) + inputs.shape[-4:])[:1]
        frames = raw.reshape((-1, ) + raw.shape[-4:])[0].permute(1, 2, 3, 0)
    else:
        # (1, C, H, W); raw (C, H, W) as loaded by mmcv: BGR
        frames = raw.permute(1, 2, 0).flip(-1)[None]
    frames = frames.float().clamp(0, 255).to(torch.uint8).numpy()
    return inputs, frames


def capture_tokens(model, inputs, stage, block):
    """Run the backbone and return the layer and the (x, grid) it saw."""
    from structvit_mm.models.structsa import StructSA
    backbone = model.backbone
    blocks = getattr(backbone, f'blocks{stage}', None)
    if blocks is None or stage < 1:
        raise SystemExit(f'error: --stage must be 3 or 4, got {stage}')
    if not 0 <= block < len(blocks):
        raise SystemExit(f'error: stage {stage} has {len(blocks)} blocks; '
                         f'--block {block} is out of range')
    attn = getattr(blocks[block], 'attn', None)
    if not isinstance(attn, StructSA):
        raise SystemExit(f'error: stage {stage} is a convolution stage; '
                         'StructSA layers are in stages 3 and 4')
    seen = {}

    def hook(module, args):
        seen['x'], seen['grid'] = args[0].detach(), tuple(args[1])

    handle = attn.register_forward_pre_hook(hook)
    try:
        with torch.no_grad():
            backbone(inputs)
    finally:
        handle.remove()
    return attn, seen['x'], seen['grid']


def parse_query(text, grid):
    if text is None:
        return tuple(g // 2 for g in grid)
    try:
        query = tuple(int(v) for v in text.split(','))
    except ValueError:
        raise SystemExit(f'error: --query must be integers, got {text!r}')
    if len(query) != len(grid):
        raise SystemExit(f'error: --query {text} has {len(query)} entries; '
                         f'the token grid {grid} needs {len(grid)}')
    out = []
    for q, g in zip(query, grid):
        if not -g <= q < g:
            raise SystemExit(f'error: --query {text} is outside the token '
                             f'grid {grid}')
        out.append(q % g)
    return tuple(out)


def _panel(ax, frame, heat=None, vmin=None, vmax=None, point=None,
           title=None):
    H, W = frame.shape[:2]
    ax.imshow(frame, extent=(0, W, H, 0))
    if heat is not None:
        ax.imshow(heat, extent=(0, W, H, 0), cmap='jet', alpha=0.55,
                  vmin=vmin, vmax=vmax, interpolation='nearest')
    if point is not None:
        ax.plot(point[1], point[0], marker='*', color='white', ms=11,
                mec='black', mew=1)
    if title:
        ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])


def render(maps, frames, query, grid, key_grid, out_dir, max_frames, label):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    corr, scores, attn = maps['correlation'], maps['scores'], maps['attention']
    if len(grid) == 2:  # images: one time step
        corr, scores, attn = corr[None], scores[:, None], attn[:, None]
        grid, key_grid, query = (1, ) + grid, (1, ) + key_grid, (0, ) + query
    D, T = scores.shape[0], grid[0]
    H, W = frames.shape[1:3]
    steps = list(range(T))
    if T > max_frames:  # keep the query's step, spread the rest
        steps = sorted(set(np.linspace(0, T - 1, max_frames).round()
                           .astype(int).tolist()) | {query[0]})

    def frame(t):  # the input frame in the middle of token step t
        return frames[min(len(frames) - 1, int((t + .5) * len(frames) / T))]

    qpoint = ((query[1] + .5) * H / grid[1], (query[2] + .5) * W / grid[2])
    paths = []

    def grid_figure(name, rows, row_titles):
        """rows: list of (maps (T, h, w), vmin, vmax)."""
        fig, axes = plt.subplots(
            len(rows), len(steps), squeeze=False,
            figsize=(1.6 * len(steps) + .6, 1.6 * len(rows) + .5))
        for r, ((m, lo, hi), title) in enumerate(zip(rows, row_titles)):
            if lo is None:  # one colour scale per row, across time
                lo, hi = m.min(), m.max()
            for c, t in enumerate(steps):
                _panel(axes[r, c], frame(t), m[t], lo, hi,
                       qpoint if t == query[0] else None,
                       f'{title}, t={t}' if T > 1 else title)
        fig.suptitle(label, fontsize=9)
        fig.tight_layout()
        path = osp.join(out_dir, name)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        paths.append(path)

    grid_figure('correlation.png', [(corr, None, None)], ['q.k'])
    lo, hi = scores.min(), scores.max()
    grid_figure('detectors.png', [(scores[d], lo, hi) for d in range(D)],
                [f'detector {d}' for d in range(D)])
    per_d = attn.sum(axis=tuple(range(1, attn.ndim)))
    rows, titles = [(attn.sum(0), None, None)], ['attention']
    if D > 1:  # per detector, one colour scale: where the mass goes
        rows += [(attn[d], 0, attn.max()) for d in range(D)]
        titles += [f'd={d} (mass {per_d[d]:.2f})' for d in range(D)]
    grid_figure('attention.png', rows, titles)

    # Overview at the query's time step: input | q.k | D detectors | attn
    t = query[0]
    n = 3 + D
    fig, axes = plt.subplots(1, n, figsize=(1.7 * n, 2.1), squeeze=False)
    axes = axes[0]
    _panel(axes[0], frame(t), point=qpoint, title='input + query')
    _panel(axes[1], frame(t), corr[t], point=qpoint, title='correlation q.k')
    for d in range(D):
        _panel(axes[2 + d], frame(t), scores[d, t], lo, hi, qpoint,
               f'detector {d}')
    _panel(axes[-1], frame(t), attn.sum(0)[t], point=qpoint,
           title='attention (sum over D)')
    fig.suptitle(label, fontsize=8)
    fig.tight_layout()
    path = osp.join(out_dir, 'overview.png')
    fig.savefig(path, dpi=90)
    plt.close(fig)
    paths.append(path)
    return paths


def main(argv=None):
    args = parse_args(argv)
    from structvit_mm.models.structvit import StructViT3D
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    model = build_model(cfg, args.checkpoint, args.device)
    if not hasattr(model, 'backbone'):
        raise SystemExit('error: the config model has no backbone')
    is_video = isinstance(model.backbone, StructViT3D)
    inputs, frames = load_input(cfg, model, args.input, is_video)
    attn, x, grid = capture_tokens(model, inputs, args.stage, args.block)
    if not 0 <= args.head < attn.num_heads:
        raise SystemExit(f'error: --head {args.head}: this layer has '
                         f'{attn.num_heads} heads')
    query = parse_query(args.query, grid)
    flat = int(np.ravel_multi_index(query, grid))
    maps = attn.structure_maps(x, grid, [flat])
    maps = {k: v[0, args.head, 0].float().cpu().numpy()
            for k, v in maps.items() if k != 'output'}
    if attn.structure_dim == 0:
        key_grid = grid
    else:
        key_grid = tuple(maps['scores'].shape[1:])
    os.makedirs(args.out_dir, exist_ok=True)
    np.savez(osp.join(args.out_dir, 'maps.npz'), grid=np.array(grid),
             key_grid=np.array(key_grid), query=np.array(query), **maps)
    label = (f'stage {args.stage} block {args.block} head {args.head}, '
             f'query {query} on token grid {grid}, D={maps["scores"].shape[0]}'
             f', key grid {key_grid}')
    print(label)
    per_d = maps['attention'].reshape(maps['attention'].shape[0], -1).sum(1)
    print('attention mass per detector: ' +
          ', '.join(f'd{d}={m:.3f}' for d, m in enumerate(per_d)))
    for path in render(maps, frames, query, grid, key_grid, args.out_dir,
                       args.max_frames, label):
        print(f'wrote {path}')

