/**
 * The name of a cache entry outside memory: a module of its own so that backends needing only the
 * hash (Redis, S3) do not import the disk cache and its node:fs.
 */
import { createHash } from 'node:crypto';

/** keyHash is the sha256 hex of key, used to name files and objects. */
export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
