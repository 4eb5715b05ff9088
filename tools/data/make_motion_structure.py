"""Write the motion-structure benchmark: clips of real-photo objects whose
class is set by the *structure* of a motion, not by appearance.

The classes, the layout and why appearance carries no label:
:mod:`structvit_mm.benchmarks.motion_structure`. Clips are deterministic
from ``--seed`` and independent of ``--workers``.

    python tools/data/make_motion_structure.py --out data/motion_structure \\
        --seed 0 --num-train 6000 --num-test 800 --frames 8 --size 32
"""
import argparse
import sys

from structvit_mm.benchmarks.motion_structure import (ACTOR_SIZE,
                                                      DISTRACTORS,
                                                      make_motion_structure)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', default='data/motion_structure',
                   help='output directory')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--num-train', type=int, default=6000)
    p.add_argument('--num-test', type=int, default=800)
    p.add_argument('--frames', type=int, default=8)
    p.add_argument('--size', type=int, default=32,
                   help='frame height and width in pixels')
    p.add_argument('--distractors', type=int, nargs=2,
                   default=list(DISTRACTORS),
                   metavar=('MIN', 'MAX'),
                   help='number of distractor objects per clip')
    p.add_argument('--actor-size', type=float, nargs=2,
                   default=list(ACTOR_SIZE), metavar=('MIN', 'MAX'),
                   help="actor's long side as a fraction of the frame")
    p.add_argument('--workers', type=int, default=2)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    anns = make_motion_structure(args.out, args.seed, args.num_train,
                                 args.num_test, args.frames, args.size,
                                 args.workers, args.distractors,
                                 args.actor_size)
    print(f'wrote {args.out}: {anns["train"]}, {anns["test"]}')


if __name__ == '__main__':
    sys.exit(main())
