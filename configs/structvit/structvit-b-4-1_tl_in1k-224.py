# StructViT-B-4-1*, ImageNet-1K 224x224 with Token Labeling, the paper's
# Table 3, row B-4-1* (its numbers: configs/structvit/README.md, from
# structvit_mm/zoo.py): the S-4-1* row with the B arch and UniFormer's
# token_labeling/exp/uniformer_base_tl_224/run.sh drop path 0.3 (lr 1.6e-3 at
# batch 1024, --token-label-size 7, --model-ema, as S). Its epoch_310.pth is
# fine-tuned at 384 (structvit-b-4-1_tl_in1k-384.py).
_base_ = [
    '../_base_/models/structvit_s_in1k_tl.py',
    '../_base_/datasets/imagenet_tl_224.py',
    '../_base_/schedules/in1k_tl_adamw_310e.py',
    '../_base_/default_runtime_image.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(
    backbone=dict(arch='b', structure_dim=4, kv_stride=1, drop_path_rate=0.3))
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))
# UniFormer's --model-ema (decay 0.99992 per step), as the S-4-1* row
custom_hooks = _base_.custom_hooks + [
    dict(type='EMAHook', momentum=1 - 0.99992, priority='ABOVE_NORMAL')
]
