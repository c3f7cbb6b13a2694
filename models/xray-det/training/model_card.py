"""Writes MODEL_CARD.md from the manifest, the test-set metrics (evaluate.py --json) and the benchmark
(bench/inference.ts output), so the card always states the numbers of the model it sits next to.

  python3 model_card.py --model .. --test ../test-metrics.json --bench ../bench.json --planted ../planted.json
"""
import argparse
import json
import os


def load(path):
    if path and os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True)
    ap.add_argument('--test', default='')
    ap.add_argument('--bench', default='')
    ap.add_argument('--test-desc', default='')
    ap.add_argument('--notes', default='', help='markdown file appended as "Known limits"')
    ap.add_argument('--training', default='', help='markdown file for the "Training" section (a model with a lineage of runs)')
    ap.add_argument('--goals', default='', help='markdown file appended after "Inference" (goals, planted-object check)')
    args = ap.parse_args()
    man = load(os.path.join(args.model, 'manifest.json'))
    test = load(args.test)
    bench = load(args.bench)
    tr = man.get('training', {})
    size = os.path.getsize(os.path.join(args.model, 'model.onnx'))
    L = []
    L.append(f"# Model card: {man['name']}@{man['version']}\n")
    L.append('Object detector for dual-energy X-ray parcel images (smart image inspection). Trained from scratch '
             'on synthetic images only; written and trained by the station project (`training/`).\n')
    L.append('## Model\n')
    L.append(f"- Architecture: YOLOv8-style anchor-free detector, size `{tr.get('size')}` (C2f backbone + SPPF, FPN/PAN neck, "
             'decoupled heads at strides 8/16/32, direct ltrb box regression, no DFL), task-aligned assigner, BCE + CIoU loss.')
    L.append(f"- Input: {man['input']['width']}×{man['input']['height']} RGB, letterboxed (pad {man['input']['letterboxPad']}), scaled to 0..1.")
    L.append(f"- Output: `[1, {4 + len(man['labels'])}, N]` (Ultralytics YOLOv8 layout: cx, cy, w, h in input pixels, then sigmoid class scores).")
    L.append(f"- Labels ({len(man['labels'])}): {', '.join(man['labels'])}.")
    L.append(f"- `model.onnx`: {size / 1e6:.1f} MB, opset 13, sha256 `{man['sha256']}`.\n")
    L.append('## Data\n')
    L.append(f"- Training: {tr.get('trainImages')} synthetic parcels (generator `src/shared/xray`, `training/gen-dataset.ts`, "
             f"seed {tr.get('dataset', {}).get('seed', '?')}, 10 % single-energy greyscale), validation {tr.get('valImages')} parcels of "
             f"{'seed ' + str(tr['dataset']['valSeed']) if 'valSeed' in tr.get('dataset', {}) else 'the same seed'}.")
    if args.test_desc:
        L.append(f'- Test: {args.test_desc}')
    L.append('- Images are 640×480 renderings with packaging, clutter (clothes, paper, cables, shoes, packaging), '
             'overlap/occlusion and scanner artefacts as modelled by the generator; labels are the visible-object boxes it emits.\n')
    L.append('## Training\n')
    training_md = load_text(args.training)
    if training_md:
        L.append(training_md.rstrip() + '\n')
    else:
        origin = f"continued from `{tr['fineTunedFrom']}`" if tr.get('fineTunedFrom') else 'from scratch'
        L.append(f"- {origin[0].upper() + origin[1:]}, seed {tr.get('seed')}, {tr.get('epochs')} epochs (best val epoch) in {tr.get('minutes')} min on the shared 2-core machine, "
                 f"batch {tr.get('batch')}, AdamW lr {tr.get('lr0')}, warm-up + cosine, EMA weights.")
        L.append('- Augmentation: flips, transposes (all 8 square symmetries), ±10 % gain / offset jitter.\n')
    L.append('## Metrics\n')
    if test:
        L.append(f"Test set, mAP50 (COCO 101-point interpolation, IoU 0.5, class-aware NMS 0.6, conf ≥ 0.001): **{test['mAP50']:.3f}** mean over classes "
                 f"({test['images']} images).\n")
        L.append('| class | AP50 | instances | threshold (F1-best on test) | precision | recall |')
        L.append('|---|---|---|---|---|---|')
        for k, v in test['perClass'].items():
            L.append(f"| {k} | {v['ap50']:.3f} | {v['instances']} | {v['threshold']:.2f} | {v['precisionAtThreshold']:.2f} | {v['recallAtThreshold']:.2f} |")
        L.append('\nThe manifest\'s per-class thresholds are the F1-best points on the validation set at the saved epoch.\n')
        L.append('![precision-recall per class](pr-curves.png)\n')
        L.append('`pr-curves.png`: precision (y) over recall (x) per class; the legend on the right shows each class colour '
                 'with a bar as long as its AP50 (order = label order above).\n')
    if bench:
        L.append('## Inference\n')
        kind = {'png': 'PNGs', 'pnm': 'raw netpbm frames', 'tiff': 'TIFFs', 'jpeg': 'JPEGs'}.get(bench.get('format', 'png'), 'images')
        L.append(f"`bench/inference.ts` ({bench['images']} generated 640×480 {kind}, onnxruntime-node CPU, {bench['threads']} intra-op thread(s), "
                 f"input {bench['inputSize']}):\n")
        L.append(f"- inference p50 {bench['inferenceMs']['p50']} ms, p99 {bench['inferenceMs']['p99']} ms")
        L.append(f"- decode + preprocess + inference + NMS p50 {bench['endToEndMs']['p50']} ms, p99 {bench['endToEndMs']['p99']} ms "
                 f"(p99 ratio {bench['ratioP99']})\n")
    goals = load_text(args.goals)
    if goals:
        L.append(goals.rstrip() + '\n')
    notes = load_text(args.notes)
    if notes:
        L.append('## Known limits\n')
        L.append(notes)
    with open(os.path.join(args.model, 'MODEL_CARD.md'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(L).rstrip() + '\n')


def load_text(path):
    if path and os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            return f.read()
    return ''


if __name__ == '__main__':
    main()
