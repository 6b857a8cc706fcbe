/**
 * The file backend of the evidence vault, in a folder of its own beside the JSONL log
 * (`<store directory>/evidence/<chain>/`):
 *
 *   vault.json                          key checks (see crypto.ts)
 *   vault.lock                          the inter-process lock every change runs under
 *   subjects/<lookup>/key.json          the subject key, wrapped with the master key
 *   subjects/<lookup>/<evidenceId>.json one envelope: ids, time, part names, ciphertext
 *   index/<evidenceId>.json             where the evidence lives, or its tombstone once erased
 *
 * `<lookup>` is the HMAC of the subject id, so the id itself is never on disk, and a subject's
 * evidence is one folder: erasing it needs no scan. Only ciphertext ever reaches disk — every file,
 * including the temp file of each atomic write (temp + fsync + rename + fsync of the folder), holds
 * JSON of ids, times and base64url ciphertext, never a plaintext. Erasure order: tombstones first,
 * then the key (the point after which the content is unrecoverable), then the envelopes; a journal
 * (`erasing.json`) lets a retry after a crash finish the job and report every id. Deleting a file
 * does not overwrite its disk blocks: remnants are ciphertext and wrapped keys, useless without the
 * master key. Listing expired evidence reads every envelope's metadata: fine for the embedded use
 * this backend is for; use Postgres for large vaults.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

import { assertChainName } from '../chain';
import { fsyncDir, readFileOrNull } from '../store/file/fsUtil';
import { FileLock } from '../store/file/lock';
import { type KeyChecks, isLookup, isRandomId } from './crypto';
import { EvidenceError } from './errors';
import type {
	EvidenceErasure, ExpiredEvidence, StoredEnvelope, StoredEvidence, StoredSubject, SubjectErasure, Tombstone, TombstoneFields,
	VaultStorage, VaultTx,
} from './storage';

type IndexEntry = { v: 1; state: 'present'; lookup: string } | ({ v: 1; state: 'erased' } & Tombstone);

const ENVELOPE_FILE = /^([0-9a-f]{32})\.json$/;

/** `<store directory>/evidence/<chain>`: the file vault's folder, beside the chain's log. */
export function evidenceDirectory(storeDirectory: string, chain: string): string {
	assertChainName(chain);
	return join(storeDirectory, 'evidence', chain);
}

/** Replaces `path` atomically; the temp file is removed if anything fails. Data is never plaintext. */
async function writeAtomic(path: string, value: unknown): Promise<void> {
	const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
	try {
		const handle = await fs.open(tmp, 'wx', 0o600);
		try {
			await handle.writeFile(JSON.stringify(value));
			await handle.sync();
		} finally {
			await handle.close();
		}
		await fs.rename(tmp, path);
	} catch (error) {
		await fs.unlink(tmp).catch(() => undefined);
		throw error;
	}
}

async function unlinkIfPresent(path: string): Promise<boolean> {
	try {
		await fs.unlink(path);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
		throw error;
	}
}

async function listOrEmpty(dir: string): Promise<string[]> {
	try {
		return await fs.readdir(dir);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw error;
	}
}

export class FileVaultStorage implements VaultStorage, VaultTx {
	private readonly lock: FileLock;
	private closed = false;

	private constructor(readonly location: string) {
		this.lock = new FileLock(join(location, 'vault.lock'));
	}

	static async open(directory: string): Promise<FileVaultStorage> {
		for (const sub of ['subjects', 'index']) await fs.mkdir(join(directory, sub), { recursive: true, mode: 0o700 });
		return new FileVaultStorage(directory);
	}

	private subjectDir(lookup: string): string {
		return join(this.location, 'subjects', lookup);
	}

	private indexPath(evidenceId: string): string {
		return join(this.location, 'index', `${evidenceId}.json`);
	}

	private async readJson<T>(path: string, valid: (value: T) => boolean): Promise<T | null> {
		const raw = await readFileOrNull(path);
		if (raw === null) return null;
		let value: T;
		try {
			value = JSON.parse(raw) as T;
		} catch {
			value = null as T;
		}
		if (value === null || typeof value !== 'object' || !valid(value)) throw new EvidenceError(`${path} is damaged (not what the evidence vault wrote); restore it from a backup`, 'tampered');
		return value;
	}

	private readSubject(lookup: string): Promise<StoredSubject | null> {
		return this.readJson<StoredSubject>(join(this.subjectDir(lookup), 'key.json'), (s) => isRandomId(s.subjectRef) && typeof s.wrappedKey === 'string' && typeof s.createdAt === 'string');
	}

	private readEnvelope(lookup: string, evidenceId: string): Promise<StoredEnvelope | null> {
		return this.readJson<StoredEnvelope>(
			join(this.subjectDir(lookup), `${evidenceId}.json`),
			(e) => isRandomId(e.subjectRef) && typeof e.recordedAt === 'string' && Array.isArray(e.parts) && e.parts.every((p) => typeof p === 'string') && typeof e.sealed === 'string',
		);
	}

	private readIndex(evidenceId: string): Promise<IndexEntry | null> {
		return this.readJson<IndexEntry>(this.indexPath(evidenceId), (i) =>
			i.state === 'present' ? isLookup(i.lookup) : i.state === 'erased' && isRandomId(i.subjectRef) && typeof i.erasedAt === 'string' && typeof i.reason === 'string' && typeof i.by === 'string',
		);
	}

	private usable(): void {
		if (this.closed) throw new EvidenceError('The evidence vault is closed', 'closed');
	}

	private locked<T>(fn: () => Promise<T>): Promise<T> {
		this.usable();
		return this.lock.run(fn);
	}

	keyChecks(proposed: KeyChecks): Promise<KeyChecks> {
		const path = join(this.location, 'vault.json');
		return this.locked(async () => {
			const stored = await this.readJson<KeyChecks>(path, (k) => typeof k.master === 'string' && typeof k.lookup === 'string');
			if (stored) return stored;
			await writeAtomic(path, proposed);
			await fsyncDir(this.location);
			return proposed;
		});
	}

	mutate<T>(fn: (tx: VaultTx) => Promise<T>): Promise<T> {
		return this.locked(() => fn(this));
	}

	// VaultTx: called only from inside `mutate`.
	subject(lookup: string): Promise<StoredSubject | null> {
		return this.readSubject(lookup);
	}

	async addSubject(lookup: string, subject: StoredSubject): Promise<void> {
		const dir = this.subjectDir(lookup);
		await fs.mkdir(dir, { mode: 0o700 });
		await writeAtomic(join(dir, 'key.json'), subject);
		await fsyncDir(dir);
		await fsyncDir(join(this.location, 'subjects'));
	}

	async addEnvelope(lookup: string, envelope: StoredEnvelope): Promise<void> {
		// Envelope first: a crash in between leaves an unindexed envelope (never acknowledged, erased
		// with its subject), never an index entry pointing at nothing.
		const dir = this.subjectDir(lookup);
		await writeAtomic(join(dir, `${envelope.evidenceId}.json`), envelope);
		await fsyncDir(dir);
		await writeAtomic(this.indexPath(envelope.evidenceId), { v: 1, state: 'present', lookup } satisfies IndexEntry);
		await fsyncDir(join(this.location, 'index'));
	}

	private async tombstone(t: Tombstone): Promise<void> {
		await writeAtomic(this.indexPath(t.evidenceId), { v: 1, state: 'erased', ...t } satisfies IndexEntry);
	}

	/** Deletes the subject's key, envelopes, temp leftovers and folder (call under the lock). */
	private async removeSubject(lookup: string): Promise<void> {
		const dir = this.subjectDir(lookup);
		await unlinkIfPresent(join(dir, 'key.json'));
		await fsyncDir(dir).catch(() => undefined);
		for (const name of await listOrEmpty(dir)) if (name !== 'erasing.json') await unlinkIfPresent(join(dir, name));
		await unlinkIfPresent(join(dir, 'erasing.json'));
		await fs.rmdir(dir).catch((error: NodeJS.ErrnoException) => {
			if (error.code !== 'ENOENT') throw error;
		});
		await fsyncDir(join(this.location, 'subjects'));
	}

	private async envelopeIds(lookup: string): Promise<string[]> {
		return (await listOrEmpty(this.subjectDir(lookup))).flatMap((name) => ENVELOPE_FILE.exec(name)?.[1] ?? []);
	}

	eraseSubject(lookup: string, fields: TombstoneFields): Promise<SubjectErasure | null> {
		return this.locked(async () => {
			const dir = this.subjectDir(lookup);
			const journalPath = join(dir, 'erasing.json');
			const journal = await this.readJson<SubjectErasure>(journalPath, (j) => isRandomId(j.subjectRef) && Array.isArray(j.evidenceIds) && j.evidenceIds.every(isRandomId));
			const onDisk = await this.envelopeIds(lookup);
			const key = await this.readSubject(lookup);
			let subjectRef = key?.subjectRef ?? journal?.subjectRef ?? null;
			if (!subjectRef && onDisk.length) subjectRef = (await this.readEnvelope(lookup, onDisk[0]))?.subjectRef ?? null;
			if (!subjectRef) {
				await this.removeSubject(lookup);
				return null;
			}
			const evidenceIds = [...new Set([...(journal?.evidenceIds ?? []), ...onDisk])].sort();
			const erasure: SubjectErasure = { subjectRef, evidenceIds };
			await writeAtomic(journalPath, erasure);
			await fsyncDir(dir);
			for (const evidenceId of evidenceIds) await this.tombstone({ evidenceId, subjectRef, ...fields });
			await fsyncDir(join(this.location, 'index'));
			await this.removeSubject(lookup);
			return erasure;
		});
	}

	eraseEvidence(evidenceIds: string[], fields: TombstoneFields): Promise<EvidenceErasure> {
		return this.locked(async () => {
			const erased: EvidenceErasure['erased'] = [];
			const touched = new Map<string, string>();
			for (const evidenceId of evidenceIds) {
				const entry = await this.readIndex(evidenceId);
				if (entry?.state !== 'present') continue;
				const envelope = await this.readEnvelope(entry.lookup, evidenceId);
				const subjectRef = envelope?.subjectRef ?? (await this.readSubject(entry.lookup))?.subjectRef;
				if (!subjectRef) continue;
				await this.tombstone({ evidenceId, subjectRef, ...fields });
				await unlinkIfPresent(join(this.subjectDir(entry.lookup), `${evidenceId}.json`));
				erased.push({ evidenceId, subjectRef });
				touched.set(entry.lookup, subjectRef);
			}
			await fsyncDir(join(this.location, 'index'));
			const keysDestroyed: string[] = [];
			for (const [lookup, subjectRef] of touched) {
				await fsyncDir(this.subjectDir(lookup));
				if ((await this.envelopeIds(lookup)).length > 0) continue;
				// The subject's last evidence went: its key (and its lookup entry) go too.
				await this.removeSubject(lookup);
				keysDestroyed.push(subjectRef);
			}
			return { erased, keysDestroyed: keysDestroyed.sort() };
		});
	}

	async read(evidenceId: string): Promise<StoredEvidence> {
		this.usable();
		for (let attempt = 0; ; attempt++) {
			const entry = await this.readIndex(evidenceId);
			if (!entry) return { state: 'unknown' };
			if (entry.state === 'erased') {
				const { evidenceId: id, subjectRef, erasedAt, by, reason, scope } = entry;
				return { state: 'erased', tombstone: { evidenceId: id, subjectRef, erasedAt, by, reason, scope } };
			}
			const [envelope, subject] = await Promise.all([this.readEnvelope(entry.lookup, evidenceId), this.readSubject(entry.lookup)]);
			if (envelope && subject) return { state: 'present', envelope: { ...envelope, evidenceId }, subject };
			// Erased between the reads? Then the index now says so; otherwise something removed files.
			if (attempt > 0) throw new EvidenceError(`Evidence ${evidenceId} in ${this.location} is indexed but its envelope or subject key is missing; restore the vault folder from a backup`, 'tampered');
		}
	}

	async listExpired(before: string, limit: number): Promise<ExpiredEvidence[]> {
		this.usable();
		const found: Array<ExpiredEvidence & { lookup: string }> = [];
		for (const lookup of await listOrEmpty(join(this.location, 'subjects'))) {
			if (!isLookup(lookup)) continue;
			for (const evidenceId of await this.envelopeIds(lookup)) {
				const envelope = await this.readEnvelope(lookup, evidenceId);
				if (envelope && envelope.recordedAt < before) found.push({ evidenceId, subjectRef: envelope.subjectRef, recordedAt: envelope.recordedAt, lookup });
			}
		}
		found.sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : a.evidenceId < b.evidenceId ? -1 : 1));
		const listed: ExpiredEvidence[] = [];
		for (const { lookup, ...item } of found) {
			if (listed.length === limit) break;
			if ((await this.readIndex(item.evidenceId))?.state === 'present') listed.push(item);
			else await this.dropOrphan(lookup, item.evidenceId);
		}
		return listed;
	}

	/**
	 * An envelope whose index is a tombstone (a crash between tombstone and delete) or missing (a
	 * crash inside a put, never acknowledged): delete it, re-checked under the lock so an unfinished
	 * put is never touched.
	 */
	private dropOrphan(lookup: string, evidenceId: string): Promise<void> {
		return this.locked(async () => {
			if ((await this.readIndex(evidenceId))?.state === 'present') return;
			if (await unlinkIfPresent(join(this.subjectDir(lookup), `${evidenceId}.json`))) await fsyncDir(this.subjectDir(lookup));
		});
	}

	async close(): Promise<void> {
		this.closed = true;
	}
}
