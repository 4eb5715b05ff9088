"""Test (and evaluate) a checkpoint: mmaction2's tools/test.py, for video
and image configs alike (what differs: structvit_mm/cli/test.py).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--dump F.pkl]
        [--amp] [--show-dir DIR] [--launcher pytorch|slurm]
        [--cfg-options KEY=VALUE ...]
"""
import structvit_mm  # noqa: F401  (compat fixes before mmengine builds)
from structvit_mm.cli.test import main

if __name__ == '__main__':
    main()
