"""Video datasets that survive unreadable samples and report them.

``RobustVideoDataset`` / ``RobustRawframeDataset`` are drop-in replacements
for mmaction2's ``VideoDataset`` / ``RawframeDataset`` (same config keys, same
annotation formats) with three additions:

* **Bad samples** (unreadable, truncated or empty video, missing frame
  directory or frame): with ``skip_bad_samples=True`` (the default when
  ``test_mode=False``) the sample is replaced by a random other one, the
  way mmengine's ``BaseDataset.__getitem__`` refetches when the pipeline
  returns None, at most ``max_refetch`` times in a row; each bad file is
  logged once per process with its path and the reason, and the replacement
  sample carries ``bad_samples=[(path, reason), ...]`` in its data sample's
  metainfo, so :class:`~structvit_mm.engine.BadSampleReportHook` can count
  them per epoch in the main process (the loading itself runs in dataloader
  workers) and log each file once per run. When the dataset is mostly broken
  it raises :class:`BadDatasetError` instead of looping.
* **Test mode** (``test_mode=True``): a bad sample raises
  :class:`BadSampleError` naming the file, since silently replacing or
  dropping it would change the metric. ``skip_bad_samples=True`` instead
  probes every sample once when the dataset is built (the pipeline is run
  on it, split over the distributed ranks), leaves the bad ones out, logs
  them and says that the metric is then computed over fewer samples.
* **Annotation errors** name file, line and content
  (:class:`~.annotation.AnnotationError`): a missing annotation file, a
  malformed line, a label outside ``[0, num_classes)`` (checked when
  ``num_classes`` is given to the dataset), a training line without a label.
  ``bad_line='skip'`` logs and drops such lines instead (kept in
  ``dataset.bad_lines``; ``tools/data/check_dataset.py`` uses it).
"""
import logging
import os.path as osp
from typing import Iterable, Iterator, List, Optional, Tuple

from mmengine.dist import all_gather_object, get_dist_info
from mmengine.fileio import exists, list_from_file
from mmengine.logging import print_log

from mmaction.datasets import RawframeDataset, VideoDataset
from mmaction.registry import DATASETS

from .annotation import (AnnotationError, check_labels, join_prefix,
                         parse_rawframe_line, parse_video_line)

#: the metainfo key of a data sample that replaced bad samples
BAD_SAMPLES_KEY = 'bad_samples'


class BadSampleError(RuntimeError):
    """One sample could not be loaded; ``path`` and ``reason`` say why."""

    def __init__(self, message: str, path: str, reason: str):
        super().__init__(message)
        self.path = path
        self.reason = reason


class BadDatasetError(RuntimeError):
    """Too many samples of a dataset cannot be loaded to go on."""


def describe_exception(exc: BaseException, path: Optional[str] = None,
                       max_len: int = 300) -> str:
    """One line: ``<Type>: <first line of message>`` (+ file size hints).

    decord's messages span many lines of C++ log and say e.g. only
    ``Error reading 0 bytes...`` for an empty file, so the size of a local
    file is added: that alone tells an empty or truncated download apart.
    """
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    reason = type(exc).__name__ + (f': {lines[0]}' if lines else '')
    if len(reason) > max_len:
        reason = reason[:max_len - 3] + '...'
    if path is None or '://' in path:  # remote storage: no local hints
        return reason
    if not osp.exists(path):
        if path not in reason:
            reason += f' [{path} does not exist]'
    elif osp.isfile(path) and not isinstance(exc, FileNotFoundError):
        size = osp.getsize(path)
        reason += (' [empty file: 0 bytes]' if size == 0 else
                   f' [file size: {size} bytes]')
    return reason


class RobustDatasetMixin:
    """Bad-sample handling and strict annotation parsing (see module doc).

    Put it before an mmaction2 dataset class; subclasses implement
    :meth:`parse_ann_line` and :meth:`sample_path`.

    Args:
        skip_bad_samples (bool, optional): replace (training) or leave out
            (test mode) samples that cannot be loaded. Defaults to
            ``not test_mode``.
        bad_line (str): ``'raise'`` (default) or ``'skip'`` for malformed
            annotation lines.
        max_refetch (int): replacement attempts in a row before
            :class:`BadDatasetError`. Defaults to 100 (mmengine: 1000).
        fail_fast (int): raise :class:`BadDatasetError` as soon as this many
            distinct samples failed in a process that has not loaded a single
            good one yet (a wrong ``data_prefix`` or pipeline should not take
            ``max_refetch`` log lines to report). 0 turns it off.
    """

    def __init__(self, *args, skip_bad_samples: Optional[bool] = None,
                 bad_line: str = 'raise', max_refetch: int = 100,
                 fail_fast: int = 20, **kwargs):
        if bad_line not in ('raise', 'skip'):
            raise ValueError(f"bad_line must be 'raise' or 'skip', got "
                             f'{bad_line!r}')
        # set before super().__init__: it calls full_init -> load_data_list
        self._skip_bad_samples = skip_bad_samples
        self.bad_line = bad_line
        self.fail_fast = fail_fast
        self.bad_lines: List[AnnotationError] = []
        #: samples left out in test mode: [(index before, path, reason)]
        self.skipped_samples: List[Tuple[int, str, str]] = []
        #: set by BadSampleReportHook: it logs in the main process instead
        self.defer_bad_sample_logging = False
        # per process (every dataloader worker has its own copy)
        self._bad_seen = {}
        self._num_loaded = 0
        super().__init__(*args, max_refetch=max_refetch, **kwargs)

    @property
    def skip_bad_samples(self) -> bool:
        if self._skip_bad_samples is None:
            return not self.test_mode
        return bool(self._skip_bad_samples)

    # ---------------------------------------------------------- annotations
    def parse_ann_line(self, line: str) -> dict:
        """One non-empty line -> data info (paths with prefix joined)."""
        raise NotImplementedError

    def sample_path(self, data_info: dict) -> str:
        """The file or directory a sample is read from (for messages)."""
        raise NotImplementedError

    def load_data_list(self) -> List[dict]:
        """Parse ``ann_file``; every problem names file, line and content.

        Each data info gets ``ann_line`` (1-based line number) so that error
        messages and the dataset checker can point back at the list.
        """
        if not exists(self.ann_file):
            raise FileNotFoundError(
                f'annotation file not found: {self.ann_file} (ann_file of '
                f'{type(self).__name__}; check data_root / ann_file in the '
                'config)')
        data_list = []
        self.bad_lines = []
        for lineno, line in enumerate(list_from_file(self.ann_file), 1):
            if not line.strip():
                continue
            try:
                info = self.parse_ann_line(line)
                check_labels(info['label'], self.num_classes,
                             require_label=not self.test_mode)
            except ValueError as exc:
                err = AnnotationError(self.ann_file, lineno, line, str(exc))
                if self.bad_line == 'raise':
                    raise err from None
                print_log(f'skipping annotation line: {err}',
                          logger='current', level=logging.WARNING)
                self.bad_lines.append(err)
                continue
            info['ann_line'] = lineno
            data_list.append(info)
        if not data_list:
            raise ValueError(f'annotation file {self.ann_file} holds no '
                             'usable sample')
        return data_list

    # ------------------------------------------------------------- samples
    def prepare_data(self, idx: int):
        """The pipeline's output; a failure becomes :class:`BadSampleError`
        naming the file, its annotation line and the reason."""
        try:
            return super().prepare_data(idx)
        except Exception as exc:  # decord / cv2 / file I/O all differ
            info = self.get_data_info(idx)
            path = self.sample_path(info)
            reason = describe_exception(exc, path)
            where = f'{self.ann_file}:{info.get("ann_line", "?")}'
            raise BadSampleError(
                f'cannot load sample {idx} ({where}): {path}: {reason}. '
                'tools/data/check_dataset.py lists every bad sample and '
                'writes a cleaned list; or set skip_bad_samples=True on the '
                'dataset to skip bad files (in test mode the metric is then '
                'computed over fewer samples)', path, reason) from exc

    def __getitem__(self, idx: int):
        if self.test_mode or not self.skip_bad_samples:
            return super().__getitem__(idx)
        if not self._fully_initialized:
            self.full_init()
        failures = []
        for _ in range(self.max_refetch + 1):
            try:
                data = self.prepare_data(idx)
            except BadSampleError as err:
                failures.append((err.path, err.reason))
                self._note_bad(err.path, err.reason)
                idx = self._rand_another()
                continue
            if data is None:  # a transform chose to drop it (mmengine's rule)
                idx = self._rand_another()
                continue
            self._num_loaded += 1
            if failures:
                self._attach_failures(data, failures)
            return data
        first_path, first_reason = next(iter(self._bad_seen.items()),
                                        ('?', '?'))
        raise BadDatasetError(
            f'dataset mostly broken: {self.max_refetch + 1} samples in a row '
            f'could not be loaded; {len(self._bad_seen)} of {len(self)} '
            f'samples failed in this process so far, first: {first_path}: '
            f'{first_reason} (ann_file: {self.ann_file}). Run '
            'tools/data/check_dataset.py on the config for the full list.')

    def _note_bad(self, path: str, reason: str) -> None:
        if path in self._bad_seen:
            return
        self._bad_seen[path] = reason
        if not self.defer_bad_sample_logging:
            print_log(f'bad sample replaced by another: {path}: {reason}',
                      logger='current', level=logging.WARNING)
        if (self.fail_fast and self._num_loaded == 0
                and len(self._bad_seen) >= min(self.fail_fast, len(self))):
            first_path, first_reason = next(iter(self._bad_seen.items()))
            raise BadDatasetError(
                f'dataset mostly broken: the first {len(self._bad_seen)} '
                f'distinct samples tried (of {len(self)}) all failed, first: '
                f'{first_path}: {first_reason} (ann_file: {self.ann_file}; '
                'check data_prefix and the pipeline)')

    @staticmethod
    def _attach_failures(data, failures: List[Tuple[str, str]]) -> None:
        """Record the replaced samples on the replacement's data sample:
        the only channel from a dataloader worker to the main process."""
        sample = data.get('data_samples') if isinstance(data, dict) else None
        if hasattr(sample, 'set_metainfo'):
            sample.set_metainfo({BAD_SAMPLES_KEY: list(failures)})

    # --------------------------------------------------- test-mode skipping
    def full_init(self) -> None:
        if self._fully_initialized:
            return
        super().full_init()
        if self.test_mode and self.skip_bad_samples:
            self._leave_out_bad_samples()

    def _leave_out_bad_samples(self) -> None:
        """Probe every sample (split over ranks) and drop the bad ones."""
        rank, world_size = get_dist_info()
        total = len(self)
        mine = [(idx, reason) for idx, reason in
                probe_samples(self, range(rank, total, world_size))
                if reason is not None]
        bad = sorted(sum(all_gather_object(mine), [])) if world_size > 1 \
            else mine
        if not bad:
            return
        self.skipped_samples = []
        for idx, reason in bad:
            path = self.sample_path(self.get_data_info(idx))
            self.skipped_samples.append((idx, path, reason))
            print_log(f'test mode, skip_bad_samples=True: leaving out {path}: '
                      f'{reason}', logger='current', level=logging.WARNING)
        if len(bad) == total:
            raise BadDatasetError(
                f'dataset broken: none of the {total} samples of '
                f'{self.ann_file} can be loaded, first: '
                f'{self.skipped_samples[0][1]}: {self.skipped_samples[0][2]}')
        bad_idx = {idx for idx, _ in bad}
        self.get_subset_([i for i in range(total) if i not in bad_idx])
        print_log(
            f'test mode, skip_bad_samples=True: {len(bad)} of {total} samples '
            f'of {self.ann_file} cannot be loaded and are left out: metrics '
            f'are computed over {total - len(bad)} samples, not {total}',
            logger='current', level=logging.WARNING)


def _identity(x):
    return x


class _Probe:
    """Map-style view: index ``i`` -> ``(idx, reason or None)``."""

    def __init__(self, dataset, indices: List[int]):
        self.dataset = dataset
        self.indices = indices

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int) -> Tuple[int, Optional[str]]:
        idx = self.indices[i]
        try:
            data = self.dataset.prepare_data(idx)
        except BadSampleError as err:
            return idx, err.reason
        return idx, None if data is not None else 'the pipeline returned None'


def probe_samples(dataset, indices: Iterable[int],
                  workers: int = 0) -> Iterator[Tuple[int, Optional[str]]]:
    """Run ``dataset``'s pipeline on each index; yield ``(idx, reason)``
    with ``reason=None`` for a good sample, in any order.

    ``workers > 0`` loads in that many ``torch.utils.data.DataLoader``
    worker processes (the outputs stay in the workers: only the verdicts
    travel).
    """
    probe = _Probe(dataset, list(indices))
    if workers <= 0:
        for i in range(len(probe)):
            yield probe[i]
        return
    from torch.utils.data import DataLoader
    yield from DataLoader(probe, batch_size=None, shuffle=False,
                          num_workers=workers, collate_fn=_identity)


@DATASETS.register_module()
class RobustVideoDataset(RobustDatasetMixin, VideoDataset):
    """mmaction2's ``VideoDataset`` that skips and reports bad videos.

    Same arguments as ``VideoDataset`` plus ``skip_bad_samples``,
    ``bad_line`` and ``fail_fast`` (see :class:`RobustDatasetMixin`).
    """

    def parse_ann_line(self, line: str) -> dict:
        info = parse_video_line(line, self.delimiter, self.multi_class)
        info['filename'] = join_prefix(self.data_prefix['video'],
                                       info['filename'])
        return info

    def sample_path(self, data_info: dict) -> str:
        return data_info['filename']


@DATASETS.register_module()
class RobustRawframeDataset(RobustDatasetMixin, RawframeDataset):
    """mmaction2's ``RawframeDataset`` that skips and reports bad samples
    (missing frame directories or frames).

    Same arguments as ``RawframeDataset`` plus ``skip_bad_samples``,
    ``bad_line`` and ``fail_fast`` (see :class:`RobustDatasetMixin`).
    """

    def parse_ann_line(self, line: str) -> dict:
        info = parse_rawframe_line(line, self.with_offset, self.multi_class)
        info['frame_dir'] = join_prefix(self.data_prefix['img'],
                                        info['frame_dir'])
        return info

    def sample_path(self, data_info: dict) -> str:
        return data_info['frame_dir']
