# StructViT-B-4-1, Kinetics-400, 32x4x1 (paper: 2658 GFLOPs over
# 1 crop x 4 clips, i.e. 664.50 per view). Initialised from the temporally
# inflated ImageNet-1K StructViT-B-4-1 weights (spec section 3).
_base_ = [
    '../_base_/models/structvit_b_k400.py',
    '../_base_/datasets/k400_32x4x1_video.py',
    '../_base_/schedules/k400_adamw_110e.py',
    'mmaction::_base_/default_runtime.py',
]
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)

model = dict(backbone=dict(structure_dim=4, kv_stride=1))
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3))
