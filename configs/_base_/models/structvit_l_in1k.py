# StructViT-L for ImageNet-1K: StructViT-S's classifier with the L arch.
_base_ = ['./structvit_s_in1k.py']

# LayerScale 1e-6 on both residual branches of every block: the L rows cite
# UniFormer-L's recipe, whose only released L model is uniformer_large_ls
# (Sense-X/UniFormer image_classification/token_labeling/tlt/models/
# uniformer.py: layer_scale = True, init_value = 1e-6); the paper does not
# say. S and B leave it off, as UniFormer-S / B.
model = dict(backbone=dict(arch='l', drop_path_rate=0.4,
                           layer_scale_init_value=1e-6),
             head=dict(in_channels=640))
