"""YOLO-format datasets (images/{train,val}, labels/{train,val}, classes.txt) read through a letterbox cache.

Python has no image decoder here (Debian's python3-torch, no PIL/OpenCV), and the letterbox must match
inference exactly, so `cache-dataset.ts` decodes and letterboxes every image with the station's own
preprocessing (sharp) into one raw uint8 file per split; this module memory-maps it.
"""
import json
import os
import subprocess

import numpy as np
import torch

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def ensure_cache(data_dir, split, imgsz):
    base = os.path.join(data_dir, 'cache', f'{split}-{imgsz}')
    if not (os.path.exists(base + '.json') and os.path.exists(base + '.u8')):
        node = os.path.join(REPO, 'node_modules', '.bin', 'node')
        script = os.path.join(os.path.dirname(__file__), 'cache-dataset.ts')
        subprocess.run([node, script, '--data', data_dir, '--split', split, '--imgsz', str(imgsz)], check=True)
    return base


def read_classes(data_dir):
    with open(os.path.join(data_dir, 'classes.txt'), encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip()]


class LetterboxSet:
    """Images as a [N, S, S, 3] uint8 memmap plus boxes [k, 5] (class, x1, y1, x2, y2 in letterbox pixels)."""

    def __init__(self, data_dir, split, imgsz):
        base = ensure_cache(data_dir, split, imgsz)
        with open(base + '.json', encoding='utf-8') as f:
            meta = json.load(f)
        self.meta = meta['images']
        self.imgsz = imgsz
        self.images = np.memmap(base + '.u8', dtype=np.uint8, mode='r', shape=(len(self.meta), imgsz, imgsz, 3))
        self.boxes = [np.asarray(m['boxes'], dtype=np.float32).reshape(-1, 5) for m in self.meta]

    def __len__(self):
        return len(self.meta)


def augment(img, boxes, rng):
    """Flips and quarter turns (objects lie at any angle in a parcel) plus mild gain/offset jitter, as scanners
    differ in calibration. Square input, so every quarter turn keeps the letterbox geometry valid."""
    s = img.shape[0]
    b = boxes.copy()
    if rng.random() < 0.5:
        img = img[:, ::-1]
        b[:, [1, 3]] = s - b[:, [3, 1]]
    if rng.random() < 0.5:
        img = img[::-1]
        b[:, [2, 4]] = s - b[:, [4, 2]]
    if rng.random() < 0.5:
        # transpose = rotate + flip; together with the flips above covers all 8 symmetries
        img = img.transpose(1, 0, 2)
        b = b[:, [0, 2, 1, 4, 3]]
    img = img.astype(np.float32)
    if rng.random() < 0.5:
        gain = rng.uniform(0.85, 1.1)
        img = np.clip(img * gain + rng.uniform(-10, 10), 0, 255)
    return img, b


def batches(ds, batch_size, rng, train):
    """Yields (images [B,3,S,S] float 0..1, gt_cls [B,M], gt_box [B,M,4], gt_mask [B,M], indices)."""
    order = rng.permutation(len(ds)) if train else np.arange(len(ds))
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        if train and len(idx) < 2:
            continue
        imgs, boxes = [], []
        for i in idx:
            img, b = ds.images[i], ds.boxes[i]
            if train:
                img, b = augment(img, b, rng)
            else:
                img = img.astype(np.float32)
            imgs.append(np.ascontiguousarray(img.transpose(2, 0, 1)))
            boxes.append(b)
        m = max(1, max(len(b) for b in boxes))
        gt_cls = np.full((len(idx), m), -1, np.int64)
        gt_box = np.zeros((len(idx), m, 4), np.float32)
        for j, b in enumerate(boxes):
            gt_cls[j, :len(b)] = b[:, 0]
            gt_box[j, :len(b)] = b[:, 1:]
        x = torch.from_numpy(np.stack(imgs)) / 255.0
        yield x, torch.from_numpy(gt_cls), torch.from_numpy(gt_box), torch.from_numpy(gt_cls >= 0), idx
