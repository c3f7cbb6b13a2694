"""mAP50 per class, precision-recall curves and F1-optimal per-class thresholds.

Usage (test set from an unseen generator seed):
  python3 evaluate.py --data /tmp/xray-test --model ../ --split val --plot ../pr-curves.png
"""
import argparse
import json
import os
import struct
import sys
import zlib

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from data import LetterboxSet, batches, read_classes  # noqa: E402
from loss import box_iou_aligned  # noqa: E402
from model import Detector, anchor_points, decode_ltrb, flatten  # noqa: E402


def nms(boxes, scores, iou_thr):
    order = np.argsort(-scores)
    boxes = boxes[order]
    iou = box_iou_aligned(torch.from_numpy(boxes)[:, None], torch.from_numpy(boxes)[None]).numpy()
    suppressed = np.zeros(len(boxes), bool)
    keep = []
    for i in range(len(boxes)):
        if suppressed[i]:
            continue
        keep.append(order[i])
        suppressed |= iou[i] > iou_thr
    return np.asarray(keep, np.int64)


@torch.no_grad()
def predict(model, x, conf=0.001, iou_thr=0.6, max_det=300):
    """Per image: array [k, 6] = x1, y1, x2, y2, score, class (letterbox pixels). Class-aware NMS, as at inference."""
    feats = model(x)
    points, strides = anchor_points(feats)
    box_raw, logits = flatten(feats)
    boxes = decode_ltrb(box_raw, points, strides)
    scores = logits.sigmoid()
    out = []
    for b in range(x.shape[0]):
        s, c = scores[b].max(-1)
        keep = s > conf
        bx, s, c = boxes[b][keep].float().cpu().numpy(), s[keep].float().cpu().numpy(), c[keep].cpu().numpy()
        if len(s) > max_det:
            top = np.argsort(-s)[:max_det]
            bx, s, c = bx[top], s[top], c[top]
        # offset by class so one NMS pass never suppresses across classes
        k = nms(bx + c[:, None] * 4096.0, s, iou_thr)[:max_det] if len(s) else np.zeros(0, np.int64)
        out.append(np.concatenate([bx[k], s[k, None], c[k, None].astype(np.float32)], 1) if len(k) else np.zeros((0, 6), np.float32))
    return out


def match(preds, gts, iou_thr=0.5):
    """Greedy by score, one detection per ground truth (VOC/COCO rule). Returns tp flags per prediction."""
    tp = np.zeros(len(preds), bool)
    if len(preds) == 0 or len(gts) == 0:
        return tp
    order = np.argsort(-preds[:, 4])
    iou = box_iou_aligned(torch.from_numpy(preds[order, None, :4]), torch.from_numpy(gts[None, :, 1:])).numpy()
    used = np.zeros(len(gts), bool)
    for r, i in enumerate(order):
        cand = np.where((gts[:, 0] == preds[i, 5]) & ~used)[0]
        if len(cand) == 0:
            continue
        j = cand[np.argmax(iou[r, cand])]
        if iou[r, j] >= iou_thr:
            tp[i] = True
            used[j] = True
    return tp


def average_precision(tp, scores, npos):
    """COCO-style 101-point interpolated AP; also the PR curve and the F1-best score threshold."""
    if npos == 0:
        return float('nan'), np.zeros(0), np.zeros(0), 0.5
    order = np.argsort(-scores)
    tp = tp[order].astype(np.float64)
    s = scores[order]
    ctp = np.cumsum(tp)
    recall = ctp / npos
    precision = ctp / np.arange(1, len(tp) + 1)
    env = np.maximum.accumulate(precision[::-1])[::-1] if len(precision) else precision
    grid = np.linspace(0, 1, 101)
    idx = np.searchsorted(recall, grid, side='left')
    ap = float(np.mean([env[i] if i < len(env) else 0.0 for i in idx]))
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-9)
    best = int(np.argmax(f1)) if len(f1) else 0
    thr = float(s[best]) if len(s) else 0.5
    return ap, precision, recall, thr


def evaluate(model, ds, classes, batch_size=16, conf=0.001, iou_thr=0.6, device='cpu'):
    model.eval()
    all_pred, all_gt = [], []
    rng = np.random.default_rng(0)
    for x, _, _, _, idx in batches(ds, batch_size, rng, train=False):
        for p, i in zip(predict(model, x.to(device), conf, iou_thr), idx):
            all_pred.append(p)
            all_gt.append(ds.boxes[i])
    per_class = {}
    curves = {}
    for c, name in enumerate(classes):
        tps, scs, npos = [], [], 0
        for p, g in zip(all_pred, all_gt):
            pc = p[p[:, 5] == c]
            tps.append(match(pc, g))
            scs.append(pc[:, 4])
            npos += int((g[:, 0] == c).sum())
        tp = np.concatenate(tps) if tps else np.zeros(0, bool)
        sc = np.concatenate(scs) if scs else np.zeros(0)
        ap, prec, rec, thr = average_precision(tp, sc, npos)
        at = sc >= thr
        per_class[name] = {
            'ap50': ap,
            'instances': npos,
            'threshold': round(max(0.05, min(thr, 0.9)), 3),
            'precisionAtThreshold': float(tp[at].mean()) if at.any() else 0.0,
            'recallAtThreshold': float(tp[at].sum() / npos) if npos else 0.0,
        }
        curves[name] = (prec, rec)
    valid = [v['ap50'] for v in per_class.values() if not np.isnan(v['ap50'])]
    return {'mAP50': float(np.mean(valid)) if valid else 0.0, 'perClass': per_class, 'images': len(ds)}, curves


# --- a tiny PNG plotter (no matplotlib on the station's Debian base) -------------------------------------

PALETTE = [(230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240),
           (240, 50, 230), (170, 110, 40), (0, 128, 128), (128, 0, 0), (128, 128, 0), (0, 0, 128)]


# 3x5 bitmap glyphs for legend and axis text (no font library on the base image).
GLYPHS = {
    'a': '....###.##.#.##', 'b': '#..##.#.##.###.', 'c': '....###..#...##', 'd': '..#.###.##.#.##', 'e': '....#.####...##', 'f': '.###..##.#..#..',
    'g': '....###.#.####.', 'h': '#..##.#.##.##.#', 'i': '.#.....#..#..#.', 'k': '#..#.###.##.#.#', 'l': '##..#..#..#..##',
    'm': '...#######.##.#', 'n': '...##.#.##.##.#', 'o': '....#.#.##.#.#.', 'p': '...##.#.###.#..', 'r': '...#.###.#..#..',
    's': '.###...#...###.', 't': '.#.###.#..#...#', 'u': '...#.##.##.#.##', 'v': '...#.##.##.#.#.', 'y': '...#.##.#.####.',
    '0': '####.##.##.####', '1': '.#.##..#..#.###', '2': '##...#.#.#..###', '3': '##...#.#...###.', '4': '#.##.####..#..#',
    '5': '####..##...###.', '6': '.###..####.####', '7': '###..#.#..#..#.', '8': '####.#####.####', '9': '####.####..###.',
    '.': '.............#.', ' ': '...............',
}


def draw_text(img, x, y, text, col, scale=2):
    for ch in text:
        g = GLYPHS.get(ch, GLYPHS[' ']).ljust(15, '.')[:15]
        for r in range(5):
            for c in range(3):
                if g[r * 3 + c] == '#':
                    img[y + r * scale:y + (r + 1) * scale, x + c * scale:x + (c + 1) * scale] = col
        x += 4 * scale


def write_png(path, rgb):
    h, w, _ = rgb.shape
    raw = b''.join(b'\x00' + rgb[y].tobytes() for y in range(h))

    def chunk(tag, data):
        return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(png)


def plot_pr(path, curves, per_class, size=520, margin=40):
    """Precision (y) against recall (x) per class; legend as colour swatches with AP bars on the right."""
    legend_w = 170
    img = np.full((size, size + legend_w, 3), 255, np.uint8)
    plot = size - 2 * margin
    img[margin:size - margin, margin] = 0
    img[size - margin, margin:size - margin] = 0
    for t in range(0, 11):
        v = margin + int(t / 10 * plot)
        img[v, margin:size - margin:4] = 200
        img[margin:size - margin:4, v] = 200
    draw_text(img, margin, size - margin + 8, '0', (0, 0, 0))
    draw_text(img, size - margin - 6, size - margin + 8, '1', (0, 0, 0))
    draw_text(img, size // 2 - 24, size - margin + 8, 'recall', (0, 0, 0))
    draw_text(img, margin - 14, margin - 4, '1', (0, 0, 0))
    draw_text(img, margin, margin - 16, 'precision', (0, 0, 0))
    for ci, (name, (prec, rec)) in enumerate(curves.items()):
        col = PALETTE[ci % len(PALETTE)]
        # legend: a swatch, then a bar whose length is the class AP50
        ly = margin + ci * 18
        img[ly:ly + 10, size:size + 10] = col
        ap = per_class[name]['ap50']
        draw_text(img, size + 16, ly, name[:9], (0, 0, 0))
        draw_text(img, size + 16 + 10 * 8, ly, 'nan' if np.isnan(ap) else f'{ap:.2f}'[1:] if ap < 1 else '1.00', col)
        if len(prec) == 0:
            continue
        env = np.maximum.accumulate(prec[::-1])[::-1]
        xs = margin + np.clip(rec, 0, 1) * plot
        ys = size - margin - np.clip(env, 0, 1) * plot
        for i in range(1, len(xs)):
            n = int(max(abs(xs[i] - xs[i - 1]), abs(ys[i] - ys[i - 1]))) + 1
            for t in np.linspace(0, 1, n):
                x = int(xs[i - 1] + (xs[i] - xs[i - 1]) * t)
                y = int(ys[i - 1] + (ys[i] - ys[i - 1]) * t)
                img[max(0, y - 1):y + 1, max(0, x - 1):x + 1] = col
    write_png(path, img)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--split', default='val')
    ap.add_argument('--model', required=True, help='folder with model.pt')
    ap.add_argument('--imgsz', type=int, default=0)
    ap.add_argument('--plot', default='')
    ap.add_argument('--json', default='')
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ckpt = torch.load(os.path.join(args.model, 'model.pt'), map_location='cpu', weights_only=False)
    classes = ckpt['classes']
    imgsz = args.imgsz or ckpt['imgsz']
    model = Detector(len(classes), ckpt['size'])
    model.load_state_dict(ckpt['model'])
    ds = LetterboxSet(args.data, args.split, imgsz)
    names = read_classes(args.data)
    assert names == classes, f'class names differ: data {names} vs model {classes}'
    metrics, curves = evaluate(model, ds, classes)
    print(json.dumps(metrics, indent=1))
    if args.plot:
        plot_pr(args.plot, curves, metrics['perClass'])
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(metrics, f, indent=1)


if __name__ == '__main__':
    main()
