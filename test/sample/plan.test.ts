import { describe, expect, it } from 'vitest';
import { STYLE_WORDS } from '../../sample/captions';
import { IMAGE_SIZE, STYLES, SUBJECTS } from '../../sample/constants';
import { planImage, planLibrary } from '../../sample/plan';

const plans = planLibrary(42, 20);

describe('planLibrary', () => {
  it('plans 20 variants of each of the 48 subject-style pairs by default, with stable readable ids', () => {
    expect(plans).toHaveLength(960);
    expect(new Set(plans.map((p) => p.imageId)).size).toBe(960);
    expect(plans[0]?.imageId).toBe('photo-cat-000');
    expect(plans.find((p) => p.style === 'neon-punk' && p.subject === 'cat' && p.variant === 7)?.imageId).toBe('neon-punk-cat-007');
  });

  it('keeps the subject dominant: its bounding box covers roughly 35-75% of the frame and stays inside it', () => {
    const frame = IMAGE_SIZE * IMAGE_SIZE;
    const shares = plans.map((p) => ((p.subjectBox.maxX - p.subjectBox.minX) * (p.subjectBox.maxY - p.subjectBox.minY)) / frame);
    expect(Math.min(...shares)).toBeGreaterThan(0.25);
    expect(Math.max(...shares)).toBeLessThan(0.8);
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    expect(mean).toBeGreaterThan(0.35);
    expect(plans.every((p) => p.subjectBox.minX >= 0 && p.subjectBox.minY >= 0 && p.subjectBox.maxX <= IMAGE_SIZE && p.subjectBox.maxY <= IMAGE_SIZE)).toBe(true);
  });

  it('varies pose, facing, colour and backdrop inside a pair', () => {
    for (const subject of SUBJECTS) {
      const pair = plans.filter((p) => p.style === 'comic' && p.subject === subject);
      const facing = pair.map((p) => (p.parts.at(-1)?.points[0]?.[0] ?? 0) > (p.subjectBox.minX + p.subjectBox.maxX) / 2);
      expect(new Set(facing).size).toBe(2);
      expect(new Set(pair.map((p) => p.colours.body)).size).toBeGreaterThanOrEqual(3);
      expect(new Set(pair.map((p) => p.scene.id)).size).toBeGreaterThanOrEqual(3);
      expect(new Set(pair.map((p) => p.parts.length)).size + new Set(pair.map((p) => Math.round(p.subjectBox.maxX - p.subjectBox.minX))).size).toBeGreaterThan(5);
    }
  });

  it('captions every image with its subject and a word for its style, in varied wording', () => {
    for (const p of plans) {
      expect(p.caption).toContain(p.subject);
      expect(STYLE_WORDS[p.style].some((w) => p.caption.includes(w))).toBe(true);
    }
    for (const style of STYLES) {
      const captions = plans.filter((p) => p.style === style).map((p) => p.caption.replace(/\b(cat|dog|bird|fish|horse|flower|tree|car)\b/, 'X'));
      expect(new Set(captions).size).toBeGreaterThan(20);
      const canonical = captions.filter((c) => c.includes(STYLE_WORDS[style][0] as string) || c.includes(STYLE_WORDS[style][1] as string));
      expect(canonical.length / captions.length).toBeGreaterThan(0.7);
    }
  });

  it('plans the same image for the same seed and a different one for another seed', () => {
    expect(planImage(42, 'watercolor', 'horse', 3)).toEqual(planImage(42, 'watercolor', 'horse', 3));
    expect(planImage(43, 'watercolor', 'horse', 3).parts).not.toEqual(planImage(42, 'watercolor', 'horse', 3).parts);
  });
});
