# Flagship image config: StructViT-S-4-2, ImageNet-1K 224x224.
_base_ = ['./structvit/structvit-s-4-2_in1k-224.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)
