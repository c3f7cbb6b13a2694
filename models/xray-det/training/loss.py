"""Task-aligned assignment (TAL, as in YOLOv8/TOOD) and the detection loss.

For every ground-truth box, candidate anchors are the anchor points inside it; each candidate gets the
alignment metric score^alpha * IoU^beta, the top-k per box become positives, an anchor claimed by two boxes
goes to the one it overlaps most. Class targets are the alignment metric normalised per box so that its best
anchor's target equals its best IoU: the classifier learns to rank well-localised boxes first, which is what
NMS and mAP reward. Box loss: CIoU weighted by those targets.
"""
import math
import torch
import torch.nn.functional as F

from model import anchor_points, decode_ltrb, flatten


def box_iou_aligned(a, b, ciou=False, eps=1e-7):
    """IoU between boxes broadcast against each other (x1y1x2y2, last dim 4)."""
    ix1 = torch.maximum(a[..., 0], b[..., 0])
    iy1 = torch.maximum(a[..., 1], b[..., 1])
    ix2 = torch.minimum(a[..., 2], b[..., 2])
    iy2 = torch.minimum(a[..., 3], b[..., 3])
    inter = (ix2 - ix1).clamp(min=0) * (iy2 - iy1).clamp(min=0)
    wa, ha = a[..., 2] - a[..., 0], a[..., 3] - a[..., 1]
    wb, hb = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    union = wa * ha + wb * hb - inter + eps
    iou = inter / union
    if not ciou:
        return iou
    cw = torch.maximum(a[..., 2], b[..., 2]) - torch.minimum(a[..., 0], b[..., 0])
    ch = torch.maximum(a[..., 3], b[..., 3]) - torch.minimum(a[..., 1], b[..., 1])
    c2 = cw ** 2 + ch ** 2 + eps
    rho2 = ((a[..., 0] + a[..., 2] - b[..., 0] - b[..., 2]) ** 2 + (a[..., 1] + a[..., 3] - b[..., 1] - b[..., 3]) ** 2) / 4
    v = (4 / math.pi ** 2) * (torch.atan(wb / (hb + eps)) - torch.atan(wa / (ha + eps))) ** 2
    with torch.no_grad():
        alpha = v / (v - iou + (1 + eps))
    return iou - (rho2 / c2 + v * alpha)


@torch.no_grad()
def tal_assign(scores, pboxes, points, gt_cls, gt_box, gt_mask, topk=10, alpha=0.5, beta=6.0):
    """scores [B,N,nc] (sigmoid), pboxes [B,N,4], points [N,2], gt_cls [B,M], gt_box [B,M,4], gt_mask [B,M].
    Returns target boxes [B,N,4], target scores [B,N,nc], foreground mask [B,N]."""
    B, N, nc = scores.shape
    M = gt_box.shape[1]
    if M == 0:
        dev = scores.device
        return torch.zeros(B, N, 4, device=dev), torch.zeros(B, N, nc, device=dev), torch.zeros(B, N, dtype=torch.bool, device=dev)
    lt = points[None, None] - gt_box[:, :, None, :2]
    rb = gt_box[:, :, None, 2:] - points[None, None]
    inside = torch.cat([lt, rb], -1).amin(-1) > 1e-9
    mask = inside & gt_mask[..., None]
    cls_idx = gt_cls.clamp(min=0).long()
    bs = torch.gather(scores.transpose(1, 2), 1, cls_idx[..., None].expand(-1, -1, N))
    iou = box_iou_aligned(gt_box[:, :, None, :], pboxes[:, None, :, :]).clamp(min=0) * mask
    align = bs.pow(alpha) * iou.pow(beta) * mask
    k = min(topk, N)
    top = align.topk(k, dim=-1).indices
    mask_topk = torch.zeros_like(mask).scatter_(-1, top, True)
    mask_pos = mask_topk & mask
    fg_count = mask_pos.sum(1)
    if (fg_count > 1).any():
        best = iou.argmax(1)
        is_best = F.one_hot(best, M).permute(0, 2, 1).bool()
        mask_pos = torch.where((fg_count > 1)[:, None, :], is_best & mask_pos, mask_pos)
    fg = mask_pos.any(1)
    tgt_idx = mask_pos.float().argmax(1)
    t_box = torch.gather(gt_box, 1, tgt_idx[..., None].expand(-1, -1, 4))
    t_cls = torch.gather(cls_idx, 1, tgt_idx)
    align = align * mask_pos
    iou_pos = iou * mask_pos
    norm = (align * iou_pos.amax(-1, keepdim=True) / (align.amax(-1, keepdim=True) + 1e-9)).amax(1)
    t_scores = F.one_hot(t_cls, nc).float() * (norm * fg)[..., None]
    return t_box, t_scores, fg


class DetectionLoss:
    def __init__(self, nc, box_gain=7.5, cls_gain=1.0):
        self.nc = nc
        self.box_gain = box_gain
        self.cls_gain = cls_gain

    def __call__(self, feats, gt_cls, gt_box, gt_mask):
        points, strides = anchor_points(feats)
        box_raw, logits = flatten(feats)
        pboxes = decode_ltrb(box_raw, points, strides)
        t_box, t_scores, fg = tal_assign(logits.detach().sigmoid(), pboxes.detach(), points, gt_cls, gt_box, gt_mask)
        tss = t_scores.sum().clamp(min=1.0)
        loss_cls = F.binary_cross_entropy_with_logits(logits, t_scores, reduction='sum') / tss
        if fg.any():
            w = t_scores.sum(-1)[fg]
            ciou = box_iou_aligned(pboxes[fg], t_box[fg], ciou=True)
            loss_box = ((1.0 - ciou) * w).sum() / tss
        else:
            loss_box = pboxes.sum() * 0.0
        return self.box_gain * loss_box + self.cls_gain * loss_cls, loss_box.detach(), loss_cls.detach()
