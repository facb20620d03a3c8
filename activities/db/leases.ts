/**
 * Leases: one holder at a time for a named piece of work, across every process and host that
 * shares the database (one SQLite file on one machine, PostgreSQL across hosts). A lease lapses
 * unless its holder renews it, so the work of a host that died passes to another after the time
 * to live, and a holder that stalled past it learns at its next renewal that it lost the lease.
 *
 * Taking a lease is one statement, INSERT … ON CONFLICT DO UPDATE … WHERE (lapsed or ours),
 * atomic in both dialects. Lapse times come from the holders' clocks, so hosts' clocks must agree
 * to well within the time to live (NTP does; the default is a minute).
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { openStoreDatabase, type DatabaseTarget, type StoreDatabase, type VaultTables } from './index';

export interface LeaseHolder {
  owner: string;
  expiresAt: Date;
}

/** The lease is held by someone else; `holder` names them and when their lease lapses. */
export class LeaseHeldError extends Error {
  readonly code = 'lease_held';
  constructor(
    readonly lease: string,
    readonly holder: LeaseHolder,
  ) {
    super(`${lease} is held by ${holder.owner} until ${holder.expiresAt.toISOString()} (renewed while it works; taken over if it stops)`);
    this.name = 'LeaseHeldError';
  }
}

/** This process's name as a lease holder: host, pid and a random part (a pid is reused). */
export function leaseOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

const at = (ms: number) => new Date(ms).toISOString();

export class LeaseStore {
  constructor(private readonly store: StoreDatabase<VaultTables>) {}

  /** Leases live in the vaults database (the group every deployment shares across hosts). */
  static async open(target?: DatabaseTarget): Promise<LeaseStore> {
    return new LeaseStore(await openStoreDatabase('vaults', { target }));
  }

  /** Takes the lease when it is free, lapsed or already this owner's; returns who holds it now. */
  async acquire(name: string, owner: string, ttlMs: number): Promise<LeaseHolder & { acquired: boolean }> {
    const now = Date.now();
    await this.store.db
      .insertInto('leases')
      .values({ name, owner, expires_at: at(now + ttlMs) })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet((eb) => ({ owner: eb.ref('excluded.owner'), expires_at: eb.ref('excluded.expires_at') }))
          .where((eb) => eb.or([eb('leases.expires_at', '<=', at(now)), eb('leases.owner', '=', owner)])),
      )
      .execute();
    const holder = await this.holder(name);
    // Released between the two statements: free again, so take it once more.
    if (!holder) return this.acquire(name, owner, ttlMs);
    return { ...holder, acquired: holder.owner === owner };
  }

  /** Extends this owner's lease; false when it lapsed and someone else took it (or it was released). */
  async renew(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const res = await this.store.db.updateTable('leases').set({ expires_at: at(Date.now() + ttlMs) }).where('name', '=', name).where('owner', '=', owner).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Gives the lease up, if this owner still holds it. */
  async release(name: string, owner: string): Promise<void> {
    await this.store.db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
  }

  /** Who holds the lease, lapsed or not; undefined when nobody took it or it was released. */
  async holder(name: string): Promise<LeaseHolder | undefined> {
    const row = await this.store.db.selectFrom('leases').select(['owner', 'expires_at']).where('name', '=', name).executeTakeFirst();
    return row ? { owner: row.owner, expiresAt: new Date(row.expires_at) } : undefined;
  }

  async close(): Promise<void> {
    await this.store.release();
  }
}

export interface LeaseOptions {
  owner: string;
  /** How long the lease lasts without a renewal (renewed every third of it). */
  ttlMs: number;
}

/**
 * Runs work while holding the lease, renewing it in the background, and releases it after.
 * `lost()` turns true when a renewal finds the lease taken (this process stalled past the time to
 * live): the work should stop at its next safe point. Throws LeaseHeldError when it is held.
 */
export async function withLease<T>(leases: LeaseStore, name: string, o: LeaseOptions, work: (lost: () => boolean) => Promise<T>): Promise<T> {
  const got = await leases.acquire(name, o.owner, o.ttlMs);
  if (!got.acquired) throw new LeaseHeldError(name, got);
  let lost = false;
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = leases.renew(name, o.owner, o.ttlMs).then(
      (held) => void (lost ||= !held),
      // The database unreachable for a moment: the next renewal tries again before the lease lapses.
      () => undefined,
    );
  }, Math.max(1, Math.floor(o.ttlMs / 3)));
  timer.unref();
  try {
    return await work(() => lost);
  } finally {
    clearInterval(timer);
    await renewing;
    if (!lost) await leases.release(name, o.owner);
  }
}
