/** Polygons in a 100x100 "model" frame (subject facing right, ground near y=92), and the maths to place them. */

export type Pt = readonly [number, number];

/** Which colour slot of the subject a part takes; styles map roles to their own palettes. */
export type PartRole = 'body' | 'secondary' | 'accent' | 'dark' | 'eye';

export interface Part {
  readonly points: readonly Pt[];
  readonly role: PartRole;
  /** Curved outline in smooth styles (a cat's body) versus straight edges (a car's roof line, an ear). */
  readonly smooth: boolean;
}

export function part(role: PartRole, points: readonly Pt[], smooth = true): Part {
  return { role, points, smooth };
}

/** An ellipse as a polygon, rotated by `deg` around its centre. */
export function ellipse(cx: number, cy: number, rx: number, ry: number, deg = 0, n = 20): Pt[] {
  const a = (deg * Math.PI) / 180;
  const pts: Pt[] = [];
  for (let i = 0; i < n; i++) {
    const t = (i / n) * Math.PI * 2;
    const x = Math.cos(t) * rx;
    const y = Math.sin(t) * ry;
    pts.push([cx + x * Math.cos(a) - y * Math.sin(a), cy + x * Math.sin(a) + y * Math.cos(a)]);
  }
  return pts;
}

/** A limb or stalk: a quadrilateral from (x1,y1) to (x2,y2) tapering from width w1 to w2. */
export function limb(x1: number, y1: number, x2: number, y2: number, w1: number, w2: number): Pt[] {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = Math.hypot(dx, dy) || 1;
  const nx = -dy / len;
  const ny = dx / len;
  return [
    [x1 + (nx * w1) / 2, y1 + (ny * w1) / 2],
    [x2 + (nx * w2) / 2, y2 + (ny * w2) / 2],
    [x2 - (nx * w2) / 2, y2 - (ny * w2) / 2],
    [x1 - (nx * w1) / 2, y1 - (ny * w1) / 2],
  ];
}

/** Rotate points about a pivot (degrees, clockwise on screen). */
export function rotateAbout(points: readonly Pt[], px: number, py: number, deg: number): Pt[] {
  const a = (deg * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  return points.map(([x, y]) => [px + (x - px) * c - (y - py) * s, py + (x - px) * s + (y - py) * c] as Pt);
}

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function boundsOf(parts: readonly Part[]): Box {
  const box: Box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const p of parts) {
    for (const [x, y] of p.points) {
      box.minX = Math.min(box.minX, x);
      box.minY = Math.min(box.minY, y);
      box.maxX = Math.max(box.maxX, x);
      box.maxY = Math.max(box.maxY, y);
    }
  }
  return box;
}

export interface Placement {
  /** Mirror horizontally (the subject faces left). */
  readonly flip: boolean;
  /** Degrees. */
  readonly tilt: number;
  /** Model units to pixels. */
  readonly scale: number;
  /** Pixel position of the model bounding box's centre. */
  readonly cx: number;
  readonly cy: number;
}

/** Model frame to pixels: centre the model's bounding box, flip, rotate, scale, move. */
export function placeParts(parts: readonly Part[], at: Placement): Part[] {
  const b = boundsOf(parts);
  const mx = (b.minX + b.maxX) / 2;
  const my = (b.minY + b.maxY) / 2;
  const a = (at.tilt * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  return parts.map((p) => ({
    ...p,
    points: p.points.map(([x, y]) => {
      const lx = (at.flip ? mx - x : x - mx) * at.scale;
      const ly = (y - my) * at.scale;
      return [at.cx + lx * c - ly * s, at.cy + lx * s + ly * c] as Pt;
    }),
  }));
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Straight-edged closed path. */
export function polygonPath(points: readonly Pt[]): string {
  return `M${points.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join('L')}Z`;
}

/** Closed Catmull-Rom spline through the points, as cubic Béziers: round bodies from few vertices. */
export function smoothPath(points: readonly Pt[]): string {
  const n = points.length;
  if (n < 3) return polygonPath(points);
  const at = (i: number): Pt => points[((i % n) + n) % n] as Pt;
  let d = `M${fmt(at(0)[0])},${fmt(at(0)[1])}`;
  for (let i = 0; i < n; i++) {
    const p0 = at(i - 1);
    const p1 = at(i);
    const p2 = at(i + 1);
    const p3 = at(i + 2);
    const c1x = p1[0] + (p2[0] - p0[0]) / 6;
    const c1y = p1[1] + (p2[1] - p0[1]) / 6;
    const c2x = p2[0] - (p3[0] - p1[0]) / 6;
    const c2y = p2[1] - (p3[1] - p1[1]) / 6;
    d += `C${fmt(c1x)},${fmt(c1y)} ${fmt(c2x)},${fmt(c2y)} ${fmt(p2[0])},${fmt(p2[1])}`;
  }
  return `${d}Z`;
}

export function partPath(p: Part, allowSmooth = true): string {
  return allowSmooth && p.smooth ? smoothPath(p.points) : polygonPath(p.points);
}

export function centroid(points: readonly Pt[]): Pt {
  let x = 0;
  let y = 0;
  for (const [px, py] of points) {
    x += px;
    y += py;
  }
  return [x / points.length, y / points.length];
}

/** A curved stroke (a tail, a neck, a stem) as a closed outline around a centre line, tapering from w0 to w1. */
export function tube(line: readonly Pt[], w0: number, w1: number): Pt[] {
  const left: Pt[] = [];
  const right: Pt[] = [];
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const prev = line[Math.max(0, i - 1)] as Pt;
    const next = line[Math.min(n - 1, i + 1)] as Pt;
    const dx = next[0] - prev[0];
    const dy = next[1] - prev[1];
    const len = Math.hypot(dx, dy) || 1;
    const w = (w0 + ((w1 - w0) * i) / Math.max(1, n - 1)) / 2;
    const [x, y] = line[i] as Pt;
    left.push([x - (dy / len) * w, y + (dx / len) * w]);
    right.push([x + (dy / len) * w, y - (dx / len) * w]);
  }
  return [...left, ...right.reverse()];
}

/** Points along a quadratic Bézier: the centre lines of tails and stems. */
export function curve(a: Pt, control: Pt, b: Pt, n = 8): Pt[] {
  const pts: Pt[] = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const u = 1 - t;
    pts.push([u * u * a[0] + 2 * u * t * control[0] + t * t * b[0], u * u * a[1] + 2 * u * t * control[1] + t * t * b[1]]);
  }
  return pts;
}

/** Evenly spaced points along a closed polygon's perimeter. */
export function resample(points: readonly Pt[], n: number): Pt[] {
  const m = points.length;
  const lengths: number[] = [];
  let total = 0;
  for (let i = 0; i < m; i++) {
    const a = points[i] as Pt;
    const b = points[(i + 1) % m] as Pt;
    const l = Math.hypot(b[0] - a[0], b[1] - a[1]);
    lengths.push(l);
    total += l;
  }
  const out: Pt[] = [];
  let edge = 0;
  let start = 0;
  for (let k = 0; k < n; k++) {
    const d = (k / n) * total;
    while (edge < m - 1 && start + (lengths[edge] as number) < d) start += lengths[edge++] as number;
    const a = points[edge] as Pt;
    const b = points[(edge + 1) % m] as Pt;
    const t = (lengths[edge] as number) > 0 ? (d - start) / (lengths[edge] as number) : 0;
    out.push([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
  }
  return out;
}
