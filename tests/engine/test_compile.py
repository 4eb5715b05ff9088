"""``--cfg-options compile=...`` trains and tests a (toy-sized) StructViT
on CPU through tools/train.py and tools/test.py (structvit_mm.compat
compiles the model's forward; mmengine's own choice, train_step, fails in
the optimizer step). The ``aot_eager`` backend traces with dynamo and
AOTAutograd like the default inductor backend but generates no code, which
keeps the test short; tools/analysis/benchmark.py --compile measures the
default backend (docs/en/user_guides/train_test.md)."""
import glob
import os.path as osp

import pytest
from small_runs import make_videos, small_options, video_data_options
from tool_runner import run_tool

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(ROOT, 'configs', 'structvit_k400.py')
COMPILED = 'compile: torch.compile(Recognizer3D.forward, backend='


@pytest.fixture(scope='module')
def videos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('videos'))
    make_videos(root, num_classes=3)
    return root


def test_compile_trains_and_tests(videos, tmp_path):
    opts = [*small_options(CONFIG), *video_data_options(videos),
            'model.cls_head.num_classes=3', 'compile.backend=aot_eager']
    # no validation: one compile per mode is enough for the test
    proc = run_tool(['tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                     '--cfg-options', *opts, 'train_cfg.val_begin=2'],
                    extra_env={
                         'TORCH_LOGS': 'graph_breaks'})
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert COMPILED + "'aot_eager')" in proc.stdout
    assert 'Epoch(train) [1][3/3]' in proc.stdout
    # the model's own code compiles in one piece
    assert 'Graph break' not in proc.stdout, proc.stdout[-6000:]
    ckpt = glob.glob(str(tmp_path / 'epoch_1.pth'))[0]
    proc = run_tool(['tools/test.py', CONFIG, ckpt, '--work-dir',
                     str(tmp_path), '--cfg-options', *opts])
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert COMPILED in proc.stdout
    assert 'Epoch(test)' in proc.stdout and 'acc/top1' in proc.stdout


def test_a_failing_compiler_is_named():
    """A backend that fails at the first call stops with what failed and
    what to do, not a bare dynamo trace."""
    import torch
    from mmengine.config import Config
    from mmengine.logging import MMLogger
    from mmengine.runner import Runner

    import structvit_mm  # noqa: F401  (the patched Runner._maybe_compile)

    def broken_backend(graph, example_inputs):
        raise OSError('no C++ compiler')

    class Runnerish:  # what _maybe_compile reads of a Runner
        cfg = Config(dict(compile=dict(backend=broken_backend)))
        model = torch.nn.Linear(2, 2)
        logger = MMLogger.get_current_instance()

    runner = Runnerish()
    Runner._maybe_compile(runner, 'train_step')
    with pytest.raises(RuntimeError) as err:
        runner.model(torch.ones(1, 2))
    msg = str(err.value)
    assert 'torch.compile of Linear.forward failed' in msg
    assert 'no C++ compiler' in msg
    assert 'compile=False' in msg and 'compile.backend=aot_eager' in msg
