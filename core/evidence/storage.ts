/**
 * What an evidence vault backend stores, and the few operations it must make atomic. The vault
 * (vault.ts) does all cryptography and validation; a backend only keeps opaque rows — ids, times,
 * part names, a wrapped key, a sealed envelope, tombstones — so the file and Postgres backends
 * cannot drift apart in what they protect, and neither ever sees a plaintext or a subject id.
 *
 * Every mutation runs under one lock per vault (a lock file, or a Postgres advisory lock in one
 * transaction): a put for a subject and the erasure of that subject can never interleave, and two
 * first puts for the same subject end with one subject key.
 */
import type { KeyChecks } from './crypto';

export interface StoredSubject {
	/** Random reference that stands for the subject in records and rows. */
	subjectRef: string;
	/** Subject key wrapped with the master key. */
	wrappedKey: string;
	createdAt: string;
}

export interface StoredEnvelope {
	evidenceId: string;
	subjectRef: string;
	recordedAt: string;
	/** Part names, sorted (bound into the envelope's AAD). */
	parts: string[];
	/** base64url(iv || ciphertext || tag). */
	sealed: string;
}

/** How one erasure is described in every tombstone it leaves. */
export interface TombstoneFields {
	erasedAt: string;
	by: string;
	reason: string;
	scope: 'subject' | 'evidence';
}

export interface Tombstone extends TombstoneFields {
	evidenceId: string;
	subjectRef: string;
}

export type StoredEvidence =
	| { state: 'present'; envelope: StoredEnvelope; subject: StoredSubject }
	| { state: 'erased'; tombstone: Tombstone }
	| { state: 'unknown' };

export interface ExpiredEvidence {
	evidenceId: string;
	subjectRef: string;
	recordedAt: string;
}

/** Operations available inside `VaultStorage.mutate` (under the vault lock / in its transaction). */
export interface VaultTx {
	subject(lookup: string): Promise<StoredSubject | null>;
	addSubject(lookup: string, subject: StoredSubject): Promise<void>;
	addEnvelope(lookup: string, envelope: StoredEnvelope): Promise<void>;
}

export interface SubjectErasure {
	subjectRef: string;
	evidenceIds: string[];
}

export interface EvidenceErasure {
	erased: Array<{ evidenceId: string; subjectRef: string }>;
	/** Subjects whose last evidence went: their keys were destroyed too. */
	keysDestroyed: string[];
}

export interface VaultStorage {
	/** Where the vault lives, for messages (a folder, or schema.table prefix). */
	readonly location: string;
	/** The stored key checks; stores `proposed` first if the vault has none yet. */
	keyChecks(proposed: KeyChecks): Promise<KeyChecks>;
	mutate<T>(fn: (tx: VaultTx) => Promise<T>): Promise<T>;
	/**
	 * Tombstones every envelope of the subject, destroys the subject key, deletes the envelopes and
	 * the lookup entry; null when the vault holds nothing for `lookup`. Atomic (Postgres) or
	 * resumable (file: a retry after a crash finishes the job and reports every id).
	 */
	eraseSubject(lookup: string, fields: TombstoneFields): Promise<SubjectErasure | null>;
	/** Tombstones and deletes these envelopes (unknown or already erased ids are skipped). */
	eraseEvidence(evidenceIds: string[], fields: TombstoneFields): Promise<EvidenceErasure>;
	read(evidenceId: string): Promise<StoredEvidence>;
	/** Envelopes recorded before `before` (ISO), oldest first. */
	listExpired(before: string, limit: number): Promise<ExpiredEvidence[]>;
	close(): Promise<void>;
}
