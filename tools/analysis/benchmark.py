"""Train-step and inference throughput and peak memory of whole models.

    python tools/analysis/benchmark.py [CONFIG ...] [--shape 1 3 16 224 224]
        [--device cpu|cuda] [--amp] [--compile] [--warmup 5] [--iters 10]
        [--cfg-options KEY=VALUE ...] [--out FILE]

What a step is, how memory is read, ``--compile``:
:mod:`structvit_mm.analysis.model_speed`.
"""
from structvit_mm.analysis.model_speed import main

if __name__ == '__main__':
    main()
