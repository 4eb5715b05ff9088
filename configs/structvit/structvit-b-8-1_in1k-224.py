# StructViT-B-8-1, ImageNet-1K 224x224, from scratch: the paper's Table 3,
# row B-8-1 (its numbers: configs/structvit/README.md, from
# structvit_mm/zoo.py). The paper has no video row for this model; its
# last checkpoint can still start one (inflation: docs/en/advanced_guides/
# models.md).
_base_ = [
    '../_base_/models/structvit_b_in1k.py',
    '../_base_/datasets/imagenet_bs128_deit_224.py',
    '../_base_/schedules/in1k_adamw_300e.py',
    '../_base_/default_runtime_image.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(backbone=dict(structure_dim=8, kv_stride=1))
# 300 epochs: a checkpoint every 10 (epoch_300.pth is the next stage's input),
# the last three and the best kept
default_hooks = dict(
    checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='auto'))
