# ImageNet-1K schedule (spec section 3, DeiT recipe): AdamW, lr 1e-3 at
# batch 1024, weight decay 0.05, 300 epochs, cosine, 5 warm-up epochs.
_base_ = ['mmpretrain::_base_/schedules/imagenet_bs1024_adamw_swin.py']

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        end=5,
        convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=5)
]
train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=1)
auto_scale_lr = dict(base_batch_size=1024)
