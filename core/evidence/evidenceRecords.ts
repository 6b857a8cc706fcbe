/**
 * How evidence shows up in the review log: the reference a record carries for the evidence it
 * names, the `erased` record an erasure leaves, and the auditor's check of content against a record.
 *
 * Why here and not in core/records.ts: the chain only needs to accept `event: 'erased'` with JSON
 * `details`; what those details say is the vault's business. The shapes are plain JSON (type
 * aliases, not interfaces, so they fit `Record<string, unknown>`), small enough for the record size
 * limit: an erasure of many items is split over several records of at most MAX_IDS_PER_RECORD ids.
 * Nothing here ever names a subject id or holds a salt — records are permanent.
 */
import { checkCommitment } from './commitment';
import type { EvidenceReadResult, PutEvidenceResult } from './vault';

/** The `details` key of a record that names evidence kept in the vault. */
export const EVIDENCE_DETAILS_KEY = 'evidence';
/** The `details` key of an `erased` record. */
export const ERASURE_DETAILS_KEY = 'evidenceErasure';
/** Ids per `erased` record: 32 hex characters each keeps a record far below the 64 KiB limit. */
export const MAX_IDS_PER_RECORD = 400;

/** What a record (e.g. `decided`) carries in `details.evidence`: ids and commitments, never content or salts. */
export type EvidenceReference = {
	id: string;
	subjectRef: string;
	/** Part name → salted SHA-256 commitment (hex). */
	commitments: Record<string, string>;
};

export type ErasureDetails = {
	v: 1;
	/** `subject`: a data subject's erasure request; `evidence`: chosen items (retention). */
	scope: 'subject' | 'evidence';
	/** Who erased (a user, or the retention job). */
	by: string;
	/** Why (a request reference, the retention rule). Permanent: must not name the person. */
	reason: string;
	/** ISO-8601 time of the erasure. */
	at: string;
	subjectRefs: string[];
	evidenceIds: string[];
	/** Subject references whose key was destroyed. */
	subjectKeysDestroyed: string[];
	retention?: { period: string; cutoff: string };
	/** Present when one erasure needed several records. */
	batch?: { index: number; of: number };
};

/** The record input to append after an erasure (`ReviewRecordInput` once the chain knows `erased`). */
export type ErasedRecordInput = {
	event: 'erased';
	details: { [ERASURE_DETAILS_KEY]: ErasureDetails };
};

export function evidenceReference(put: PutEvidenceResult): EvidenceReference {
	return { id: put.evidenceId, subjectRef: put.subjectRef, commitments: { ...put.commitments } };
}

function chunks<T>(items: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

export interface ErasureSummary {
	scope: 'subject' | 'evidence';
	by: string;
	reason: string;
	at: string;
	erased: Array<{ evidenceId: string; subjectRef: string }>;
	keysDestroyed: string[];
	retention?: { period: string; cutoff: string };
}

/** The `erased` records for one erasure (none when nothing was erased). */
export function erasureRecords(s: ErasureSummary): ErasedRecordInput[] {
	if (s.erased.length === 0 && s.keysDestroyed.length === 0) return [];
	const idChunks = chunks(s.erased, MAX_IDS_PER_RECORD);
	const keyChunks = chunks(s.keysDestroyed, MAX_IDS_PER_RECORD);
	const count = Math.max(idChunks.length, keyChunks.length);
	const records: ErasedRecordInput[] = [];
	for (let i = 0; i < count; i++) {
		const items = idChunks[i] ?? [];
		const keys = keyChunks[i] ?? [];
		const refs = [...new Set([...items.map((e) => e.subjectRef), ...keys])].sort();
		const details: ErasureDetails = {
			v: 1,
			scope: s.scope,
			by: s.by,
			reason: s.reason,
			at: s.at,
			subjectRefs: refs,
			evidenceIds: items.map((e) => e.evidenceId),
			subjectKeysDestroyed: keys,
		};
		if (s.retention) details.retention = { ...s.retention };
		if (count > 1) details.batch = { index: i + 1, of: count };
		records.push({ event: 'erased', details: { [ERASURE_DETAILS_KEY]: details } });
	}
	return records;
}

export type EvidenceCheck =
	| {
			status: 'present';
			/** Every part matches its commitment, the part names match, the subject matches. */
			ok: boolean;
			parts: Record<string, unknown>;
			/** Parts whose content does not match the record's commitment (or that one side lacks). */
			mismatched: string[];
	  }
	| { status: 'erased'; erasedAt: string; by: string; reason: string }
	| { status: 'unknown' };

/**
 * The auditor's check: does the vault's content for `ref` match what the record committed to? An
 * export includes `parts` only when `ok`; a mismatch means the vault or the record was altered.
 */
export function checkEvidence(read: EvidenceReadResult, ref: EvidenceReference): EvidenceCheck {
	if (read.status === 'erased') return { status: 'erased', erasedAt: read.erasedAt, by: read.by, reason: read.reason };
	if (read.status === 'unknown') return { status: 'unknown' };
	const names = [...new Set([...Object.keys(read.parts), ...Object.keys(ref.commitments)])].sort();
	const mismatched = names.filter((name) => {
		const sha = Object.prototype.hasOwnProperty.call(ref.commitments, name) ? ref.commitments[name] : undefined;
		const salt = Object.prototype.hasOwnProperty.call(read.salts, name) ? read.salts[name] : undefined;
		return sha === undefined || salt === undefined || !checkCommitment(read.parts[name], salt, sha);
	});
	const ok = mismatched.length === 0 && read.evidenceId === ref.id && read.subjectRef === ref.subjectRef;
	return { status: 'present', ok, parts: read.parts, mismatched };
}
