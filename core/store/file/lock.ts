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
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
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

export class FileLock {
	constructor(
		readonly path: string,
		private readonly timeoutMs = 30_000,
	) {}

	/** Runs `fn` while holding the lock. */
	async run<T>(fn: () => Promise<T>): Promise<T> {
		const previous = inProcessTails.get(this.path) ?? Promise.resolve();
		let releaseLocal!: () => void;
		const mine = new Promise<void>((resolve) => (releaseLocal = resolve));
		const tail = previous.then(() => mine);
		inProcessTails.set(this.path, tail);
		await previous;
		try {
			const token = await this.acquire();
			try {
				return await fn();
			} finally {
				await this.release(token);
			}
		} finally {
			releaseLocal();
			if (inProcessTails.get(this.path) === tail) inProcessTails.delete(this.path);
		}
	}

	private async acquire(): Promise<string> {
		const token = randomBytes(12).toString('hex');
		const content = JSON.stringify({ host: HOST, pid: process.pid, start: SELF_START, token } satisfies Owner);
		const deadline = Date.now() + this.timeoutMs;
		let wait = 1;
		for (;;) {
			// The owner record is written first and then hard-linked into place (link fails if the lock
			// exists), so a lock file is never seen empty, even if its creator dies mid-way.
			const tmp = `${this.path}.${process.pid}.tmp`;
			await fs.writeFile(tmp, content, { mode: 0o600 });
			try {
				await fs.link(tmp, this.path);
				return token;
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			} finally {
				await fs.unlink(tmp).catch(() => undefined);
			}
			const holder = await this.inspect();
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
			await sleep(wait + Math.random() * wait);
			wait = Math.min(wait * 2, 25);
		}
	}

	private async inspect(): Promise<{ text: string; owner: Owner | null; stale: boolean }> {
		let text: string;
		let mtimeMs: number;
		try {
			text = await fs.readFile(this.path, 'utf8');
			mtimeMs = (await fs.stat(this.path)).mtimeMs;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', owner: null, stale: false };
			throw error;
		}
		const owner = parseOwner(text);
		if (!owner) return { text, owner, stale: Date.now() - mtimeMs > UNREADABLE_LOCK_STALE_MS };
		return { text, owner, stale: isDead(owner) };
	}

	private async breakStale(deadContent: string): Promise<void> {
		const breakPath = `${this.path}.break`;
		try {
			await (await fs.open(breakPath, 'wx', 0o600)).close();
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const age = await fs.stat(breakPath).then((s) => Date.now() - s.mtimeMs, () => 0);
			if (age > BREAK_LOCK_STALE_MS) await fs.unlink(breakPath).catch(() => undefined);
			await sleep(2);
			return;
		}
		try {
			const now = await fs.readFile(this.path, 'utf8').catch(() => null);
			if (now === deadContent) await fs.unlink(this.path).catch(() => undefined);
		} finally {
			await fs.unlink(breakPath).catch(() => undefined);
		}
	}

	private async release(token: string): Promise<void> {
		const text = await fs.readFile(this.path, 'utf8').catch(() => null);
		const owner = text === null ? null : parseOwner(text);
		if (!owner || owner.token !== token) {
			throw new Error(`Review log lock ${this.path} was taken from this process while it held it`);
		}
		await fs.unlink(this.path);
	}
}
