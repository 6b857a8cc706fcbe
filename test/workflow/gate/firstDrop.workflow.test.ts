/**
 * "First approval in a minute", in n8n's engine: a new gate (version 1.1) with only n8n's own SMTP
 * credential — no HITL Signing Key credential, no review store credential — sends its links, shows the
 * page and takes a decision. The signing key is derived from n8n's encryption key (the harness's n8n
 * user folder holds it, as a real n8n's does); the record's link key id names that derived key, and a
 * link signed with another instance's key is refused. A version 1 gate keeps this package's SMTP
 * credential as before.
 */
import type { INode } from 'n8n-workflow';

import { deriveInstanceSigningKey } from '../../../core/links';
import { defaultStoreDirectory, openReviewStore } from '../../../core/store';
import { instanceEncryptionKey } from '../../../nodes/shared/instanceKey';
import type { WorkflowJson } from '../harness';
import { runWorkflow } from '../harness';
import { listMail } from '../../harness/smtpCapture';
import { callWebhook, csrfOf, executionIdOf, GATE, gateFixture, gateLinks, outputsOf, titleOf, useGateEnv, type GateEnv } from './gateHarness';

function firstDropWorkflow(): { wf: WorkflowJson; gate: INode } {
	const wf = gateFixture();
	const gate = wf.nodes.find((n) => n.name === GATE)!;
	gate.typeVersion = 1.1;
	// Only what a new user chooses: n8n's SMTP credential. No signing or store credential, no Email Credential choice.
	gate.credentials = { smtp: { id: '9', name: 'SMTP account' } };
	return { wf, gate };
}

describe('First drop: n8n\'s SMTP credential and reviewers are enough', () => {
	const env: GateEnv = useGateEnv('hitl-first-drop');

	test('links signed with the key derived from n8n\'s encryption key; the reviewer approves; the record names that key', async () => {
		const { wf, gate } = firstDropWorkflow();
		const before = listMail(env.smtp.mailDir).length;
		const smtp = { host: env.smtp.host, port: env.smtp.port, secure: false, disableStartTls: true, user: '', password: '' };
		const result = await runWorkflow({ workflow: wf, items: [{ reviewers: 'ann@example.com', subject: 'First drop draft' }], credentials: { smtp } as never });
		expect(result.status).toBe('waiting');
		const mails = listMail(env.smtp.mailDir).slice(before);
		expect(mails).toHaveLength(1);
		const link = gateLinks(mails[0])[0];

		const page = await callWebhook(env, result, link, 'GET', {}, gate);
		expect(page.status).toBe(200);
		expect(page.body).toContain('First drop draft');
		const decided = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: '' }, gate);
		expect(titleOf(decided.body)).toBe('Decision recorded');
		expect(outputsOf(decided)[1][0].json).toMatchObject({ subject: 'First drop draft', hitl: { decision: 'approved', reviewer: 'ann@example.com' } });

		const derived = deriveInstanceSigningKey(instanceEncryptionKey() as string);
		expect(outputsOf(decided)[1][0].json.hitl).toMatchObject({ linkKeyId: derived.keyId });
		// No store credential: the default store under n8n's user folder holds the log, with the MAC'd decision.
		const store = await openReviewStore({ backend: 'file', directory: defaultStoreDirectory() });
		try {
			const records = (await store.query({ executionId: executionIdOf(link) }, { limit: 10 })).records;
			const decidedRecord = records.find((r) => r.event === 'decided')!;
			expect(decidedRecord).toMatchObject({ reviewerId: 'ann@example.com', linkKeyId: derived.keyId, details: { hitlRequest: { keyId: derived.keyId } } });
			expect((await store.verify()).ok).toBe(true);
		} finally {
			await store.close();
		}
	});

	test('the same link under a gate that chose a signing credential (another key) is refused', async () => {
		const { wf, gate } = firstDropWorkflow();
		const before = listMail(env.smtp.mailDir).length;
		const smtp = { host: env.smtp.host, port: env.smtp.port, secure: false, disableStartTls: true, user: '', password: '' };
		const result = await runWorkflow({ workflow: wf, items: [{ reviewers: 'ann@example.com', subject: 'Another draft' }], credentials: { smtp } as never });
		const link = gateLinks(listMail(env.smtp.mailDir).slice(before)[0])[0];
		const withCredential: INode = { ...gate, credentials: { ...gate.credentials, hitlSigningApi: { id: '1', name: 'Signing' } } };
		const page = await callWebhook(env, result, link, 'GET', {}, withCredential);
		expect(page.body).not.toContain('Another draft');
		expect(page.body).toMatch(/not valid|cannot be used/i);
	});
});
