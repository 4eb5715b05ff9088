# Short name for gym288: StructViT-B-4-1, FineGym Gym288, 32x3x1.
_base_ = ['./structvit/structvit-b-4-1_k400-pre_32x3x1_gym288-rgb.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)
