"""ONNX export in the standard Ultralytics YOLOv8 layout, plus the station's manifest.

Output `output0` is [1, 4 + nc, N]: cx, cy, w, h in input pixels, then per-class sigmoid scores (no
objectness). The ONNX metadata carries the same keys Ultralytics writes (names, imgsz, stride, task), so
the station reads our model and a site's Ultralytics export the same way.

Usage: python3 export.py --model ../ [--version 1.0.0]   (reads ../model.pt, writes ../model.onnx + ../manifest.json)
"""
import argparse
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from model import Detector, Exported  # noqa: E402

OPSET = 13


def export_onnx(model, classes, imgsz, path):
    import onnx

    model.eval()
    wrapped = Exported(model, imgsz).eval()
    dummy = torch.zeros(1, 3, imgsz, imgsz)
    tmp = path + '.tmp'
    torch.onnx.export(wrapped, dummy, tmp, opset_version=OPSET, input_names=['images'], output_names=['output0'], do_constant_folding=True)
    m = onnx.load(tmp)
    meta = {
        'description': 'xray-det: dual-energy X-ray parcel object detector (station training pipeline)',
        'task': 'detect',
        'stride': '32',
        'imgsz': f'[{imgsz}, {imgsz}]',
        'names': '{' + ', '.join(f"{i}: '{n}'" for i, n in enumerate(classes)) + '}',
    }
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    onnx.save(m, tmp)
    os.replace(tmp, path)
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_manifest(out_dir, name, version, classes, imgsz, sha256, thresholds, training, metrics):
    manifest = {
        'name': name,
        'version': version,
        'labels': classes,
        'input': {
            'width': imgsz,
            'height': imgsz,
            'channels': 3,
            'layout': 'NCHW',
            'colorOrder': 'RGB',
            'normalization': {'scale': 1 / 255, 'mean': [0, 0, 0], 'std': [1, 1, 1]},
            'letterboxPad': 114,
        },
        'output': {'layout': 'yolov8', 'boxFormat': 'cxcywh', 'scores': 'sigmoid'},
        'thresholds': {'default': 0.25, 'perClass': thresholds},
        'nmsIou': 0.5,
        'sha256': sha256,
        'training': training,
        'metrics': metrics,
    }
    path = os.path.join(out_dir, 'manifest.json')
    with open(path + '.tmp', 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    os.replace(path + '.tmp', path)
    return manifest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True, help='folder with model.pt; model.onnx and manifest.json are written there')
    ap.add_argument('--name', default='xray-det')
    ap.add_argument('--version', default='')
    args = ap.parse_args()
    ckpt = torch.load(os.path.join(args.model, 'model.pt'), map_location='cpu', weights_only=False)
    model = Detector(len(ckpt['classes']), ckpt['size'])
    model.load_state_dict(ckpt['model'])
    sha = export_onnx(model, ckpt['classes'], ckpt['imgsz'], os.path.join(args.model, 'model.onnx'))
    m = ckpt.get('metrics', {})
    th = {k: v['threshold'] for k, v in m.get('perClass', {}).items()}
    write_manifest(args.model, args.name, args.version or ckpt.get('version', '1.0.0'), ckpt['classes'], ckpt['imgsz'], sha, th, ckpt.get('training', {}), m)
    print(f'exported {args.model}/model.onnx sha256 {sha}')


if __name__ == '__main__':
    main()
