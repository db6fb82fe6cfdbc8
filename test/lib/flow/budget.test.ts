/** Tests of the source-memory budget: leases grow, are refused past the limit, and give back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBudget, SHED_RETRY_AFTER_S, type Lease } from '../../../lib/flow/budget.js';
import { isProxyError } from '../../../lib/errors.js';

/** Step is one operation on lease `l`: grow by n (expecting success or refusal), or release. */
type Step = { l: number; grow: number; ok: boolean } | { l: number; release: true };

interface Case {
  name: string;
  limit: number;
  steps: Step[];
  /** Bytes in use after the steps. */
  inUse: number;
}

const CASES: Case[] = [
  { name: 'within the limit', limit: 100, steps: [{ l: 0, grow: 40, ok: true }, { l: 1, grow: 60, ok: true }], inUse: 100 },
  { name: 'past the limit while another holds bytes', limit: 100, steps: [{ l: 0, grow: 40, ok: true }, { l: 1, grow: 61, ok: false }], inUse: 40 },
  { name: 'a lease alone passes the limit', limit: 100, steps: [{ l: 0, grow: 500, ok: true }, { l: 0, grow: 500, ok: true }], inUse: 1000 },
  { name: 'nobody else gets in past a lone big lease', limit: 100, steps: [{ l: 0, grow: 500, ok: true }, { l: 1, grow: 1, ok: false }], inUse: 500 },
  { name: 'an empty lease does not count as holding', limit: 100, steps: [{ l: 1, grow: 0, ok: true }, { l: 0, grow: 300, ok: true }], inUse: 300 },
  { name: 'release gives the bytes back', limit: 100, steps: [{ l: 0, grow: 80, ok: true }, { l: 1, grow: 30, ok: false }, { l: 0, release: true }, { l: 1, grow: 30, ok: true }], inUse: 30 },
  { name: 'a second release does nothing', limit: 100, steps: [{ l: 0, grow: 80, ok: true }, { l: 1, grow: 10, ok: true }, { l: 0, release: true }, { l: 0, release: true }], inUse: 10 },
  { name: 'a released lease takes nothing more', limit: 100, steps: [{ l: 0, grow: 10, ok: true }, { l: 0, release: true }, { l: 0, grow: 50, ok: true }], inUse: 0 },
  { name: 'a refused lease keeps what it had', limit: 100, steps: [{ l: 0, grow: 50, ok: true }, { l: 1, grow: 20, ok: true }, { l: 1, grow: 40, ok: false }, { l: 1, release: true }], inUse: 50 },
];

test('ByteBudget leases', () => {
  for (const c of CASES) {
    const budget = new ByteBudget(c.limit);
    const leases: Lease[] = [];
    const lease = (i: number): Lease => (leases[i] ??= budget.lease());
    for (const [i, s] of c.steps.entries()) {
      if ('release' in s) {
        lease(s.l).release();
        continue;
      }
      let refused: unknown;
      try {
        lease(s.l).grow(s.grow);
      } catch (err) {
        refused = err;
      }
      assert.equal(refused === undefined, s.ok, `${c.name}: step ${i} grow(${s.grow}) ${refused ? 'refused' : 'admitted'}, want ${s.ok ? 'admitted' : 'refused'}`);
      if (refused !== undefined) {
        assert.ok(isProxyError(refused) && refused.status === 503, `${c.name}: refusal = ${String(refused)}, want a 503 ProxyError`);
        assert.equal(refused.headers['Retry-After'], String(SHED_RETRY_AFTER_S), `${c.name}: Retry-After = ${refused.headers['Retry-After']}, want ${SHED_RETRY_AFTER_S}`);
        assert.match(refused.message, /^[A-Z][^\n]*\.$/, `${c.name}: message ${JSON.stringify(refused.message)} is not one sentence`);
      }
    }
    assert.equal(budget.inUse(), c.inUse, `${c.name}: inUse() = ${budget.inUse()}, want ${c.inUse}`);
  }
});
