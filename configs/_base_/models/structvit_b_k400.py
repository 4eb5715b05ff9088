# StructViT-B for Kinetics-400: StructViT-S's recognizer with the B arch.
_base_ = ['./structvit_s_k400.py']

model = dict(backbone=dict(arch='b', drop_path_rate=0.3))
