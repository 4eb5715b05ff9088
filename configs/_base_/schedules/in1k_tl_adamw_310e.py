# ImageNet-1K schedule with Token Labeling, UniFormer's
# image_classification/token_labeling (main.py defaults, exp/uniformer_*_tl_
# 224/run.sh): AdamW, lr 1.6e-3 at batch 1024 (8 x 128; L: 1.2e-3), weight
# decay 0.05, 5 warm-up epochs, cosine to 1e-5 over 300 epochs, then timm's
# 10 cooldown epochs at 1e-5 (--cooldown-epochs 10: timm's create_scheduler
# trains epochs + cooldown), so 310 epochs; model EMA 0.99992 (--model-ema).
_base_ = ['./in1k_adamw_300e.py']

optim_wrapper = dict(optimizer=dict(lr=1.6e-3))
# the cosine ends at epoch 300; mmengine then keeps its last value, eta_min
train_cfg = dict(max_epochs=310)
