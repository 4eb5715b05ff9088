# DeiT-S with StructSA, element aggregation (Eq. 4: each key's own value, a
# value kernel of size 1; the same model as UK = 3, UV = 1); ImageNet-1K
# 224x224: the paper's Tables 1c (row element) and 6b (row (3,1)), on IN-1K
# (its numbers: configs/structdeit/README.md, from structvit_mm/zoo.py).
_base_ = ['./_base_/structdeit-s_in1k-224.py']

model = dict(
    backbone=dict(aggregation='element'))
