# The ablation grid on a small StructViT
# (configs/benchmark/structvit-tiny-d4_8x64_motion-structure.py: depths
# 1-1-2-1, channels 16-32-64-128, StructSA on 4x4x4 and 4x2x2 token grids,
# D = 4, key/value stride 1, 3x3x3 kernels). Each variant changes one switch
# through --cfg-options. A subset of the analysis model's grid (no D = 2,
# no M = 5) to fit the hours of 2 cores, run in phases: the main
# comparisons (D, ConvSA at equal FLOPs), then D = 8 and M = 1, then
# element aggregation and no channel-wise:
#
#   python tools/analysis/ablate.py --grid configs/benchmark/grid_structvit.py \
#       --seeds 0 1 2 --work-root work_dirs/ablate_motion_structvit \
#       --shape 1 3 8 64 64 --only d4 d0 d1 convsa-width convsa-depth
#   python tools/analysis/ablate.py --grid configs/benchmark/grid_structvit.py \
#       --seeds 0 1 2 --work-root work_dirs/ablate_motion_structvit \
#       --shape 1 3 8 64 64 --only d8 m1
#   python tools/analysis/ablate.py --grid configs/benchmark/grid_structvit.py \
#       --seeds 0 1 2 --work-root work_dirs/ablate_motion_structvit \
#       --shape 1 3 8 64 64 --only element no-channelwise
#
# FLOPs (tools/analysis/get_flops.py --shape 1 3 8 64 64, per clip): D=0
# 24.1 M, D=1 24.7 M, D=4 29.7 M, D=8 36.3 M. The convolution stages carry
# most of them, so StructSA's extra cost is small here. ConvSA (D = 1) at
# D = 4's FLOPs: stages 3-4 widened to 80-160 channels (30.9 M) or a third
# stage-3 block (28.7 M).
config = 'configs/benchmark/structvit-tiny-d4_8x64_motion-structure.py'
baseline = 'd4'
seeds = [0, 1, 2]

_bb = 'model.backbone.'
variants = {
    'd4': [],
    'd0': [_bb + 'structure_dim=0'],
    'd1': [_bb + 'structure_dim=1'],
    'convsa-width': [_bb + 'structure_dim=1',
                     _bb + 'arch.channels=[16,32,80,160]',
                     'model.cls_head.in_channels=160'],
    'convsa-depth': [_bb + 'structure_dim=1', _bb + 'arch.depths=[1,1,3,1]'],
    'd8': [_bb + 'structure_dim=8'],
    'element': [_bb + 'structsa_cfg.aggregation=element'],
    'm1': [_bb + 'kernel_size=1'],
    'no-channelwise': [_bb + 'structsa_cfg.channelwise_correlation=False',
                       _bb + 'structsa_cfg.channelwise_aggregation=False'],
}
