/**
 * Worker exits: what the task of a worker that exited rejects with, from why it exited.
 */
import { OverloadedError, UnprocessableImageError, type ProxyError, type WorkerStartError } from '../errors.js';
import type { Slot } from './pool-types.js';

/**
 * exitError is the error for the task of `slot`, whose worker exited: the pool closing (503), its
 * time limit (422 too_slow), a start that never finished (`startFailed`), its heap limit (422
 * too_much_memory) or a crash (422 worker_crashed).
 */
export function exitError(slot: Slot, startFailed: () => WorkerStartError, retryAfterSeconds?: number): ProxyError {
  if (slot.killedFor === 'close') return new OverloadedError('The server is shutting down.', retryAfterSeconds);
  if (slot.killedFor === 'timeout') return new UnprocessableImageError('The image took too long to process.', 'too_slow');
  if (!slot.ready) return startFailed();
  if (slot.error?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new UnprocessableImageError('The image needs too much memory to process.', 'too_much_memory');
  }
  return new UnprocessableImageError('The image could not be processed.', 'worker_crashed');
}
