/**
 * The local server in a process of its own, for the HTTP and memory benchmarks: the load generator must not share
 * its event loop or heap. Started by `startServerChild`; talks to its parent over IPC:
 * sends { type: 'ready', port }, answers { type: 'usage' } with { type: 'usage', maxRssKiB, rssBytes, heapUsedBytes }.
 */
import type { AddressInfo } from 'node:net';
import { createApiHandler } from '../serving/api-handler';
import { createLocalServer } from '../serving/local-server';
import { LocalSearchService } from '../serving/local-search-service';

async function main(): Promise<void> {
  const stateDir = process.argv[2];
  if (stateDir === undefined || process.send === undefined) {
    throw new Error('server-child runs under startServerChild: node --import tsx bench/server-child.ts STATE_DIR, with an IPC channel');
  }
  const send = process.send.bind(process);
  const service = new LocalSearchService({ stateDir });
  await service.generation();
  const server = createLocalServer({
    handle: createApiHandler(service, { defaultWeight: 0.5, logError: (error) => console.error(error) }),
    imageFile: (imageId) => service.imageFile(imageId),
  });
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'usage') {
      const memory = process.memoryUsage();
      send({ type: 'usage', maxRssKiB: process.resourceUsage().maxRSS, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed });
    }
  });
  // The parent going away (a crash, Ctrl-C) must not leave a server running.
  process.on('disconnect', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as AddressInfo).port }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
