# FineGym, Gym99 label set, 32x3x1: subaction clips (mp4) through decord on
# the layout of mmaction2's gym tools (data/gym/subactions/<subaction>.mp4,
# data/gym/annotations/gym99_{train,val}.txt: "<subaction>.mp4 <label>",
# written by tools/data/gym/generate_file_list.py), 99 classes.
# The paper reports mean per-class accuracy (acc/mean1), so AccMetric
# computes it next to top-k; the row configs keep the best checkpoint by it.
# Same segment-based recipe as SSv2 (sthv2_32x3x1_video.py: no flip, 3 crops
# x 1 clip, the paper's protocol); only paths, classes and the metric differ.
_base_ = ['./sthv2_32x3x1_video.py']

num_classes = 99
data_root = 'data/gym/subactions'
data_root_val = 'data/gym/subactions'
ann_file_train = 'data/gym/annotations/gym99_train.txt'
ann_file_val = 'data/gym/annotations/gym99_val.txt'
ann_file_test = 'data/gym/annotations/gym99_val.txt'

train_dataloader = dict(
    dataset=dict(num_classes=num_classes, ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(
    dataset=dict(num_classes=num_classes, ann_file=ann_file_val, data_prefix=dict(video=data_root_val)))
test_dataloader = dict(
    dataset=dict(num_classes=num_classes, 
        ann_file=ann_file_test, data_prefix=dict(video=data_root_val)))

val_evaluator = dict(
    type='AccMetric',
    metric_list=('top_k_accuracy', 'mean_class_accuracy'))
test_evaluator = val_evaluator
