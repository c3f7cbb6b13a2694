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
    """Images as [N, S, S, 3] uint8 plus boxes [k, 5] (class, x1, y1, x2, y2 in letterbox pixels).

    The cache is either one file per split (`cache-dataset.ts`) or parts that `gen-dataset.ts --cache` writes
    while it renders (`<split>-<imgsz>.<part>.u8` + `.json`, the .json written last, so a part whose .json
    exists is complete). `refresh()` picks up parts written since: training can start while data is still
    being generated (the GPU recipe in README.md)."""

    def __init__(self, data_dir, split, imgsz, wait_parts=False):
        self.imgsz = imgsz
        self.meta, self.boxes, self.parts, self.where = [], [], [], []
        self.cache_dir = os.path.join(data_dir, 'cache')
        self.prefix = f'{split}-{imgsz}.'
        self.loaded = set()
        if not wait_parts and not self._part_files():
            base = ensure_cache(data_dir, split, imgsz)
            self._add(base)
        else:
            self.refresh()

    def _part_files(self):
        if not os.path.isdir(self.cache_dir):
            return []
        return sorted(f[:-5] for f in os.listdir(self.cache_dir) if f.startswith(self.prefix) and f.endswith('.json'))

    def _add(self, base):
        with open(base + '.json', encoding='utf-8') as f:
            meta = json.load(f)['images']
        s = self.imgsz
        self.parts.append(np.memmap(base + '.u8', dtype=np.uint8, mode='r', shape=(len(meta), s, s, 3)))
        p = len(self.parts) - 1
        self.where.extend((p, j) for j in range(len(meta)))
        self.meta.extend(meta)
        self.boxes.extend(np.asarray(m['boxes'], dtype=np.float32).reshape(-1, 5) for m in meta)

    def refresh(self):
        """Adds parts completed since the last call; returns how many images were added."""
        before = len(self.meta)
        for name in self._part_files():
            if name not in self.loaded:
                self.loaded.add(name)
                self._add(os.path.join(self.cache_dir, name))
        return len(self.meta) - before

    def image(self, i):
        p, j = self.where[i]
        return self.parts[p][j]

    def stack(self, idx):
        """uint8 [B, S, S, 3] for the given indices."""
        return np.stack([self.image(i) for i in idx])

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


def batches(ds, batch_size, rng, train, order=None):
    """Yields (images [B,3,S,S] float 0..1, gt_cls [B,M], gt_box [B,M,4], gt_mask [B,M], indices), in `order`
    if given, else a fresh permutation (train) or file order."""
    if order is None:
        order = rng.permutation(len(ds)) if train else np.arange(len(ds))
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        if train and len(idx) < 2:
            continue
        imgs, boxes = [], []
        for i in idx:
            img, b = ds.image(i), ds.boxes[i]
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


def augment_boxes(boxes, s, hflip, vflip, transpose):
    """The box half of `augment`, for augmentation done on the GPU."""
    b = boxes.copy()
    if hflip:
        b[:, [1, 3]] = s - b[:, [3, 1]]
    if vflip:
        b[:, [2, 4]] = s - b[:, [4, 2]]
    if transpose:
        b = b[:, [0, 2, 1, 4, 3]]
    return b


def device_batch(ds, idx, rng, device, cache=None):
    """`augment` for a whole batch on the accelerator (same flips/turns/gain), so a GPU is not fed by one
    CPU core converting images to float. Returns what `batches` yields."""
    s = ds.imgsz
    n = len(idx)
    hf, vf, tr, gj = (rng.random((4, n)) < 0.5)
    gain = np.where(gj, rng.uniform(0.85, 1.1, n), 1.0).astype(np.float32)
    off = np.where(gj, rng.uniform(-10, 10, n), 0.0).astype(np.float32)
    images = ds.stack(idx) if cache is None else cache.stack(idx)
    x = (torch.from_numpy(images).to(device, non_blocking=True) if cache is None else images).permute(0, 3, 1, 2).float()
    m = lambda a: torch.from_numpy(a).to(device)[:, None, None, None]  # noqa: E731
    x = torch.where(m(hf), x.flip(-1), x)
    x = torch.where(m(vf), x.flip(-2), x)
    x = torch.where(m(tr), x.transpose(-1, -2), x)
    x = (x * m(gain) + m(off)).clamp(0, 255) / 255.0
    boxes = [augment_boxes(ds.boxes[i], s, hf[j], vf[j], tr[j]) for j, i in enumerate(idx)]
    mx = max(1, max(len(b) for b in boxes))
    gt_cls = np.full((n, mx), -1, np.int64)
    gt_box = np.zeros((n, mx, 4), np.float32)
    for j, b in enumerate(boxes):
        gt_cls[j, :len(b)] = b[:, 0]
        gt_box[j, :len(b)] = b[:, 1:]
    gc = torch.from_numpy(gt_cls).to(device)
    return x.contiguous(), gc, torch.from_numpy(gt_box).to(device), gc >= 0, idx


class DeviceImages:
    """The images of a LetterboxSet copied into one uint8 tensor on the accelerator (`train.py --gpu-cache`),
    so a batch is an index_select there instead of a CPU gather + host-to-device copy per step. Grows with
    the set (`sync()` after `refresh()`); capacity is fixed up front (images × S × S × 3 bytes)."""

    def __init__(self, ds, device, capacity):
        s = ds.imgsz
        self.ds, self.device = ds, device
        self.data = torch.empty((capacity, s, s, 3), dtype=torch.uint8, device=device)
        self.count = 0
        self.sync()

    def sync(self):
        """Copies images added to the set since the last call; returns how many (stops at capacity)."""
        before = self.count
        n = min(len(self.ds), self.data.shape[0])
        while self.count < n:
            p, j = self.ds.where[self.count]
            part = self.ds.parts[p]
            take = min(len(part) - j, n - self.count)
            self.data[self.count:self.count + take].copy_(torch.from_numpy(np.array(part[j:j + take])))
            self.count += take
        return self.count - before

    def stack(self, idx):
        return self.data.index_select(0, torch.as_tensor(np.asarray(idx), device=self.device))
