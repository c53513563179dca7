// The scale results as an SVG the bench draws itself: one panel per figure, N on a log axis, a line
// for our rollout and one for the bare workflow beside it.
import type { ScaleResult } from './scale.js';

interface Series {
  name: string;
  colour: string;
  points: [number, number][];
}

interface Panel {
  title: string;
  unit: string;
  series: Series[];
}

const WIDTH = 300;
const HEIGHT = 200;
const PAD = { left: 48, right: 12, top: 28, bottom: 32 };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function panel(p: Panel, x0: number): string {
  const xs = p.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = p.series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const yMax = Math.max(1e-9, ...ys) * 1.1;
  const lx = (x: number) =>
    xMax === xMin
      ? PAD.left
      : PAD.left +
        ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) *
          (WIDTH - PAD.left - PAD.right);
  const ly = (y: number) => HEIGHT - PAD.bottom - (y / yMax) * (HEIGHT - PAD.top - PAD.bottom);
  const parts = [
    `<g transform="translate(${x0},0)">`,
    `<text x="${PAD.left}" y="16" font-size="12" font-weight="bold">${escape(p.title)} (${escape(p.unit)})</text>`,
    `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#888"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#888"/>`,
    `<text x="${PAD.left - 4}" y="${PAD.top + 4}" font-size="10" text-anchor="end">${yMax.toPrecision(3)}</text>`,
    `<text x="${PAD.left - 4}" y="${HEIGHT - PAD.bottom}" font-size="10" text-anchor="end">0</text>`,
    ...[...new Set(xs)].map(
      (x) =>
        `<text x="${lx(x)}" y="${HEIGHT - PAD.bottom + 14}" font-size="10" text-anchor="middle">${x}</text>`,
    ),
    `<text x="${(WIDTH + PAD.left) / 2}" y="${HEIGHT - 4}" font-size="10" text-anchor="middle">rollouts (N)</text>`,
  ];
  p.series.forEach((s, i) => {
    const points = s.points.filter(([, y]) => Number.isFinite(y));
    parts.push(
      `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${points.map(([x, y]) => `${lx(x).toFixed(1)},${ly(y).toFixed(1)}`).join(' ')}"/>`,
      ...points.map(
        ([x, y]) => `<circle cx="${lx(x).toFixed(1)}" cy="${ly(y).toFixed(1)}" r="3" fill="${s.colour}"/>`,
      ),
      `<text x="${WIDTH - PAD.right}" y="${PAD.top + 12 * i}" font-size="10" text-anchor="end" fill="${s.colour}">${escape(s.name)}</text>`,
    );
  });
  parts.push('</g>');
  return parts.join('\n');
}

export function scalePlot(results: readonly ScaleResult[]): string {
  const line = (name: string, colour: string, y: (r: ScaleResult) => number): Series => ({
    name,
    colour,
    points: results.map((r) => [r.n, y(r)]),
  });
  const panels: Panel[] = [
    {
      title: 'measurement lateness p99',
      unit: 'ms',
      series: [
        line('rollout', '#c0392b', (r) => r.rollout.lateness.p99),
        line('bare', '#2980b9', (r) => r.bare.lateness.p99),
      ],
    },
    {
      title: 'worker CPU',
      unit: '% of a core',
      series: [
        line('rollout', '#c0392b', (r) => r.rollout.workerCpuPercent),
        line('bare', '#2980b9', (r) => r.bare.workerCpuPercent),
      ],
    },
    {
      title: 'worker RSS',
      unit: 'MiB',
      series: [
        line('rollout', '#c0392b', (r) => r.rollout.workerMaxRssMiB),
        line('bare', '#2980b9', (r) => r.bare.workerMaxRssMiB),
      ],
    },
  ];
  const width = WIDTH * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" font-family="sans-serif">`,
    `<rect width="${width}" height="${HEIGHT}" fill="white"/>`,
    ...panels.map((p, i) => panel(p, i * WIDTH)),
    '</svg>',
    '',
  ].join('\n');
}
