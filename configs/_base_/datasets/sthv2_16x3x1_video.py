# Something-Something V2, 16x3x1: webm videos through decord, on the layout
# of mmaction2's sthv2 tools (data/sthv2/videos/<id>.webm,
# sthv2_{train,val}_list_videos.txt: "<id>.webm <label>"), 174 classes.
# Segment-based (TSN) sampling as mmaction2's MViT / UniFormerV2 SSv2
# configs: UniformSample splits the video into clip_len segments and takes
# one frame of each (random in training, the middle at test). No horizontal
# flip: SS has left/right classes ("pushing something from left to right").
# Otherwise the K400 recipe (the paper's protocol). Test: 3 crops x 1 clip.
# Also the base of the other segment-based datasets (sthv1 rawframes,
# Diving-48, FineGym), which change only storage, paths and classes.
# mmaction2's VideoDataset + bad-file handling and checked lists
# (structvit_mm/datasets/robust.py)
dataset_type = 'RobustVideoDataset'
num_classes = 174
data_root = 'data/sthv2/videos'
data_root_val = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'
ann_file_val = 'data/sthv2/sthv2_val_list_videos.txt'
ann_file_test = 'data/sthv2/sthv2_val_list_videos.txt'

clip_len = 16
file_client_args = dict(io_backend='disk')

train_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(type='UniformSample', clip_len=clip_len, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    # torchvision's RandAugment, m7 of 10: see k400_16x4x1_video.py
    dict(type='TorchVisionWrapper', op='RandAugment', magnitude=7,
         num_ops=4, num_magnitude_bins=11),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    # no Flip: it would swap the meaning of left/right classes
    dict(type='RandomErasing', erase_prob=0.25, mode='rand'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
# "We use random cropping only for StructViT-B on Something-Something,
# Diving-48, and FineGym" (the paper): the B rows train on
# this pipeline and turn off mixup / cutmix in their data preprocessor.
random_crop_only_pipeline = [
    step for step in train_pipeline
    if step['type'] not in ('TorchVisionWrapper', 'RandomErasing')
]
val_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(type='UniformSample', clip_len=clip_len, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='DecordInit', **file_client_args),
    dict(type='UniformSample', clip_len=clip_len, num_clips=1,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

# 8 clips per GPU x 8 GPUs = the recipe's batch of 64
train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,  # labels checked against it
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,  # labels checked against it
        ann_file=ann_file_val,
        data_prefix=dict(video=data_root_val),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,  # labels checked against it
        ann_file=ann_file_test,
        data_prefix=dict(video=data_root_val),
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
