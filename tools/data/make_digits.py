"""Make the placed-digits benchmark (real MNIST digits at random places on
a larger canvas, optionally among fragments of others;
structvit_mm/benchmarks/digits.py).

    python tools/data/make_digits.py data/digits [--canvas 64] [--distractors 0]
"""
import argparse

from structvit_mm.benchmarks.digits import make_digits


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('out_dir')
    parser.add_argument('--canvas', type=int, default=64)
    parser.add_argument('--distractors', type=int, default=0,
                        help='fragments of other digits per image (harder)')
    parser.add_argument('--fragment', type=int, default=14)
    parser.add_argument('--train-per-class', type=int, default=400)
    parser.add_argument('--test-per-class', type=int, default=100)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    meta = make_digits(args.out_dir, args.canvas, args.distractors,
                       args.fragment, args.train_per_class,
                       args.test_per_class, args.seed)
    print(f"wrote {meta['counts']} images to {args.out_dir}")


if __name__ == '__main__':
    main()
