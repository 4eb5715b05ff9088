"""One number of classes (structvit_mm/num_classes.py, StructViTRunner).

Overriding only the head's ``num_classes`` trains a 3-class video and image
config under this repository's tools/train.py and under mmaction2's and
mmpretrain's stock tools/train.py (generated data, toy-sized models); two
disagreeing settings stop before training with one message.
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from small_runs import image_data_options, small_options, video_data_options
from tool_runner import stock_train, run_tool

import structvit_mm  # noqa: F401
from structvit_mm.num_classes import NumClassesMismatchError, sync_num_classes

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
VIDEO = osp.join(ROOT, 'configs', 'structvit_k400.py')
IMAGE = osp.join(ROOT, 'configs', 'structvit_in1k.py')


def _cfg(path, **options):
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(options)
    return cfg


# --------------------------------------------------------------- the rules
def test_head_override_sizes_everything_video():
    cfg = _cfg(VIDEO, **{'model.cls_head.num_classes': 3})
    assert sync_num_classes(cfg) == 3
    assert cfg.num_classes == 3
    assert [a.num_classes for a in
            cfg.model.data_preprocessor.blending.augments] == [3, 3]
    for split in ('train', 'val', 'test'):
        assert cfg[f'{split}_dataloader'].dataset.num_classes == 3
    # top-5 of 3 classes is meaningless (always 1.0): dropped
    assert cfg.val_evaluator.metric_options.top_k_accuracy.topk == (1, )


def test_head_override_sizes_everything_image():
    cfg = _cfg(IMAGE, **{'model.head.num_classes': 3})
    assert sync_num_classes(cfg) == 3
    # mmpretrain one-hot encodes the labels for mixup / cutmix with this
    assert cfg.data_preprocessor.num_classes == 3
    # mmpretrain's Accuracy raises on top-5 with 3 classes
    assert cfg.val_evaluator.topk == (1, )
    assert cfg.test_evaluator.topk == (1, )


def test_token_label_maps_follow_the_head():
    """Token Labeling's map loader scatters scores into num_classes maps."""
    cfg = _cfg(osp.join(ROOT, 'configs', 'structvit',
                        'structvit-s-4-1_tl_in1k-224.py'),
               **{'model.head.num_classes': 3})
    assert sync_num_classes(cfg) == 3
    loads = [s for s in cfg.train_dataloader.dataset.pipeline
             if s.type == 'LoadTokenLabel']
    assert [s.num_classes for s in loads] == [3]


def test_dataset_num_classes_on_the_command_line_sizes_the_head():
    cfg = _cfg(VIDEO, num_classes=7)
    assert sync_num_classes(cfg) == 7
    assert cfg.model.cls_head.num_classes == 7
    assert cfg.train_dataloader.dataset.num_classes == 7
    assert "metric_options" not in cfg.val_evaluator  # (1, 5) kept


def test_row_head_follows_its_dataset_config():
    """The SS rows size only the head; mixup / cutmix follow it."""
    cfg = Config.fromfile(osp.join(
        ROOT, 'configs', 'structvit',
        'structvit-s-4-2_k400-pre_16x3x1_sthv1-rgb.py'))
    assert cfg.model.data_preprocessor.blending.augments[0].num_classes \
        == 400  # as the K400 model base writes it
    assert sync_num_classes(cfg) == 174
    assert [a.num_classes for a in
            cfg.model.data_preprocessor.blending.augments] == [174, 174]


def test_command_line_mismatch_names_both_keys():
    cfg = _cfg(VIDEO, **{'model.cls_head.num_classes': 3,
                         'train_dataloader.dataset.num_classes': 5})
    with pytest.raises(NumClassesMismatchError) as err:
        sync_num_classes(cfg)
    msg = str(err.value)
    assert 'model.cls_head.num_classes=3' in msg
    assert 'train_dataloader.dataset.num_classes=5' in msg
    assert 'Set only model.cls_head.num_classes=N' in msg


def _user_config(tmp_path, text):
    path = tmp_path / 'mine.py'
    path.write_text(f"_base_ = ['{ROOT}/configs/structvit_k400.py']\n" + text)
    return Config.fromfile(str(path))


@pytest.mark.parametrize('text', [
    'num_classes = 10\n', 'model = dict(cls_head=dict(num_classes=10))\n'])
def test_a_users_config_sets_the_number_once(tmp_path, text):
    """Either declaration in a config that inherits a row config."""
    cfg = _user_config(tmp_path, text)
    assert sync_num_classes(cfg) == 10
    assert cfg.model.cls_head.num_classes == cfg.num_classes == 10
    assert cfg.test_dataloader.dataset.num_classes == 10
    assert cfg.model.data_preprocessor.blending.augments[1].num_classes == 10


def test_file_mismatch_names_both_keys(tmp_path):
    cfg = _user_config(
        tmp_path,
        'num_classes = 5\nmodel = dict(cls_head=dict(num_classes=10))\n')
    with pytest.raises(NumClassesMismatchError) as err:
        sync_num_classes(cfg)
    assert ('model.cls_head.num_classes=10 but num_classes=5, both set in '
            'mine.py') in str(err.value)


def test_bases_that_disagree_name_both_keys_and_the_fix(tmp_path):
    """A row config without its head line: the K400 model, an SS dataset."""
    path = tmp_path / 'row.py'
    path.write_text(
        f"_base_ = ['{ROOT}/configs/_base_/models/structvit_s_k400.py', "
        f"'{ROOT}/configs/_base_/datasets/sthv1_16x3x1_rawframes.py', "
        f"'{ROOT}/configs/_base_/schedules/finetune_adamw_60e.py', "
        f"'{ROOT}/configs/_base_/default_runtime.py']\n")
    with pytest.raises(NumClassesMismatchError) as err:
        sync_num_classes(Config.fromfile(str(path)))
    msg = str(err.value)
    assert "model.cls_head.num_classes=400 but num_classes=174 (the " \
        "dataset config's)" in msg and 'row.py' in msg
    assert 'cls_head=dict(num_classes=_base_.num_classes)' in msg


def test_config_without_a_classifier_head_is_left_alone():
    cfg = Config(dict(model=dict(type='X'), num_classes=3))
    assert sync_num_classes(cfg) is None
    assert cfg.num_classes == 3


# ------------------------------------------------ end to end, four tools
TOOLS = {'ours': 'tools/train.py', 'stock': None}


@pytest.mark.parametrize('tool', ['ours', 'stock'])
@pytest.mark.parametrize('kind', ['video', 'image'])
def test_three_classes_train_by_overriding_only_the_head(
        kind, tool, three_class_data, tmp_path):
    if kind == 'video':
        config, lib, head = VIDEO, 'mmaction', 'cls_head'
        opts = video_data_options(str(three_class_data / 'videos'))
    else:
        config, lib, head = IMAGE, 'mmpretrain', 'head'
        opts = image_data_options(str(three_class_data / 'images'))
    script = TOOLS[tool] or stock_train(lib)
    proc = run_tool([
        script, config, '--work-dir', str(tmp_path), '--cfg-options',
        *small_options(config), *opts, f'model.{head}.num_classes=3'
    ])
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert 'number of classes: 3 (model.' in proc.stdout
    assert 'Epoch(val) [1]' in proc.stdout
    ckpt = torch.load(glob.glob(str(tmp_path / 'epoch_1.pth'))[0],
                      map_location='cpu')
    fc = [v for k, v in ckpt['state_dict'].items()
          if k.startswith(head) and k.endswith('weight')]
    assert [w.shape[0] for w in fc] == [3]


def test_mismatch_stops_stock_tool_before_training(three_class_data,
                                                   tmp_path):
    proc = run_tool([
        stock_train('mmaction'), VIDEO, '--work-dir', str(tmp_path),
        '--cfg-options', *small_options(VIDEO),
        *video_data_options(str(three_class_data / 'videos')),
        'model.cls_head.num_classes=3', 'val_dataloader.dataset.num_classes=4'
    ])
    assert proc.returncode != 0
    assert 'NumClassesMismatchError' in proc.stdout
    assert ('model.cls_head.num_classes=3 but '
            'val_dataloader.dataset.num_classes=4') in proc.stdout
    assert 'Epoch(train)' not in proc.stdout
    assert not glob.glob(str(tmp_path / '*.pth'))
