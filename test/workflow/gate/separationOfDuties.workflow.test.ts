/**
 * Separation of duties through the built HITL Gate in n8n's engine: the item's requester (and their
 * aliases) is taken out of its reviewers and backups, a gate whose only reviewer is the requester
 * fails closed before anything is sent, and a link of the requester's that still reaches the gate (one
 * signed with the gate's key for them, as an old link would be) is refused on the page — GET and POST —
 * and recorded; the records of the item name the requester.
 */
import type { IDataObject } from 'n8n-workflow';

import { LINK_TOKEN_PARAM, signLinkToken, type LinkClaims } from '../../../core/links';
import { listMail } from '../../harness/smtpCapture';
import { callWebhook, csrfOf, executionIdOf, gateLinks, KEY, outputsOf, recordsOf, runGate, titleOf, useGateEnv, type GateEnv } from './gateHarness';

const SOD: IDataObject = { requester: '={{ $json.requestedBy }}', requesterAliases: '={{ $json.aliases }}' };

describe.each(['file', 'postgres'] as const)('HITL Gate separation of duties on the %s store', (backend) => {
	const env: GateEnv = useGateEnv('hitl-sod', backend);

	test('the requester (also by alias) gets no link; the other reviewer decides; the records name the requester', async () => {
		const item = { reviewers: 'ann.private@example.com, bob@example.com', requestedBy: 'ann@example.com', aliases: 'ann.private@example.com', subject: 'bonus for ann' };
		const { result, mails } = await runGate(env, [item], SOD);
		expect(result.status).toBe('waiting');
		expect(mails.map((m) => m.to).flat()).toEqual(['bob@example.com']);
		const link = gateLinks(mails[0])[0];
		const executionId = executionIdOf(link);
		const requested = (await recordsOf(env, executionId)).filter((r) => r.event === 'requested');
		expect(requested.map((r) => [r.reviewerId, r.requesterId])).toEqual([['bob@example.com', 'ann@example.com']]);
		const csrf = csrfOf((await callWebhook(env, result, link, 'GET')).body);
		const decided = await callWebhook(env, result, link, 'POST', { csrf, decision: 'approve', comment: '' });
		expect(titleOf(decided.body)).toBe('Decision recorded');
		const [, approved] = outputsOf(decided);
		expect(approved.map((i) => (i.json.hitl as IDataObject).reviewer)).toEqual(['bob@example.com']);
		const record = (await recordsOf(env, executionId)).find((r) => r.event === 'decided');
		expect([record?.reviewerId, record?.requesterId]).toEqual(['bob@example.com', 'ann@example.com']);
	});

	test('a gate whose only reviewer is the requester fails closed, naming the item, before anything is sent', async () => {
		const before = listMail(env.smtp.mailDir).length;
		const { result } = await runGate(
			env,
			[
				{ reviewers: 'bob@example.com', requestedBy: 'ann@example.com', aliases: '', subject: 'fine' },
				{ reviewers: 'ANN@example.com', requestedBy: 'ann@example.com', aliases: '', subject: 'own item' },
			],
			SOD,
		);
		expect(result.status).toBe('error');
		const error = result.error as unknown as { message: string; description?: string; context?: { itemIndex?: number } };
		expect(error.message).toBe('The only reviewer of this item is its requester (ann@example.com)');
		expect(error.description).toContain('Add another reviewer');
		expect(error.context?.itemIndex).toBe(1);
		expect(listMail(env.smtp.mailDir).length).toBe(before);
	});

	test('a backup who is the requester is never added: no escalation step is scheduled for them', async () => {
		const item = { reviewers: 'bob@example.com', requestedBy: 'ann@example.com', aliases: '', backup: 'ann@example.com', subject: 'backup is requester' };
		const { mails } = await runGate(env, [item], { ...SOD, escalation: { levels: [{ afterAmount: 1, afterUnit: 'hours', reviewers: '={{ $json.backup }}' }] } });
		const executionId = executionIdOf(gateLinks(mails[0])[0]);
		const groupId = String((await recordsOf(env, executionId)).find((r) => r.event === 'requested')?.details?.groupId);
		expect((await env.store.listDeadlineEvents(groupId)).map((e) => e.kind)).toEqual(['deadline']);
	});

	test('a link signed for the requester is refused on GET and POST, each attempt recorded; nothing is decided', async () => {
		const item = { reviewers: 'bob@example.com', requestedBy: 'ann@example.com', aliases: '', subject: 'forwarded' };
		const { result, mails } = await runGate(env, [item], SOD);
		const bobLink = gateLinks(mails[0])[0];
		const executionId = executionIdOf(bobLink);
		const requested = (await recordsOf(env, executionId)).find((r) => r.event === 'requested')!;
		// What an old link of the requester's would be: genuine, signed with the gate's key, naming her.
		const claims = JSON.parse(Buffer.from(new URL(bobLink).searchParams.get(LINK_TOKEN_PARAM)!.split('.')[0], 'base64url').toString('utf8')) as LinkClaims;
		const token = signLinkToken({ ...claims, rev: 'ann@example.com', nonce: 'annsOwnNonce0123456789ab' }, { keyId: KEY.kid, secret: KEY.secret });
		const url = new URL(bobLink);
		url.searchParams.set(LINK_TOKEN_PARAM, token);
		const annLink = url.toString();
		const page = await callWebhook(env, result, annLink, 'GET');
		expect(page.status).toBe(403);
		expect(titleOf(page.body)).toBe('You requested this item');
		const post = await callWebhook(env, result, annLink, 'POST', { csrf: 'x', decision: 'approve', comment: '' });
		expect(post.status).toBe(403);
		expect(post.result.workflowData).toBeUndefined();
		const records = await recordsOf(env, executionId);
		expect(records.filter((r) => r.event === 'self_approval_refused').map((r) => [r.reviewerId, r.requesterId, r.details?.method])).toEqual([
			['ann@example.com', 'ann@example.com', 'GET'],
			['ann@example.com', 'ann@example.com', 'POST'],
		]);
		expect(records.filter((r) => r.event === 'decided')).toEqual([]);
		expect(requested.itemKey).toBe(records[records.length - 1].itemKey);
	});
});
