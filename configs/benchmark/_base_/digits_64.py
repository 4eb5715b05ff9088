# Placed digits (structvit_mm/benchmarks/digits.py: real MNIST digits at
# random places on a 64x64 canvas; 4,000 train / 1,000 test, balanced), an
# mmpretrain CustomDataset, made by
#   python tools/data/make_digits.py data/digits
# The schedule is the motion benchmark's kind: iterations, AdamW, warm-up
# then cosine, one test at the end (tools/analysis/ablate.py reads it).
_base_ = ['../../_base_/default_runtime_image.py', './adamw_iters.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

num_classes = 10
dataset_type = 'CustomDataset'
data_root = 'data/digits'

data_preprocessor = dict(
    num_classes=num_classes,
    # the digits' own statistics are near these (black background)
    mean=[33., 33., 33.],
    std=[78., 78., 78.],
    to_rgb=False)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]
test_pipeline = train_pipeline

train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='train.txt', pipeline=train_pipeline))
test_dataloader = dict(
    batch_size=100,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='test.txt', pipeline=test_pipeline,
                 test_mode=True))
test_evaluator = dict(type='Accuracy', topk=(1, ))

# 2000 iterations (16 passes over the 4,000 digits): plain attention leaves
# chance by iteration 250 and ends near 69 % (1500 iterations: 53 %;
# docs/en/results/digits.md, calibration)
max_iters = 2000
warmup_iters = 200
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters + 1)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, eta_min=1e-5),
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', interval=max_iters,
                    by_epoch=False, max_keep_ckpts=1),
    # test top-1 along the way, for curves only (structvit_mm/engine/
    # test_curve_hook.py); default_hooks.curve.interval=N switches it on
    curve=dict(type='TestCurveHook', interval=0))
auto_scale_lr = dict(enable=False, base_batch_size=32)
