"""The docs hold together: every relative link in README.md, docs/ and
configs/ points at a file (and heading) of the repository, and the README
stays an index."""
import glob
import os.path as osp
import re

import pytest

from tool_runner import ROOT

DOCS = sorted([osp.join(ROOT, 'README.md')] + glob.glob(
    osp.join(ROOT, 'docs', '**', '*.md'), recursive=True) + glob.glob(
        osp.join(ROOT, 'configs', '**', '*.md'), recursive=True))
LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')


def _prose(path):
    """The file's lines outside code blocks."""
    lines, code = [], False
    for line in open(path):
        if line.startswith('```'):
            code = not code
        elif not code:
            lines.append(line)
    return lines


def _anchors(path):
    """GitHub's heading anchors of a markdown file."""
    out = set()
    for line in _prose(path):
        m = re.match(r'#+ (.*)', line)
        if m:
            text = re.sub(r'[^\w\- ]', '', m.group(1).strip().lower())
            out.add(text.replace(' ', '-'))
    return out


@pytest.mark.parametrize('doc', DOCS, ids=[osp.relpath(d, ROOT) for d in DOCS])
def test_relative_links_resolve(doc):
    broken = []
    for line in _prose(doc):
        for url in LINK.findall(line):
            if re.match(r'[a-z]+:', url):
                continue  # http(s), mailto
            path, _, anchor = url.partition('#')
            target = osp.normpath(osp.join(osp.dirname(doc), path)) \
                if path else doc
            if not osp.exists(target):
                broken.append(url)
            elif anchor and target.endswith('.md') and \
                    anchor not in _anchors(target):
                broken.append(url)
    assert not broken, broken


def test_readme_is_an_index():
    with open(osp.join(ROOT, 'README.md')) as f:
        text = f.read()
    assert len(text.splitlines()) <= 200
    for needed in ('arXiv:2404.03924', '@inproceedings', 'LICENSE',
                   'bash tools/run_demo.sh', 'bash tools/run_tests.sh',
                   "custom_imports = dict(imports=['structvit_mm']"):
        assert needed in text, needed
    assert osp.isfile(osp.join(ROOT, 'LICENSE'))


def test_no_reference_to_documents_outside_the_repository():
    """Comments and docs cite the paper or a file of the repository, never
    the project's private notes (the spec, the stack notes)."""
    pattern = re.compile('spec' + r' sections?\b|stack' + '-notes')
    hits = []
    for top in ('structvit_mm', 'configs', 'tools', 'tests', 'docs',
                'demo'):
        for path in glob.glob(osp.join(ROOT, top, '**', '*'),
                              recursive=True):
            if not path.endswith(('.py', '.md', '.sh', '.yml')):
                continue
            for i, line in enumerate(open(path, errors='ignore'), 1):
                if pattern.search(line):
                    hits.append(f'{osp.relpath(path, ROOT)}:{i}')
    assert not hits, hits
