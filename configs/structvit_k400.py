# Flagship video config: StructViT-S-4-2, Kinetics-400, 16x4x1.
_base_ = ['./structvit/structvit-s-4-2_in1k-pre_16x4x1_k400-rgb.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)
