# FineGym, Gym288 label set, 32x3x1: gym99_32x3x1_video.py (same clips
# folder, pipelines and mean-class-accuracy metric) with the Gym288 lists
# (data/gym/annotations/gym288_{train,val}.txt) and 288 classes.
_base_ = ['./gym99_32x3x1_video.py']

num_classes = 288
ann_file_train = 'data/gym/annotations/gym288_train.txt'
ann_file_val = 'data/gym/annotations/gym288_val.txt'
ann_file_test = 'data/gym/annotations/gym288_val.txt'

train_dataloader = dict(dataset=dict(num_classes=num_classes, ann_file=ann_file_train))
val_dataloader = dict(dataset=dict(num_classes=num_classes, ann_file=ann_file_val))
test_dataloader = dict(dataset=dict(num_classes=num_classes, ann_file=ann_file_test))
