# Short name (structvit_mm.zoo): structvit-b-4-1_k400-pre_32x3x1_diving48-rgb, Table 5b, row B-4-1 32x3x1.
# Written by tools/misc/gen_model_index.py.
_base_ = ['./structvit/structvit-b-4-1_k400-pre_32x3x1_diving48-rgb.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)
