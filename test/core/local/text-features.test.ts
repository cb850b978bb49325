import { describe, expect, it } from 'vitest';
import { buildTextVocabulary, termIndex, textFeatures, textTerms, tokenize } from '../../../core/local/text-features';

const captions = ['a neon punk cat', 'a comic dog', 'a watercolor cat in the rain', 'pixel art horse'];
const vocabulary = buildTextVocabulary(captions);
const index = termIndex(vocabulary);

describe('text features', () => {
  it('tokenises lower-case on anything that is not a letter or digit', () => {
    expect(tokenize('Neon-Punk  CAT, 3D!')).toEqual(['neon', 'punk', 'cat', '3d']);
  });

  it('makes word, bigram and boundary-marked character 3-gram terms', () => {
    const terms = [...textTerms('neon cat').keys()];
    expect(terms).toEqual(expect.arrayContaining(['w:neon', 'w:cat', 'b:neon cat', 'c:<ca', 'c:cat', 'c:at>']));
  });

  it('builds the same sorted vocabulary from the same captions, with rarer terms weighted higher', () => {
    expect(buildTextVocabulary(captions)).toEqual(vocabulary);
    expect([...vocabulary.terms]).toEqual([...vocabulary.terms].sort());
    const idf = (t: string) => vocabulary.idf[index.get(t) as number] as number;
    expect(idf('w:horse')).toBeGreaterThan(idf('w:a'));
  });

  it('gives a unit vector over known terms and no unknown share for a known caption', () => {
    const f = textFeatures(vocabulary, index, 'neon punk cat');
    const len = Math.sqrt(f.values.reduce((s, v) => s + v * v, 0));
    expect(len).toBeCloseTo(1, 5);
    expect(f.unknownShare).toBe(0);
    expect([...f.indices]).toEqual([...f.indices].sort((a, b) => a - b));
  });

  it('reports a query of unseen words as entirely unknown, without NaN', () => {
    const f = textFeatures(vocabulary, index, 'zyxw qvjk');
    expect(f.indices.length).toBe(0);
    expect(f.unknownShare).toBe(1);
    expect(textFeatures(vocabulary, index, '!!!').unknownShare).toBe(0);
  });

  it('still recognises part of a plural through its character n-grams', () => {
    const f = textFeatures(vocabulary, index, 'cats');
    expect(f.indices.length).toBeGreaterThan(0);
    expect(f.unknownShare).toBeGreaterThan(0);
    expect(f.unknownShare).toBeLessThan(1);
  });
});
