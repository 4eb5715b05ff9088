# StructViT-L-4-1, ImageNet-1K 224x224 (paper: 103M params, 15.4 GFLOPs).
_base_ = [
    '../_base_/models/structvit_l_in1k.py',
    'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py',
    '../_base_/schedules/in1k_adamw_300e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(backbone=dict(structure_dim=4, kv_stride=1))
