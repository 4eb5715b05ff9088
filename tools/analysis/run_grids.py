"""Run the three ablation grids (placed digits; motion structure on the
analysis model and on a small StructViT) in one command, making their
data where it is missing (structvit_mm/benchmarks/suite.py).

    # 2 CPU cores, the calibrated schedules (resumable: run it again)
    python tools/analysis/run_grids.py --jobs 2 --threads 1
    # one GPU: five times the steps, several runs at once
    python tools/analysis/run_grids.py --scale 5 --jobs 6 --threads 2 \\
        --work-root work_dirs/grids_gpu --record-root docs/results/gpu
    # CI: every grid file end to end, 2 iterations, one seed, tiny data
    python tools/analysis/run_grids.py --micro --work-root /tmp/grids \\
        --data-root /tmp/grids_data

Results: WORK_ROOT/<grid>/results.{csv,md,png}, curves.{csv,png},
machine.json (device, cores, versions, command). With ``--record-root
DIR`` every finished run is also kept, small, in DIR/<grid>/ (to commit),
and a run kept there is done on any machine.
"""
import argparse

from structvit_mm.benchmarks.suite import GRIDS, run_suite


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--grids', nargs='+', choices=list(GRIDS),
                   help='default: all three')
    p.add_argument('--work-root',
                   help='default: work_dirs/grids (--micro: '
                   'work_dirs/grids_micro)')
    p.add_argument('--data-root',
                   help='holds (or receives) digits/ and motion_structure/; '
                   'default: data (--micro: WORK_ROOT/data)')
    p.add_argument('--record-root',
                   help='keep each finished run (result, predictions, '
                   'curve) in RECORD_ROOT/<grid>/; runs kept there are done')
    p.add_argument('--scale', type=int, default=1,
                   help='times the steps of the calibrated schedules')
    p.add_argument('--seeds', type=int, nargs='+',
                   help="default: each grid's (five)")
    p.add_argument('--jobs', type=int, default=1, help='runs at once')
    p.add_argument('--threads', type=int, help='OMP_NUM_THREADS per run')
    p.add_argument('--curve-interval', type=int, default=250,
                   help='test every N iterations of the calibrated '
                   'schedule for the curves (scaled with --scale); 0: off')
    p.add_argument('--micro', action='store_true',
                   help='tiny data, 2 iterations, one seed (CI)')
    p.add_argument('--keep-going', action='store_true')
    p.add_argument('--num-bootstrap', type=int, default=10000)
    p.add_argument('--data-workers', type=int, default=2,
                   help='processes that render the motion clips')
    return p.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    # micro data and runs never share a folder with the real ones
    work_root = a.work_root or ('work_dirs/grids_micro' if a.micro
                                else 'work_dirs/grids')
    data_root = a.data_root or (f'{work_root}/data' if a.micro else 'data')
    try:
        run_suite(a.grids, work_root, data_root, a.scale, a.seeds,
                  a.jobs, a.threads, a.micro, a.curve_interval or None,
                  a.keep_going, a.num_bootstrap, a.data_workers,
                  a.record_root)
    except RuntimeError as e:
        raise SystemExit(str(e))


if __name__ == '__main__':
    main()
