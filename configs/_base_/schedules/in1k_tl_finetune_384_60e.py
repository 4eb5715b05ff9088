# 384x384 fine-tuning with Token Labeling, UniFormer's token_labeling/exp/
# uniformer_*_tl_384/run.sh: --epochs 50 --warmup-epochs 0, constant lr
# 5e-6 (--lr = --min-lr = 5e-6) at batch 512 (8 x 64; L: 8 x 32 = 256),
# weight decay 1e-8, no EMA, from the 224 checkpoint (--finetune); timm adds
# its 10 cooldown epochs at the same lr (main.py's create_scheduler), so 60.
_base_ = ['./in1k_adamw_300e.py']

optim_wrapper = dict(optimizer=dict(lr=5e-6, weight_decay=1e-8))
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0, end=60)
]
train_cfg = dict(max_epochs=60)
auto_scale_lr = dict(enable=True, base_batch_size=512)
