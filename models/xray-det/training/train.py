"""Train (from scratch or fine-tune) the xray-det detector on a YOLO-format dataset and export it.

  nice -n 10 python3 train.py --data /tmp/xray-train --epochs 12 --imgsz 320 --seed 1 --out ../
  # site fine-tuning on a dataset exported from the console's labelling:
  python3 train.py --data /srv/site-export --epochs 10 --init ../model.pt --out /srv/models/xray-det-site

After every epoch that improves val mAP50 the EMA weights are saved (model.pt), exported (model.onnx) and
the manifest rewritten, so the best model so far is always on disk and a stopped run loses nothing.
The learning-rate schedule anneals on whichever ends first, the epochs or --max-minutes.
"""
import argparse
import copy
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from data import DeviceImages, LetterboxSet, batches, device_batch, read_classes  # noqa: E402
from evaluate import evaluate  # noqa: E402
from export import export_onnx, write_manifest  # noqa: E402
from loss import DetectionLoss  # noqa: E402
from model import Detector  # noqa: E402


class EMA:
    """Exponential moving average of the weights; evaluation and export use it (smoother, better mAP)."""

    def __init__(self, model, decay=0.999, tau=400):
        self.model = copy.deepcopy(model).eval()
        self.decay, self.tau, self.updates = decay, tau, 0
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        self.updates += 1
        d = self.decay * (1 - math.exp(-self.updates / self.tau))
        msd = model.state_dict()
        for k, v in self.model.state_dict().items():
            if v.dtype.is_floating_point:
                v.mul_(d).add_(msd[k].detach(), alpha=1 - d)
            else:
                v.copy_(msd[k])


def load_init(model, path, classes):
    """Fine-tuning: take every tensor whose shape still fits (a site may add labels: new class rows start fresh)."""
    ckpt = torch.load(path, map_location='cpu', weights_only=False)
    own = model.state_dict()
    src = ckpt['model']
    old = ckpt.get('classes', [])
    loaded = 0
    for k, v in src.items():
        if k in own and own[k].shape == v.shape:
            own[k] = v
            loaded += 1
        elif k in own and k.startswith('heads.') and '.cls.2.' in k:
            # class output rows: copy the ones whose label exists in both label lists
            for i, name in enumerate(classes):
                if name in old:
                    own[k][i] = v[old.index(name)]
    model.load_state_dict(own)
    print(f'init from {path}: {loaded}/{len(own)} tensors', flush=True)
    return ckpt


def parse_class_weight(text, classes):
    """'knife=2,cosmetic=2' → {class index: weight}; an unknown name is an error, not a silent no-op."""
    out = {}
    for item in filter(None, (t.strip() for t in text.split(','))):
        name, _, w = item.partition('=')
        if name not in classes:
            raise SystemExit(f'--class-weight: unknown class "{name}" (classes: {", ".join(classes)})')
        out[classes.index(name)] = float(w)
    return out


def image_weights(train, have, class_weight):
    """Sampling probabilities for the first `have` images: an image counts as much as the heaviest class it
    holds (1 for none listed), so parcels with the weak classes are seen more often without repeating boxes."""
    if not class_weight:
        return None
    # Kept on the set and extended as it grows (images are only ever appended): not recomputed every epoch.
    known = train.__dict__.setdefault('sample_weights', [])
    for i in range(len(known), have):
        known.append(max([1.0] + [class_weight.get(int(c), 1.0) for c in train.boxes[i][:, 0]]))
    w = np.asarray(known[:have])
    return w / w.sum()


def epoch_batches(train, args, rng, device, cache=None):
    """One epoch: a pass over the data, or --epoch-size samples (whole permutations, then a partial one).
    On a GPU the augmentation runs there too (data.device_batch)."""
    if device.type == 'cpu' and not args.epoch_size:
        yield from batches(train, args.batch, rng, train=True)
        return
    want = args.epoch_size or len(train)
    have = cache.count if cache is not None else len(train)  # a full --gpu-cache samples what it holds
    weights = image_weights(train, have, args.class_weight)
    if weights is None:
        order = np.concatenate([rng.permutation(have) for _ in range(-(-want // have))])[:want]
    else:
        order = rng.choice(have, size=want, replace=True, p=weights)
    if device.type == 'cpu':
        yield from batches(train, args.batch, rng, train=True, order=order)
        return
    for start in range(0, len(order) - args.batch + 1, args.batch):
        yield device_batch(train, order[start:start + args.batch], rng, device, cache)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True, help='YOLO dataset: images/{train,val}, labels/{train,val}, classes.txt')
    ap.add_argument('--out', required=True, help='model folder: model.pt, model.onnx, manifest.json')
    ap.add_argument('--epochs', type=int, default=12)
    ap.add_argument('--imgsz', type=int, default=320)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=0.0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--size', default='t', choices=['t', 'n'])
    ap.add_argument('--init', default='', help='checkpoint to fine-tune from')
    ap.add_argument('--max-minutes', type=float, default=0, help='stop (and finish annealing) by this wall time')
    ap.add_argument('--val-max', type=int, default=400, help='val images used for per-epoch mAP')
    ap.add_argument('--name', default='xray-det')
    ap.add_argument('--version', default='1.0.0')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--device', default='cpu', help="'cpu', 'cuda' or 'auto'")
    ap.add_argument('--amp', action='store_true', help='bf16 autocast for the forward pass (GPU)')
    ap.add_argument('--no-export', action='store_true', help='save model.pt only; export later with export.py')
    ap.add_argument('--grow', type=int, default=0,
                    help='the train cache is parts still being written (gen-dataset.ts --cache): wait for this many '
                         'images, then pick up new parts every epoch')
    ap.add_argument('--epoch-size', type=int, default=0, help='samples per epoch (default: one pass over the data)')
    ap.add_argument('--class-weight', default='',
                    help="sample images holding these classes more often, e.g. 'knife=2,cosmetic=2' (needs --epoch-size)")
    ap.add_argument('--gpu-cache', type=int, default=0,
                    help='keep up to this many train images on the accelerator (uint8; 320 px: 0.3 MB each)')
    args = ap.parse_args()
    device = torch.device('cuda' if args.device == 'auto' and torch.cuda.is_available() else ('cpu' if args.device == 'auto' else args.device))
    if device.type == 'cuda':
        torch.backends.cudnn.benchmark = True

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)

    classes = read_classes(args.data)
    args.class_weight = parse_class_weight(args.class_weight, classes)
    if args.class_weight and not args.epoch_size:
        raise SystemExit('--class-weight needs --epoch-size (weighted sampling replaces the pass over the data)')
    train = LetterboxSet(args.data, 'train', args.imgsz, wait_parts=bool(args.grow))
    last_growth = time.time()
    while args.grow and len(train) < args.grow:
        time.sleep(2)
        if train.refresh():
            last_growth = time.time()
        elif time.time() - last_growth > 180:
            sys.exit(f'no new train parts in {args.data}/cache for 3 minutes: is gen-dataset.ts --cache running? (see its log)')
        print(f'waiting for data: {len(train)}/{args.grow} train images', flush=True)
    val = LetterboxSet(args.data, 'val', args.imgsz)
    if len(val) > args.val_max:
        val.meta, val.boxes = val.meta[:args.val_max], val.boxes[:args.val_max]
    model = Detector(len(classes), args.size)
    fine_tune = bool(args.init)
    if fine_tune:
        load_init(model, args.init, classes)
    model.to(device)
    lr0 = args.lr or (4e-4 if fine_tune else 2e-3)
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (decay if p.ndim == 4 else no_decay).append(p)
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 5e-4}, {'params': no_decay, 'weight_decay': 0.0}], lr=lr0)
    ema = EMA(model)
    cache = DeviceImages(train, device, args.gpu_cache) if args.gpu_cache and device.type != 'cpu' else None
    crit = DetectionLoss(len(classes))
    steps_per_epoch = max(1, (args.epoch_size or len(train)) // args.batch)
    total = steps_per_epoch * args.epochs
    warmup = min(150, total // 10) if not fine_tune else min(50, total // 20)
    gen_info = {}
    info_path = os.path.join(args.data, 'dataset.json')
    if os.path.exists(info_path):
        with open(info_path, encoding='utf-8') as f:
            gen_info = json.load(f)
    t0 = time.time()
    best = -1.0
    step = 0
    print(f'train {len(train)} images, val {len(val)}, {len(classes)} classes, imgsz {args.imgsz}, size {args.size}, '
          f'params {sum(p.numel() for p in model.parameters())}, {steps_per_epoch} steps/epoch', flush=True)
    for epoch in range(args.epochs):
        model.train()
        te = time.time()
        sums = np.zeros(3)
        n = 0
        if args.grow and train.refresh():
            print(f'  train set now {len(train)} images', flush=True)
        if cache is not None and cache.sync():
            print(f'  {cache.count} train images on {device}', flush=True)
        for x, gc, gb, gm, _ in epoch_batches(train, args, rng, device, cache):
            progress = step / total
            if args.max_minutes:
                progress = max(progress, (time.time() - t0) / 60 / args.max_minutes)
            lr = lr0 * (step / warmup if step < warmup else 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))
            for g in opt.param_groups:
                g['lr'] = lr
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.amp):
                feats = model(x)
            if args.amp:
                feats = [(b.float(), c.float()) for b, c in feats]
            loss, lb, lc = crit(feats, gc, gb, gm)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            ema.update(model)
            step += 1
            sums += [loss.item(), lb.item(), lc.item()]
            n += 1
            if step % 50 == 0:
                print(f'  step {step} loss {sums[0] / n:.3f} lr {lr:.2e} {n * args.batch / (time.time() - te):.1f} img/s', flush=True)
            if args.max_minutes and (time.time() - t0) / 60 > args.max_minutes:
                break
        ips = n * args.batch / (time.time() - te)
        metrics, _ = evaluate(ema.model, val, classes, device=device)
        elapsed = time.time() - t0
        eta = elapsed / (epoch + 1) * (args.epochs - epoch - 1)
        if args.max_minutes:
            eta = min(eta, max(0.0, args.max_minutes * 60 - elapsed))
        print(f'epoch {epoch + 1}/{args.epochs} loss {sums[0] / max(n, 1):.3f} (box {sums[1] / max(n, 1):.3f} cls {sums[2] / max(n, 1):.3f}) '
              f'val mAP50 {metrics["mAP50"]:.3f} {ips:.1f} img/s elapsed {elapsed / 60:.1f} min ETA {eta / 60:.1f} min', flush=True)
        if metrics['mAP50'] > best:
            best = metrics['mAP50']
            training = {
                'seed': args.seed, 'epochs': epoch + 1, 'imgsz': args.imgsz, 'size': args.size, 'batch': args.batch, 'lr0': lr0,
                'trainImages': len(train), 'valImages': len(val), 'fineTunedFrom': args.init or None,
                'minutes': round(elapsed / 60, 1), 'dataset': gen_info,
            }
            ckpt = {'model': {k: v.cpu() for k, v in ema.model.state_dict().items()}, 'classes': classes, 'imgsz': args.imgsz, 'size': args.size,
                    'version': args.version, 'metrics': metrics, 'training': training}
            torch.save(ckpt, os.path.join(args.out, 'model.pt'))
            if args.no_export:
                # no manifest to carry the val metrics: keep them beside model.pt
                with open(os.path.join(args.out, 'metrics.json'), 'w', encoding='utf-8') as f:
                    json.dump({'val': metrics, 'training': training}, f, indent=1)
                print(f'  saved best (val mAP50 {best:.3f}) to {args.out}/model.pt (not exported)', flush=True)
            else:
                sha = export_onnx(copy.deepcopy(ema.model).cpu(), classes, args.imgsz, os.path.join(args.out, 'model.onnx'))
                th = {k: v['threshold'] for k, v in metrics['perClass'].items()}
                write_manifest(args.out, args.name, args.version, classes, args.imgsz, sha, th, training,
                               {'valMAP50': metrics['mAP50'], 'valPerClassAP50': {k: v['ap50'] for k, v in metrics['perClass'].items()}})
                print(f'  saved best (val mAP50 {best:.3f}) to {args.out}', flush=True)
        if args.max_minutes and (time.time() - t0) / 60 > args.max_minutes:
            print('time budget reached', flush=True)
            break


if __name__ == '__main__':
    main()
