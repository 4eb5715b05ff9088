# StructViT-L-4-1*, ImageNet-1K 224x224 with Token Labeling, the paper's
# Table 3, row L-4-1* (its numbers: configs/structvit/README.md, from
# structvit_mm/zoo.py). The paper's GFLOPs for this row is UniFormer-L's
# miscount (structvit_mm/zoo.py says by how much;
# docs/en/advanced_guides/models.md gives the measured count). The S-4-1*
# row with the L arch (640 channels in the last stage) and UniFormer's
# token_labeling/exp/uniformer_large_ls_tl_224/run.sh: drop path 0.4, lr 1.2e-3
# at batch 1024. Trained on 16 GPUs x 64 as the plain L row (the paper's
# protocol). Its epoch_310.pth is fine-tuned at 384
# (structvit-l-4-1_tl_in1k-384.py).
_base_ = [
    '../_base_/models/structvit_s_in1k_tl.py',
    '../_base_/datasets/imagenet_tl_224.py',
    '../_base_/schedules/in1k_tl_adamw_310e.py',
    '../_base_/default_runtime_image.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

# LayerScale 1e-6 as UniFormer-L-LS, the model of that script
# (--model uniformer_large_ls; tlt/models/uniformer.py: layer_scale = True,
# init_value = 1e-6), and as the plain L row
model = dict(
    backbone=dict(arch='l', structure_dim=4, kv_stride=1, drop_path_rate=0.4,
                  layer_scale_init_value=1e-6),
    head=dict(in_channels=640))
optim_wrapper = dict(optimizer=dict(lr=1.2e-3))
train_dataloader = dict(batch_size=64)
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))
# UniFormer's --model-ema (decay 0.99992 per step), as the S-4-1* row
custom_hooks = _base_.custom_hooks + [
    dict(type='EMAHook', momentum=1 - 0.99992, priority='ABOVE_NORMAL')
]
