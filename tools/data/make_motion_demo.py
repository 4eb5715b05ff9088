"""Write a small synthetic video dataset whose classes differ only by motion.

The layout is Kinetics-400's (``videos_{train,val}/<class>/<name>.mp4`` and
the two ``kinetics400_*_list_videos.txt`` lists); what the clips show:
:mod:`structvit_mm.benchmarks.motion_demo`.

    python tools/data/make_motion_demo.py data/motion_demo \\
        --train-per-class 100 --val-per-class 25
"""
import argparse

from structvit_mm.benchmarks.motion_demo import make_motion_demo


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root', nargs='?', default='data/motion_demo',
                        help='output directory')
    parser.add_argument('--train-per-class', type=int, default=100)
    parser.add_argument('--val-per-class', type=int, default=25)
    parser.add_argument('--num-frames', type=int, default=32)
    parser.add_argument('--size', type=int, default=64,
                        help='frame height and width in pixels')
    parser.add_argument('--num-classes', type=int, default=4)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    out = make_motion_demo(args.root, args.train_per_class,
                           args.val_per_class, args.num_frames, args.size,
                           args.num_classes, args.seed)
    print(f'wrote {args.root}: {out["train"]}, {out["val"]}')


if __name__ == '__main__':
    main()
