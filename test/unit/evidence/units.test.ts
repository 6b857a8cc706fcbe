/**
 * The vault's pure parts: salted commitments, key handling and envelopes' crypto, retention
 * arithmetic, and the shape and size of the `erased` records. No storage here.
 */
import { randomBytes } from 'node:crypto';

import { canonicalize } from '../../../core/canonicalJson';
import { MAX_RECORD_BYTES, normaliseInput } from '../../../core/chain';
import { sha256Json } from '../../../core/edits';
import type { ReviewRecordInput } from '../../../core/records';
import {
	checkCommitment, checkEvidence, commitEvidence, deriveEvidenceKeys, ERASURE_DETAILS_KEY, erasureRecords, EvidenceError, evidenceReference,
	MAX_IDS_PER_RECORD, parseRetention, retentionCutoff,
} from '../../../core/evidence';
import { checkVaultKeys, envelopeAad, keyChecks, seal, subjectLookup, unseal, unwrapSubjectKey, wrapSubjectKey } from '../../../core/evidence/crypto';

const hex = () => randomBytes(16).toString('hex');

describe('salted commitments', () => {
	const value = { name: 'Jane Roe', salary: 51000, notes: ['é', '\u{1F600}'] };

	it('verify for the value and salt that made them, and for nothing else', () => {
		const c = commitEvidence(value);
		expect(c.salt).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(Buffer.from(c.salt, 'base64url')).toHaveLength(32);
		expect(c.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(checkCommitment(value, c.salt, c.sha256)).toBe(true);
		// Key order does not matter (canonical JSON); any change of value, salt or hash does.
		expect(checkCommitment({ notes: value.notes, salary: 51000, name: 'Jane Roe' }, c.salt, c.sha256)).toBe(true);
		expect(checkCommitment({ ...value, salary: 51001 }, c.salt, c.sha256)).toBe(false);
		expect(checkCommitment(value, commitEvidence(value).salt, c.sha256)).toBe(false);
		const flipped = (c.salt[0] === 'A' ? 'B' : 'A') + c.salt.slice(1);
		expect(checkCommitment(value, flipped, c.sha256)).toBe(false);
		expect(checkCommitment(value, c.salt, (c.sha256[0] === '0' ? '1' : '0') + c.sha256.slice(1))).toBe(false);
	});

	it('are fresh every time and are not the plain hash (a short value cannot be guessed from the record)', () => {
		const a = commitEvidence('yes');
		const b = commitEvidence('yes');
		expect(a.salt).not.toBe(b.salt);
		expect(a.sha256).not.toBe(b.sha256);
		expect(a.sha256).not.toBe(sha256Json('yes'));
	});

	it('treat malformed input as a mismatch and refuse non-JSON values', () => {
		const c = commitEvidence(1);
		for (const [salt, sha] of [['short', c.sha256], [c.salt, 'XYZ'], [c.salt, c.sha256.toUpperCase()], [null, c.sha256]] as const) {
			expect(checkCommitment(1, salt as string, sha)).toBe(false);
		}
		expect(checkCommitment(Number.NaN, c.salt, c.sha256)).toBe(false);
		expect(() => commitEvidence(undefined)).toThrow();
		expect(() => commitEvidence({ when: new Date() })).toThrow();
	});
});

describe('keys and envelopes', () => {
	it('derives two different, stable keys from a credential secret, and refuses weak or equal keys', () => {
		const a = deriveEvidenceKeys('x'.repeat(32));
		expect(a.masterKey).toHaveLength(32);
		expect(a.masterKey.equals(a.lookupKey)).toBe(false);
		expect(deriveEvidenceKeys('x'.repeat(32)).masterKey.equals(a.masterKey)).toBe(true);
		expect(deriveEvidenceKeys('y'.repeat(32)).masterKey.equals(a.masterKey)).toBe(false);
		expect(() => deriveEvidenceKeys('short')).toThrow(/at least 32 characters/);
		expect(() => checkVaultKeys({ masterKey: a.masterKey, lookupKey: a.masterKey })).toThrow(/two different keys/);
		expect(() => checkVaultKeys({ masterKey: Buffer.alloc(16), lookupKey: a.lookupKey })).toThrow(/exactly 32 bytes/);
		expect(keyChecks(a)).toEqual(keyChecks(deriveEvidenceKeys('x'.repeat(32))));
	});

	it('looks subjects up by a keyed HMAC, never the id', () => {
		const { lookupKey } = deriveEvidenceKeys('x'.repeat(32));
		const l = subjectLookup(lookupKey, 'main', 'cand-42');
		expect(l).toMatch(/^[0-9a-f]{64}$/);
		expect(l).not.toContain('cand-42');
		expect(subjectLookup(lookupKey, 'main', 'cand-43')).not.toBe(l);
		expect(subjectLookup(lookupKey, 'other', 'cand-42')).not.toBe(l);
		expect(subjectLookup(randomBytes(32), 'main', 'cand-42')).not.toBe(l);
	});

	it('seals with AES-256-GCM bound to its AAD; any other key, AAD or byte fails', () => {
		const key = randomBytes(32);
		const binding = { chain: 'main', evidenceId: hex(), subjectRef: hex(), recordedAt: '2026-01-01T00:00:00.000Z', parts: ['draft', 'final'] };
		const sealed = seal(key, Buffer.from('secret draft'), envelopeAad(binding));
		expect(seal(key, Buffer.from('secret draft'), envelopeAad(binding))).not.toBe(sealed); // fresh IV
		expect(unseal(key, sealed, envelopeAad(binding))?.toString()).toBe('secret draft');
		expect(unseal(randomBytes(32), sealed, envelopeAad(binding))).toBeNull();
		for (const change of [{ evidenceId: hex() }, { subjectRef: hex() }, { parts: ['draft'] }, { recordedAt: '2026-01-02T00:00:00.000Z' }, { chain: 'x' }]) {
			expect(unseal(key, sealed, envelopeAad({ ...binding, ...change }))).toBeNull();
		}
		const raw = Buffer.from(sealed, 'base64url');
		raw[20] ^= 1;
		expect(unseal(key, raw.toString('base64url'), envelopeAad(binding))).toBeNull();
		expect(unseal(key, 'not base64!', envelopeAad(binding))).toBeNull();
		expect(unseal(key, 'AAAA', envelopeAad(binding))).toBeNull();
	});

	it('wraps a subject key for one subject only', () => {
		const master = randomBytes(32);
		const subjectKey = randomBytes(32);
		const ref = hex();
		const wrapped = wrapSubjectKey(master, 'main', ref, subjectKey);
		expect(unwrapSubjectKey(master, 'main', ref, wrapped)?.equals(subjectKey)).toBe(true);
		expect(unwrapSubjectKey(master, 'main', hex(), wrapped)).toBeNull();
		expect(unwrapSubjectKey(randomBytes(32), 'main', ref, wrapped)).toBeNull();
	});
});

describe('retention periods', () => {
	const at = (iso: string) => new Date(iso);
	it.each([
		['P6M', '2026-08-31T12:34:56.789Z', '2026-02-28T12:34:56.789Z'],
		['P6M', '2024-08-31T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
		['P4Y', '2028-02-29T10:00:00.000Z', '2024-02-29T10:00:00.000Z'],
		['P1Y', '2024-02-29T10:00:00.000Z', '2023-02-28T10:00:00.000Z'],
		['P30D', '2026-03-01T00:00:00.000Z', '2026-01-30T00:00:00.000Z'],
		['P2W', '2026-01-10T05:00:00.000Z', '2025-12-27T05:00:00.000Z'],
		['P1Y6M', '2026-01-15T00:00:00.000Z', '2024-07-15T00:00:00.000Z'],
		['P13M', '2026-01-31T00:00:00.000Z', '2024-12-31T00:00:00.000Z'],
		['P1M1D', '2026-03-31T00:00:00.000Z', '2026-02-27T00:00:00.000Z'],
		['P1000Y', '2026-01-01T00:00:00.000Z', '1026-01-01T00:00:00.000Z'],
	])('%s before %s is %s (UTC calendar arithmetic)', (period, now, cutoff) => {
		expect(retentionCutoff(at(now), period).toISOString()).toBe(cutoff);
	});

	it('refuses anything but whole years, months, weeks or days, with the accepted forms', () => {
		for (const bad of ['', 'P', '6M', 'p6m', 'P6m', 'P0D', 'P0Y0M', 'PT12H', 'P1DT1H', 'P1.5Y', 'P-1M', ' P6M', 'P6M ', '6 months', 'P1W2D', 'P1001Y', 'P12001M', 'P366001D', 'P9999999D'] as string[]) {
			expect(() => parseRetention(bad)).toThrow(EvidenceError);
			expect(() => parseRetention(bad)).toThrow(/P6M \(six months\)|longer than 1000 years/);
		}
		expect(() => parseRetention(6 as unknown as string)).toThrow(EvidenceError);
		expect(() => retentionCutoff(new Date(NaN), 'P6M')).toThrow(/valid Date/);
		expect(parseRetention('P2W')).toEqual({ years: 0, months: 0, days: 14 });
	});
});

describe('erased records', () => {
	const base = { scope: 'evidence' as const, by: 'retention', reason: 'retention period P6M ended', at: '2026-07-01T00:00:00.000Z' };

	it('name who, why, when, which evidence and which keys; none when nothing was erased', () => {
		const ref = hex();
		const ids = [hex(), hex()];
		const [record, ...rest] = erasureRecords({ ...base, scope: 'subject', erased: ids.map((evidenceId) => ({ evidenceId, subjectRef: ref })), keysDestroyed: [ref] });
		expect(rest).toEqual([]);
		expect(record).toEqual({
			event: 'erased',
			details: { [ERASURE_DETAILS_KEY]: { v: 1, scope: 'subject', by: 'retention', reason: base.reason, at: base.at, subjectRefs: [ref], evidenceIds: ids, subjectKeysDestroyed: [ref] } },
		});
		// Acceptable to the chain as a record body (checked here with an existing event), and its
		// details type-check as a record's details (this line does not compile otherwise).
		const asInput: Omit<ReviewRecordInput, 'event'> = { details: record.details };
		expect(() => normaliseInput({ ...asInput, event: 'note' })).not.toThrow();
		expect(erasureRecords({ ...base, erased: [], keysDestroyed: [] })).toEqual([]);
	});

	it('split a large erasure over records that each fit the record size limit', () => {
		const erased = Array.from({ length: 2 * MAX_IDS_PER_RECORD + 7 }, () => ({ evidenceId: hex(), subjectRef: hex() }));
		const keysDestroyed = erased.map((e) => e.subjectRef);
		const records = erasureRecords({ ...base, reason: 'r'.repeat(1000), erased, keysDestroyed, retention: { period: 'P6M', cutoff: '2026-01-01T00:00:00.000Z' } });
		expect(records).toHaveLength(3);
		records.forEach((r, i) => {
			const d = r.details[ERASURE_DETAILS_KEY];
			expect(d.batch).toEqual({ index: i + 1, of: 3 });
			expect(d.retention).toEqual({ period: 'P6M', cutoff: '2026-01-01T00:00:00.000Z' });
			expect(d.evidenceIds.length).toBeLessThanOrEqual(MAX_IDS_PER_RECORD);
			expect(Buffer.byteLength(canonicalize({ ...r, seq: 1, hash: 'f'.repeat(64), prevHash: 'f'.repeat(64) }))).toBeLessThan(MAX_RECORD_BYTES * 0.75);
		});
		expect(records.flatMap((r) => r.details[ERASURE_DETAILS_KEY].evidenceIds)).toEqual(erased.map((e) => e.evidenceId));
		expect(records.flatMap((r) => r.details[ERASURE_DETAILS_KEY].subjectKeysDestroyed)).toEqual(keysDestroyed);
	});

	it('let an auditor check content against a record, and say when it does not match', () => {
		const salts = { draft: commitEvidence('x').salt };
		const commitments = { draft: '' };
		const c = commitEvidence('hello');
		salts.draft = c.salt;
		commitments.draft = c.sha256;
		const ref = evidenceReference({ evidenceId: hex(), subjectRef: hex(), recordedAt: base.at, commitments });
		const present = { status: 'present' as const, evidenceId: ref.id, subjectRef: ref.subjectRef, recordedAt: base.at, parts: { draft: 'hello' }, salts };
		expect(checkEvidence(present, ref)).toEqual({ status: 'present', ok: true, parts: { draft: 'hello' }, mismatched: [] });
		expect(checkEvidence({ ...present, parts: { draft: 'hellO' } }, ref)).toMatchObject({ ok: false, mismatched: ['draft'] });
		expect(checkEvidence({ ...present, parts: { draft: 'hello', final: 1 }, salts: { ...salts, final: c.salt } }, ref)).toMatchObject({ ok: false, mismatched: ['final'] });
		expect(checkEvidence({ ...present, subjectRef: hex() }, ref)).toMatchObject({ ok: false, mismatched: [] });
		expect(checkEvidence({ status: 'unknown', evidenceId: ref.id }, ref)).toEqual({ status: 'unknown' });
	});
});
