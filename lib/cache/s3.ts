/**
 * S3 cache: entries as objects in an Amazon S3 (or S3-compatible) bucket, the
 * `s3://region/bucket/prefix` backend. Credentials come from the AWS SDK's default chain
 * (environment variables, shared config/profile, instance role).
 */
import type { Cache } from './cache.js';
import { keyHash } from './keyhash.js';
import { importOptional, type CacheSpec } from './spec.js';

type S3Spec = Extract<CacheSpec, { kind: 's3' }>;
type S3Module = typeof import('@aws-sdk/client-s3');

/** S3_MAX_ATTEMPTS keeps SDK retries short (2 tries), since the guard's time limit bounds each operation anyway. */
export const S3_MAX_ATTEMPTS = 2;

/** objectName joins a prefix and a key's hash into an object name. */
export function objectName(prefix: string, key: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return p === '' ? keyHash(key) : `${p}/${keyHash(key)}`;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.Code === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

/** S3Cache stores each value as the object `prefix/sha256(key)`. */
export class S3Cache implements Cache {
  constructor(
    private readonly sdk: S3Module,
    private readonly client: InstanceType<S3Module['S3Client']>,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  /** get downloads the object; a missing or empty object is a miss. */
  async get(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: objectName(this.prefix, key) }));
      if (!out.Body) return undefined;
      const bytes = Buffer.from(await out.Body.transformToByteArray());
      // An empty object is a miss, as in the Go server (lifecycle rules may leave one behind).
      return bytes.length === 0 ? undefined : bytes;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** set uploads the object; ttlMs is ignored (use bucket lifecycle rules to expire objects). */
  async set(key: string, value: Buffer): Promise<void> {
    await this.client.send(
      new this.sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: objectName(this.prefix, key),
        Body: value,
        ContentLength: value.length,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  /** delete removes the object. */
  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: objectName(this.prefix, key) }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** close releases the SDK's sockets. */
  async close(): Promise<void> {
    this.client.destroy();
  }
}

/**
 * createS3Cache builds an S3Cache from a spec, loading @aws-sdk/client-s3 lazily.
 * `endpoint` without a scheme gets http:// when disableSSL is set, else https://.
 */
export async function createS3Cache(spec: S3Spec): Promise<S3Cache> {
  const sdk = await importOptional('@aws-sdk/client-s3', 's3', () => import('@aws-sdk/client-s3'));
  let endpoint = spec.endpoint;
  if (endpoint !== undefined && !/^https?:\/\//i.test(endpoint)) {
    endpoint = `${spec.disableSSL ? 'http' : 'https'}://${endpoint}`;
  } else if (endpoint !== undefined && spec.disableSSL) {
    endpoint = endpoint.replace(/^https:/i, 'http:');
  }
  const client = new sdk.S3Client({
    region: spec.region,
    endpoint,
    forcePathStyle: spec.forcePathStyle,
    tls: !spec.disableSSL,
    maxAttempts: S3_MAX_ATTEMPTS,
    // S3-compatible servers (MinIO, Ceph, older gateways) often reject the newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return new S3Cache(sdk, client, spec.bucket, spec.prefix);
}
