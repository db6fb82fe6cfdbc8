/**
 * Google Cloud Storage cache: entries as objects in a GCS bucket, the `gcs://bucket/prefix`
 * backend. Credentials are Application Default Credentials; the SDK itself honours
 * STORAGE_EMULATOR_HOST, and an apiEndpoint may be passed explicitly.
 */
import type { Cache } from './cache.js';
import { objectName } from './s3.js';
import { importOptional, type CacheSpec } from './spec.js';

type GcsSpec = Extract<CacheSpec, { kind: 'gcs' }>;
type GcsModule = typeof import('@google-cloud/storage');
type Bucket = ReturnType<InstanceType<GcsModule['Storage']>['bucket']>;

/** GCS_MAX_RETRIES keeps SDK retries short (1 retry), since the guard's time limit bounds each operation anyway. */
export const GCS_MAX_RETRIES = 1;

function isNotFound(err: unknown): boolean {
  return (err as { code?: number }).code === 404;
}

/** GcsCache stores each value as the object `prefix/sha256(key)`. */
export class GcsCache implements Cache {
  constructor(
    private readonly bucket: Bucket,
    private readonly prefix: string,
  ) {}

  /** get downloads the object; a missing or empty object is a miss. */
  async get(key: string): Promise<Buffer | undefined> {
    try {
      const [bytes] = await this.bucket.file(objectName(this.prefix, key)).download();
      return bytes.length === 0 ? undefined : bytes;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** set uploads the object in one request; ttlMs is ignored (use bucket lifecycle rules). */
  async set(key: string, value: Buffer): Promise<void> {
    await this.bucket.file(objectName(this.prefix, key)).save(value, {
      resumable: false,
      contentType: 'application/octet-stream',
    });
  }

  /** delete removes the object. */
  async delete(key: string): Promise<void> {
    await this.bucket.file(objectName(this.prefix, key)).delete({ ignoreNotFound: true });
  }
}

/** GcsCacheOptions are settings the caller may pass beyond the spec. */
export interface GcsCacheOptions {
  /** API endpoint, e.g. an emulator's `http://127.0.0.1:4443`. */
  apiEndpoint?: string;
}

/** createGcsCache builds a GcsCache from a spec, loading @google-cloud/storage lazily. */
export async function createGcsCache(spec: GcsSpec, opts: GcsCacheOptions = {}): Promise<GcsCache> {
  const sdk = await importOptional('@google-cloud/storage', 'gcs', () => import('@google-cloud/storage'));
  const storage = new sdk.Storage({
    apiEndpoint: opts.apiEndpoint,
    retryOptions: { maxRetries: GCS_MAX_RETRIES },
  });
  return new GcsCache(storage.bucket(spec.bucket), spec.prefix);
}
