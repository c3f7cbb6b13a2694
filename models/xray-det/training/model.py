"""A small YOLOv8-style anchor-free detector, written from scratch.

Backbone: conv-BN-SiLU with C2f blocks and SPPF; neck: FPN + PAN; decoupled box/class heads at
strides 8/16/32. Box regression predicts the four distances (left, top, right, bottom) from the anchor
point directly (softplus * stride) instead of YOLOv8's DFL distribution: fewer output channels and a
simpler export, at a small cost in localisation precision on large objects.

`forward()` returns raw per-level maps for the loss; `Exported` wraps the model so the ONNX output is the
standard Ultralytics YOLOv8 layout [1, 4 + nc, N]: cx, cy, w, h in input pixels, then sigmoid scores.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDES = (8, 16, 32)


class Conv(nn.Module):
    def __init__(self, c1, c2, k=1, s=1):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(c2, eps=1e-3, momentum=0.03)
        self.act = nn.SiLU(inplace=True)

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    def __init__(self, c, shortcut=True):
        super().__init__()
        self.cv1 = Conv(c, c, 3)
        self.cv2 = Conv(c, c, 3)
        self.add = shortcut

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C2f(nn.Module):
    """Split, run n bottlenecks, concatenate every intermediate (YOLOv8's cheap-gradient-path block)."""

    def __init__(self, c1, c2, n=1, shortcut=True):
        super().__init__()
        self.c = c2 // 2
        self.cv1 = Conv(c1, 2 * self.c, 1)
        self.m = nn.ModuleList(Bottleneck(self.c, shortcut) for _ in range(n))
        self.cv2 = Conv((2 + n) * self.c, c2, 1)

    def forward(self, x):
        y = list(self.cv1(x).chunk(2, 1))
        for m in self.m:
            y.append(m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class SPPF(nn.Module):
    def __init__(self, c1, c2, k=5):
        super().__init__()
        c_ = c1 // 2
        self.cv1 = Conv(c1, c_, 1)
        self.cv2 = Conv(c_ * 4, c2, 1)
        self.k = k

    def forward(self, x):
        x = self.cv1(x)
        y1 = F.max_pool2d(x, self.k, 1, self.k // 2)
        y2 = F.max_pool2d(y1, self.k, 1, self.k // 2)
        y3 = F.max_pool2d(y2, self.k, 1, self.k // 2)
        return self.cv2(torch.cat([x, y1, y2, y3], 1))


class Head(nn.Module):
    def __init__(self, c, nc, cb, cc):
        super().__init__()
        self.box = nn.Sequential(Conv(c, cb, 3), Conv(cb, cb, 3), nn.Conv2d(cb, 4, 1))
        self.cls = nn.Sequential(Conv(c, cc, 3), Conv(cc, cc, 3), nn.Conv2d(cc, nc, 1))

    def forward(self, x):
        return self.box(x), self.cls(x)


# width multipliers: "n" is YOLOv8n's channel plan; "t" (tiny) halves the deep stages for 2-core training.
SIZES = {
    'n': ((16, 32, 64, 128, 256), (1, 2, 2, 1)),
    't': ((16, 24, 48, 96, 160), (1, 1, 1, 1)),
}


class Detector(nn.Module):
    def __init__(self, nc, size='t'):
        super().__init__()
        self.nc = nc
        self.size = size
        (w0, w1, w2, w3, w4), (d1, d2, d3, d4) = SIZES[size]
        self.stem = Conv(3, w0, 3, 2)
        self.s2 = nn.Sequential(Conv(w0, w1, 3, 2), C2f(w1, w1, d1))
        self.s3 = nn.Sequential(Conv(w1, w2, 3, 2), C2f(w2, w2, d2))
        self.s4 = nn.Sequential(Conv(w2, w3, 3, 2), C2f(w3, w3, d3))
        self.s5 = nn.Sequential(Conv(w3, w4, 3, 2), C2f(w4, w4, d4), SPPF(w4, w4))
        self.up4 = C2f(w4 + w3, w3, 1, False)
        self.up3 = C2f(w3 + w2, w2, 1, False)
        self.down4 = Conv(w2, w2, 3, 2)
        self.pan4 = C2f(w2 + w3, w3, 1, False)
        self.down5 = Conv(w3, w3, 3, 2)
        self.pan5 = C2f(w3 + w4, w4, 1, False)
        cb = max(16, w2 // 2)
        cc = max(w2, min(nc, 64))
        self.heads = nn.ModuleList(Head(c, nc, cb, cc) for c in (w2, w3, w4))
        self._init_bias()

    def _init_bias(self):
        for head, s in zip(self.heads, STRIDES):
            # Class prior ~0.01 so early training is not swamped by background; box distances start near 2 strides.
            nn.init.constant_(head.cls[-1].bias, -4.6)
            nn.init.constant_(head.box[-1].bias, 1.8)

    def forward(self, x):
        """Returns per level (box_raw [B,4,H,W], cls_logits [B,nc,H,W])."""
        p3 = self.s3(self.s2(self.stem(x)))
        p4 = self.s4(p3)
        p5 = self.s5(p4)
        n4 = self.up4(torch.cat([F.interpolate(p5, scale_factor=2.0, mode='nearest'), p4], 1))
        o3 = self.up3(torch.cat([F.interpolate(n4, scale_factor=2.0, mode='nearest'), p3], 1))
        o4 = self.pan4(torch.cat([self.down4(o3), n4], 1))
        o5 = self.pan5(torch.cat([self.down5(o4), p5], 1))
        return [h(o) for h, o in zip(self.heads, (o3, o4, o5))]


def anchor_points(feats, strides=STRIDES):
    """Anchor centres (in input pixels) and per-anchor stride, flattened level by level."""
    pts, st = [], []
    for (box, _), s in zip(feats, strides):
        h, w = box.shape[-2:]
        dev = box.device
        ys = (torch.arange(h, dtype=torch.float32, device=dev) + 0.5) * s
        xs = (torch.arange(w, dtype=torch.float32, device=dev) + 0.5) * s
        yy, xx = torch.meshgrid(ys, xs, indexing='ij')
        pts.append(torch.stack([xx.reshape(-1), yy.reshape(-1)], 1))
        st.append(torch.full((h * w, 1), float(s), device=dev))
    return torch.cat(pts), torch.cat(st)


def flatten(feats):
    """[B, N, 4] raw distances and [B, N, nc] logits."""
    box = torch.cat([b.flatten(2) for b, _ in feats], 2).transpose(1, 2)
    cls = torch.cat([c.flatten(2) for _, c in feats], 2).transpose(1, 2)
    return box, cls


def decode_ltrb(box_raw, points, strides):
    """Raw distances -> x1y1x2y2 in input pixels."""
    d = F.softplus(box_raw) * strides
    return torch.cat([points - d[..., :2], points + d[..., 2:]], -1)


class Exported(nn.Module):
    """Inference wrapper: output [1, 4 + nc, N] = cx, cy, w, h (input pixels) then sigmoid class scores."""

    def __init__(self, model, imgsz):
        super().__init__()
        self.model = model
        feats = [(torch.zeros(1, 4, imgsz // s, imgsz // s), None) for s in STRIDES]
        pts, st = anchor_points(feats)
        self.register_buffer('points', pts)
        self.register_buffer('strides', st)

    def forward(self, x):
        box_raw, cls = flatten(self.model(x))
        d = F.softplus(box_raw) * self.strides
        lt, rb = d[..., :2], d[..., 2:]
        cxcy = self.points + (rb - lt) / 2
        wh = lt + rb
        out = torch.cat([cxcy, wh, cls.sigmoid()], -1)
        return out.transpose(1, 2)
