"""StructSA operator benchmark: fast vs literal vs vanilla vs the bound.

    python tools/analysis/benchmark_structsa.py [--device cpu|cuda]
        [--dtype float32|bfloat16] [--batch 1] [--warmup 2] [--iters 5]
        [--cases SUBSTR ...] [--out work_dirs/benchmark_structsa.json]

What is timed and how memory is read: :mod:`structvit_mm.analysis.op_speed`.
"""
from structvit_mm.analysis.op_speed import main

if __name__ == '__main__':
    main()
