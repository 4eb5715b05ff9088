# StructViT-S-4-1*, ImageNet-1K 224x224 with Token Labeling, the paper's
# Table 3, row S-4-1* (its numbers: configs/structvit/README.md, from
# structvit_mm/zoo.py): UniFormer's token-labeling recipe (Sense-X/UniFormer
# image_classification/token_labeling/exp/uniformer_small_tl_224/run.sh: drop
# path 0.1, lr 1.6e-3 at batch 1024, --token-label-size 7, --model-ema). Its
# last checkpoint, work_dirs/<this config's name>/epoch_310.pth, is fine-tuned
# at 384 (structvit-s-4-1_tl_in1k-384.py); the auxiliary head is dropped when
# it initialises a video model (model.backbone.init_cfg of a K400 row).
_base_ = [
    '../_base_/models/structvit_s_in1k_tl.py',
    '../_base_/datasets/imagenet_tl_224.py',
    '../_base_/schedules/in1k_tl_adamw_310e.py',
    '../_base_/default_runtime_image.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(backbone=dict(structure_dim=4, kv_stride=1, drop_path_rate=0.1))
# a checkpoint every 10 epochs (epoch_310.pth is the 384 row's input), the
# last three and the best kept
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))
# UniFormer's --model-ema (timm ModelEmaV2, decay 0.99992 per step): the
# runtime's hooks plus mmengine's EMA (validation and checkpoints use it)
custom_hooks = _base_.custom_hooks + [
    dict(type='EMAHook', momentum=1 - 0.99992, priority='ABOVE_NORMAL')
]
