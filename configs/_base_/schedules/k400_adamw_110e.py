# Kinetics-400 schedule (the paper's protocol, MViT-style): AdamW, lr 2e-4 at
# batch 64, weight decay 0.05, 110 epochs with 10 warm-up, cosine.
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=110, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

base_lr = 2e-4
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=base_lr, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=1, norm_type=2))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.01,
        by_epoch=True,
        begin=0,
        end=10,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=100,
        eta_min=base_lr / 100,
        by_epoch=True,
        begin=10,
        end=110,
        convert_to_iter_based=True)
]

# lr 2e-4 is for a total batch of 64 (8 GPUs x 8 clips)
auto_scale_lr = dict(enable=True, base_batch_size=64)
