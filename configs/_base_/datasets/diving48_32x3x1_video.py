# Diving-48 (V2 labels), 32x3x1: mp4 videos through decord on the layout of
# mmaction2's diving48 tools (data/diving48/videos/<vid_name>.mp4,
# diving48_{train,val}_list_videos.txt: "<vid_name>.mp4 <label>"; val is
# the official V2 test split), 48 classes, top-1 as the paper reports.
# Same segment-based recipe as SSv2 (sthv2_32x3x1_video.py: no flip, 3 crops
# x 1 clip, the paper's protocol); only paths and classes differ.
_base_ = ['./sthv2_32x3x1_video.py']

num_classes = 48
data_root = 'data/diving48/videos'
data_root_val = 'data/diving48/videos'
ann_file_train = 'data/diving48/diving48_train_list_videos.txt'
ann_file_val = 'data/diving48/diving48_val_list_videos.txt'
ann_file_test = 'data/diving48/diving48_val_list_videos.txt'

train_dataloader = dict(
    dataset=dict(num_classes=num_classes, ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(
    dataset=dict(num_classes=num_classes, ann_file=ann_file_val, data_prefix=dict(video=data_root_val)))
test_dataloader = dict(
    dataset=dict(num_classes=num_classes, 
        ann_file=ann_file_test, data_prefix=dict(video=data_root_val)))
