# StructViT-S-8-1, ImageNet-1K 224x224 (paper: 24M params, 5.4 GFLOPs).
_base_ = [
    '../_base_/models/structvit_s_in1k.py',
    'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py',
    '../_base_/schedules/in1k_adamw_300e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(backbone=dict(structure_dim=8, kv_stride=1))
