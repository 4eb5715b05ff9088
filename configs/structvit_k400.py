# Short name (structvit_mm.zoo): structvit-s-4-2_in1k-pre_16x4x1_k400-rgb, Table 4, row S-4-2 16x1x4.
# Written by tools/misc/gen_model_index.py.
_base_ = ['./structvit/structvit-s-4-2_in1k-pre_16x4x1_k400-rgb.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)
