# Short name (structvit_mm.zoo): structvit-s-4-1_k400-pre_16x3x1_sthv1-rgb, Table 5a, row S-4-1 16x3x1.
# Written by tools/misc/gen_model_index.py.
_base_ = ['./structvit/structvit-s-4-1_k400-pre_16x3x1_sthv1-rgb.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)
