/**
 * The evidence vault: content that must outlive n8n's execution pruning (the draft, the approved
 * item, the edits) yet can still be erased. It is kept beside the review log, never in it: a record
 * names its evidence by id, subject reference and salted commitments (commitment.ts), so erasing the
 * content leaves the chain — and every proof made from it — intact.
 *
 * Per data subject (e.g. a candidate id) one random key encrypts that subject's envelopes
 * (AES-256-GCM, see crypto.ts); the key is stored only wrapped with the caller's master key, and the
 * subject id only as an HMAC under the caller's lookup key. `eraseSubject` tombstones the subject's
 * evidence, destroys its key and deletes its envelopes, then hands back the `erased` record(s) for
 * the caller to append; retention erases old evidence the same way (retention.ts).
 *
 * The gate's working copies of the same content (its request index) are emptied by the store
 * (core/store/requestErasure.ts), which Review Log's erasure and retention call right after the vault.
 *
 * What erasure cannot reach, honestly: backups and snapshots taken before the erasure (they hold the
 * wrapped key and the envelopes; with the master key they decrypt — destroy or expire backups on the
 * same schedule, or rotate the master key and destroy the old one); n8n's own execution data, which
 * holds the same items until n8n prunes it; filesystem and SSD remnants of deleted files, and
 * Postgres dead tuples until VACUUM (both hold only ciphertext and wrapped keys, useless without the
 * master key); the process memory of a running n8n; and anything the caller wrote into the chain
 * itself (record fields, an erasure reason) — the chain is permanent by design.
 */
import { canonicalize, CanonicalJsonError } from '../canonicalJson';
import { commitEvidence } from './commitment';
import {
	checkVaultKeys, envelopeAad, isRandomId, keyChecks, newSubjectKey, randomId, sameHex, seal, subjectLookup, unseal,
	unwrapSubjectKey, wrapSubjectKey, type VaultKeys,
} from './crypto';
import { EvidenceError, KEY_MISMATCH_MESSAGE } from './errors';
import { erasureRecords, type ErasedRecordInput } from './evidenceRecords';
import type { ExpiredEvidence, StoredEnvelope, StoredSubject, VaultStorage } from './storage';

export type { ExpiredEvidence } from './storage';

export interface PutEvidenceInput {
	/** The data subject the content is about (e.g. the candidate id). Never stored in plain text. */
	subjectId: string;
	/** Named JSON values, e.g. `{ draft, final, edits }`. */
	parts: Record<string, unknown>;
	/** When the record naming this evidence was written; retention counts from here. */
	recordedAt: string | Date;
}

export interface PutEvidenceResult {
	evidenceId: string;
	subjectRef: string;
	recordedAt: string;
	/** Part name → salted SHA-256 commitment (hex), for the record. The salts stay in the vault. */
	commitments: Record<string, string>;
}

export type EvidenceReadResult =
	| { status: 'present'; evidenceId: string; subjectRef: string; recordedAt: string; parts: Record<string, unknown>; salts: Record<string, string> }
	| { status: 'erased'; evidenceId: string; subjectRef: string; erasedAt: string; by: string; reason: string }
	| { status: 'unknown'; evidenceId: string };

export interface ErasureRequest {
	/** Who erases (a user id, or the retention job). Written to the permanent chain. */
	by: string;
	/** Why (a ticket reference, "retention P6M"). Written to the permanent chain: never the person's name. */
	reason: string;
	at?: Date;
}

export interface ErasureResult {
	scope: 'subject' | 'evidence';
	subjectRefs: string[];
	evidenceIds: string[];
	subjectKeysDestroyed: string[];
	/** Append these to the review log, in order. Empty when nothing was erased (e.g. a second erasure). */
	records: ErasedRecordInput[];
}

export interface EvidenceVault {
	readonly chain: string;
	put(input: PutEvidenceInput): Promise<PutEvidenceResult>;
	get(evidenceId: string): Promise<EvidenceReadResult>;
	eraseSubject(subjectId: string, request: ErasureRequest): Promise<ErasureResult>;
	/** Evidence recorded before `before`, oldest first (at most `limit`, default 100, max 1000). */
	listExpired(before: Date, limit?: number): Promise<ExpiredEvidence[]>;
	eraseEvidence(evidenceIds: string[], request: ErasureRequest & { retention?: { period: string; cutoff: string } }): Promise<ErasureResult>;
	close(): Promise<void>;
}

const PART_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const MAX_PARTS = 16;
/** Canonical JSON of all parts together. */
export const MAX_EVIDENCE_BYTES = 16 * 1024 * 1024;
const MAX_IDS_PER_CALL = 1000;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function invalid(message: string): never {
	throw new EvidenceError(message, 'invalid_input');
}

function text(value: unknown, what: string, max: number): string {
	if (typeof value !== 'string' || value.trim() === '' || value.length > max) invalid(`${what} must be a non-empty string of at most ${max} characters`);
	try {
		canonicalize(value);
	} catch (error) {
		invalid(`${what} is not valid Unicode text (${(error as Error).message})`);
	}
	return value;
}

function isoTime(value: string | Date | undefined, what: string, fallback: Date): string {
	const date = value === undefined ? fallback : value instanceof Date ? value : ISO_TIME.test(String(value)) ? new Date(value) : new Date(NaN);
	if (Number.isNaN(date.getTime())) invalid(`${what} must be a Date or an ISO-8601 time such as 2026-01-31T12:00:00Z`);
	return date.toISOString();
}

export function checkEvidenceId(id: unknown): string {
	if (!isRandomId(id)) invalid(`${JSON.stringify(id)} is not an evidence id (32 lower-case hex characters)`);
	return id;
}

function tampered(message: string): never {
	throw new EvidenceError(message, 'tampered');
}

class Vault implements EvidenceVault {
	private closed = false;

	constructor(
		readonly chain: string,
		private readonly storage: VaultStorage,
		private readonly keys: VaultKeys,
		private readonly now: () => Date,
	) {}

	private usable(): void {
		if (this.closed) throw new EvidenceError('The evidence vault is closed', 'closed');
	}

	private subjectKey(subject: StoredSubject): Buffer {
		const key = unwrapSubjectKey(this.keys.masterKey, this.chain, subject.subjectRef, subject.wrappedKey);
		if (!key) throw new EvidenceError(`${KEY_MISMATCH_MESSAGE} (or subject ${subject.subjectRef}'s key in ${this.storage.location} was altered)`, 'key_mismatch');
		return key;
	}

	async put(input: PutEvidenceInput): Promise<PutEvidenceResult> {
		this.usable();
		const subjectId = text(input?.subjectId, 'subjectId', 1024);
		const recordedAt = isoTime(input.recordedAt, 'recordedAt', new Date(NaN));
		const given = input.parts;
		if (given === null || typeof given !== 'object' || Array.isArray(given)) invalid('parts must be an object of named JSON values, e.g. { draft, final, edits }');
		const names = Object.keys(given).sort();
		if (names.length === 0 || names.length > MAX_PARTS) invalid(`parts must hold 1 to ${MAX_PARTS} named values`);
		const parts: Record<string, unknown> = {};
		const salts: Record<string, string> = {};
		const commitments: Record<string, string> = {};
		for (const name of names) {
			if (!PART_NAME.test(name)) invalid(`Part name ${JSON.stringify(name)} is invalid: use up to 32 letters, digits or "_", starting with a letter`);
			try {
				const c = commitEvidence(given[name]);
				salts[name] = c.salt;
				commitments[name] = c.sha256;
			} catch (error) {
				if (error instanceof CanonicalJsonError) invalid(`Part ${JSON.stringify(name)} is not plain JSON: ${error.message}`);
				throw error;
			}
			parts[name] = given[name];
		}
		const plaintext = Buffer.from(canonicalize({ parts, salts }), 'utf8');
		try {
			if (plaintext.length > MAX_EVIDENCE_BYTES) invalid(`Evidence is ${plaintext.length} bytes as JSON; the limit is ${MAX_EVIDENCE_BYTES}`);
			const lookup = subjectLookup(this.keys.lookupKey, this.chain, subjectId);
			const evidenceId = randomId();
			return await this.storage.mutate(async (tx) => {
				let subject = await tx.subject(lookup);
				let key: Buffer;
				if (subject) key = this.subjectKey(subject);
				else {
					key = newSubjectKey();
					const subjectRef = randomId();
					subject = { subjectRef, wrappedKey: wrapSubjectKey(this.keys.masterKey, this.chain, subjectRef, key), createdAt: this.now().toISOString() };
					await tx.addSubject(lookup, subject);
				}
				try {
					const envelope: StoredEnvelope = { evidenceId, subjectRef: subject.subjectRef, recordedAt, parts: names, sealed: '' };
					envelope.sealed = seal(key, plaintext, envelopeAad({ chain: this.chain, ...envelope }));
					await tx.addEnvelope(lookup, envelope);
				} finally {
					key.fill(0);
				}
				return { evidenceId, subjectRef: subject.subjectRef, recordedAt, commitments };
			});
		} finally {
			plaintext.fill(0);
		}
	}

	async get(evidenceId: string): Promise<EvidenceReadResult> {
		this.usable();
		checkEvidenceId(evidenceId);
		const stored = await this.storage.read(evidenceId);
		if (stored.state === 'unknown') return { status: 'unknown', evidenceId };
		if (stored.state === 'erased') {
			const t = stored.tombstone;
			return { status: 'erased', evidenceId, subjectRef: t.subjectRef, erasedAt: t.erasedAt, by: t.by, reason: t.reason };
		}
		const { envelope, subject } = stored;
		const where = `evidence ${evidenceId} in ${this.storage.location}`;
		if (envelope.subjectRef !== subject.subjectRef) tampered(`Cannot decrypt ${where}: its envelope names another subject than the key it is stored with (moved or altered)`);
		const key = this.subjectKey(subject);
		let plain: Buffer | null;
		try {
			// Bound to the id asked for, not the id the envelope claims: a copied envelope fails here.
			plain = unseal(key, envelope.sealed, envelopeAad({ chain: this.chain, evidenceId, subjectRef: subject.subjectRef, recordedAt: envelope.recordedAt, parts: envelope.parts }));
		} finally {
			key.fill(0);
		}
		if (!plain) tampered(`Cannot decrypt ${where}: the envelope does not belong to this evidence id and subject, or it or its metadata was altered. Restore it from a backup.`);
		let content: { parts: Record<string, unknown>; salts: Record<string, string> };
		try {
			content = JSON.parse(plain.toString('utf8')) as typeof content;
		} finally {
			plain.fill(0);
		}
		const names = Object.keys(content?.parts ?? {}).sort();
		if (canonicalize(names) !== canonicalize(envelope.parts) || canonicalize(Object.keys(content.salts ?? {}).sort()) !== canonicalize(names)) {
			tampered(`The content of ${where} does not have the parts its envelope names`);
		}
		return { status: 'present', evidenceId, subjectRef: subject.subjectRef, recordedAt: envelope.recordedAt, parts: content.parts, salts: content.salts };
	}

	private request(request: ErasureRequest, subjectId?: string): { by: string; reason: string; at: string } {
		const by = text(request?.by, 'The erasure\'s "by"', 256);
		const reason = text(request.reason, 'The erasure\'s reason', 1000);
		// The erased record is permanent; a reason naming the subject would undo the erasure.
		if (subjectId !== undefined && (reason.includes(subjectId) || by.includes(subjectId))) {
			invalid('The erasure\'s reason and "by" go into the permanent review log, so they must not contain the subject id; use a request reference instead');
		}
		return { by, reason, at: isoTime(request.at, 'The erasure time', this.now()) };
	}

	async eraseSubject(subjectId: string, request: ErasureRequest): Promise<ErasureResult> {
		this.usable();
		text(subjectId, 'subjectId', 1024);
		const r = this.request(request, subjectId);
		const done = await this.storage.eraseSubject(subjectLookup(this.keys.lookupKey, this.chain, subjectId), { erasedAt: r.at, by: r.by, reason: r.reason, scope: 'subject' });
		const erased = (done?.evidenceIds ?? []).map((evidenceId) => ({ evidenceId, subjectRef: done!.subjectRef }));
		const keysDestroyed = done ? [done.subjectRef] : [];
		return {
			scope: 'subject',
			subjectRefs: keysDestroyed,
			evidenceIds: erased.map((e) => e.evidenceId),
			subjectKeysDestroyed: keysDestroyed,
			records: erasureRecords({ scope: 'subject', ...r, erased, keysDestroyed }),
		};
	}

	async listExpired(before: Date, limit = 100): Promise<ExpiredEvidence[]> {
		this.usable();
		if (!(before instanceof Date) || Number.isNaN(before.getTime())) invalid('listExpired needs a valid Date');
		if (!Number.isInteger(limit) || limit < 1 || limit > MAX_IDS_PER_CALL) invalid(`limit must be an integer from 1 to ${MAX_IDS_PER_CALL}`);
		return this.storage.listExpired(before.toISOString(), limit);
	}

	async eraseEvidence(evidenceIds: string[], request: ErasureRequest & { retention?: { period: string; cutoff: string } }): Promise<ErasureResult> {
		this.usable();
		if (!Array.isArray(evidenceIds) || evidenceIds.length > MAX_IDS_PER_CALL) invalid(`eraseEvidence takes an array of at most ${MAX_IDS_PER_CALL} evidence ids`);
		const ids = [...new Set(evidenceIds.map(checkEvidenceId))];
		const r = this.request(request);
		const done = ids.length ? await this.storage.eraseEvidence(ids, { erasedAt: r.at, by: r.by, reason: r.reason, scope: 'evidence' }) : { erased: [], keysDestroyed: [] };
		const retention = request.retention ? { period: String(request.retention.period), cutoff: String(request.retention.cutoff) } : undefined;
		return {
			scope: 'evidence',
			subjectRefs: [...new Set([...done.erased.map((e) => e.subjectRef), ...done.keysDestroyed])].sort(),
			evidenceIds: done.erased.map((e) => e.evidenceId),
			subjectKeysDestroyed: done.keysDestroyed,
			records: erasureRecords({ scope: 'evidence', ...r, erased: done.erased, keysDestroyed: done.keysDestroyed, retention }),
		};
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.keys.masterKey.fill(0);
		this.keys.lookupKey.fill(0);
		await this.storage.close();
	}
}

/** A vault over `storage`; refuses keys that are not the ones the vault was created with. */
export async function createEvidenceVault(storage: VaultStorage, chain: string, keys: VaultKeys, now: () => Date = () => new Date()): Promise<EvidenceVault> {
	const own = checkVaultKeys(keys);
	const proposed = keyChecks(own);
	const stored = await storage.keyChecks(proposed);
	if (!sameHex(stored.master, proposed.master)) {
		throw new EvidenceError(`${KEY_MISMATCH_MESSAGE} (vault ${storage.location})`, 'key_mismatch');
	}
	if (!sameHex(stored.lookup, proposed.lookup)) {
		throw new EvidenceError(
			`The evidence vault ${storage.location} was written with another lookup key: subjects could not be found (nor erased) with this one. Use the evidence key of the credential that created this vault`,
			'key_mismatch',
		);
	}
	return new Vault(chain, storage, own, now);
}
