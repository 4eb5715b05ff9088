"""Learning-rate scaling that counts gradient accumulation
(structvit_mm/engine/lr_scaling.py, StructViTRunner).

The effective batch (processes x batch_size x accumulative_counts) drives
``auto_scale_lr``; one log line gives base lr, effective batch and final
lr. Trained under this repository's tools/train.py and mmaction2's and
mmpretrain's stock tools/train.py (toy-sized models, generated data); the
lr the schedulers really start from is read back from the checkpoint.
"""
import glob
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper, OptimWrapperDict
from small_runs import image_data_options, small_options, video_data_options
from tool_runner import stock_train, run_tool

import structvit_mm  # noqa: F401
from structvit_mm.engine import StructViTRunner
from structvit_mm.engine.lr_scaling import (AccumulationConfigError,
                                            batch_plan,
                                            check_accumulative_counts,
                                            scale_lr)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
VIDEO = osp.join(ROOT, 'configs', 'structvit_k400.py')
IMAGE = osp.join(ROOT, 'configs', 'structvit_in1k.py')


def _wrapper(lr=0.1, accum=1):
    model = torch.nn.Linear(2, 2)
    params = [{'params': [model.weight]},
              {'params': [model.bias], 'lr': lr * 10}]
    return OptimWrapper(torch.optim.SGD(params, lr=lr),
                        accumulative_counts=accum)


# ------------------------------------------------------------ the rule
@pytest.mark.parametrize('world,batch,accum', [(1, 8, 8), (2, 4, 8),
                                               (8, 8, 1), (4, 2, 3)])
def test_effective_batch_drives_the_scaling(world, batch, accum):
    wrapper = _wrapper(accum=accum)
    ratio = scale_lr(wrapper, dict(enable=True, base_batch_size=64), world,
                     batch)
    assert ratio == world * batch * accum / 64
    lrs = [g['lr'] for g in wrapper.optimizer.param_groups]
    assert lrs == pytest.approx([0.1 * ratio, 1.0 * ratio])


def test_off_leaves_the_lr_as_set():
    wrapper = _wrapper(accum=4)
    assert scale_lr(wrapper, dict(enable=False, base_batch_size=64), 1,
                    2) == 1.0
    assert scale_lr(wrapper, None, 1, 2) == 1.0
    assert [g['lr'] for g in wrapper.optimizer.param_groups] == [0.1, 1.0]


def test_each_wrapper_of_a_dict_counts_its_own_accumulation():
    wrappers = OptimWrapperDict(a=_wrapper(accum=2), b=_wrapper(accum=4))
    scale_lr(wrappers, dict(enable=True, base_batch_size=16), 1, 2)
    assert wrappers['a'].optimizer.param_groups[0]['lr'] == \
        pytest.approx(0.1 * 4 / 16)
    assert wrappers['b'].optimizer.param_groups[0]['lr'] == \
        pytest.approx(0.1 * 8 / 16)


@pytest.mark.parametrize('value', [0, -2, 1.5, '2', True, None])
def test_bad_accumulation_stops_before_anything_is_built(value, tmp_path):
    cfg = Config.fromfile(VIDEO)
    cfg.optim_wrapper.accumulative_counts = value
    cfg.work_dir = str(tmp_path / 'work')
    with pytest.raises(AccumulationConfigError) as err:
        StructViTRunner.from_cfg(cfg)
    msg = str(err.value)
    assert f'optim_wrapper.accumulative_counts={value!r}' in msg
    assert 'positive integer' in msg and 'Set it to N >= 1' in msg
    assert not osp.exists(cfg.work_dir)  # nothing built or written


def test_good_and_missing_counts_pass():
    cfg = Config.fromfile(VIDEO)
    assert check_accumulative_counts(cfg) == 1
    cfg.optim_wrapper.accumulative_counts = 8
    assert check_accumulative_counts(cfg) == 8


# ------------------------------------------------ end to end, the tools
def _train(tool, kind, data, work_dir, extra):
    if kind == 'video':
        config, lib = VIDEO, 'mmaction'
        opts = video_data_options(str(data / 'videos'))
    else:
        config, lib = IMAGE, 'mmpretrain'
        opts = image_data_options(str(data / 'images'))
    script = 'tools/train.py' if tool == 'ours' else stock_train(lib)
    return run_tool([script, config, '--work-dir', str(work_dir),
                     '--cfg-options', *small_options(config), *opts,
                     'model.cls_head.num_classes=3' if kind == 'video' else
                     'model.head.num_classes=3', *extra])


# (tool, kind, accumulation, auto_scale_lr on); small_options: 1 process,
# batch 2. K400: 2e-4 at 64; IN-1K: 1e-3 at 1024.
CASES = {
    'ours-video-accum2': ('ours', 'video', 2, True),
    'stock-video-accum2': ('stock', 'video', 2, True),
    'stock-image-accum2': ('stock', 'image', 2, True),
    'ours-image-no-accum': ('ours', 'image', 1, True),
    'ours-video-accum2-off': ('ours', 'video', 2, False),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_the_tools_train_at_the_effective_batchs_lr(case, three_class_data,
                                                    tmp_path):
    tool, kind, accum, on = CASES[case]
    base_lr, base_bs = (2e-4, 64) if kind == 'video' else (1e-3, 1024)
    extra = [f'optim_wrapper.accumulative_counts={accum}'] if accum > 1 \
        else []
    if not on:
        extra.append('auto_scale_lr.enable=False')
    proc = _train(tool, kind, three_class_data, tmp_path, extra)
    assert proc.returncode == 0, proc.stdout[-6000:]
    effective = 2 * accum
    lr = base_lr * effective / base_bs if on else base_lr
    how = (f'effective batch {effective} = 1 process x 2 per process x '
           f'{accum} accumulated')
    if on:
        line = (f'lr scaling: base lr {base_lr:g} at batch {base_bs} '
                f'(auto_scale_lr); {how} -> lr {lr:g}')
    else:
        line = (f'lr scaling: lr {base_lr:g} not scaled (auto_scale_lr off:'
                f" the config's lr is used as set); {how}")
    assert line in proc.stdout, proc.stdout[-3000:]
    assert proc.stdout.count('lr scaling') == 1
    # mmengine's own line (processes x batch only) is not printed
    assert 'LR is set based on batch size' not in proc.stdout
    # what the schedulers start from (base_param_settings' too, the
    # lr the training log prints as base_lr)
    ckpt = torch.load(str(tmp_path / 'epoch_1.pth'), map_location='cpu')
    for scheduler in ckpt['param_schedulers']:
        assert scheduler['base_values'] == pytest.approx(
            [lr] * len(scheduler['base_values']))
    first = re.search(r'Epoch\(train\) +\[1\]\[1/\d+\] +base_lr: (\S+) '
                      r'lr: (\S+)', proc.stdout)
    assert first and first.group(1) == first.group(2), first


def test_bad_accumulation_stops_a_stock_tool(three_class_data, tmp_path):
    proc = _train('stock', 'video', three_class_data, tmp_path,
                  ['optim_wrapper.accumulative_counts=0'])
    assert proc.returncode != 0
    assert 'AccumulationConfigError: optim_wrapper.accumulative_counts=0 ' \
        'is not a positive integer' in proc.stdout
    assert 'Epoch(train)' not in proc.stdout


# ---------------------------------------------- the docs' per-GPU table
DOC = osp.join(ROOT, 'docs', 'en', 'user_guides', 'gpus_and_recipes.md')
ROW = re.compile(r'^\| `(structvit-[^`]+\.py)` \| (\d+) = (\d+) x (\d+) \| '
                 r'(\S+) \| (.+) \|$')


def _doc_rows():
    with open(DOC) as f:
        return {m.group(1): m.groups()[1:] for m in map(ROW.match, f) if m}


def test_the_docs_batch_table_is_the_configs():
    rows = _doc_rows()
    trained = sorted(
        osp.basename(p) for p in glob.glob(
            osp.join(ROOT, 'configs', 'structvit', '*.py'))
        if not p.endswith('_3crop-test.py'))
    assert sorted(rows) == trained
    for name, (total, gpus, per_gpu, lr, cells) in rows.items():
        cfg = Config.fromfile(osp.join(ROOT, 'configs', 'structvit', name))
        b = cfg.train_dataloader.batch_size
        T = cfg.auto_scale_lr.base_batch_size
        assert cfg.auto_scale_lr.enable
        assert (int(total), int(per_gpu)) == (T, b), name
        # 8 GPUs, 16 for L at 224 (its 384 fine-tune: UniFormer's 8 x 32)
        assert int(gpus) == (16 if '-l-' in name and '224' in name else 8)
        assert float(lr) == cfg.optim_wrapper.optimizer.lr, name
        cells = [tuple(map(int, c.split(' x '))) for c in cells.split(' | ')]
        for g, (per, accum) in zip((1, 2, 4, 8), cells):
            assert g * per * accum == T, (name, g)
            assert (per, accum) == batch_plan(b, T, g), (name, g)


def test_the_docs_analysis_rows_sentence_holds():
    for path in glob.glob(osp.join(ROOT, 'configs', 'structdeit', '*.py')):
        cfg = Config.fromfile(path)
        expected = (128, 1024, 1e-3) if path.endswith('in1k-224.py') else (
            8, 64, 2e-4)
        assert (cfg.train_dataloader.batch_size,
                cfg.auto_scale_lr.base_batch_size,
                cfg.optim_wrapper.optimizer.lr) == expected, path


def test_batch_plan_refuses_what_no_whole_numbers_reach():
    assert batch_plan(8, 64, 16) == (4, 1)  # more GPUs than the paper's
    with pytest.raises(ValueError, match='total batch of 64 on 3 GPUs'):
        batch_plan(8, 64, 3)
