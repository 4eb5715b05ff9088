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
import structvit_mm  # noqa: F401  (compat fixes + registration)
from structvit_mm.cli.vis_structsa import main

if __name__ == '__main__':
    main()
