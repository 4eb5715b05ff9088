# Short name (structvit_mm.zoo): structvit-s-4-2_in1k-224, Table 3, row S-4-2.
# Written by tools/misc/gen_model_index.py.
_base_ = ['./structvit/structvit-s-4-2_in1k-224.py']
custom_imports = dict(imports=['structvit_mm'], allow_failed_imports=False)
