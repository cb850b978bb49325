import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FolderObjectStore } from '../../core/local/folder-object-store';
import { S3ObjectStore } from '../../core/aws/s3-object-store';
import { createFakeS3 } from '../core/aws/fake-s3';
import { objectStoreContract } from './object-store-contract';

objectStoreContract('FolderObjectStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'object-store-contract-'));
  return {
    store: new FolderObjectStore({ root }),
    putRaw: async (key, bytes) => {
      await mkdir(dirname(join(root, key)), { recursive: true });
      await writeFile(join(root, key), bytes);
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

objectStoreContract('S3ObjectStore over aws-sdk-client-mock', async () => {
  const s3 = createFakeS3('contract-bucket');
  s3.pageSize = 2;
  return {
    store: new S3ObjectStore({ bucket: 'contract-bucket', prefix: 'root/', client: s3.client }),
    putRaw: async (key, bytes) => void s3.objects.set(`root/${key}`, bytes),
    cleanup: async () => s3.mock.restore(),
  };
});
