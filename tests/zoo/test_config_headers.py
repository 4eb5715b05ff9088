"""The paper's numbers have one home, ``structvit_mm/zoo.py`` (shown by the
generated configs/structvit/README.md and configs/structdeit/README.md):
the comments of the configs name where a row is in the paper (table and
row) and point at that home, but restate none of its params, GFLOPs or
accuracies, which would drift from the zoo unseen.

A number counts as restated only as the zoo holds it: a decimal (``84.2``,
also ``84.20``), an integer parameter count with its unit (``51M``,
``51 M``), an integer GFLOPs with its unit (``2658 GFLOPs``, ``2658 G``) and,
for a multi-view row, its GFLOPs per view where that is exact to two
decimals (``664.50``). Frame counts, epochs or batch sizes never match.
"""
import glob
import os.path as osp
import re

import pytest

from structvit_mm import zoo

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(ROOT, 'configs')
# the row configs, the ImageNet stages that are no row themselves, the
# analysis model's bases and the short names (not benchmark/ or _base_/)
CONFIGS = sorted(
    glob.glob(osp.join(CONFIG_DIR, 'structvit', '*.py')) +
    glob.glob(osp.join(CONFIG_DIR, 'structdeit', '*.py')) +
    glob.glob(osp.join(CONFIG_DIR, 'structdeit', '_base_', '*.py')) +
    glob.glob(osp.join(CONFIG_DIR, 'structvit_*.py')))
IDS = [osp.relpath(f, CONFIG_DIR) for f in CONFIGS]


def _comments(path):
    """The text of every comment of the file, lines joined by spaces (a
    number and its unit may sit on two lines)."""
    out = []
    for line in open(path):
        if '#' in line:  # configs hold no '#' in strings
            out.append(line[line.index('#') + 1:].strip())
    return ' '.join(out)


def _header(path):
    """The leading comment block, lines joined by spaces."""
    out = []
    for line in open(path):
        if not line.startswith('#'):
            break
        out.append(line[1:].strip())
    return ' '.join(out)


def _decimal(value):
    """``84.2`` -> a pattern for 84.2 / 84.20 (also ``84.2.``, ``84.2M``),
    not 184.2, 84.25, 84.2.1 or 84.2e-3."""
    whole, _, frac = f'{value:.2f}'.partition('.')
    frac = frac.rstrip('0') or '0'
    return rf'(?<![\w.]){whole}\.{frac}0*(?![\deE_]|\.\d)'


def _patterns(row):
    """The row's numbers as the zoo holds them, as regular expressions."""
    out = []
    if row.params is not None:
        out.append(rf'(?<![\w.]){row.params}\s?M\b'
                   if isinstance(row.params, int) else _decimal(row.params))
    if row.gflops is not None:
        out.append(rf'(?<![\w.]){row.gflops}\s?G(?:FLOPs)?\b'
                   if isinstance(row.gflops, int) else _decimal(row.gflops))
        per_view = row.gflops_per_view
        if per_view != row.gflops and round(per_view, 2) == per_view:
            out.append(_decimal(per_view))
    for value in (row.top1, row.top5, row.mean_class_acc):
        if value is not None:
            out.append(_decimal(value))
    return out


def _restated(text, rows):
    """The numbers of ``rows`` that ``text`` restates."""
    return sorted({m.group(0) for row in rows for p in _patterns(row)
                   for m in re.finditer(p, text)})


def _rows_about(path):
    """The rows a config's comments are about: a short name's row; the
    rows of the same model (the config name before its first '_': every
    dataset of StructViT-B-4-1, both stages of one analysis model); every
    analysis row for the analysis model's bases."""
    name = osp.basename(path)[:-len('.py')]
    m = re.match(r'structvit_(\w+)$', name)
    if m:
        return [zoo.ALIASES[m.group(1)]]
    if f'{osp.sep}_base_{osp.sep}' in path:
        return [r for r in zoo.ROWS if r.family == 'structdeit']
    model = name.split('_')[0]
    return [r for r in zoo.ROWS if r.name.split('_')[0] == model]


def _tables_named(text):
    """The tables a text names: 'Table 3, row B-4-1' -> {'Table 3'};
    'Tables 1b (row M=1) and 6b (row (1,1))' -> {'Table 1b', 'Table 6b'}."""
    while True:  # drop parentheses, innermost first
        text, n = re.subn(r'\([^()]*\)', '', text)
        if not n:
            break
    named = set()
    for m in re.finditer(r'\bTables?((?:\s*(?:,|and)?\s*\b\d+[a-z]?\b)+)',
                         text):
        named |= {f'Table {t}' for t in re.findall(r'\d+[a-z]?',
                                                   m.group(1))}
    return named


def test_the_guard_sees_restated_numbers_and_nothing_else():
    b = zoo.BY_NAME['structvit-b-4-1_in1k-224']
    k400 = zoo.BY_NAME['structvit-b-4-1_in1k-pre_32x4x1_k400-rgb']
    assert _restated('(paper: 51M params, 9.9 GFLOPs, top-1 84.2).',
                     [b]) == ['51M', '84.2', '9.9']
    assert _restated('(paper: 2658 GFLOPs over 1 crop x 4 clips, i.e. '
                     '664.50 per view; top-1 / top-5 83.3 / 95.6)',
                     [k400]) == ['2658 GFLOPs', '664.50', '83.3', '95.6']
    assert not _restated('32x4x1, 51 frames, 2658 clips, 9.95, 184.2, '
                         '84.25, 84.2.1, lr 9.9e-3, 51 MB, 2658 GPUs',
                         [b, k400])
    ablation = zoo.BY_NAME['structdeit-s-d1_in1k-224']  # decimal params
    assert _restated('IN-1K 80.8 (22.1 M, 4.6 G)', [ablation]) == [
        '22.1', '4.6', '80.8']
    assert _tables_named('the paper\'s Tables 1a (row D=4), 1b (row M=3) '
                         'and 6b (row (3,3)); Table 7, row StructSA') == {
        'Table 1a', 'Table 1b', 'Table 6b', 'Table 7'}
    assert _tables_named("the paper's Table 4, row B-4-1 32x1x4") == {
        'Table 4'}


@pytest.mark.parametrize('path', CONFIGS, ids=IDS)
def test_comments_restate_no_number_of_the_paper(path):
    rows = _rows_about(path)
    assert rows, 'a config of no row of structvit_mm/zoo.py'
    assert not _restated(_comments(path), rows), (
        'the paper\'s numbers live in structvit_mm/zoo.py (shown by '
        'configs/*/README.md): name the table and row instead')


@pytest.mark.parametrize('path', [f for f in CONFIGS if '_base_' not in f],
                         ids=[i for i in IDS if '_base_' not in i])
def test_header_names_the_table_of_its_row(path):
    """Each row's header names its tables (a config that is no row itself,
    an ImageNet stage, names the tables of the row it is the stage of)."""
    name = osp.basename(path)[:-len('.py')]
    rows = [zoo.BY_NAME[name]] if name in zoo.BY_NAME else \
        _rows_about(path)
    tables = {table for row in rows for table, _ in row.refs}
    assert tables <= _tables_named(_header(path)), _header(path)
