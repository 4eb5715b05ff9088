"""Smoke test of the operator benchmark: it runs and reports sane numbers."""
import json

from structvit_mm.analysis import op_speed as bench


def test_benchmark_runs_and_writes_json(tmp_path):
    out = tmp_path / 'b.json'
    cases = {'tiny-2d': ((5, 7), 16, 2, 4, 2), 'tiny-3d': ((3, 4, 4), 16, 2,
                                                           4, 1)}
    bench.main(['--warmup', '0', '--iters', '1', '--out', str(out)],
               cases=cases, sweep_grids=[(2, 3, 3), (4, 3, 3)])
    result = json.loads(out.read_text())
    assert [r['case'] for r in result['cases']] == list(cases)
    for row in result['cases']:
        for impl in ('fast', 'bound', 'vanilla', 'literal'):
            assert row[f'{impl}_ms'] > 0 and row[f'{impl}_mb'] > 0
    # the literal path holds the O(N^2 C) volume, the fast path does not
    assert all(r['literal_mb'] > r['fast_mb'] for r in result['cases'])
    assert len(result['sweep']) == 2 * len(bench.SWEEP_D)


def test_literal_is_skipped_when_it_would_not_fit(tmp_path):
    out = tmp_path / 'b.json'
    bench.main(['--warmup', '0', '--iters', '1', '--no-sweep',
                '--literal-max-gb', '0', '--out', str(out)],
               cases={'tiny': ((5, 7), 16, 2, 4, 2)})
    row = json.loads(out.read_text())['cases'][0]
    assert row['literal_ms'] is None and row['fast_ms'] > 0
