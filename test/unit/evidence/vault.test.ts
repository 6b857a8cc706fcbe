/**
 * The evidence vault against both backends: what goes in comes out and checks against its
 * commitments, a wrong key is refused clearly, a ciphertext moved onto another evidence id or
 * subject (or its metadata edited) does not decrypt, and concurrent first puts for one subject end
 * with one subject key.
 */
import { randomBytes } from 'node:crypto';

import { checkCommitment, checkEvidence, EvidenceError, evidenceReference, type EvidenceVault } from '../../../core/evidence';
import { KEYS, newChain, useBackends } from './support';

const { backends } = useBackends('evidence-vault');
const T0 = '2026-01-01T00:00:00.000Z';

describe.each(backends)('$name backend', (backend) => {
	const vaults: EvidenceVault[] = [];
	const open = async (...args: Parameters<typeof backend.open>) => {
		const v = await backend.open(...args);
		vaults.push(v);
		return v;
	};
	afterAll(async () => {
		for (const v of vaults) await v.close();
	});

	it('keeps parts and returns them with the salts that check against the commitments', async () => {
		const vault = await open(newChain());
		const parts = { draft: { body: 'Dear Jane, ✓ \u{1F600}', amount: 1.5 }, final: { body: 'Dear Jane' }, edits: [{ path: 'body', before: 'x', after: 'y' }] };
		const put = await vault.put({ subjectId: 'cand-1', parts, recordedAt: '2026-01-01T01:00:00Z' });
		expect(put.evidenceId).toMatch(/^[0-9a-f]{32}$/);
		expect(put.subjectRef).toMatch(/^[0-9a-f]{32}$/);
		expect(put.recordedAt).toBe('2026-01-01T01:00:00.000Z');
		expect(Object.keys(put.commitments).sort()).toEqual(['draft', 'edits', 'final']);
		expect(JSON.stringify(put)).not.toMatch(/salt/i);

		const got = await vault.get(put.evidenceId);
		expect(got).toEqual({ status: 'present', evidenceId: put.evidenceId, subjectRef: put.subjectRef, recordedAt: put.recordedAt, parts, salts: expect.any(Object) });
		if (got.status !== 'present') throw new Error('unreachable');
		for (const name of Object.keys(parts)) {
			expect(checkCommitment(got.parts[name], got.salts[name], put.commitments[name])).toBe(true);
			expect(checkCommitment({ changed: true }, got.salts[name], put.commitments[name])).toBe(false);
		}
		expect(checkEvidence(got, evidenceReference(put))).toMatchObject({ status: 'present', ok: true, mismatched: [] });

		// Same subject, same key reference; another subject, another one.
		const again = await vault.put({ subjectId: 'cand-1', parts: { draft: 'second' }, recordedAt: new Date(T0) });
		expect(again.subjectRef).toBe(put.subjectRef);
		expect((await vault.put({ subjectId: 'cand-2', parts: { draft: 'other' }, recordedAt: T0 })).subjectRef).not.toBe(put.subjectRef);
		expect(await backend.counts(vault.chain)).toEqual({ subjects: 2, envelopes: 3 });

		// A second handle on the same vault reads it too.
		const other = await open(vault.chain);
		expect(await other.get(again.evidenceId)).toMatchObject({ status: 'present', parts: { draft: 'second' } });
		expect(await vault.get(randomBytes(16).toString('hex'))).toEqual({ status: 'unknown', evidenceId: expect.any(String) });
	});

	it('refuses bad input with a message saying what to do, writing nothing', async () => {
		const vault = await open(newChain());
		const ok = { subjectId: 's', parts: { draft: 1 }, recordedAt: T0 };
		const cases: Array<[unknown, RegExp]> = [
			[{ ...ok, subjectId: '' }, /subjectId must be a non-empty string/],
			[{ ...ok, subjectId: 'x'.repeat(1025) }, /at most 1024/],
			[{ ...ok, subjectId: 'lone \uD800' }, /not valid Unicode/],
			[{ ...ok, parts: {} }, /1 to 16 named values/],
			[{ ...ok, parts: [1] }, /object of named JSON values/],
			[{ ...ok, parts: { '../x': 1 } }, /Part name "..\/x" is invalid/],
			[{ ...ok, parts: { draft: undefined } }, /Part "draft" is not plain JSON/],
			[{ ...ok, parts: { draft: new Date() } }, /not plain JSON/],
			[{ ...ok, recordedAt: 'yesterday' }, /ISO-8601 time/],
			[{ ...ok, recordedAt: undefined }, /ISO-8601 time/],
		];
		for (const [input, message] of cases) {
			await expect(vault.put(input as never)).rejects.toThrow(message);
			await expect(vault.put(input as never)).rejects.toMatchObject({ code: 'invalid_input' });
		}
		expect(await backend.counts(vault.chain)).toEqual({ subjects: 0, envelopes: 0 });
		await expect(vault.get('../../etc/passwd')).rejects.toThrow(/not an evidence id/);
		await expect(vault.listExpired(new Date(), 0)).rejects.toThrow(/limit must be an integer/);
		await expect(vault.eraseEvidence(['nope'], { by: 'a', reason: 'b' })).rejects.toThrow(/not an evidence id/);
		await expect(vault.eraseSubject('s', { by: ' ', reason: 'b' })).rejects.toThrow(/"by" must be a non-empty string/);
		await vault.close();
		await expect(vault.get(randomBytes(16).toString('hex'))).rejects.toThrow(/closed/);
		await expect(vault.put(ok)).rejects.toThrow(/closed/);
	});

	it('refuses a wrong master or lookup key when opening, and a wrong key that slipped through when reading', async () => {
		const chain = newChain();
		const vault = await open(chain);
		const put = await vault.put({ subjectId: 'cand-1', parts: { draft: 'kept secret' }, recordedAt: T0 });
		const wrongMaster = { masterKey: randomBytes(32), lookupKey: KEYS.lookupKey };
		await expect(backend.open(chain, wrongMaster)).rejects.toThrow('cannot decrypt: the vault key does not match the one that wrote this evidence');
		await expect(backend.open(chain, wrongMaster)).rejects.toMatchObject({ name: 'EvidenceError', code: 'key_mismatch' });
		await expect(backend.open(chain, { masterKey: KEYS.masterKey, lookupKey: randomBytes(32) })).rejects.toThrow(/another lookup key/);
		// Without the stored key checks (say, the check row was lost) the wrong key is still caught on use.
		await backend.forgetKeyChecks(chain);
		const wrong = await open(chain, wrongMaster);
		await expect(wrong.get(put.evidenceId)).rejects.toThrow('cannot decrypt: the vault key does not match the one that wrote this evidence');
		await expect(wrong.put({ subjectId: 'cand-1', parts: { draft: 'x' }, recordedAt: T0 })).rejects.toMatchObject({ code: 'key_mismatch' });
		expect(await vault.get(put.evidenceId)).toMatchObject({ status: 'present', parts: { draft: 'kept secret' } });
	});

	it('does not decrypt an envelope moved onto another evidence id or subject, or with edited metadata', async () => {
		const vault = await open(newChain());
		const recordedAt = T0;
		const a1 = await vault.put({ subjectId: 'cand-a', parts: { draft: 'A one' }, recordedAt });
		const a2 = await vault.put({ subjectId: 'cand-a', parts: { draft: 'A two' }, recordedAt });
		const b1 = await vault.put({ subjectId: 'cand-b', parts: { draft: 'B one' }, recordedAt });
		const a3 = await vault.put({ subjectId: 'cand-a', parts: { draft: 'A three', final: 'A three' }, recordedAt });
		const a4 = await vault.put({ subjectId: 'cand-a', parts: { draft: 'A four' }, recordedAt });

		await backend.copySealed(vault.chain, a1.evidenceId, a2.evidenceId); // same subject, other id
		await expect(vault.get(a2.evidenceId)).rejects.toThrow(/does not belong to this evidence id and subject/);
		await backend.copySealed(vault.chain, a1.evidenceId, b1.evidenceId); // other subject
		await expect(vault.get(b1.evidenceId)).rejects.toMatchObject({ code: 'tampered' });
		await backend.editEnvelope(vault.chain, a3.evidenceId, { parts: ['draft'] });
		await expect(vault.get(a3.evidenceId)).rejects.toThrow(EvidenceError);
		await backend.editEnvelope(vault.chain, a4.evidenceId, { recordedAt: '2020-01-01T00:00:00.000Z' });
		await expect(vault.get(a4.evidenceId)).rejects.toThrow(/altered/);
		// The untouched one still reads.
		expect(await vault.get(a1.evidenceId)).toMatchObject({ status: 'present', parts: { draft: 'A one' } });
	});

	it('two handles putting the first evidence of one subject at once end with one subject key', async () => {
		const chain = newChain();
		const [v1, v2] = [await open(chain), await open(chain)];
		const puts = await Promise.all(
			Array.from({ length: 10 }, (_, i) => (i % 2 ? v1 : v2).put({ subjectId: 'cand-race', parts: { draft: `d${i}` }, recordedAt: T0 })),
		);
		expect(new Set(puts.map((p) => p.subjectRef)).size).toBe(1);
		expect(await backend.counts(chain)).toEqual({ subjects: 1, envelopes: 10 });
		for (const [i, p] of puts.entries()) expect(await v1.get(p.evidenceId)).toMatchObject({ status: 'present', parts: { draft: `d${i}` } });
	});

	it('keeps chains apart', async () => {
		const [x, y] = [await open(newChain()), await open(newChain())];
		const put = await x.put({ subjectId: 'cand-1', parts: { draft: 'x' }, recordedAt: T0 });
		expect((await y.get(put.evidenceId)).status).toBe('unknown');
		expect((await y.eraseSubject('cand-1', { by: 'dpo', reason: 'ticket 1' })).evidenceIds).toEqual([]);
		expect((await x.get(put.evidenceId)).status).toBe('present');
	});
});
