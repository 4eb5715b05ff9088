# StructViT-B-4-2, Something-Something V1, 32x3x1: the paper's Table 5a,
# row B-4-2 32x3x1 (its numbers: configs/structvit/README.md, from
# structvit_mm/zoo.py). Segment-based sampling, no flip, 3 crops x 1 clip at
# test, 60 epochs (the paper's protocol); initialised from the Kinetics-400
# StructViT-B-4-2.
_base_ = [
    '../_base_/models/structvit_b_k400.py',  # the video model; head below
    '../_base_/datasets/sthv1_32x3x1_rawframes.py',
    '../_base_/schedules/finetune_adamw_60e.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

# random cropping is the only augmentation of the B rows on SS, Diving-48
# and FineGym (the paper's protocol): no RandAugment, random erasing, mixup or
# cutmix
model = dict(
    backbone=dict(structure_dim=4, kv_stride=2),
    cls_head=dict(num_classes=_base_.num_classes),
    data_preprocessor=dict(blending=None))
train_dataloader = dict(
    dataset=dict(pipeline=_base_.random_crop_only_pipeline))

# the K400 row's last checkpoint (the chain: finetune_adamw_60e.py)
load_from = 'work_dirs/structvit-b-4-2_in1k-pre_32x4x1_k400-rgb/epoch_110.pth'
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
