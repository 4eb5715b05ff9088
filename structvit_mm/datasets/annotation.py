"""Annotation-list parsing that names the file and line of every problem.

mmaction2 1.2.0's ``VideoDataset`` / ``RawframeDataset`` parse their lists
with bare ``int()`` / tuple unpacking, so a malformed line surfaces as
``ValueError: too many values to unpack`` with no file, line or content, and
a label outside ``num_classes`` only crashes later inside the loss. The
parsers here accept exactly the same formats and raise
:class:`AnnotationError` (``<file>:<line>: <problem>: '<line content>'``)
instead.
"""
import os.path as osp
from typing import List, Optional, Union


class AnnotationError(ValueError):
    """A line of an annotation file that cannot be used.

    The message reads ``<ann_file>:<lineno>: <problem>: '<line>'`` (the
    compiler convention, so editors and terminals can jump to it).
    """

    def __init__(self, ann_file: str, lineno: int, line: str, problem: str):
        self.ann_file = ann_file
        self.lineno = lineno
        self.line = line
        self.problem = problem
        super().__init__(f'{ann_file}:{lineno}: {problem}: {line!r}')


def _to_int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f'{what} is not an integer ({text!r})') from None


def check_labels(label: Union[int, List[int]], num_classes: Optional[int],
                 require_label: bool) -> None:
    """Raise ``ValueError`` for a label outside ``[0, num_classes)``.

    ``-1`` is mmaction2's placeholder for a line without a label (inference
    lists); it is allowed only when ``require_label`` is False (test mode):
    in training it would reach the loss as a target of -1.
    """
    labels = label if isinstance(label, list) else [label]
    if labels == [-1] or not labels:
        if require_label:
            raise ValueError('no label (a training list needs one per line)')
        return
    for lab in labels:
        if lab < 0 or (num_classes is not None and lab >= num_classes):
            bound = (f'[0, num_classes={num_classes})'
                     if num_classes is not None else '>= 0')
            raise ValueError(f'label {lab} outside {bound}')


def parse_video_line(line: str, delimiter: str = ' ',
                     multi_class: bool = False) -> dict:
    """``<filename> <label>`` (``<filename> <l1> <l2> ...`` when multi-class,
    ``<filename>`` alone for an unlabeled inference list).

    Returns ``dict(filename=..., label=int | list[int])`` with the filename
    as written (no prefix). Raises ``ValueError`` naming the problem.
    """
    # ' ' (the default) splits on any run of whitespace: a doubled space
    # or a tab is a typo, not an extra field
    fields = line.split() if delimiter == ' ' else [
        f.strip() for f in line.strip().split(delimiter)]
    filename, rest = fields[0], fields[1:]
    if multi_class:
        return dict(filename=filename,
                    label=[_to_int(x, 'label') for x in rest])
    if len(rest) > 1:
        raise ValueError(f'expected "<filename>{delimiter}<label>", got '
                         f'{len(fields)} fields')
    label = _to_int(rest[0], 'label') if rest else -1
    return dict(filename=filename, label=label)


def parse_rawframe_line(line: str, with_offset: bool = False,
                        multi_class: bool = False) -> dict:
    """``<frame_dir> [<offset>] <total_frames> <label>[ <label> ...]``.

    Returns ``dict(frame_dir=..., total_frames=int, label=..., [offset])``
    with ``frame_dir`` as written (no prefix).
    """
    fields = line.split()
    need = 3 if with_offset else 2
    fmt = ('<frame_dir> <offset> <total_frames> <label>' if with_offset else
           '<frame_dir> <total_frames> <label>')
    if len(fields) < need:
        raise ValueError(f'expected "{fmt}", got {len(fields)} field(s)')
    info = dict(frame_dir=fields[0])
    idx = 1
    if with_offset:
        info['offset'] = _to_int(fields[1], 'offset')
        idx = 2
    info['total_frames'] = _to_int(fields[idx], 'total_frames')
    if info['total_frames'] <= 0:
        raise ValueError(f'total_frames must be positive, got '
                         f'{info["total_frames"]}')
    labels = [_to_int(x, 'label') for x in fields[idx + 1:]] or [-1]
    if multi_class:
        info['label'] = labels
    elif len(labels) > 1:
        raise ValueError(f'expected "{fmt}", got {len(fields)} fields '
                         '(several labels need multi_class=True)')
    else:
        info['label'] = labels[0]
    return info


def join_prefix(prefix: Optional[str], path: str) -> str:
    return osp.join(prefix, path) if prefix is not None else path
