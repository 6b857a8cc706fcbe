/**
 * Approval policies on the suite's real n8n 2.41 server: a 2-of-3 quorum whose three reviewers click
 * Approve at the same moment over HTTP (exactly one decided record, one resume, the run finished with the
 * item through Approved naming both approvers it counted), and a quorum vetoed by a rejection; separation
 * of duties leaves the requester without a link. Review log on its own file store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { readConnectionInfo } from '../harness/connectionInfo';
import { httpCall, N8nClient, nodeOutput, uniqueSuffix } from '../harness/n8nClient';
import { extractLinks, listMail, waitForMail, type CapturedMail } from '../harness/smtpCapture';
import { closeAllReviewStores, openReviewStore } from '../../core/store';
import type { ReviewRecord } from '../../core/store/types';
import { createCredentials, gateWorkflow } from './deadlines/deadlineServers';

const info = readConnectionInfo();
const n8n = N8nClient.fromConnectionInfo(info);
const RUN = uniqueSuffix();
const who = (name: string) => `${name}-${RUN}@hitl.test`;
const directory = mkdtempSync(path.join(tmpdir(), 'hitl-policies-store-'));

afterAll(async () => {
	await closeAllReviewStores();
	rmSync(directory, { recursive: true, force: true });
});

const gateLink = (mail: CapturedMail): string => extractLinks(mail).filter((l) => l.includes('/webhook-waiting/'))[0];
const executionIdOf = (link: string): string => (/\/webhook-waiting\/([^/?]+)\//.exec(link) as RegExpExecArray)[1];

async function records(executionId: string): Promise<ReviewRecord[]> {
	const store = await openReviewStore({ backend: 'file', directory });
	try {
		return (await store.query({ executionId }, { limit: 1000 })).records.reverse();
	} finally {
		await store.close();
	}
}

async function csrfOf(link: string): Promise<string> {
	const page = await httpCall(link, { method: 'GET' });
	expect(page.status).toBe(200);
	return (/name="csrf" value="([^"]+)"/.exec(page.text) as RegExpExecArray)[1];
}

function post(link: string, fields: Record<string, string>) {
	return httpCall(link, { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

describe('approval policies on a real n8n server', () => {
	let credentials: Awaited<ReturnType<typeof createCredentials>>;
	let hook = '';
	beforeAll(async () => {
		credentials = await createCredentials(n8n, info, { backend: 'file', directory }, `policies-${RUN}`);
		hook = `policies-${RUN}`;
		await n8n.deployWorkflow(
			gateWorkflow(`policies-${RUN}`, hook, credentials, {
				deadlineAmount: 600,
				remindEveryAmount: 0,
				escalation: {},
				approvalPolicy: 'quorum',
				requiredApprovals: 2,
				requester: '={{ $json.requestedBy }}',
			}),
		);
	});

	async function start(tag: string, requestedBy = ''): Promise<{ links: Record<string, string>; executionId: string }> {
		const reviewers = ['ann', 'bob', 'cat', 'dan'].map((n) => who(`${tag}${n}`));
		const res = await n8n.callWebhook(hook, { body: { items: [{ reviewers: reviewers.join(', '), subject: `bonus ${tag} ${RUN}`, requestedBy }] } });
		expect(res.status).toBe(200);
		const links: Record<string, string> = {};
		for (const name of ['ann', 'bob', 'cat']) links[name] = gateLink((await waitForMail(info.smtp.mailDir, { to: who(`${tag}${name}`), timeoutMs: 30_000 }))[0]);
		const executionId = executionIdOf(links.ann);
		// The mails go out just before n8n marks the run waiting; until then n8n itself answers 409.
		await n8n.waitForExecutionStatus(executionId, 'waiting', 30_000);
		return { links, executionId };
	}

	test('2 of 3 reviewers clicking Approve at the same moment: one decided record, one resume, both counted approvers named', async () => {
		const { links, executionId } = await start('q', who('qdan'));
		// The requester (dan, a listed reviewer) got no mail at all.
		expect(listMail(info.smtp.mailDir).filter((m) => m.to.includes(who('qdan')))).toEqual([]);
		const tokens = await Promise.all(['ann', 'bob', 'cat'].map((n) => csrfOf(links[n])));
		// The gate's default minimum time on page is off in this workflow; the three POSTs go out together.
		const answers = await Promise.all(['ann', 'bob', 'cat'].map((n, i) => post(links[n], { csrf: tokens[i], decision: 'approve', comment: '' })));
		expect(answers.map((a) => a.status).every((s) => s === 200 || s === 409)).toBe(true);
		const detail = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 30_000);
		expect(detail.status).toBe('success');
		const approved = nodeOutput(detail, 'Approved');
		expect(approved).toHaveLength(1);
		const quorum = (approved[0].json.hitl as { quorum: { approvers: string[] } }).quorum;
		// Two approvals reach the quorum; a third recorded before the count closes is named too.
		expect(quorum.approvers.length).toBeGreaterThanOrEqual(2);
		expect(quorum.approvers.length).toBeLessThanOrEqual(3);
		const log = await records(executionId);
		expect(log.filter((r) => r.event === 'decided')).toHaveLength(1);
		expect(log.filter((r) => r.event === 'decided')[0].requesterId).toBe(who('qdan'));
		expect(log.filter((r) => r.event === 'vote').length).toBeGreaterThanOrEqual(2);
		expect(log.filter((r) => r.event === 'requested').map((r) => r.reviewerId)).not.toContain(who('qdan'));
	});

	test('one approval, then a rejection: vetoed, the item leaves through Rejected with the reason', async () => {
		const { links, executionId } = await start('v');
		const first = await post(links.ann, { csrf: await csrfOf(links.ann), decision: 'approve', comment: '' });
		expect(first.text).toContain('Vote recorded');
		const veto = await post(links.bob, { csrf: await csrfOf(links.bob), decision: 'reject', comment: 'over budget' });
		expect(veto.text).toContain('Decision recorded');
		const detail = await n8n.waitForExecutionStatus(executionId, ['success', 'error', 'crashed'], 30_000);
		expect(nodeOutput(detail, 'Approved')).toEqual([]);
		expect(nodeOutput(detail, 'Rejected')[0].json.hitl).toMatchObject({ decision: 'rejected', comment: `${who('vbob')}: over budget` });
	});
});
