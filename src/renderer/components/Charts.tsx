// Small SVG charts (no chart library): vertical bars with an optional stacked part, and labelled
// horizontal bars. Sized for a 1080p monitor read from a metre away.

export function BarChart(props: { data: { label: string; value: number; part?: number }[]; height?: number; colour?: string; partColour?: string; unit?: string; empty: string }) {
  const h = props.height ?? 200;
  if (props.data.length === 0) return <p className="empty">{props.empty}</p>;
  const max = Math.max(1, ...props.data.map((d) => d.value));
  const bw = Math.max(18, Math.min(80, 860 / props.data.length));
  const w = props.data.length * bw + 60;
  return (
    <svg className="chart" viewBox={`0 0 ${w} ${h + 50}`} role="img">
      <line x1={50} y1={h} x2={w} y2={h} stroke="#8a94a6" />
      <text x={44} y={14} textAnchor="end" className="axis">
        {max}
      </text>
      <text x={44} y={h} textAnchor="end" className="axis">
        0
      </text>
      {props.data.map((d, i) => {
        const x = 56 + i * bw;
        const bh = (d.value / max) * (h - 20);
        const ph = ((d.part ?? 0) / max) * (h - 20);
        return (
          <g key={d.label}>
            <rect x={x} y={h - bh} width={bw - 6} height={bh} fill={props.colour ?? '#4aa3ff'} />
            {d.part ? <rect x={x} y={h - ph} width={bw - 6} height={ph} fill={props.partColour ?? '#ffb000'} /> : null}
            <text x={x + (bw - 6) / 2} y={h - bh - 6} textAnchor="middle" className="value">
              {d.value}
            </text>
            <text x={x + (bw - 6) / 2} y={h + 22} textAnchor="middle" className="axis">
              {d.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function HBarChart(props: { data: { label: string; value: number; text: string; colour?: string }[]; max?: number; empty: string }) {
  if (props.data.length === 0) return <p className="empty">{props.empty}</p>;
  const max = props.max ?? Math.max(1e-9, ...props.data.map((d) => d.value));
  const row = 40;
  return (
    <svg className="chart" viewBox={`0 0 900 ${props.data.length * row + 10}`} role="img">
      {props.data.map((d, i) => (
        <g key={d.label} transform={`translate(0 ${i * row + 5})`}>
          <text x={330} y={24} textAnchor="end" className="axis">
            {d.label}
          </text>
          <rect x={340} y={4} width={Math.max(2, (d.value / max) * 440)} height={28} fill={d.colour ?? '#4aa3ff'} />
          <text x={340 + Math.max(2, (d.value / max) * 440) + 8} y={24} className="value">
            {d.text}
          </text>
        </g>
      ))}
    </svg>
  );
}
