import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Label } from '../../../src/shared/api.ts';
import { DETECTION_LABELS } from '../../../src/shared/domain/detection.ts';
import { exportYolo, finalBoxes, labelsFor, saveLabel, yoloLine } from '../../../src/main/console/labels.ts';
import { ParcelRepository } from '../../../src/main/line/repository.ts';
import { openDatabase } from '../../../src/main/storage/db.ts';
import { storeImage } from '../../../src/main/storage/images.ts';
import { tempDir } from '../../helpers/tmp.ts';

const label = (l: Partial<Label> & Pick<Label, 'kind' | 'label' | 'box'>): Label => ({ id: 0, scanId: 'S1', detectionIndex: null, by: 'operator', at: '2026-11-27T00:00:00Z', ...l });

describe('YOLO labels', () => {
  it('normalise a box to centre and size in 0..1, clipped to the image', () => {
    expect(yoloLine(3, [100, 50, 300, 250], 1000, 500)).toBe('3 0.200000 0.300000 0.200000 0.400000');
    expect(yoloLine(0, [-20, -10, 120, 60], 200, 100)).toBe('0 0.300000 0.300000 0.600000 0.600000');
    expect(yoloLine(1, [150, 80, 260, 130], 200, 100)).toBe('1 0.875000 0.900000 0.250000 0.200000');
  });

  it('keep confirmed detections and drawn boxes; the latest judgement of a detection wins', () => {
    const boxes = finalBoxes([
      label({ kind: 'confirm', detectionIndex: 0, label: 'phone', box: [1, 1, 5, 5] }),
      label({ kind: 'confirm', detectionIndex: 1, label: 'knife', box: [2, 2, 6, 6] }),
      label({ kind: 'reject', detectionIndex: 1, label: 'knife', box: [2, 2, 6, 6] }),
      label({ kind: 'reject', detectionIndex: 2, label: 'gun', box: [3, 3, 7, 7] }),
      label({ kind: 'add', label: 'battery', box: [10, 10, 20, 20] }),
    ]);
    expect(boxes).toEqual([
      { label: 'phone', box: [1, 1, 5, 5] },
      { label: 'battery', box: [10, 10, 20, 20] },
    ]);
  });

  it('refuse an empty box, a drawn box naming a detection, and a judgement without one', () => {
    const { db } = openDatabase(join(tempDir('labels-'), 'station.db'));
    expect(() => saveLabel(db, { scanId: 'S1', detectionIndex: null, kind: 'add', label: 'phone', box: [10, 10, 10, 20] }, 'op')).toThrow('box [10, 10, 10, 20] is empty');
    expect(() => saveLabel(db, { scanId: 'S1', detectionIndex: 0, kind: 'add', label: 'phone', box: [1, 1, 2, 2] }, 'op')).toThrow('a drawn box does not refer to a detection');
    expect(() => saveLabel(db, { scanId: 'S1', detectionIndex: null, kind: 'reject', label: 'phone', box: [1, 1, 2, 2] }, 'op')).toThrow('reject needs the detection it judges');
    expect(() => saveLabel(db, { scanId: 'NOPE', detectionIndex: null, kind: 'add', label: 'phone', box: [1, 1, 2, 2] }, 'op')).toThrow('no parcel NOPE');
  });

  it('export images/, labels/ and data.yaml with the detector classes first', async () => {
    const dir = tempDir('yolo-');
    const { db } = openDatabase(join(dir, 'station.db'));
    const repo = new ParcelRepository(db);
    const at = '2026-11-27T08:00:00.000Z';
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'); // stands in for image bytes
    const img = await storeImage(join(dir, 'images'), png, 'png');
    repo.saveImageRow({ sha256: img.sha256, relPath: img.relPath, format: 'png', width: 800, height: 400, bytes: png.length }, at);
    repo.createParcel({ scanId: 'SCAN-A', stationId: 'demo-01', lineId: 'line-1', barcodes: [], imageSha256: img.sha256, deadlineAt: at, createdAt: at });
    repo.createParcel({ scanId: 'SCAN-B', stationId: 'demo-01', lineId: 'line-1', barcodes: [], imageSha256: img.sha256, deadlineAt: at, createdAt: at });
    saveLabel(db, { scanId: 'SCAN-A', detectionIndex: 0, kind: 'confirm', label: 'knife', box: [0, 0, 400, 200] }, 'li.wei');
    saveLabel(db, { scanId: 'SCAN-A', detectionIndex: null, kind: 'add', label: 'hair-dryer', box: [400, 200, 800, 400] }, 'li.wei');
    saveLabel(db, { scanId: 'SCAN-B', detectionIndex: 0, kind: 'reject', label: 'gun', box: [10, 10, 20, 20] }, 'li.wei');
    expect(labelsFor(db, 'SCAN-A').map((l) => l.kind)).toEqual(['confirm', 'add']);

    const out = join(dir, 'export');
    const r = exportYolo(db, join(dir, 'images'), out, 'li.wei');
    expect(r).toEqual({ dir: out, images: 2, boxes: 2, classes: [...DETECTION_LABELS, 'hair-dryer'] });
    expect(readdirSync(join(out, 'images')).sort()).toEqual(['SCAN-A.png', 'SCAN-B.png']);
    expect(readFileSync(join(out, 'images', 'SCAN-A.png'))).toEqual(png);
    const knife = DETECTION_LABELS.indexOf('knife' as never);
    expect(readFileSync(join(out, 'labels', 'SCAN-A.txt'), 'utf8')).toBe(`${knife} 0.250000 0.250000 0.500000 0.500000\n${DETECTION_LABELS.length} 0.750000 0.750000 0.500000 0.500000\n`);
    // A parcel whose only detection was rejected is a negative example: an empty label file.
    expect(readFileSync(join(out, 'labels', 'SCAN-B.txt'), 'utf8')).toBe('');
    const yaml = readFileSync(join(out, 'data.yaml'), 'utf8');
    expect(yaml).toContain(`nc: ${DETECTION_LABELS.length + 1}\n`);
    expect(yaml).toContain('train: images\n');
    expect(yaml).toMatch(/names: \["gun", .*"hair-dryer"\]/);
  });
});
