"""Classify one video file and print its top-5 classes (mmaction2's demo,
for StructViT configs; what it does: structvit_mm/cli/demo.py).

    python demo/demo.py VIDEO CONFIG CHECKPOINT [--label-map FILE] \
        [--topk 5] [--device cpu] [--cfg-options ...]
"""
import structvit_mm  # noqa: F401  (compat fixes + registration)
from structvit_mm.cli.demo import main

if __name__ == '__main__':
    main()
