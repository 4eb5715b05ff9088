# The ablation grid on the small analysis model
# (configs/benchmark/structdeit-tiny-d4_8x32_motion-structure.py: 64
# channels, 4 layers, 2 heads of 32, 4x8x8 tokens, D = 4, 3x3x3 kernels,
# context aggregation, channel-wise correlation and aggregation). Each
# variant changes one switch of that baseline through --cfg-options.
#
#   python tools/analysis/ablate.py --grid configs/benchmark/grid_structdeit.py \
#       --seeds 0 1 2 3 4 --work-root work_dirs/motion_structdeit_4x4800 \
#       --shape 1 3 8 32 32 --jobs 2 --threads 1 \
#       --record docs/results/motion_structdeit_4x4800/runs
#
# FLOPs (tools/analysis/get_flops.py --shape 1 3 8 32 32, per clip):
# D=0 0.09 G, D=1 0.09 G, D=4 0.20 G, D=8 0.35 G; ConvSA (D=1) at D=4's
# 0.20 G: 104 channels (2 heads of 52; 0.20 G, 0.59 M params) or 9 layers
# (0.20 G, 0.50 M params).
config = 'configs/benchmark/structdeit-tiny-d4_8x32_motion-structure.py'
baseline = 'd4'
seeds = [0, 1, 2, 3, 4]

_bb = 'model.backbone.'
# Order: the runs go seed by seed in this order, so a grid stopped early
# has the main comparisons (D, ConvSA at equal FLOPs) for the most seeds.
variants = {
    # Table 1a: number of structure detectors (D = 0: plain attention)
    'd4': [],
    'd0': [_bb + 'structure_dim=0'],
    'd1': [_bb + 'structure_dim=1'],
    # Table 7: ConvSA (D = 1) made wider / deeper to D = 4's FLOPs
    'convsa-width': [_bb + 'structure_dim=1', _bb + 'arch.embed_dims=104',
                     'model.cls_head.in_channels=104'],
    'convsa-depth': [_bb + 'structure_dim=1', _bb + 'arch.num_layers=9'],
    'd2': [_bb + 'structure_dim=2'],
    'd8': [_bb + 'structure_dim=8'],
    # the 'attention' init (each layer starts as plain attention) and the
    # per-detector reading of the softmax (docs/en/advanced_guides/
    # warm_start.md)
    'd4-attention-init': [_bb + 'structure_init=attention'],
    'd8-attention-init': [_bb + 'structure_dim=8',
                          _bb + 'structure_init=attention'],
    'd4-per-detector': [_bb + 'score_norm=per_detector'],
    # Table 1c: element vs context aggregation
    'element': [_bb + 'aggregation=element'],
    # Table 1b: kernel size M (M x M x M)
    'm1': [_bb + 'kernel_size=1'],
    'm5': [_bb + 'kernel_size=5'],
    # Table 6a: channel-wise correlation and aggregation off
    'no-channelwise': [_bb + 'channelwise_correlation=False',
                       _bb + 'channelwise_aggregation=False'],
}
