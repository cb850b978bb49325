/**
 * Sparse text features for the local embedder: word unigrams, word bigrams and boundary-marked character 3-grams,
 * log-TF x IDF weighted over a vocabulary learned from the training captions, L2-normalised.
 */

/** A sparse feature vector over a vocabulary, plus how much of the text the vocabulary did not know. */
export interface SparseText {
  readonly indices: Int32Array;
  readonly values: Float32Array;
  /**
   * Share (0..1, by L2 mass) of the text's features that are not in the vocabulary: 1 for a query made only of
   * words never seen in training, 0 for one the model fully knows.
   */
  readonly unknownShare: number;
}

export interface TextVocabulary {
  /** Feature strings, e.g. `w:cat`, `b:neon punk`, `c:<ca`. */
  readonly terms: readonly string[];
  /** Inverse document frequency of each term, same order as terms. */
  readonly idf: Float32Array;
  /** Number of captions the vocabulary was built from (sets the IDF of an unseen term). */
  readonly documents: number;
}

// Character n-grams help with plurals and typos ("cats", "wtercolor") but are many; they get less weight than words.
const GROUP_WEIGHT: Readonly<Record<string, number>> = { w: 1, b: 0.7, c: 0.35 };

/** Lower-cases and splits on anything that is not a letter or a digit. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().normalize('NFKC').split(/[^\p{L}\p{N}]+/u).filter((t) => t.length > 0);
}

/** Counts of every feature string in a text. */
export function textTerms(text: string): Map<string, number> {
  return tokenTerms(tokenize(text));
}

/** Counts of every feature string of a token sequence. */
export function tokenTerms(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (term: string): void => {
    counts.set(term, (counts.get(term) ?? 0) + 1);
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    add(`w:${token}`);
    if (i + 1 < tokens.length) add(`b:${token} ${tokens[i + 1] as string}`);
    const marked = `<${token}>`;
    for (let j = 0; j + 3 <= marked.length; j++) add(`c:${marked.slice(j, j + 3)}`);
  }
  return counts;
}

/** Builds the vocabulary (sorted, so the same captions always give the same model) and smoothed IDF. */
export function buildTextVocabulary(captions: readonly string[]): TextVocabulary {
  const df = new Map<string, number>();
  for (const caption of captions) {
    for (const term of textTerms(caption).keys()) df.set(term, (df.get(term) ?? 0) + 1);
  }
  const terms = [...df.keys()].sort();
  const documents = captions.length;
  const idf = Float32Array.from(terms, (t) => idfOf(df.get(t) ?? 0, documents));
  return { terms, idf, documents };
}

function idfOf(df: number, documents: number): number {
  return Math.log((documents + 1) / (df + 1)) + 1;
}

/** Index lookup for a vocabulary, built once per model. */
export function termIndex(vocabulary: TextVocabulary): Map<string, number> {
  return new Map(vocabulary.terms.map((t, i) => [t, i]));
}

/** The weighted, L2-normalised sparse vector of a text. An empty text gives no features and unknownShare 0. */
export function textFeatures(vocabulary: TextVocabulary, index: ReadonlyMap<string, number>, text: string): SparseText {
  return termFeatures(vocabulary, index, textTerms(text));
}

/** textFeatures for term counts made some other way (e.g. from a shortened token list). */
export function termFeatures(vocabulary: TextVocabulary, index: ReadonlyMap<string, number>, terms: ReadonlyMap<string, number>): SparseText {
  const known = new Map<number, number>();
  let knownMass = 0;
  let unknownMass = 0;
  const unseenIdf = idfOf(0, vocabulary.documents);
  for (const [term, count] of terms) {
    const group = GROUP_WEIGHT[term[0] as string] ?? 1;
    const tf = 1 + Math.log(count);
    const at = index.get(term);
    if (at === undefined) {
      const weight = group * tf * unseenIdf;
      unknownMass += weight * weight;
    } else {
      const weight = group * tf * (vocabulary.idf[at] as number);
      known.set(at, weight);
      knownMass += weight * weight;
    }
  }
  const entries = [...known.entries()].sort((a, b) => a[0] - b[0]);
  const scale = knownMass > 0 ? 1 / Math.sqrt(knownMass) : 0;
  const total = knownMass + unknownMass;
  return {
    indices: Int32Array.from(entries, (e) => e[0]),
    values: Float32Array.from(entries, (e) => e[1] * scale),
    unknownShare: total > 0 ? Math.sqrt(unknownMass / total) : 0,
  };
}
