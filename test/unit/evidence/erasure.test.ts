/**
 * Erasure and retention against both backends. After a subject's erasure its content must be
 * unreadable in fact, not just in the API: the test greps every byte the vault holds (every file of
 * the folder, temp files included; every row of every vault table rendered as text) for the known
 * plaintext, the subject id and the subject key. Other subjects stay readable, a second erasure is
 * harmless, and retention erases exactly what is older than its cutoff.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

import { ERASURE_DETAILS_KEY, evidenceDirectory, sweepRetention, type EvidenceVault } from '../../../core/evidence';
import { unwrapSubjectKey } from '../../../core/evidence/crypto';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { KEY } from '../store/helpers';
import { found, KEYS, newChain, useBackends } from './support';

const { backends, folder } = useBackends('evidence-erasure');
const AT = new Date('2026-06-01T12:00:00.000Z');

describe.each(backends)('$name backend', (backend) => {
	const vaults: EvidenceVault[] = [];
	const open = async (chain = newChain(), now?: () => Date) => {
		const v = await backend.open(chain, KEYS, now);
		vaults.push(v);
		return v;
	};
	afterAll(async () => {
		for (const v of vaults) await v.close();
	});

	it('erases a subject: content, key and lookup gone from every byte of the store; others untouched; the result names who and why', async () => {
		const vault = await open();
		const subject = `cand-${randomBytes(6).toString('hex')}`;
		const marker = `Plaintext-${randomBytes(8).toString('hex')}`;
		const mine = [
			await vault.put({ subjectId: subject, parts: { draft: `${marker} draft`, final: `${marker} final`, edits: [{ path: 'body', before: 'Jane', after: `${marker} edit` }] }, recordedAt: AT }),
			await vault.put({ subjectId: subject, parts: { draft: { note: `${marker} second` } }, recordedAt: AT }),
		];
		const other = await vault.put({ subjectId: 'cand-other', parts: { draft: 'Other person, kept' }, recordedAt: AT });
		const ref = mine[0].subjectRef;
		const wrapped = await backend.wrappedKey(vault.chain, ref);
		const subjectKey = unwrapSubjectKey(KEYS.masterKey, vault.chain, ref, wrapped ?? '');
		expect(subjectKey).not.toBeNull();
		const secrets = { plaintext: marker, subjectId: subject, subjectKey: subjectKey as Buffer, wrappedKey: wrapped as string };

		// Before: only ciphertext is stored, and never the subject id, even while the subject exists.
		let bytes = await backend.dump(vault.chain);
		expect(found(bytes, { plaintext: marker, subjectId: subject, subjectKey: subjectKey as Buffer, other: 'Other person' })).toEqual([]);
		expect(found(bytes, { wrappedKey: wrapped as string })).toEqual(['wrappedKey']);

		const result = await vault.eraseSubject(subject, { by: 'dpo@example.com', reason: 'GDPR art. 17 request #42', at: AT });
		expect(result).toMatchObject({ scope: 'subject', subjectRefs: [ref], subjectKeysDestroyed: [ref] });
		expect(result.evidenceIds.sort()).toEqual(mine.map((m) => m.evidenceId).sort());
		expect(result.records).toEqual([
			{
				event: 'erased',
				details: {
					[ERASURE_DETAILS_KEY]: {
						v: 1, scope: 'subject', by: 'dpo@example.com', reason: 'GDPR art. 17 request #42', at: AT.toISOString(),
						subjectRefs: [ref], evidenceIds: result.evidenceIds, subjectKeysDestroyed: [ref],
					},
				},
			},
		]);
		expect(JSON.stringify(result)).not.toContain(subject);

		for (const m of mine) {
			expect(await vault.get(m.evidenceId)).toEqual({ status: 'erased', evidenceId: m.evidenceId, subjectRef: ref, erasedAt: AT.toISOString(), by: 'dpo@example.com', reason: 'GDPR art. 17 request #42' });
		}
		expect(await vault.get(other.evidenceId)).toMatchObject({ status: 'present', parts: { draft: 'Other person, kept' } });
		expect(await backend.counts(vault.chain)).toEqual({ subjects: 1, envelopes: 1 });
		expect(await backend.wrappedKey(vault.chain, ref)).toBeNull();
		bytes = await backend.dump(vault.chain);
		expect(found(bytes, secrets)).toEqual([]);
		expect(found(bytes, { other: other.subjectRef })).toEqual(['other']);

		// A second erasure finds nothing and writes nothing; a new put starts a new subject key.
		expect(await vault.eraseSubject(subject, { by: 'dpo@example.com', reason: 'GDPR art. 17 request #42' })).toEqual({
			scope: 'subject', subjectRefs: [], evidenceIds: [], subjectKeysDestroyed: [], records: [],
		});
		expect(await vault.get(mine[0].evidenceId)).toMatchObject({ status: 'erased' });
		const fresh = await vault.put({ subjectId: subject, parts: { draft: 'new' }, recordedAt: AT });
		expect(fresh.subjectRef).not.toBe(ref);
	});

	it('refuses an erasure whose permanent reason or author names the subject', async () => {
		const vault = await open();
		await vault.put({ subjectId: 'cand-777', parts: { draft: 'x' }, recordedAt: AT });
		await expect(vault.eraseSubject('cand-777', { by: 'dpo', reason: 'request of cand-777' })).rejects.toThrow(/must not contain the subject id/);
		await expect(vault.eraseSubject('cand-777', { by: 'cand-777', reason: 'self-service' })).rejects.toThrow(/must not contain the subject id/);
		expect(await backend.counts(vault.chain)).toEqual({ subjects: 1, envelopes: 1 });
	});

	it('retention lists and erases only what is older than the cutoff, and destroys a key with its last evidence', async () => {
		const vault = await open();
		const at = (iso: string) => new Date(iso);
		const [oldText, mixedText] = [`old-${randomBytes(8).toString('hex')}`, `mixed-old-${randomBytes(8).toString('hex')}`];
		const oldOnly = await vault.put({ subjectId: 'old-only', parts: { draft: oldText }, recordedAt: '2025-01-10T00:00:00Z' });
		const mixedOld = await vault.put({ subjectId: 'mixed', parts: { draft: mixedText }, recordedAt: '2025-11-30T23:59:59.999Z' });
		const edge = await vault.put({ subjectId: 'mixed', parts: { draft: 'exactly at cutoff' }, recordedAt: '2025-12-01T00:00:00.000Z' });
		const young = await vault.put({ subjectId: 'young', parts: { draft: 'young' }, recordedAt: '2026-05-01T00:00:00Z' });

		const now = at('2026-06-01T00:00:00.000Z'); // P6M → cutoff 2025-12-01T00:00:00.000Z
		expect(await vault.listExpired(at('2025-12-01T00:00:00.000Z'))).toEqual([
			{ evidenceId: oldOnly.evidenceId, subjectRef: oldOnly.subjectRef, recordedAt: '2025-01-10T00:00:00.000Z' },
			{ evidenceId: mixedOld.evidenceId, subjectRef: mixedOld.subjectRef, recordedAt: '2025-11-30T23:59:59.999Z' },
		]);
		expect(await vault.listExpired(at('2025-12-01T00:00:00.000Z'), 1)).toHaveLength(1);

		const first = await sweepRetention(vault, { retention: 'P6M', now, limit: 1 });
		expect(first).toMatchObject({ cutoff: '2025-12-01T00:00:00.000Z', more: true, evidenceIds: [oldOnly.evidenceId], subjectKeysDestroyed: [oldOnly.subjectRef] });
		const second = await sweepRetention(vault, { retention: 'P6M', now, limit: 1 });
		expect(second).toMatchObject({ more: true, evidenceIds: [mixedOld.evidenceId], subjectKeysDestroyed: [] });
		const details = second.records[0].details[ERASURE_DETAILS_KEY];
		expect(details).toMatchObject({ scope: 'evidence', by: 'retention', retention: { period: 'P6M', cutoff: '2025-12-01T00:00:00.000Z' }, at: now.toISOString() });
		expect(details.reason).toMatch(/retention period P6M ended/);
		expect(await sweepRetention(vault, { retention: 'P6M', now })).toMatchObject({ more: false, evidenceIds: [], records: [] });

		expect(await vault.get(oldOnly.evidenceId)).toMatchObject({ status: 'erased', by: 'retention' });
		expect(await vault.get(mixedOld.evidenceId)).toMatchObject({ status: 'erased' });
		expect(await vault.get(edge.evidenceId)).toMatchObject({ status: 'present', parts: { draft: 'exactly at cutoff' } });
		expect(await vault.get(young.evidenceId)).toMatchObject({ status: 'present' });
		expect(await backend.counts(vault.chain)).toEqual({ subjects: 2, envelopes: 2 });
		expect(found(await backend.dump(vault.chain), { oldText, mixedText })).toEqual([]);

		// Erasing evidence ids again, or unknown ones, is harmless.
		expect(await vault.eraseEvidence([oldOnly.evidenceId, randomBytes(16).toString('hex')], { by: 'x', reason: 'y' })).toMatchObject({ evidenceIds: [], records: [] });
		// A later sweep takes the rest when its time comes.
		const later = await sweepRetention(vault, { retention: 'P6M', now: at('2026-11-01T00:00:00.001Z') });
		expect(later.evidenceIds.sort()).toEqual([edge.evidenceId, young.evidenceId].sort());
		expect(await backend.counts(vault.chain)).toEqual({ subjects: 0, envelopes: 0 });
	});

	if (backend.name === 'file') {
		it('leaves no plaintext and no temp file behind when a write fails half-way, and does not touch the review log', async () => {
			const chain = newChain();
			const store = await JsonlReviewStore.open({ directory: folder(), chain, checkpointKey: KEY });
			const vault = await open(chain);
			const put = await vault.put({ subjectId: 'cand-log', parts: { draft: 'In the log?' }, recordedAt: AT });
			await store.append({ event: 'note', details: { evidence: { id: put.evidenceId, subjectRef: put.subjectRef, commitments: put.commitments } } });
			const checkpoint = await store.checkpoint();
			const log = await fs.readFile(store.path);

			// The temp file as it is at the moment of the rename (which then fails): ciphertext only.
			const marker = `Never-on-disk-${randomBytes(6).toString('hex')}`;
			const temps: Buffer[] = [];
			const rename = jest.spyOn(fs, 'rename').mockImplementationOnce(async (from) => {
				temps.push(await fs.readFile(from));
				throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
			});
			await expect(vault.put({ subjectId: 'cand-log', parts: { draft: marker }, recordedAt: AT })).rejects.toThrow('disk full');
			rename.mockRestore();
			expect(temps).toHaveLength(1);
			expect(JSON.parse(temps[0].toString('utf8'))).toMatchObject({ evidenceId: expect.any(String), sealed: expect.any(String) });
			expect(found(temps[0], { marker, subjectId: 'cand-log' })).toEqual([]);
			const names = await fs.readdir(join(evidenceDirectory(folder(), chain), 'subjects'), { recursive: true });
			expect(names.filter((n) => String(n).endsWith('.tmp'))).toEqual([]);
			expect(found(await backend.dump(chain), { marker })).toEqual([]);

			await vault.eraseSubject('cand-log', { by: 'dpo', reason: 'ticket 9' });
			expect(await fs.readFile(store.path)).toEqual(log);
			expect(await store.verify({ checkpoint })).toMatchObject({ ok: true, checkpoint: { verified: true } });
			await store.close();
		});

		it('an erasure cut off by a crash is finished, and fully reported, by the retry', async () => {
			const vault = await open();
			const marker = `Crash-${randomBytes(6).toString('hex')}`;
			const ids = [];
			for (let i = 0; i < 3; i++) ids.push((await vault.put({ subjectId: 'cand-crash', parts: { draft: `${marker} ${i}` }, recordedAt: AT })).evidenceId);
			/** Makes the `nth` unlink of a vault file matching `pattern` fail, as a crash there would stop the erasure. */
			const fail = (pattern: RegExp, nth: number) => {
				let calls = 0;
				const real = fs.unlink.bind(fs);
				return jest.spyOn(fs, 'unlink').mockImplementation(async (path) => {
					if (pattern.test(String(path)) && ++calls === nth) throw Object.assign(new Error('I/O error'), { code: 'EIO' });
					return real(path);
				});
			};
			// Crash when destroying the key (after the tombstones), then after the key and one envelope.
			for (const [pattern, nth] of [[/key\.json$/, 1], [/subjects\/[0-9a-f]{64}\/[0-9a-f]{32}\.json$/, 2]] as const) {
				const spy = fail(pattern, nth);
				await expect(vault.eraseSubject('cand-crash', { by: 'dpo', reason: 'ticket 7', at: AT })).rejects.toThrow('I/O error');
				spy.mockRestore();
				for (const id of ids) expect(await vault.get(id)).toMatchObject({ status: 'erased', reason: 'ticket 7' });
			}
			expect(await backend.counts(vault.chain)).toEqual({ subjects: 0, envelopes: 2 });
			const retry = await vault.eraseSubject('cand-crash', { by: 'dpo', reason: 'ticket 7', at: AT });
			expect(retry.evidenceIds).toEqual([...ids].sort());
			expect(retry.records).toHaveLength(1);
			expect(await backend.counts(vault.chain)).toEqual({ subjects: 0, envelopes: 0 });
			expect(found(await backend.dump(vault.chain), { marker, subjectId: 'cand-crash' })).toEqual([]);
		});

		it('retention cleans up an envelope left behind by a crash after its tombstone', async () => {
			const vault = await open();
			const marker = `Orphan-${randomBytes(6).toString('hex')}`;
			const keep = await vault.put({ subjectId: 'cand-o', parts: { draft: 'keep' }, recordedAt: '2026-05-01T00:00:00Z' });
			const old = await vault.put({ subjectId: 'cand-o', parts: { draft: marker }, recordedAt: '2020-01-01T00:00:00Z' });
			const real = fs.unlink.bind(fs);
			const spy = jest.spyOn(fs, 'unlink').mockImplementation(async (path) => {
				if (String(path).endsWith(`${old.evidenceId}.json`)) throw Object.assign(new Error('I/O error'), { code: 'EIO' });
				return real(path);
			});
			await expect(vault.eraseEvidence([old.evidenceId], { by: 'retention', reason: 'P1Y' })).rejects.toThrow('I/O error');
			spy.mockRestore();
			expect(await vault.get(old.evidenceId)).toMatchObject({ status: 'erased' });
			expect(await backend.counts(vault.chain)).toEqual({ subjects: 1, envelopes: 2 });
			expect(await vault.listExpired(new Date('2021-01-01T00:00:00Z'))).toEqual([]);
			expect(await backend.counts(vault.chain)).toEqual({ subjects: 1, envelopes: 1 });
			expect(await vault.get(keep.evidenceId)).toMatchObject({ status: 'present' });
		});
	}
});
