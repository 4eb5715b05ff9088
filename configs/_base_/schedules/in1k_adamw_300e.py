# ImageNet-1K schedule (the paper's protocol, DeiT recipe): AdamW, lr 1e-3 at
# batch 1024, weight decay 0.05, 300 epochs, cosine, 5 warm-up epochs.
_base_ = ['mmpretrain::_base_/schedules/imagenet_bs1024_adamw_swin.py']

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        end=5,
        convert_to_iter_based=True),
    # begin / end written out (mmpretrain's leaves end to max_epochs), as
    # in the video schedules: a shortened run (--cfg-options
    # train_cfg.max_epochs=1) keeps the warm-up and does not fail on end<begin
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        by_epoch=True,
        begin=5,
        end=300)
]
train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=1)
# the paper's lr is for a total batch of 1024 (8 GPUs x 128): scale with the
# real total batch, as the video schedules do
auto_scale_lr = dict(enable=True, base_batch_size=1024)
