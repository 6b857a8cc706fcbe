/**
 * An exclusive inter-process lock on one host: a lock file created exclusively (link(2), which fails
 * when the name exists, like O_EXCL) that names its owner
 * (host, pid, process start time, random token). Node has no flock(), so a crashed owner's lock is
 * broken by whoever finds it: the owner counts as dead when its pid no longer exists or now belongs
 * to a process with a different start time (pid reuse). Breaking happens under a second, short-lived
 * "break" lock, and only if the lock file still holds the dead owner's exact content, so two waiters
 * can never both break it or remove a fresh lock. Owners on another host (a shared network folder)
 * are never treated as dead: use the Postgres backend for several hosts.
 *
 * Within one process, holders queue on a promise chain per lock path, so the file is only contended
 * between processes.
 *
 * Why the lock may outlive a run (`lease`, opt-in): creating and removing the lock file are directory
 * changes, and ext4 writes them in the same journal commit as the log's next fsync — measured, they
 * halved the speed of a durable append. With a lease, a run that ends while more work of this process
 * is already waiting (or arrives before the event loop turns: a caller awaiting appends in a loop)
 * keeps the file, and the next run checks that it still holds it and goes on. The lease ends when the
 * process has nothing queued, after MAX_LEASE_MS, or after SLICE_MS when another process waits: a
 * waiter marks itself in `<lock>.waiting` (its owner record), and the holder hands over and lets it in
 * before taking the lock again. A marker whose process died (or gave up) is ignored and removed, so a
 * killed waiter cannot slow the holder down.
 *
 * Lock-file syscalls are synchronous: microseconds each on a local disk, where a thread-pool round
 * trip costs more than the call.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { setImmediate as afterThisTurn } from 'node:timers';
import { hostname } from 'node:os';

export class LockTimeoutError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'LockTimeoutError';
	}
}

interface Owner {
	host: string;
	pid: number;
	start: string | null;
	token: string;
}

/** Process start time (clock ticks since boot) from /proc; null where /proc is unavailable. */
function processStart(pid: number): string | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Field 22; fields after the parenthesised command name start at field 3.
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
	} catch {
		return null;
	}
}

const SELF_START = processStart(process.pid);
const HOST = hostname();
/** A break lock older than this belongs to a breaker that died mid-break (breaking takes microseconds). */
const BREAK_LOCK_STALE_MS = 10_000;
/** An unreadable lock file (only damage can make one) older than this is treated as stale. */
const UNREADABLE_LOCK_STALE_MS = 5_000;

function isDead(owner: Owner): boolean {
	if (owner.host !== HOST) return false;
	if (owner.pid === process.pid) return owner.start !== SELF_START;
	try {
		process.kill(owner.pid, 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
		// EPERM: the pid exists (another user's process); fall through to the start-time check.
	}
	const start = processStart(owner.pid);
	return owner.start !== null && start !== null && start !== owner.start;
}

function parseOwner(text: string): Owner | null {
	try {
		const o = JSON.parse(text) as Owner;
		return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string' ? o : null;
	} catch {
		return null;
	}
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const inProcessTails = new Map<string, Promise<void>>();

/** A lock file this process keeps between runs (see `lease` above), per lock path. */
interface Lease {
	token: string;
	since: number;
	/** The pending end of the lease, cancelled when the next run starts in time. */
	end: NodeJS.Immediate | null;
}
const leases = new Map<string, Lease>();
/** After handing the lock to a waiting process, this process lets it in for at most this long. */
const HANDOVER_WAIT_MS = 100;
/** A lease ends after this long even without a marked waiter (a waiter of an older version marks none). */
const MAX_LEASE_MS = 200;
/** With a live waiter, the holder still finishes runs for this long (its groups grow) before handing over. */
const SLICE_MS = 10;
/** Waiters poll at most this far apart: a failed link(2) changes nothing on disk, so polling costs no journal commit. */
const MAX_POLL_MS = 4;
const yielding = new Map<string, number>();

const errno = (error: unknown) => (error as NodeJS.ErrnoException).code;

function readOrNull(path: string): string | null {
	try {
		return readFileSync(path, 'utf8');
	} catch (error) {
		if (errno(error) === 'ENOENT') return null;
		throw error;
	}
}

function unlinkQuietly(path: string): void {
	try {
		unlinkSync(path);
	} catch {
		// already gone
	}
}

export class FileLock {
	private readonly waitingPath: string;

	constructor(
		readonly path: string,
		private readonly timeoutMs = 30_000,
		/** Keep the lock file between back-to-back runs of this process (see the file's docblock). */
		private readonly lease = false,
	) {
		this.waitingPath = `${path}.waiting`;
	}

	/** Runs `fn` while holding the lock. */
	async run<T>(fn: () => Promise<T>): Promise<T> {
		const previous = inProcessTails.get(this.path) ?? Promise.resolve();
		let releaseLocal!: () => void;
		const mine = new Promise<void>((resolve) => (releaseLocal = resolve));
		const tail = previous.then(() => mine);
		inProcessTails.set(this.path, tail);
		await previous;
		try {
			const token = this.resumeLease() ?? (await this.acquire());
			let ok = false;
			try {
				const result = await fn();
				ok = true;
				return result;
			} finally {
				// Still ours? Checked after every run, leased or not; a run that succeeded reports a stolen lock.
				const owned = this.owns(token);
				if (!owned) leases.delete(this.path);
				else this.endRun(token, tail);
				if (!owned && ok) throw new Error(`Review log lock ${this.path} was taken from this process while it held it`);
			}
		} finally {
			releaseLocal();
			if (inProcessTails.get(this.path) === tail) inProcessTails.delete(this.path);
		}
	}

	/** Ends a lease this process holds on the lock now (store closed); no-op while runs are queued. */
	dropLease(): void {
		const lease = leases.get(this.path);
		if (!lease || inProcessTails.has(this.path)) return;
		if (lease.end) clearImmediate(lease.end);
		leases.delete(this.path);
		if (this.owns(lease.token)) unlinkQuietly(this.path);
	}

	/** The token of a lease this process still holds, cancelling its end; null to acquire afresh. */
	private resumeLease(): string | null {
		const lease = leases.get(this.path);
		if (!lease) return null;
		if (lease.end) clearImmediate(lease.end);
		lease.end = null;
		if (this.owns(lease.token)) return lease.token;
		leases.delete(this.path); // taken from us between runs: never remove another's lock
		return null;
	}

	/** After a run: keep the file while this process has more to do, else release it. */
	private endRun(token: string, tail: Promise<void>): void {
		const queued = inProcessTails.get(this.path) !== tail;
		const lease = leases.get(this.path);
		const held = lease ? Date.now() - lease.since : 0;
		const waiter = held >= SLICE_MS && this.liveWaiter();
		if (this.lease && !waiter && held < MAX_LEASE_MS) {
			const kept = lease ?? { token, since: Date.now(), end: null };
			leases.set(this.path, kept);
			// A queued run resumes the lease at once; otherwise give callers this turn of the event loop.
			if (!queued) {
				const end = afterThisTurn(() => {
					if (leases.get(this.path) !== kept || kept.end !== end) return;
					leases.delete(this.path);
					if (this.owns(token)) unlinkQuietly(this.path);
				});
				kept.end = end;
			}
			return;
		}
		leases.delete(this.path);
		unlinkQuietly(this.path);
		if (waiter) yielding.set(this.path, Date.now() + HANDOVER_WAIT_MS);
	}

	/** True when a live process marked itself waiting; a dead one's marker is removed. */
	private liveWaiter(): boolean {
		const text = readOrNull(this.waitingPath);
		if (text === null) return false;
		const owner = parseOwner(text);
		// Unreadable: being written right now; count it as a waiter (the handover wait is bounded).
		if (owner === null || !isDead(owner)) return true;
		unlinkQuietly(this.waitingPath);
		return false;
	}

	private owns(token: string): boolean {
		const text = readOrNull(this.path);
		return text !== null && parseOwner(text)?.token === token;
	}

	private async acquire(): Promise<string> {
		// Handing over: let the marked waiter take the lock (it removes the marker) before competing again.
		const handover = yielding.get(this.path);
		if (handover !== undefined) {
			yielding.delete(this.path);
			while (Date.now() < handover && this.liveWaiter()) await sleep(1);
		}
		const token = randomBytes(12).toString('hex');
		const content = JSON.stringify({ host: HOST, pid: process.pid, start: SELF_START, token } satisfies Owner);
		const deadline = Date.now() + this.timeoutMs;
		let wait = 1;
		// The owner record is written first and then hard-linked into place (link fails if the lock
		// exists), so a lock file is never seen empty, even if its creator dies mid-way.
		const tmp = `${this.path}.${process.pid}.tmp`;
		writeFileSync(tmp, content, { mode: 0o600 });
		try {
			for (;;) {
				try {
					linkSync(tmp, this.path);
					// Whoever marked itself waiting is let in through this hand-over, or marks itself again.
					if (existsSync(this.waitingPath)) unlinkQuietly(this.waitingPath);
					return token;
				} catch (error) {
					if (errno(error) !== 'EEXIST') throw error;
				}
				const holder = this.inspect();
				if (holder.stale) {
					await this.breakStale(holder.text);
					continue;
				}
				if (Date.now() > deadline) {
					throw new LockTimeoutError(
						`Timed out after ${this.timeoutMs} ms waiting for the review log lock ${this.path}` +
							(holder.owner ? ` held by pid ${holder.owner.pid} on ${holder.owner.host}` : '') +
							'. If no process is using the log, delete the lock file.',
					);
				}
				// Mark this process as waiting, so a holder keeping the lock between runs hands it over.
				if (!existsSync(this.waitingPath)) writeFileSync(this.waitingPath, content, { mode: 0o600 });
				await sleep(wait + Math.random() * wait);
				wait = Math.min(wait * 2, MAX_POLL_MS);
			}
		} finally {
			unlinkQuietly(tmp);
			// Acquired or given up: this process waits no longer (another waiter marks itself again).
			if (readOrNull(this.waitingPath) === content) unlinkQuietly(this.waitingPath);
		}
	}

	private inspect(): { text: string; owner: Owner | null; stale: boolean } {
		let text: string;
		let mtimeMs: number;
		try {
			text = readFileSync(this.path, 'utf8');
			mtimeMs = statSync(this.path).mtimeMs;
		} catch (error) {
			if (errno(error) === 'ENOENT') return { text: '', owner: null, stale: false };
			throw error;
		}
		const owner = parseOwner(text);
		if (!owner) return { text, owner, stale: Date.now() - mtimeMs > UNREADABLE_LOCK_STALE_MS };
		return { text, owner, stale: isDead(owner) };
	}

	private async breakStale(deadContent: string): Promise<void> {
		const breakPath = `${this.path}.break`;
		try {
			closeSync(openSync(breakPath, 'wx', 0o600));
		} catch (error) {
			if (errno(error) !== 'EEXIST') throw error;
			let age = 0;
			try {
				age = Date.now() - statSync(breakPath).mtimeMs;
			} catch {
				// gone meanwhile
			}
			if (age > BREAK_LOCK_STALE_MS) unlinkQuietly(breakPath);
			await sleep(2);
			return;
		}
		try {
			if (readOrNull(this.path) === deadContent) unlinkQuietly(this.path);
		} finally {
			unlinkQuietly(breakPath);
		}
	}
}
