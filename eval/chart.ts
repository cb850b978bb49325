/** The evaluation's chart: the adaptation curve beside the strategy comparison, drawn as SVG and rasterised with sharp. */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import type { EvaluationReport } from './evaluation';

const WIDTH = 1260;
const HEIGHT = 600;
const PANEL = { top: 60, bottom: 440, height: 380 };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function yAxis(x0: number, x1: number): string {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((v) => {
    const y = PANEL.bottom - v * PANEL.height;
    return `<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#e3e3e3"/><text x="${x0 - 8}" y="${y + 4}" text-anchor="end" font-size="12">${v.toFixed(2)}</text>`;
  });
  return ticks.join('');
}

function adaptationPanel(report: EvaluationReport): string {
  const x0 = 70;
  const x1 = 520;
  const curve = report.adaptation.curve;
  const steps = Math.max(1, curve.length - 1);
  const x = (n: number) => x0 + (n / steps) * (x1 - x0);
  const y = (v: number) => PANEL.bottom - v * PANEL.height;
  const styleLines = Object.entries(report.adaptation.byStyle).map(
    ([, values]) => `<polyline fill="none" stroke="#9bb7d4" stroke-width="1.2" points="${values.map((v, n) => `${x(n)},${y(v)}`).join(' ')}"/>`,
  );
  const points = curve.map((v, n) => `${x(n)},${y(v)}`).join(' ');
  const labels = curve.map((_, n) => `<text x="${x(n)}" y="${PANEL.bottom + 18}" text-anchor="middle" font-size="12">${n}</text>`).join('');
  return [
    `<text x="${x0}" y="30" font-size="16" font-weight="bold">A new user's style precision@10 after n views of one style</text>`,
    yAxis(x0, x1),
    `<line x1="${x0}" y1="${y(0.7)}" x2="${x1}" y2="${y(0.7)}" stroke="#c0392b" stroke-dasharray="6 4"/>`,
    `<text x="${x1}" y="${y(0.7) - 6}" text-anchor="end" font-size="12" fill="#c0392b">target 0.7</text>`,
    ...styleLines,
    `<polyline fill="none" stroke="#1f5f99" stroke-width="3" points="${points}"/>`,
    ...curve.map((v, n) => `<circle cx="${x(n)}" cy="${y(v)}" r="4" fill="#1f5f99"/>`),
    labels,
    `<text x="${(x0 + x1) / 2}" y="${PANEL.bottom + 40}" text-anchor="middle" font-size="13">events recorded (thin lines: each style; thick: mean)</text>`,
  ].join('');
}

function strategyPanel(report: EvaluationReport): string {
  const x0 = 640;
  const x1 = 1150;
  const rows = report.strategies;
  const group = (x1 - x0) / rows.length;
  const bar = group / 3;
  const y = (v: number) => PANEL.bottom - v * PANEL.height;
  const bars = rows.map((s, i) => {
    const gx = x0 + i * group + bar / 2;
    return [
      `<rect x="${gx}" y="${y(s.ndcg)}" width="${bar}" height="${s.ndcg * PANEL.height}" fill="#1f5f99"/>`,
      `<rect x="${gx + bar}" y="${y(s.stylePrecision)}" width="${bar}" height="${s.stylePrecision * PANEL.height}" fill="#e67e22"/>`,
      `<text transform="translate(${gx + bar},${PANEL.bottom + 12}) rotate(35)" font-size="11">${escape(s.name)}</text>`,
    ].join('');
  });
  return [
    `<text x="${x0}" y="30" font-size="16" font-weight="bold">Strategies over all users and subject queries</text>`,
    yAxis(x0, x1),
    ...bars,
    `<rect x="${x0}" y="40" width="12" height="12" fill="#1f5f99"/><text x="${x0 + 18}" y="51" font-size="12">NDCG@10</text>`,
    `<rect x="${x0 + 100}" y="40" width="12" height="12" fill="#e67e22"/><text x="${x0 + 118}" y="51" font-size="12">style precision@10</text>`,
  ].join('');
}

export async function writeEvaluationChart(report: EvaluationReport, path: string): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="DejaVu Sans, sans-serif">
<rect width="100%" height="100%" fill="white"/>${adaptationPanel(report)}${strategyPanel(report)}</svg>`;
  await mkdir(dirname(path), { recursive: true });
  await sharp(Buffer.from(svg)).png().toFile(path);
}
