"""One prepared GPU check: fused attention backends, bf16 / AMP, memory and
speed against mmaction2's UniFormer-S, in one run of a few minutes.

    python tools/analysis/gpu_check.py [--out-dir work_dirs/gpu_check]
        [--budget-s 450] [--sections NAME ...] [--smoke]

The sections, the budget and the report:
:mod:`structvit_mm.analysis.gpu_check`.
"""
import sys

from structvit_mm.analysis.gpu_check import main

if __name__ == '__main__':
    sys.exit(main())
