# StructViT-B-4-1, FineGym Gym288, 32x3x1: the paper's Table 5c, row B-4-1,
# Gym288 (its numbers: configs/structvit/README.md, from structvit_mm/zoo.py).
# Segment-based sampling, no flip, 3 crops x 1 clip at test, 60 epochs (the
# paper's protocol); initialised from the Kinetics-400 StructViT-B-4-1.
# (choice) 32 frames, as the B rows on SS: the paper gives no frame count here.
_base_ = [
    '../_base_/models/structvit_b_k400.py',  # the video model; head below
    '../_base_/datasets/gym288_32x3x1_video.py',
    '../_base_/schedules/finetune_adamw_60e.py',
    '../_base_/default_runtime.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

# random cropping is the only augmentation of the B rows on SS, Diving-48
# and FineGym (the paper's protocol): no RandAugment, random erasing, mixup or
# cutmix
model = dict(
    backbone=dict(structure_dim=4, kv_stride=1),
    cls_head=dict(num_classes=_base_.num_classes),
    data_preprocessor=dict(blending=None))
train_dataloader = dict(
    dataset=dict(pipeline=_base_.random_crop_only_pipeline))

# the K400 row's last checkpoint (the chain: finetune_adamw_60e.py)
load_from = 'work_dirs/structvit-b-4-1_in1k-pre_32x4x1_k400-rgb/epoch_110.pth'
# keep the best checkpoint by mean class accuracy, the paper's metric
default_hooks = dict(
    checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='acc/mean1'))
