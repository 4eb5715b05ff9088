# StructViT-B for ImageNet-1K: StructViT-S's classifier with the B arch.
_base_ = ['./structvit_s_in1k.py']

model = dict(backbone=dict(arch='b', drop_path_rate=0.3))
