// The X-ray image with the image tools applied (pure pixel ops from image-ops.ts), zoom and pan
// (wheel, drag, +/−/0 keys handled by the screen), detection boxes on top, and an optional mode in
// which a drag draws a new box in image coordinates (labelling a missed object).
import { useEffect, useRef, useState } from 'react';
import type { DetectionDto } from '../../shared/api.ts';
import { applyOps, colourise, isGreySource, type ImageOps, type Pixels } from '../image-ops.ts';
import { Boxes } from './Boxes.tsx';

type Box = [number, number, number, number];

export function ImageCanvas(props: {
  url: string | undefined;
  width: number;
  height: number;
  ops: ImageOps;
  zoom: number;
  onZoom(z: number): void;
  detections: DetectionDto[];
  selected?: number;
  extra?: { box: Box; label: string; colour: string }[];
  drawing?: boolean;
  onDrawn?(box: Box): void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const inner = useRef<HTMLDivElement>(null);
  const [base, setBase] = useState<Pixels>();
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const [draft, setDraft] = useState<Box>();
  const drag = useRef<{ x: number; y: number; px: number; py: number; ix: number; iy: number } | undefined>(undefined);

  useEffect(() => {
    if (!props.url) return;
    let live = true;
    const img = new Image();
    img.onload = () => {
      if (!live) return;
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d', { willReadFrequently: true })!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height);
      const px: Pixels = { width: d.width, height: d.height, data: d.data };
      setBase(isGreySource(px) ? colourise(px) : px);
    };
    img.src = props.url;
    return () => {
      live = false;
    };
  }, [props.url]);

  useEffect(() => {
    if (!base || !canvas.current) return;
    const out = applyOps(base, props.ops);
    canvas.current.width = out.width;
    canvas.current.height = out.height;
    canvas.current.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(out.data), out.width, out.height), 0, 0);
  }, [base, props.ops]);

  useEffect(() => {
    if (props.zoom === 1) setPan({ x: 0, y: 0 });
  }, [props.zoom]);

  const toImage = (clientX: number, clientY: number): [number, number] => {
    const r = inner.current!.getBoundingClientRect();
    return [((clientX - r.left) / r.width) * props.width, ((clientY - r.top) / r.height) * props.height];
  };

  return (
    <div
      className={`image-canvas ${props.drawing ? 'drawing' : ''}`}
      onWheel={(e) => props.onZoom(Math.min(8, Math.max(1, props.zoom * (e.deltaY < 0 ? 1.2 : 1 / 1.2))))}
      onMouseDown={(e) => {
        const [ix, iy] = toImage(e.clientX, e.clientY);
        drag.current = { x: e.clientX, y: e.clientY, px: pan.x, py: pan.y, ix, iy };
      }}
      onMouseMove={(e) => {
        const d = drag.current;
        if (!d) return;
        if (props.drawing) {
          const [ix, iy] = toImage(e.clientX, e.clientY);
          setDraft([Math.min(d.ix, ix), Math.min(d.iy, iy), Math.max(d.ix, ix), Math.max(d.iy, iy)]);
        } else setPan({ x: d.px + (e.clientX - d.x), y: d.py + (e.clientY - d.y) });
      }}
      onMouseUp={() => {
        if (props.drawing && draft && draft[2] - draft[0] > 4 && draft[3] - draft[1] > 4) props.onDrawn?.(draft.map(Math.round) as Box);
        setDraft(undefined);
        drag.current = undefined;
      }}
      onMouseLeave={() => (drag.current = undefined)}
    >
      <div ref={inner} className="image-inner" style={{ aspectRatio: `${props.width} / ${props.height}`, transform: `translate(${pan.x}px, ${pan.y}px) scale(${props.zoom})` }}>
        <canvas ref={canvas} data-testid="detail-canvas" />
        <Boxes
          width={props.width}
          height={props.height}
          detections={props.detections}
          {...(props.selected !== undefined ? { selected: props.selected } : {})}
          extra={[...(props.extra ?? []), ...(draft ? [{ box: draft, label: '+', colour: '#00e5ff' }] : [])]}
        />
      </div>
    </div>
  );
}
