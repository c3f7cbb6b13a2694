// Detection boxes drawn as SVG over the image, in image pixel coordinates (viewBox), so they scale
// and zoom with it. Colour says the match status; the label is in the operator's language.
import type { DetectionDto } from '../../shared/api.ts';
import { useI18n } from '../i18n/index.ts';

export const STATUS_COLOUR: Record<DetectionDto['status'], string> = { match: '#2ecc71', undeclared: '#ffb000', flagged: '#ff3b30' };

export function Boxes(props: { width: number; height: number; detections: DetectionDto[]; selected?: number; extra?: { box: [number, number, number, number]; label: string; colour: string }[] }) {
  const { label } = useI18n();
  const stroke = Math.max(2, props.width / 320);
  const font = Math.max(14, props.width / 40);
  const all = [
    ...props.detections.map((d) => ({ key: `d${d.index}`, box: d.box, text: `${label(d.label)} ${Math.round(d.score * 100)}%`, colour: STATUS_COLOUR[d.status], sel: d.index === props.selected, score: d.score })),
    ...(props.extra ?? []).map((e, i) => ({ key: `e${i}`, box: e.box, text: label(e.label), colour: e.colour, sel: false, score: 2 })),
  ];
  // Frames first, then the labels from the least to the most confident (the selected one last), so
  // overlapping labels never hide the strongest finding behind a weak one.
  const labelOrder = [...all].sort((a, b) => Number(a.sel) - Number(b.sel) || a.score - b.score);
  return (
    <svg className="boxes" viewBox={`0 0 ${props.width} ${props.height}`} preserveAspectRatio="xMidYMid meet" aria-hidden="true">
      {all.map((b) => {
        const [x1, y1, x2, y2] = b.box;
        return (
          <rect key={b.key} x={x1} y={y1} width={x2 - x1} height={y2 - y1} fill="none" stroke={b.colour} strokeWidth={b.sel ? stroke * 2.2 : stroke} strokeDasharray={b.sel ? `${stroke * 4} ${stroke * 2}` : undefined} />
        );
      })}
      {labelOrder.map((b) => {
        const [x1, y1, , y2] = b.box;
        const tw = b.text.length * font * 0.62 + 8;
        const ty = y1 - font - 4 < 0 ? y2 : y1 - font - 4;
        return (
          <g key={`${b.key}-label`}>
            <rect x={x1} y={ty} width={tw} height={font + 4} fill={b.colour} />
            <text x={x1 + 4} y={ty + font} fontSize={font} fontWeight={700} fill="#000">
              {b.text}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
