/**
 * Locks for singleton work (window closing, alert evaluation and delivery, retention, the learning
 * loop): among the replicas sharing a store, one runs each job at a time, and when the holder dies
 * another takes over. Adapters: {@link openLocalJobLocks} (in-process: the embedded single-process
 * deployment) and `postgres/lease.ts` (session advisory locks). One conformance suite
 * (`job-locks-conformance.ts`) runs on both.
 *
 * @example
 * ```ts
 * if (await locks.tryAcquire("retention")) await service.retention();
 * ```
 */
export interface JobLocks {
  /** Takes the job's lock when no one holds it; true when this instance holds it (also when it already did). */
  tryAcquire(job: string): Promise<boolean>;
  /**
   * Whether this instance still holds the job's lock, asked of the lock's owner (for PostgreSQL, the
   * server): a holder checks it before it commits singleton work, since it may have lost the lock
   * (its connection dropped) without noticing yet.
   */
  holds(job: string): Promise<boolean>;
  /** Gives the lock up (a no-op when not held). */
  release(job: string): Promise<void>;
  /** Gives every lock up. */
  close(): Promise<void>;
}

const holders = new Map<string, Map<string, object>>();

/**
 * Job locks within one process: instances opened with the same `scope` (a store's location) exclude
 * each other. The embedded deployment is one process, so this is all it needs.
 *
 * @example
 * ```ts
 * const locks = openLocalJobLocks("data/tiktoktoe.db");
 * ```
 */
export function openLocalJobLocks(scope: string): JobLocks {
  let jobs = holders.get(scope);
  if (jobs === undefined) {
    jobs = new Map();
    holders.set(scope, jobs);
  }
  const held = jobs;
  const me = {};
  return {
    async tryAcquire(job) {
      const holder = held.get(job);
      if (holder !== undefined && holder !== me) return false;
      held.set(job, me);
      return true;
    },
    async holds(job) {
      return held.get(job) === me;
    },
    async release(job) {
      if (held.get(job) === me) held.delete(job);
    },
    async close() {
      for (const [job, holder] of held) if (holder === me) held.delete(job);
    },
  };
}
