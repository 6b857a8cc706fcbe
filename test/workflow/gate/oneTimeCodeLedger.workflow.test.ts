/**
 * The one-time code under the decision MAC, and required by the release check, through the built HITL
 * Gate in n8n's engine on both stores. A decision taken with a code is MAC'd (version 2) over the seq of
 * the `otp_accepted` record that spent it; before an item of a request whose signed payload needs a code
 * leaves, the chain must hold that record before the decision (same request, reviewer and link, a code
 * sent before it, the acceptance standing). Records the gate would never write — a decision without a
 * code, a code note stripped or added, an acceptance after the decision, of another request, or of a
 * code never sent — are made here with the signing key (what a gate bug or a key holder could write) and
 * must hold the run with `tamper_suspected`, never release it. Votes under a quorum likewise.
 */
import type { IDataObject } from 'n8n-workflow';

import { verifyDecisionMac, type SigningKey } from '../../../core/links';
import { REQUEST_BINDING_KEY, type ReviewRecord, type ReviewRequest } from '../../../core/store/types';
import type { Resolution } from '../../../core/store';
import { decisionResolution, withDecisionDetails } from '../../../nodes/HitlGate/ledger';
import { appendVote } from '../../../nodes/HitlGate/quorum';
import type { GatePayload } from '../../../nodes/HitlGate/types';
import { listMail, type CapturedMail } from '../../harness/smtpCapture';
import type { WorkflowRunResult } from '../harness';
import { callWebhook, csrfOf, executionIdOf, gateLinks, KEY, outputsOf, recordsOf, runGate, titleOf, useGateEnv, type Answer, type GateEnv } from './gateHarness';

const ALWAYS: IDataObject = { requireOneTimeCode: 'always' };
const ANN = 'ann@example.com';
const BOB = 'bob@example.com';
const SIGNING: SigningKey = { keyId: KEY.kid, secret: KEY.secret };
const NONCE = 'forged-link-nonce-0001';
const isCodeMail = (m: CapturedMail) => m.subject === 'Your one-time code for the review';
const codeOf = (m: CapturedMail) => /Your code: ([0-9]{6})/.exec(m.text)![1];

describe.each(['file', 'postgres'] as const)('HITL Gate one-time code in the decision MAC and the release check on the %s store', (backend) => {
	const env: GateEnv = useGateEnv('hitl-otp-ledger', backend);

	/** Presses "Email me a code" on the link's page; the page to post from and the mailed code. */
	async function askCode(result: WorkflowRunResult, link: string): Promise<{ page: Answer; code: string }> {
		const shown = await callWebhook(env, result, link, 'GET');
		const before = listMail(env.smtp.mailDir).length;
		const page = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(shown.body), sendCode: '1', comment: '' });
		expect(page.status).toBe(200);
		const mails = listMail(env.smtp.mailDir).slice(before).filter(isCodeMail);
		expect(mails).toHaveLength(1);
		return { page, code: codeOf(mails[0]) };
	}

	const post = async (result: WorkflowRunResult, link: string, page: Answer, otp: string) =>
		await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: '', otp });

	/** The gate's requests of the run, by item index. */
	async function requestsOf(executionId: string): Promise<ReviewRequest[]> {
		const ids = [...new Set((await recordsOf(env, executionId)).filter((r) => r.event === 'requested').map((r) => r.itemKey as string))];
		const requests = (await Promise.all(ids.map((id) => env.store.getReviewRequest(id)))) as ReviewRequest[];
		return requests.sort((a, b) => a.itemIndex - b.itemIndex);
	}

	/** Ann's approval of `request` as the gate builds it (MAC'd with the signing key), without any code. */
	function approval(request: ReviewRequest, linkNonce = NONCE): Resolution {
		return decisionResolution({
			request,
			payload: request.payload as unknown as GatePayload,
			outcome: { decision: 'approved', reviewerId: ANN, decidedAt: new Date().toISOString(), comment: null, edits: [], finalJson: null },
			finalSha256: request.draftSha256,
			queueTimeMs: 1,
			linkKeyId: KEY.kid,
			linkNonce,
			client: { clientIp: null, userAgent: null },
			key: SIGNING,
		});
	}

	const withCode = (resolution: Resolution, request: ReviewRequest, seq: number): Resolution =>
		withDecisionDetails(resolution, request, { oneTimeCode: true, oneTimeCodeAcceptedSeq: seq }, SIGNING);

	/** What a store writer can append: an `otp_accepted` record for `request`, Ann and the forged link. */
	async function appendAcceptance(request: ReviewRequest): Promise<ReviewRecord> {
		return await env.store.append({
			event: 'otp_accepted',
			reviewerId: ANN,
			executionId: request.executionId,
			itemKey: request.id,
			linkNonce: NONCE,
			details: { requestId: request.id, codeMac: 'A'.repeat(43), sentSeq: 1 },
		});
	}

	/** The facts the decision MAC covers, read from a stored decided record. */
	const factsOf = (record: ReviewRecord, request: ReviewRequest) => ({
		requestId: request.id,
		groupId: request.groupId,
		executionId: request.executionId,
		nodeId: request.nodeId,
		event: 'decided' as const,
		decision: record.decision,
		reviewerId: record.reviewerId,
		decidedAt: record.decidedAt,
		comment: record.comment,
		draftSha256: request.draftSha256,
		finalSha256: record.finalSha256,
	});

	test("a code decision's MAC covers its accepted code; decisions without the code's record, or with the note stripped, added or pointing elsewhere, never release", async () => {
		const subjects = ['no code', 'acceptance after it', 'code never sent', 'note stripped', 'note added', 'another request\'s acceptance', 'genuine'];
		const { result, mails } = await runGate(env, subjects.map((subject) => ({ reviewers: ANN, subject })), ALWAYS);
		expect(result.status).toBe('waiting');
		const links = gateLinks(mails[0]);
		const executionId = executionIdOf(links[0]);
		const [noCode, after, neverSent, stripped, added, elsewhere] = await requestsOf(executionId);

		// A MAC'd decision of a request that needs a code, with no code at all (a path that skipped the check).
		expect((await env.store.resolveReviewRequest(noCode.id, approval(noCode))).applied).toBe(true);
		// The MAC names an acceptance that only comes after the decision.
		const head = await env.store.head();
		expect((await env.store.resolveReviewRequest(after.id, withCode(approval(after), after, head.seq + 2))).applied).toBe(true);
		expect((await appendAcceptance(after)).seq).toBe(head.seq + 2);
		// An acceptance in the chain before the decision, but of a code that was never sent.
		const forgedAcceptance = await appendAcceptance(neverSent);
		expect((await env.store.resolveReviewRequest(neverSent.id, withCode(approval(neverSent), neverSent, forgedAcceptance.seq))).applied).toBe(true);
		// Signed with the code, then the note removed from the record (the MAC kept).
		const signed = withCode(approval(stripped), stripped, forgedAcceptance.seq);
		const strippedDetails: Record<string, unknown> = { ...signed.record.details };
		delete strippedDetails.oneTimeCode;
		delete strippedDetails.oneTimeCodeAcceptedSeq;
		expect((await env.store.resolveReviewRequest(stripped.id, { ...signed, record: { ...signed.record, details: strippedDetails } })).applied).toBe(true);
		// Signed without a code, then a note naming a real acceptance added (the MAC kept).
		const plain = approval(added);
		const addedDetails = { ...plain.record.details, oneTimeCode: true, oneTimeCodeAcceptedSeq: forgedAcceptance.seq };
		expect((await env.store.resolveReviewRequest(added.id, { ...plain, record: { ...plain.record, details: addedDetails } })).applied).toBe(true);
		// The MAC names an acceptance of another request.
		expect((await env.store.resolveReviewRequest(elsewhere.id, withCode(approval(elsewhere), elsewhere, forgedAcceptance.seq))).applied).toBe(true);

		// The last item, decided on its page with its mailed code: recorded, but the run is held.
		const { page, code } = await askCode(result, links[6]);
		const decided = await post(result, links[6], page, code);
		expect(titleOf(decided.body)).toBe('Decision recorded');
		expect(decided.result.workflowData).toBeUndefined();

		const records = await recordsOf(env, executionId);
		const reasonsOf = (request: ReviewRequest) =>
			records.filter((r) => r.event === 'tamper_suspected' && r.details?.requestId === request.id).map((r) => String(r.details?.reason));
		expect(reasonsOf(noCode)).toContain('the request needs a one-time code but the decided record names no accepted code');
		expect(reasonsOf(after)).toContain(`the request needs a one-time code but the chain has no otp_accepted record of this reviewer's link at seq ${head.seq + 2} before it`);
		expect(reasonsOf(neverSent)).toContain(`the request needs a one-time code but the otp_accepted record at seq ${forgedAcceptance.seq} spends no code that was sent`);
		expect(reasonsOf(stripped)).toContain('the decided record does not carry a valid MAC of the gate signing key');
		expect(reasonsOf(added)).toContain('the decided record does not carry a valid MAC of the gate signing key');
		expect(reasonsOf(elsewhere)).toContain(`the request needs a one-time code but the chain has no otp_accepted record of this reviewer's link at seq ${forgedAcceptance.seq} before it`);

		// The genuine decision: version 2 of the MAC, over exactly the seq of its own acceptance.
		const request = (await requestsOf(executionId))[6];
		const genuine = records.find((r) => r.event === 'decided' && r.itemKey === request.id)!;
		const accepted = records.filter((r) => r.event === 'otp_accepted' && r.itemKey === genuine.itemKey);
		expect(accepted).toHaveLength(1);
		expect(accepted[0].seq).toBeLessThan(genuine.seq);
		expect(genuine.details).toMatchObject({ oneTimeCode: true, oneTimeCodeAcceptedSeq: accepted[0].seq });
		expect(reasonsOf(request)).toEqual([]);
		const binding = genuine.details?.[REQUEST_BINDING_KEY] as { keyId: string; mac: string };
		const facts = factsOf(genuine, request);
		expect(verifyDecisionMac({ ...facts, oneTimeCodeAcceptedSeq: accepted[0].seq }, binding.keyId, binding.mac, [SIGNING])).toBe(true);
		expect(verifyDecisionMac(facts, binding.keyId, binding.mac, [SIGNING])).toBe(false);
		expect(verifyDecisionMac({ ...facts, oneTimeCodeAcceptedSeq: accepted[0].seq - 1 }, binding.keyId, binding.mac, [SIGNING])).toBe(false);
		expect(verifyDecisionMac({ ...facts, oneTimeCodeAcceptedSeq: accepted[0].seq + 1 }, binding.keyId, binding.mac, [SIGNING])).toBe(false);
	});

	test('a MAC\'d approval of a code request without its otp_accepted record never leaves through Approved, even when the rest of the run is decided properly', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: ANN, subject: 'Pay mallory' }, { reviewers: ANN, subject: 'Pay ann' }], ALWAYS);
		const links = gateLinks(mails[0]);
		const executionId = executionIdOf(links[0]);
		const [skipped] = await requestsOf(executionId);
		expect((await env.store.resolveReviewRequest(skipped.id, approval(skipped))).applied).toBe(true);
		const { page, code } = await askCode(result, links[1]);
		const decided = await post(result, links[1], page, code);
		expect(titleOf(decided.body)).toBe('Decision recorded');
		// Held: nothing leaves, through any output, and the log says why.
		expect(decided.result.workflowData).toBeUndefined();
		const tamper = (await recordsOf(env, executionId)).filter((r) => r.event === 'tamper_suspected');
		expect(tamper.map((r) => r.details?.requestId)).toEqual([skipped.id]);
	});

	test('a request without a code keeps the version 1 MAC and releases as before', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: ANN, subject: 'no code needed' }], { requireOneTimeCode: 'off' });
		const link = gateLinks(mails[0])[0];
		const page = await callWebhook(env, result, link, 'GET');
		const decided = await callWebhook(env, result, link, 'POST', { csrf: csrfOf(page.body), decision: 'approve', comment: '' });
		expect(outputsOf(decided)[1]).toHaveLength(1);
		const record = (await recordsOf(env, executionIdOf(link))).find((r) => r.event === 'decided')!;
		expect(record.details?.oneTimeCode).toBeUndefined();
		const request = (await env.store.getReviewRequest(record.itemKey as string))!;
		const binding = record.details?.[REQUEST_BINDING_KEY] as { keyId: string; mac: string };
		expect(verifyDecisionMac(factsOf(record, request), binding.keyId, binding.mac, [SIGNING])).toBe(true);
	});

	test('under a quorum a MAC\'d vote without an accepted code does not count; votes with their codes do', async () => {
		const { result, mails } = await runGate(env, [{ reviewers: `${ANN}, ${BOB}`, subject: 'Bonus' }], { ...ALWAYS, approvalPolicy: 'quorum', requiredApprovals: 2 });
		const links = Object.fromEntries(mails.map((m) => [m.to[0], gateLinks(m)[0]]));
		const executionId = executionIdOf(links[ANN]);
		const [request] = await requestsOf(executionId);
		// Bob's approval, MAC'd by the gate's key, but without a code.
		await appendVote(env.store, request, request.payload as unknown as GatePayload, {
			decision: 'approved', comment: null, at: new Date(), client: { clientIp: null, userAgent: null }, policy: { required: 2, mode: 'veto' },
			claims: { v: 1, kid: KEY.kid, exec: executionId, node: request.nodeId, req: request.id, rev: BOB, dec: ['approve', 'reject'], dh: request.draftSha256, iat: 0, exp: 4_102_444_800, nonce: NONCE },
		}, SIGNING);
		const ann = await askCode(result, links[ANN]);
		const annVote = await post(result, links[ANN], ann.page, ann.code);
		// Bob's vote does not count: Ann's is the first approval.
		expect(titleOf(annVote.body)).toBe('Vote recorded');
		expect(annVote.body).toContain('It needs 2 approvals; 1 so far');
		expect(annVote.result.workflowData).toBeUndefined();
		// Bob votes through his own page, with his code: now the quorum is reached.
		const bob = await askCode(result, links[BOB]);
		const bobVote = await post(result, links[BOB], bob.page, bob.code);
		expect(titleOf(bobVote.body)).toBe('Decision recorded');
		expect(outputsOf(bobVote)[1][0].json.hitl).toMatchObject({ quorum: { approvers: [ANN, BOB] } });
		const votes = (await recordsOf(env, executionId)).filter((r) => r.event === 'vote');
		expect(votes.map((v) => [v.reviewerId, v.details?.oneTimeCode ?? null])).toEqual([[BOB, null], [ANN, true], [BOB, true]]);
	});
});
