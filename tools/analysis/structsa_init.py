"""How StructSA starts at each init: the tables of docs/en/advanced_guides/warm_start.md.

    python tools/analysis/structsa_init.py [--out-dir DIR]

Prints (and with --out-dir saves as CSV) the signal one StructSA layer
passes per D at the default and the 'attention' init, and how exactly the
'attention' init reproduces plain attention in each (D, S, grid) case.
"""
import argparse
import csv
import os
import os.path as osp

from structvit_mm.analysis.structsa_init import exactness_table, signal_table


def _markdown(rows, columns):
    lines = ['| ' + ' | '.join(columns) + ' |',
             '|' + '---|' * len(columns)]
    for r in rows:
        cells = [f'{r[c]:.3g}' if isinstance(r[c], float) else str(r[c])
                 for c in columns]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', help='write signal.csv / exactness.csv')
    args = parser.parse_args()
    signal = signal_table()
    exact = exactness_table()
    for r in exact:
        r.setdefault('num_prefix_tokens', 0)
        r.setdefault('score_norm', 'joint')
        r['variant'] = ', '.join(f'{k}={r[k]}' for k in
                                 ('aggregation', 'kernel_size') if k in r)
    print('Signal of one StructSA layer (C = 64, 2 heads, grid 4x8x8, '
          '3x3x3 kernels, stride 1, unit-normal tokens; mean of 3 seeds)\n')
    print(_markdown(signal, ['D', 'init', 'keys', 'score_std',
                             'output_std']))
    print("\nThe 'attention' init against plain attention (float64, max abs "
          'output difference)\n')
    cols = ['structure_dim', 'stride', 'grid', 'num_prefix_tokens',
            'score_norm', 'variant', 'exact', 'fast', 'literal', 'why']
    print(_markdown(exact, cols))
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
        for name, rows, columns in (
                ('signal', signal, list(signal[0])), ('exactness', exact, cols)):
            with open(osp.join(args.out_dir, f'{name}.csv'), 'w',
                      newline='') as f:
                writer = csv.DictWriter(f, columns, extrasaction='ignore')
                writer.writeheader()
                writer.writerows(rows)
        print(f'\nwrote {args.out_dir}/signal.csv, exactness.csv')


if __name__ == '__main__':
    main()
