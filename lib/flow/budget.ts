/**
 * The source-memory budget: how many bytes of origin bodies the requests in progress may hold
 * at once. Each request takes a lease, grows it as its origin body arrives, and releases it when
 * it has answered; a request that would push the total past the limit is shed with 503.
 */
import { OverloadedError } from '../errors.js';

/** SHED_RETRY_AFTER_S is the Retry-After given to a request shed for lack of source memory. */
export const SHED_RETRY_AFTER_S = 1;

/**
 * ByteBudget is a shared allowance of bytes. A lease may always grow while it is the only one
 * holding bytes, so a single source up to -maxSourceSize is admitted even above the limit.
 */
export class ByteBudget {
  private used = 0;
  private holders = 0;

  /** limit is the most bytes all leases together may hold (while more than one holds any). */
  constructor(readonly limit: number) {}

  /** inUse is the number of bytes held by all leases. */
  inUse(): number {
    return this.used;
  }

  /** lease opens an empty lease on this budget. */
  lease(): Lease {
    return new Lease(this);
  }

  /** take adds n bytes for a lease that holds `held` already; false when over the limit. */
  take(n: number, held: number): boolean {
    const alone = this.holders === 0 || (this.holders === 1 && held > 0);
    if (!alone && this.used + n > this.limit) return false;
    if (held === 0 && n > 0) this.holders++;
    this.used += n;
    return true;
  }

  /** give returns a lease's `held` bytes. */
  give(held: number): void {
    if (held <= 0) return;
    this.used -= held;
    this.holders--;
  }
}

/** Lease is one request's share of a ByteBudget. */
export class Lease {
  private held = 0;
  private released = false;

  constructor(private readonly budget: ByteBudget) {}

  /**
   * grow adds n bytes to the lease, or throws OverloadedError (503 with Retry-After) when the
   * budget cannot take them; a released lease takes nothing more.
   */
  grow(n: number): void {
    if (this.released || n <= 0) return;
    if (!this.budget.take(n, this.held)) {
      throw new OverloadedError('The server is holding too many source images; try again shortly.', SHED_RETRY_AFTER_S);
    }
    this.held += n;
  }

  /** release returns every byte of the lease to the budget; later calls do nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.held);
    this.held = 0;
  }
}
