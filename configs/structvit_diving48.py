# Short name for diving48: StructViT-B-4-1, Diving-48, 32x3x1.
_base_ = ['./structvit/structvit-b-4-1_k400-pre_32x3x1_diving48-rgb.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)
