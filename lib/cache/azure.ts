/**
 * Azure Blob Storage cache: entries as block blobs in a container, the
 * `azure://container/prefix` backend. The account comes from AZURESTORAGE_ACCOUNT_NAME and
 * AZURESTORAGE_ACCESS_KEY, as in the Go server, passed in by the caller.
 */
import type { Cache } from './cache.js';
import { objectName } from './s3.js';
import { CacheConfigError, importOptional, type CacheSpec } from './spec.js';

type AzureSpec = Extract<CacheSpec, { kind: 'azure' }>;
type AzureModule = typeof import('@azure/storage-blob');
type ContainerClient = ReturnType<InstanceType<AzureModule['BlobServiceClient']>['getContainerClient']>;

/** AZURE_MAX_TRIES keeps SDK retries short (2 tries), since the guard's time limit bounds each operation anyway. */
export const AZURE_MAX_TRIES = 2;

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/** AzureCache stores each value as the block blob `prefix/sha256(key)`. */
export class AzureCache implements Cache {
  private containerReady = false;

  constructor(private readonly container: ContainerClient, private readonly prefix: string) {}

  /** get downloads the blob; a missing or empty blob is a miss. */
  async get(key: string): Promise<Buffer | undefined> {
    try {
      const bytes = await this.container.getBlobClient(objectName(this.prefix, key)).downloadToBuffer();
      return bytes.length === 0 ? undefined : bytes;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** set uploads the blob, creating the container on first use; ttlMs is ignored. */
  async set(key: string, value: Buffer): Promise<void> {
    await this.ensureContainer();
    const blob = this.container.getBlockBlobClient(objectName(this.prefix, key));
    try {
      await blob.uploadData(value);
    } catch (err) {
      // The container may have been deleted since; create it again once.
      if (statusOf(err) !== 404) throw err;
      this.containerReady = false;
      await this.ensureContainer();
      await blob.uploadData(value);
    }
  }

  /** delete removes the blob. */
  async delete(key: string): Promise<void> {
    await this.container.getBlobClient(objectName(this.prefix, key)).deleteIfExists();
  }

  private async ensureContainer(): Promise<void> {
    if (this.containerReady) return;
    await this.container.createIfNotExists();
    this.containerReady = true;
  }
}

/** AzureCacheOptions carry the account settings, normally from the environment. */
export interface AzureCacheOptions {
  /** Storage account name (AZURESTORAGE_ACCOUNT_NAME). */
  accountName?: string;
  /** Storage account key (AZURESTORAGE_ACCESS_KEY). */
  accessKey?: string;
}

/**
 * createAzureCache builds an AzureCache from a spec, loading @azure/storage-blob lazily. The
 * blob service URL is the spec's `?endpoint=` (e.g. Azurite's
 * `http://127.0.0.1:10000/devstoreaccount1`), else `https://ACCOUNT.blob.core.windows.net`.
 */
export async function createAzureCache(spec: AzureSpec, opts: AzureCacheOptions): Promise<AzureCache> {
  if (!opts.accountName || !opts.accessKey) {
    throw new CacheConfigError('The azure cache needs the AZURESTORAGE_ACCOUNT_NAME and AZURESTORAGE_ACCESS_KEY environment variables.');
  }
  const sdk = await importOptional('@azure/storage-blob', 'azure', () => import('@azure/storage-blob'));
  const credential = new sdk.StorageSharedKeyCredential(opts.accountName, opts.accessKey);
  const url = spec.endpoint ?? `https://${opts.accountName}.blob.core.windows.net`;
  const service = new sdk.BlobServiceClient(url, credential, {
    retryOptions: { maxTries: AZURE_MAX_TRIES, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
  });
  return new AzureCache(service.getContainerClient(spec.container), spec.prefix);
}
