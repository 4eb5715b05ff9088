# DeiT-S with StructSA, element aggregation (Eq. 4: each key's own value, a
# value kernel of size 1; the same model as UK = 3, UV = 1); ImageNet-1K
# 224x224. Paper: Table 1c element = 6b (3,1): IN-1K 80.9, SSv1 49.6.
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(aggregation='element'))
