"""Params and FLOPs of the paper's rows, counted by tools/analysis/get_flops.py
(the same model building and counting code, in process), against the
paper's tables (spec sections 2, 4 and 5). Full-size models at the paper's
input sizes; each distinct model is counted once.
"""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from structvit_mm.analysis import ClassifierForward, complexity_info
from structvit_mm.apis import init_model

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

IMAGE = (1, 3, 224, 224)
VIDEO16 = (1, 3, 16, 224, 224)
VIDEO32 = (1, 3, 32, 224, 224)

# config (under configs/) -> input, views, paper params (M, None where the
# table prints none), paper GFLOPs over those views
ROWS = {
    # ImageNet-1K (Table 3)
    'structvit/structvit-s-4-2_in1k-224.py': (IMAGE, 1, 23, 3.6),
    'structvit/structvit-s-4-1_in1k-224.py': (IMAGE, 1, 23, 4.3),
    'structvit/structvit-s-8-1_in1k-224.py': (IMAGE, 1, 24, 5.4),
    'structvit/structvit-b-4-2_in1k-224.py': (IMAGE, 1, 51, 8.3),
    'structvit/structvit-b-4-1_in1k-224.py': (IMAGE, 1, 51, 9.9),
    'structvit/structvit-b-8-1_in1k-224.py': (IMAGE, 1, 52, 12.0),
    # Kinetics-400 (Table 4; the B rows are the SS rows' models, below)
    'structvit/structvit-s-4-1_in1k-pre_16x4x1_k400-rgb.py':
    (VIDEO16, 4, None, 327),
    'structvit/structvit-b-4-1_in1k-pre_32x4x1_k400-rgb_3crop-test.py':
    (VIDEO32, 12, None, 7974),
    # Something-Something (Table 5a): S-4-2, S-8-1 and B-4-2 are the models
    # of the K400 rows of the same name too (Diving-48 / Gym: other heads)
    'structvit/structvit-s-4-2_k400-pre_16x3x1_sthv1-rgb.py':
    (VIDEO16, 3, None, 126),
    'structvit/structvit-s-8-1_k400-pre_16x3x1_sthv2-rgb.py':
    (VIDEO16, 3, None, 405),
    'structvit/structvit-b-4-2_k400-pre_32x3x1_sthv1-rgb.py':
    (VIDEO32, 3, None, 784),
    # the analysis model (Table 7), IN-1K and SSv1 (per view)
    'structdeit/structdeit-s-d1_in1k-224.py': (IMAGE, 1, 22.1, 4.6),
    'structdeit/structdeit-s-d1-w432_in1k-224.py': (IMAGE, 1, 27.9, 5.8),
    'structdeit/structdeit-s-d1-l16_in1k-224.py': (IMAGE, 1, 29.3, 6.1),
    'structdeit/structdeit-s-d4_in1k-224.py': (IMAGE, 1, 22.4, 5.7),
    'structdeit/structdeit-s-d1_in1k-pre_16x3x1_sthv1-rgb.py':
    (VIDEO16, 1, 22.8, 57.3),
    'structdeit/structdeit-s-d1-w480_in1k-pre_16x3x1_sthv1-rgb.py':
    (VIDEO16, 1, 34.3, 80.4),
    'structdeit/structdeit-s-d1-l17_in1k-pre_16x3x1_sthv1-rgb.py':
    (VIDEO16, 1, 31.8, 80.8),
    'structdeit/structdeit-s-d4_in1k-pre_16x3x1_sthv1-rgb.py':
    (VIDEO16, 1, 23.1, 80.4),
}
# Paper rows whose params the spec's parameter contract cannot reach within
# 5% (README, "Sizes and FLOPs": ours are UniFormer's plus 2*C*D*9 per
# StructSA layer, 0.5-2 M under the paper's S rows); FLOPs still are.
PARAMS_TOLERANCE = {'structvit/structvit-s-4-2_in1k-224.py': 0.06,
                    'structvit/structvit-s-4-1_in1k-224.py': 0.06,
                    'structvit/structvit-s-8-1_in1k-224.py': 0.08}


def _count(config, shape):
    cfg = Config.fromfile(osp.join(ROOT, 'configs', config))
    model = init_model(cfg)
    wrapped = ClassifierForward(model).eval()
    res = complexity_info(wrapped, (torch.randn(*shape), ))
    return res['params'] / 1e6, res['flops'] / 1e9


@pytest.mark.parametrize('config', sorted(ROWS))
def test_params_and_flops_match_the_paper(config):
    shape, views, params, gflops = ROWS[config]
    ours_params, ours_gflops = _count(config, shape)
    assert ours_gflops * views == pytest.approx(gflops, rel=0.05), \
        f'{config}: {ours_gflops:.2f} G x {views} views vs paper {gflops}'
    if params is not None:
        tol = PARAMS_TOLERANCE.get(config, 0.05)
        assert ours_params == pytest.approx(params, rel=tol), \
            f'{config}: {ours_params:.2f} M vs paper {params}'


def test_l_row_flops_are_the_honest_count():
    """L-4-1: the paper prints UniFormer-L's miscounted 15.4 (its author
    later gave 19.8 for UniFormer-L); ours is UniFormer-L's honest count plus
    StructSA's increment (README)."""
    _, gflops = _count('structvit/structvit-l-4-1_in1k-224.py', IMAGE)
    assert gflops == pytest.approx(22.4, rel=0.05)
    assert gflops > 15.4 * 1.4
