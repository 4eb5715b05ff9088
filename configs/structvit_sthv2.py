# Short name for sthv2: StructViT-S-4-1, Something-Something V2, 16x3x1.
_base_ = ['./structvit/structvit-s-4-1_k400-pre_16x3x1_sthv2-rgb.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)
