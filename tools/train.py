"""Train a model: mmaction2's tools/train.py, for video and image configs
alike (what differs: structvit_mm/cli/train.py).

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--seed N] [--launcher pytorch|slurm] [--cfg-options KEY=VALUE ...]
"""
import structvit_mm  # noqa: F401  (compat fixes before mmengine builds)
from structvit_mm.cli.train import main

if __name__ == '__main__':
    main()
