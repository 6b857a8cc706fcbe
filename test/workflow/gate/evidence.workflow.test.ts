/**
 * Evidence that outlives n8n's pruning and can still be erased, end to end through the built HITL
 * Gate in n8n's engine: with an Evidence Encryption Secret in the store credential, a decision keeps
 * the draft, the approved item and the edits in the vault under the item's data subject; the
 * `decided` record carries only references and salted commitments (edits by path). Erasing the subject
 * leaves the chain and an earlier proof verifying, with an `erased` record, and no plaintext in the vault.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import { checkEvidence, deriveEvidenceKeys, evidenceDirectory, type EvidenceReference, openEvidenceVault } from '../../../core/evidence';
import { generateNoteKey, signerFromPrivateKey, verifierFromKey } from '../../../core/tlog/note';
import { issueCheckpoint, proveRecordInclusion } from '../../../core/tlog/publish';
import { verifyRecordProof } from '../../../core/tlog/audit';
import { openCheckpoint } from '../../../core/tlog/checkpoint';
import { loadFixture, runWorkflow } from '../harness';
import { callWebhook, csrfOf, executionIdOf, gateLinks, outputsOf, recordsOf, runGate, titleOf, useGateEnv, type GateEnv } from './gateHarness';

const SECRET = 'evidence-secret-0123456789abcdef-0123456789';
const ORIGIN = 'hitl.test/evidence-log';

function filesUnder(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = path.join(dir, name);
		return statSync(full).isDirectory() ? filesUnder(full) : [full];
	});
}

describe('HITL Gate keeps evidence per data subject', () => {
	const env: GateEnv = useGateEnv('hitl-evidence');
	beforeAll(() => {
		env.credentials.hitlStoreApi = { ...env.credentials.hitlStoreApi, evidenceSecret: SECRET };
	});
	const openVault = () => openEvidenceVault({ kind: 'file', directory: env.storeDir, chain: 'default' }, deriveEvidenceKeys(SECRET));

	test('a decision keeps draft, final item and edits in the vault; the record holds commitments; erasure keeps the log and proofs verifying', async () => {
		const secretEdit = 'Unique edited sentence 4711 for Anna';
		const { result, mails } = await runGate(
			env,
			[{ reviewers: 'ann@example.com', subject: 'Draft to Anna', candidate: 'cand-4711' }],
			{ dataSubjectId: '={{ $json.candidate }}' },
		);
		const link = gateLinks(mails[0])[0];
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		const decided = await callWebhook(env, result, link, 'POST', { csrf, decision: 'approve', comment: '', 'edit.subject': secretEdit });
		expect(titleOf(decided.body)).toBe('Decision recorded');
		const [, approved] = outputsOf(decided);
		expect(approved[0].json.subject).toBe(secretEdit);

		const record = (await recordsOf(env, executionIdOf(link))).find((r) => r.event === 'decided')!;
		// Edits by path only: the values live in the vault, where they can be erased.
		expect(record.edits).toEqual([{ path: 'subject', before: null, after: null }]);
		expect(JSON.stringify(record)).not.toContain(secretEdit);
		expect(JSON.stringify(record)).not.toContain('cand-4711');
		const [ref] = (record.details as { evidence: EvidenceReference[] }).evidence;
		expect(Object.keys(ref.commitments).sort()).toEqual(['draft', 'edits', 'final']);

		const vault = await openVault();
		try {
			const read = await vault.get(ref.id);
			const check = checkEvidence(read, ref);
			expect(check).toMatchObject({ status: 'present', ok: true, mismatched: [] });
			if (read.status !== 'present') throw new Error('evidence missing');
			const released: IDataObject = { ...approved[0].json };
			delete released.hitl;
			expect(read.parts.final).toEqual(released);
			expect(read.parts.draft).toMatchObject({ subject: 'Draft to Anna', candidate: 'cand-4711' });
			expect(read.parts.edits).toEqual([{ path: 'subject', before: 'Draft to Anna', after: secretEdit }]);

			// An auditor's proof of the decision, issued before the erasure.
			const keys = generateNoteKey(ORIGIN);
			const checkpoint = await issueCheckpoint(env.store, { signer: signerFromPrivateKey(keys.privateKey), origin: ORIGIN });
			const proof = await proveRecordInclusion(env.store, record.seq, checkpoint.note);

			const erased = await vault.eraseSubject('cand-4711', { by: 'dpo@example.com', reason: 'Art. 17 request #12' });
			for (const input of erased.records) await env.store.append(input);
			expect(erased.evidenceIds).toEqual([ref.id]);
			expect(checkEvidence(await vault.get(ref.id), ref)).toMatchObject({ status: 'erased', by: 'dpo@example.com' });

			// Nothing of the content, the subject id or the edit is left in the vault's files.
			const vaultDir = evidenceDirectory(env.storeDir, 'default');
			for (const file of filesUnder(vaultDir)) {
				const bytes = readFileSync(file);
				for (const needle of [secretEdit, 'cand-4711', 'Draft to Anna']) expect(bytes.includes(Buffer.from(needle))).toBe(false);
			}
			// The chain and the earlier proof still verify; the erasure is on the record.
			expect((await env.store.verify()).ok).toBe(true);
			const verified = verifyRecordProof(proof, [verifierFromKey(keys.verifierKey)], { origin: ORIGIN });
			expect(verified).toMatchObject({ ok: true, record: { seq: record.seq, event: 'decided' } });
			const last = (await env.store.query({ event: 'erased' })).records[0];
			expect(last.details).toMatchObject({ evidenceErasure: { by: 'dpo@example.com', reason: 'Art. 17 request #12', evidenceIds: [ref.id] } });
		} finally {
			await vault.close();
		}
	});

	test('Erase Subject reaches the gate\'s working copies: no draft, edit or subject id left anywhere in the store; links say erased and decide nothing', async () => {
		const secretEdit = 'Edited line 5150 only Anna may read';
		const { result, mails } = await runGate(
			env,
			[
				{ reviewers: 'ann@example.com', subject: 'First draft 5150 for Anna', candidate: 'cand-5150' },
				{ reviewers: 'ann@example.com', subject: 'Second draft 5150 for Anna', candidate: 'cand-5150' },
				{ reviewers: 'ann@example.com', subject: 'Draft for Bea 0007', candidate: 'cand-0007' },
			],
			{ dataSubjectId: '={{ $json.candidate }}' },
		);
		const links = gateLinks(mails[0]);
		expect(links).toHaveLength(3);
		const csrf = csrfOf((await callWebhook(env, result, links[0], 'GET')).body);
		const decided = await callWebhook(env, result, links[0], 'POST', { csrf, decision: 'approve', comment: '', 'edit.subject': secretEdit });
		expect(titleOf(decided.body)).toBe('Decision recorded');
		const pendingCsrf = csrfOf((await callWebhook(env, result, links[1], 'GET')).body);

		const wf = loadFixture('reviewlog/verify.json');
		const node = wf.nodes.find((n) => n.name === 'Review Log')!;
		node.parameters = { operation: 'erase', subjectId: '={{ $json.candidate }}', erasedBy: 'dpo@example.com', erasureReason: 'DSR-5150' };
		const erasure = await runWorkflow({ workflow: wf, items: [{ candidate: 'cand-5150' }], credentials: env.credentials as never });
		expect(erasure.status).toBe('success');
		expect(erasure.json('Review Log')[0]).toMatchObject({ evidenceErased: 1, reviewRequestsErased: 2, pendingReviewsClosed: 1 });

		// Grep every file of the store — log, tree, request index, content copies, vault — for the subject's plaintext.
		const files = filesUnder(env.storeDir);
		const holding = (needle: string) => files.filter((f) => readFileSync(f).includes(Buffer.from(needle)));
		for (const needle of ['First draft 5150', 'Second draft 5150', secretEdit, 'cand-5150']) expect(holding(needle)).toEqual([]);
		// The grep can find what is still there: the other subject's draft stays until its own erasure.
		expect(holding('Draft for Bea 0007').length).toBeGreaterThan(0);

		// Both of the subject's links answer with a page that says so, and a POST decides nothing.
		for (const link of links.slice(0, 2)) {
			const page = await callWebhook(env, result, link, 'GET');
			expect(page.body).toContain('was erased on');
			expect(page.body).toContain('DSR-5150');
			expect(page.body).not.toContain('5150 for Anna');
		}
		const late = await callWebhook(env, result, links[1], 'POST', { csrf: pendingCsrf, decision: 'approve', comment: '' });
		expect(late.body).toContain('was erased on');
		expect(late.result.workflowData).toBeUndefined();
		const records = await recordsOf(env, executionIdOf(links[0]));
		expect(records.filter((r) => r.event === 'decided')).toHaveLength(1);

		// The chain verifies and says which requests' working copies were emptied, by whom and why.
		expect((await env.store.verify()).ok).toBe(true);
		const erasedRecords = (await env.store.query({ event: 'erased' }, { limit: 10 })).records;
		const working = erasedRecords.find((r) => (r.details as IDataObject).requestErasure)!;
		expect(working.details).toMatchObject({ requestErasure: { scope: 'subject', by: 'dpo@example.com', reason: 'DSR-5150', pending: 1 } });
		expect(((working.details as { requestErasure: { requestIds: string[] } }).requestErasure.requestIds)).toHaveLength(2);
	});

	test('Export with evidence content gives the auditor the decrypted evidence that matches the records\' commitments, and a signed checkpoint', async () => {
		const keys = generateNoteKey(ORIGIN);
		const credentials = { ...env.credentials, hitlStoreApi: { ...env.credentials.hitlStoreApi, signingPrivateKey: keys.privateKey } };
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'Export me', candidate: 'cand-9' }], { dataSubjectId: '={{ $json.candidate }}' });
		const link = gateLinks(mails[0])[0];
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		expect(titleOf((await callWebhook(env, result, link, 'POST', { csrf, decision: 'approve', comment: '' })).body)).toBe('Decision recorded');

		const wf = loadFixture('reviewlog/export.json');
		const node = wf.nodes.find((n) => n.name === 'Review Log')!;
		node.parameters = { ...node.parameters, exportOptions: { includeEvidence: true } };
		const exported = await runWorkflow({ workflow: wf, items: [{}], credentials: credentials as never });
		expect(exported.status).toBe('success');
		const out = exported.outputs('Review Log')[0][0];
		const text = (field: string) => Buffer.from(out.binary![field].data, 'base64').toString('utf8');
		const evidenceLines = text('evidence').trim().split('\n').map((l) => JSON.parse(l));
		const exportedRecords = text('data').trim().split('\n').map((l) => JSON.parse(l));
		const decidedRecord = exportedRecords.filter((r) => r.event === 'decided').pop();
		const entry = evidenceLines.find((e) => e.seq === decidedRecord.seq);
		expect(entry).toMatchObject({ status: 'present', parts: { draft: { subject: 'Export me', candidate: 'cand-9' } } });
		expect(checkEvidence(entry, decidedRecord.details.evidence[0])).toMatchObject({ ok: true });
		// The signed checkpoint beside the export verifies with the public key.
		const note = text('checkpointNote');
		expect(openCheckpoint(note, [verifierFromKey(keys.verifierKey)], ORIGIN).head.size).toBe(exportedRecords.length);
	});

	test('with evidence kept, an item without a Data Subject ID stops the gate with a clear error, before anything is sent', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: 'ann@example.com', subject: 'No subject id' }], { dataSubjectId: '={{ $json.candidate }}' });
		expect(mails).toHaveLength(0);
		expect(result.error?.message ?? '').toContain('Data Subject ID is empty');
	});
});
