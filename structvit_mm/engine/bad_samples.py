"""Per-epoch report of the bad samples a robust dataset replaced.

The samples are loaded in dataloader worker processes, whose counters the
main process never sees (and which restart every epoch unless
``persistent_workers``). :class:`~structvit_mm.datasets.RobustVideoDataset`
therefore records the samples it had to replace on the replacement's data
sample (metainfo ``bad_samples``); this hook reads them from every training
batch in the main process, logs each bad file once per run, reports the
count per epoch and stops the run when too large a share of loads fail.
"""
import logging
from typing import Optional

from mmengine.dist import all_gather_object, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmaction.registry import HOOKS

from ..datasets.robust import (BAD_SAMPLES_KEY, BadDatasetError,
                               RobustDatasetMixin)


def _robust_datasets(dataset):
    """The robust datasets inside (possibly wrapped) ``dataset``."""
    if isinstance(dataset, RobustDatasetMixin):
        yield dataset
    for inner in getattr(dataset, 'datasets', None) or ():
        yield from _robust_datasets(inner)
    inner = getattr(dataset, 'dataset', None)
    if inner is not None:
        yield from _robust_datasets(inner)


@HOOKS.register_module()
class BadSampleReportHook(Hook):
    """Log bad training samples once and count them per epoch.

    Add to a config as ``custom_hooks = [dict(type='BadSampleReportHook')]``
    together with a ``RobustVideoDataset`` / ``RobustRawframeDataset``.

    Args:
        max_bad_ratio (float): stop with :class:`BadDatasetError` when more
            than this share of the loads of an epoch failed (checked at the
            end of every epoch, and during it once ``min_loads`` loads were
            counted). ``None`` turns the check off. Defaults to 0.5.
        min_loads (int): loads (good + bad) to count before checking the
            ratio within an epoch. Defaults to 200.
    """

    priority = 'NORMAL'

    def __init__(self, max_bad_ratio: Optional[float] = 0.5,
                 min_loads: int = 200):
        self.max_bad_ratio = max_bad_ratio
        self.min_loads = min_loads
        self._logged = {}  # path -> reason, over the whole run
        self._epoch_bad = []  # [(path, reason)] seen by this rank this epoch
        self._epoch_good = 0

    def before_train(self, runner) -> None:
        datasets = list(_robust_datasets(runner.train_dataloader.dataset))
        if not datasets:
            print_log(
                'BadSampleReportHook: the training dataset is no '
                'RobustVideoDataset / RobustRawframeDataset: nothing to '
                'report',
                logger='current', level=logging.WARNING)
        for dataset in datasets:
            # workers fork (or unpickle) the dataset after this point, so
            # they inherit the flag: the main process logs, not each worker
            dataset.defer_bad_sample_logging = True

    def before_train_epoch(self, runner) -> None:
        self._epoch_bad = []
        self._epoch_good = 0

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        samples = (data_batch.get('data_samples')
                   if isinstance(data_batch, dict) else None) or ()
        for sample in samples:
            metainfo = getattr(sample, 'metainfo', {})
            for path, reason in metainfo.get(BAD_SAMPLES_KEY, ()):
                self._epoch_bad.append((path, reason))
                self._log_once(path, reason)
        self._epoch_good += len(samples)
        loads = self._epoch_good + len(self._epoch_bad)
        if loads >= self.min_loads:
            self._check_ratio(runner, len(self._epoch_bad), loads)

    def after_train_epoch(self, runner) -> None:
        bad, good = self._epoch_bad, self._epoch_good
        if get_world_size() > 1:
            gathered = all_gather_object((bad, good))
            bad = [rec for part, _ in gathered for rec in part]
            good = sum(n for _, n in gathered)
            for path, reason in bad:  # files only other ranks met
                self._log_once(path, reason)
        files = sorted({path for path, _ in bad})
        msg = (f'Epoch(train) [{runner.epoch + 1}]: {len(bad)} bad sample '
               'load(s) replaced by other samples')
        if files:
            msg += f' ({len(files)} file(s): {", ".join(files[:10])}'
            msg += ', ...)' if len(files) > 10 else ')'
        msg += f'; {len(self._logged)} distinct bad file(s) so far'
        print_log(msg, logger='current',
                  level=logging.WARNING if bad else logging.INFO)
        runner.message_hub.update_info('train/bad_samples', len(bad))
        self._check_ratio(runner, len(bad), good + len(bad))

    def after_train(self, runner) -> None:
        if self._logged:
            print_log(
                f'training finished; {len(self._logged)} bad file(s) were '
                'replaced during it (run tools/data/check_dataset.py on the '
                'config to write a cleaned annotation list)',
                logger='current', level=logging.WARNING)

    def _log_once(self, path: str, reason: str) -> None:
        if path not in self._logged:
            self._logged[path] = reason
            print_log(f'bad sample replaced by another: {path}: {reason}',
                      logger='current', level=logging.WARNING)

    def _check_ratio(self, runner, bad: int, loads: int) -> None:
        if self.max_bad_ratio is None or not loads:
            return
        if bad / loads > self.max_bad_ratio:
            first = next(iter(self._logged.items()), ('?', '?'))
            raise BadDatasetError(
                f'dataset mostly broken: {bad} of {loads} sample loads '
                f'failed in epoch {runner.epoch + 1} (max_bad_ratio='
                f'{self.max_bad_ratio}), first: {first[0]}: {first[1]}. Run '
                'tools/data/check_dataset.py on the config for the full list.')
