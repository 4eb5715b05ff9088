# StructViT-L for ImageNet-1K: StructViT-S's classifier with the L arch.
_base_ = ['./structvit_s_in1k.py']

model = dict(backbone=dict(arch='l', drop_path_rate=0.4),
             head=dict(in_channels=640))
