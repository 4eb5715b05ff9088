# StructViT-S-8-1, Something-Something V2, 16x3x1: the paper's Table 5a,
# row S-8-1 16x3x1 (its numbers: configs/structvit/README.md, from
# structvit_mm/zoo.py). Segment-based sampling, no flip, 3 crops x 1 clip at
# test, 60 epochs (the paper's protocol); initialised from the Kinetics-400
# StructViT-S-8-1.
_base_ = [
    '../_base_/models/structvit_s_k400.py',  # the video model; head below
    '../_base_/datasets/sthv2_16x3x1_video.py',
    '../_base_/schedules/finetune_adamw_60e.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

# the head sized by the dataset config's num_classes; mixup / cutmix, the
# label checks and top-k follow the head (structvit_mm/num_classes.py)
model = dict(
    backbone=dict(structure_dim=8, kv_stride=1),
    cls_head=dict(num_classes=_base_.num_classes))

# the K400 row's last checkpoint (the chain: finetune_adamw_60e.py)
load_from = 'work_dirs/structvit-s-8-1_in1k-pre_16x4x1_k400-rgb/epoch_110.pth'
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
