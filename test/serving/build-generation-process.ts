/**
 * Runs a pipeline build in its own process, as the real pipeline does beside a serving process:
 * `node --import tsx test/serving/build-generation-process.ts '<BuildOptions as JSON>'` prints the GenerationInfo.
 */
import { buildLocalGeneration, type BuildOptions } from '../../state-machines/local-build';

const options = JSON.parse(process.argv[2] ?? '{}') as BuildOptions;
buildLocalGeneration(options).then(
  (info) => process.stdout.write(`${JSON.stringify(info)}\n`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
