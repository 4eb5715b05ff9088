"""Render what one StructSA layer does for one query (the paper's Figs 1-2).
(the figures it writes: structvit_mm/cli/vis_structsa.py).

    python tools/visualizations/vis_structsa.py CONFIG [CHECKPOINT] \
        --input IMAGE_OR_VIDEO --stage 3 --block 0 --head 0 \
        --query T,Y,X (video) | Y,X (image) --out-dir DIR
"""
import structvit_mm  # noqa: F401  (compat fixes + registration)
from structvit_mm.cli.vis_structsa import main

if __name__ == '__main__':
    main()
