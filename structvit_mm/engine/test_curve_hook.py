"""Training curves on the test split, without changing the training.

The benchmarks (``configs/benchmark/``) have no validation split, and a
checkpoint must not be chosen on the test split; but the grids' diagnosis
wants test top-1 along the way. ``TestCurveHook`` evaluates the config's
``test_dataloader`` / ``test_evaluator`` every ``interval`` iterations and
logs the metrics as scalars (``vis_data/scalars.json``, with ``step`` the
iteration), prefixed ``curve/``. It chooses nothing and saves nothing, and
it puts every random generator back as it found it, so a run with curves
trains as the run without them (on CPU bit for bit; GPU kernels that are
not deterministic differ from run to run anyway). Its evaluations count in
the training's wall time.

Off by default (``interval=0``); the benchmark configs carry it as
``default_hooks.curve``, so ``--cfg-options default_hooks.curve.interval=N``
switches it on (``tools/analysis/ablate.py --curve-interval N`` does).
"""
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from .random_state_hook import get_random_state, set_random_state


@HOOKS.register_module()  # mmengine's root: mmaction2 and mmpretrain see it
class TestCurveHook(Hook):
    """Evaluate the test split every ``interval`` training iterations (and
    after the last), for curves only. ``interval=0``: off."""

    priority = 'LOW'
    __test__ = False  # a hook, not a pytest test class

    def __init__(self, interval: int = 0) -> None:
        if not isinstance(interval, int) or interval < 0:
            raise ValueError(f'TestCurveHook: interval must be an int >= 0; '
                             f'got {interval!r}')
        self.interval = interval
        self._loader = None
        self._evaluator = None

    def _due(self, runner) -> bool:
        it = runner.iter + 1
        return self.interval > 0 and (it % self.interval == 0
                                      or it == runner.max_iters)

    def after_train_iter(self, runner, batch_idx: int,
                         data_batch=None, outputs: Optional[dict] = None
                         ) -> None:
        if not self._due(runner):
            return
        state = get_random_state()  # worker seeds draw from torch's RNG
        if self._loader is None:
            self._loader = runner.build_dataloader(runner._test_dataloader)
            self._evaluator = runner.build_evaluator(runner._test_evaluator)
            self._evaluator.dataset_meta = getattr(
                self._loader.dataset, 'metainfo', None)
        model = runner.model
        was_training = model.training
        model.eval()
        with torch.no_grad():
            for batch in self._loader:
                self._evaluator.process(model.test_step(batch), batch)
        metrics = self._evaluator.evaluate(len(self._loader.dataset))
        model.train(was_training)
        set_random_state(state)
        step = runner.iter + 1
        scalars = {f'curve/{k}': float(v) for k, v in metrics.items()
                   if isinstance(v, (int, float)) or (
                       torch.is_tensor(v) and v.numel() == 1)}
        runner.visualizer.add_scalars(scalars, step=step)
        runner.logger.info(f'curve at iter {step}: ' + '  '.join(
            f'{k}: {v:.4f}' for k, v in scalars.items()))
