# A demo anyone can run on CPU in a few minutes: a tiny StructViT3D learns
# to tell motion directions apart on synthetic clips (tools/run_demo.sh,
# data from tools/data/make_motion_demo.py). Every clip shows a random
# textured object on a random noisy background, wrapping around the border,
# so single frames carry no label information: the model must use motion.
_base_ = ['../_base_/default_runtime.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

num_classes = 4
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='StructViT3D',
        arch=dict(depths=[1, 1, 1, 1], channels=[16, 32, 64, 64],
                  heads=[1, 1, 2, 2]),
        structure_dim=4,
        kv_stride=1,
        kernel_size=3,
        drop_path_rate=0.),
    cls_head=dict(
        type='I3DHead',
        in_channels=64,
        num_classes=num_classes,
        dropout_ratio=0.,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

# data: Kinetics-400 on-disk layout (VideoDataset + decord)
dataset_type = 'RobustVideoDataset'  # VideoDataset + bad-file handling
data_root = 'data/motion_demo'
clip_len = 8
frame_interval = 1
img_size = 64

# No flips or crops that would change the meaning of a direction.
train_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=clip_len,
         frame_interval=frame_interval, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=clip_len,
         frame_interval=frame_interval, num_clips=1, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,
        ann_file=f'{data_root}/kinetics400_train_list_videos.txt',
        data_prefix=dict(video=f'{data_root}/videos_train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,
        ann_file=f'{data_root}/kinetics400_val_list_videos.txt',
        data_prefix=dict(video=f'{data_root}/videos_val'),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

# schedule
max_epochs = 16
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1,
    val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-3, betas=(0.9, 0.999),
                   weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.),
    clip_grad=dict(max_norm=5, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs - 1, eta_min=1e-5,
         by_epoch=True, begin=1, end=max_epochs, convert_to_iter_based=True)
]

default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='auto'))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0, deterministic=False)
# the learning rate above is for 1 process x 8 clips
auto_scale_lr = dict(enable=False, base_batch_size=8)
