"""Val mAP50 over training time from train.py logs (consecutive runs, each continuing the one before).

  python3 plot_training.py --out ../training-curve.png --start 0.692 card/gpu-run-a.txt card/gpu-run-b.txt

Parses the `epoch … val mAP50 X … elapsed M min` lines; x is minutes of training summed over the runs,
one colour per run; --start draws the starting model's val mAP50 at 0 (grey). Uses evaluate.py's PNG writer (no matplotlib on the station's Debian base).
"""
import argparse
import re

import numpy as np

from evaluate import PALETTE, draw_text, write_png

EPOCH = re.compile(r'^epoch \d+/\d+ loss ([\d.]+) .* val mAP50 ([\d.]+) .* elapsed ([\d.]+) min')


def read_run(path):
    pts = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            m = EPOCH.match(line.strip())
            if m:
                pts.append((float(m.group(3)), float(m.group(2)), float(m.group(1))))
    return pts


def plot(out, runs, names, start_value=None, lo=0.6, hi=0.9, w=560, h=360, margin=48):
    img = np.full((h, w, 3), 255, np.uint8)
    pw, ph = w - 2 * margin, h - 2 * margin
    total = sum(r[-1][0] for r in runs if r) or 1.0
    img[margin:h - margin, margin] = 0
    img[h - margin, margin:w - margin] = 0
    for k in range(int(round((hi - lo) / 0.05)) + 1):
        v = lo + k * 0.05
        y = h - margin - int((v - lo) / (hi - lo) * ph)
        img[y, margin:w - margin:4] = 200
        draw_text(img, 6, y - 4, f'{v:.2f}', (0, 0, 0))
    step = next(s for s in (1, 2, 5, 10, 20, 50) if total / s <= 16)  # labels of two digits must not touch
    for t in range(0, int(total) + 1, step):
        x = margin + int(t / total * pw)
        img[h - margin:h - margin + 4, x] = 0
        draw_text(img, x - 3, h - margin + 8, str(t), (0, 0, 0))
    draw_text(img, w // 2 - 30, h - 16, 'minutes', (0, 0, 0))
    draw_text(img, margin, 12, 'val map50', (0, 0, 0))
    if start_value is not None:
        y = h - margin - int((min(max(start_value, lo), hi) - lo) / (hi - lo) * ph)
        img[y - 2:y + 3, margin - 2:margin + 3] = (120, 120, 120)
    start = 0.0
    for i, r in enumerate(runs):
        col = PALETTE[i % len(PALETTE)]
        xs = [margin + int((start + t) / total * pw) for t, _, _ in r]
        ys = [h - margin - int((min(max(v, lo), hi) - lo) / (hi - lo) * ph) for _, v, _ in r]
        for j in range(len(xs)):
            img[ys[j] - 2:ys[j] + 3, xs[j] - 2:xs[j] + 3] = col
            if j:
                n = max(abs(xs[j] - xs[j - 1]), abs(ys[j] - ys[j - 1])) + 1
                for s in np.linspace(0, 1, n):
                    img[int(ys[j - 1] + (ys[j] - ys[j - 1]) * s), int(xs[j - 1] + (xs[j] - xs[j - 1]) * s)] = col
        # legend bottom right: curves rise, so late minutes are empty low down
        draw_text(img, w - margin - 60, h - margin - 8 - 14 * (len(runs) - i), f'run {names[i]}', col)
        start += r[-1][0] if r else 0.0
    write_png(out, img)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--start', type=float, default=None, help="the starting model's val mAP50")
    ap.add_argument('logs', nargs='+')
    args = ap.parse_args()
    runs = [read_run(p) for p in args.logs]
    # 'gpu-run-c.txt' → 'c'; other names → their position
    names = [(re.search(r'run-(\w+)\.\w+$', p) or [None, str(i + 1)])[1] for i, p in enumerate(args.logs)]
    for p, r in zip(args.logs, runs):
        print(f'{p}: {len(r)} epochs, val mAP50 {r[0][1]:.3f} → {max(v for _, v, _ in r):.3f} in {r[-1][0]:.1f} min' if r else f'{p}: no epochs')
    plot(args.out, runs, names, args.start)


if __name__ == '__main__':
    main()
