# Something-Something V1, 16x3x1: SSv1 ships as JPEG frames, read with
# RawframeDataset on the layout of mmaction2's sthv1 tools
# (data/sthv1/rawframes/<id>/00001.jpg ..., sthv1_{train,val}_list_rawframes
# .txt: "<id> <num_frames> <label>", frames numbered from 1), 174 classes.
# The recipe is SSv2's (sthv2_16x3x1_video.py: segment-based sampling, no
# flip, 3 crops x 1 clip); only the decoding differs, so the pipelines are
# SSv2's with decord's two steps swapped for RawFrameDecode.
_base_ = ['./sthv2_16x3x1_video.py']

dataset_type = 'RobustRawframeDataset'  # RawframeDataset + bad-file handling
num_classes = 174
data_root = 'data/sthv1/rawframes'
data_root_val = 'data/sthv1/rawframes'
ann_file_train = 'data/sthv1/sthv1_train_list_rawframes.txt'
ann_file_val = 'data/sthv1/sthv1_val_list_rawframes.txt'
ann_file_test = 'data/sthv1/sthv1_val_list_rawframes.txt'
filename_tmpl = '{:05}.jpg'


def _from_frames(pipeline):
    return [
        dict(type='RawFrameDecode', **_base_.file_client_args)
        if step.type == 'DecordDecode' else step for step in pipeline
        if step.type != 'DecordInit'
    ]


train_pipeline = _from_frames(_base_.train_pipeline)
random_crop_only_pipeline = _from_frames(_base_.random_crop_only_pipeline)
val_pipeline = _from_frames(_base_.val_pipeline)
test_pipeline = _from_frames(_base_.test_pipeline)


def _frames_dataset(root, ann_file, pipeline):
    # _delete_: the frame root is data_prefix.img, not the base's .video
    return dict(
        type=dataset_type,
        num_classes=num_classes,
        ann_file=ann_file,
        data_prefix=dict(_delete_=True, img=root),
        filename_tmpl=filename_tmpl,
        pipeline=pipeline)


train_dataloader = dict(
    dataset=_frames_dataset(data_root, ann_file_train, train_pipeline))
val_dataloader = dict(
    dataset=_frames_dataset(data_root_val, ann_file_val, val_pipeline))
test_dataloader = dict(
    dataset=_frames_dataset(data_root_val, ann_file_test, test_pipeline))
