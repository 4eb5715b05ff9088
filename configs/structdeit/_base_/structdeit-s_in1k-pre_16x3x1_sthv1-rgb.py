# Something-Something V1 base of the analysis rows (paper section 4.2): the
# ImageNet-1K analysis model of the same row, inflated to 16 frames and
# fine-tuned directly (no Kinetics-400 stage) with random cropping as the
# only augmentation; segment-based sampling, no flip, 3 crops x 1 clip at
# test (the SSv1 data config). (choice) the 60-epoch fine-tuning schedule
# of the StructViT rows: the paper gives none for the analysis model.
_base_ = [
    '../../_base_/models/structdeit_s_video.py',
    '../../_base_/datasets/sthv1_16x3x1_rawframes.py',
    '../../_base_/schedules/finetune_adamw_60e.py',
    '../../_base_/default_runtime.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(
    # each row names its ImageNet-1K row's checkpoint
    backbone=dict(init_cfg=dict(type='Pretrained', inflate='center')),
    cls_head=dict(num_classes=_base_.num_classes))
train_dataloader = dict(
    dataset=dict(pipeline=_base_.random_crop_only_pipeline))
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        '.cls_token': dict(decay_mult=0.0),
        '.pos_embed': dict(decay_mult=0.0)
    }))
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
