/**
 * Builds the sample libraries the test files share before any of them runs, so that test files running in parallel
 * processes do not each render the same library at once (the fixture caches them across runs).
 */
import { sampleLibrary } from './fixtures/sample-library';

export default async function setup(): Promise<void> {
  await Promise.all([sampleLibrary({ perPair: 20 }), sampleLibrary({ perPair: 4 })]);
}
