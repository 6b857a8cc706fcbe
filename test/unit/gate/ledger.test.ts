/**
 * The gate's release check (nodes/HitlGate/ledger.ts) on its own: what a stored request and a terminal
 * record must prove before an item may leave through Approved or Rejected. Every field the request MAC
 * and the decision MAC cover is flipped in turn; each flip must turn the verdict into "tampered" (or keep
 * the request from being authentic). The main path runs against a real file store.
 */
import { randomUUID } from 'node:crypto';

import { sha256Json } from '../../../core/edits';
import { signRequest, type SigningKey } from '../../../core/links';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import type { ReviewOutcome, ReviewRecord, ReviewRequest, ReviewStore } from '../../../core/store/types';
import { authenticateRequest, decisionResolution, loggedEdits, MAX_LOGGED_EDIT_VALUE_BYTES, verdictFor } from '../../../nodes/HitlGate/ledger';
import type { GatePayload } from '../../../nodes/HitlGate/types';
import { tempDir } from '../store/helpers';

const KEY: SigningKey = { keyId: 'k-ledger', secret: 'ledger-test-secret-0123456789abcdefgh' };
const OTHER: SigningKey = { keyId: 'k-ledger', secret: 'another-secret-with-the-same-key-id-000' };

function payload(json: Record<string, unknown>): GatePayload {
	return {
		v: 1, mode: 'perItem', items: [{ index: 0, json }], shown: [], editable: ['subject'], requireRejectReason: true,
		message: 'check', tier: 'high', tierReasons: ['r'], blastRadius: null, hashClientInfo: true,
		workflowId: 'wf', workflowName: 'WF', nodeName: 'HITL Gate', linkKeyId: KEY.keyId,
	};
}

function signedRequest(json: Record<string, unknown> = { subject: 'Hello', amount: 5 }): ReviewRequest {
	const p = payload(json);
	const request: ReviewRequest = {
		id: randomUUID(), groupId: randomUUID(), executionId: 'exec-1', nodeId: 'gate-1', itemIndex: 0,
		reviewers: ['ann@example.com', 'ben@example.com'], draftSha256: sha256Json(json),
		createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z', status: 'pending', outcome: null,
		payload: p as unknown as Record<string, unknown>, mac: null,
	};
	request.mac = signRequest(request, KEY);
	return request;
}

function decide(request: ReviewRequest, finalJson: Record<string, unknown>, decision: ReviewOutcome['decision'] = 'approved_with_edits') {
	const outcome: ReviewOutcome = {
		decision, reviewerId: 'ann@example.com', decidedAt: '2026-01-01T01:00:00.000Z', comment: 'ok',
		edits: [{ path: 'subject', before: 'Hello', after: finalJson.subject }], finalJson,
	};
	return decisionResolution({
		request, payload: request.payload as unknown as GatePayload, outcome, finalSha256: sha256Json(finalJson), queueTimeMs: 1000,
		linkKeyId: KEY.keyId, linkNonce: 'n'.repeat(22), client: { clientIp: null, userAgent: null }, key: KEY,
	});
}

/** A store that only answers terminalRecord with a given record: for flipping record fields the real store would refuse. */
const storeWith = (record: ReviewRecord | null): ReviewStore => ({ terminalRecord: async () => record }) as unknown as ReviewStore;

describe('authenticateRequest', () => {
	it('accepts the request as signed', () => {
		expect(authenticateRequest(signedRequest(), [KEY])).toMatchObject({ ok: true });
	});

	const flips: Array<[string, (r: ReviewRequest) => void]> = [
		['id', (r) => (r.id = randomUUID())],
		['groupId', (r) => (r.groupId += 'x')],
		['executionId', (r) => (r.executionId = 'exec-2')],
		['nodeId', (r) => (r.nodeId = 'gate-2')],
		['itemIndex', (r) => (r.itemIndex = 1)],
		['reviewers (one added)', (r) => r.reviewers.push('mallory@evil.example')],
		['reviewers (one swapped)', (r) => (r.reviewers[1] = 'mallory@evil.example')],
		['draftSha256', (r) => (r.draftSha256 = '0'.repeat(64))],
		['createdAt', (r) => (r.createdAt = '2026-01-01T00:00:01.000Z')],
		['expiresAt', (r) => (r.expiresAt = '2099-01-02T00:00:00.000Z')],
		['payload: the draft content', (r) => ((r.payload as unknown as GatePayload).items[0].json.amount = 5000)],
		['payload: editable fields', (r) => (r.payload as unknown as GatePayload).editable.push('amount')],
		['payload: tier', (r) => ((r.payload as unknown as GatePayload).tier = 'low')],
		['payload: message', (r) => ((r.payload as unknown as GatePayload).message = 'just click approve')],
		['mac missing', (r) => (r.mac = null)],
		['mac from another secret', (r) => (r.mac = signRequest(r, OTHER))],
	];
	it.each(flips)('refuses a request whose %s changed after signing', (_what, flip) => {
		const request = signedRequest();
		flip(request);
		expect(authenticateRequest(request, [KEY])).toMatchObject({ ok: false });
	});

	it('refuses a correctly signed request whose stored draft no longer hashes to its draft hash', () => {
		const request = signedRequest();
		request.draftSha256 = sha256Json({ other: true });
		request.mac = signRequest(request, KEY);
		expect(authenticateRequest(request, [KEY])).toMatchObject({ ok: false, reason: expect.stringContaining('no longer matches') });
	});
});

describe('loggedEdits', () => {
	it('keeps small values, logs large ones by SHA-256 of their canonical JSON', () => {
		const big = 'x'.repeat(MAX_LOGGED_EDIT_VALUE_BYTES);
		const [small, large] = loggedEdits([
			{ path: 'a', before: 'b', after: 'c' },
			{ path: 'body', before: 'short', after: big },
		]);
		expect(small).toEqual({ path: 'a', before: 'b', after: 'c' });
		expect(large).toEqual({ path: 'body', before: 'short', after: null, afterSha256: sha256Json(big) });
	});
});

describe('verdictFor', () => {
	let dir: string;
	let cleanup: () => void;
	let store: JsonlReviewStore;
	beforeAll(async () => {
		({ dir, cleanup } = tempDir('ledger'));
		store = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
	});
	afterAll(async () => {
		await store.close();
		cleanup();
	});

	it('pending until the chain holds the terminal record; then the MAC-checked decision with the approved content', async () => {
		const request = signedRequest();
		await store.putReviewRequests([request]);
		expect(await verdictFor(store, request, [KEY])).toEqual({ kind: 'pending' });
		const finalJson = { subject: 'Hello there', amount: 5 };
		const { record } = await store.resolveReviewRequest(request.id, decide(request, finalJson));
		const stored = (await store.getReviewRequest(request.id)) as ReviewRequest;
		expect(await verdictFor(store, stored, [KEY])).toEqual({ kind: 'decided', record, json: [finalJson] });
		// Someone swaps the approved content kept beside the chain.
		const swapped = { ...stored, outcome: { ...(stored.outcome as ReviewOutcome), finalJson: { subject: 'Hello there', amount: 5000 } } };
		expect(await verdictFor(store, swapped, [KEY])).toMatchObject({ kind: 'tampered', reason: expect.stringContaining('SHA-256 the reviewer approved') });
		// The same record under a key the gate does not hold proves nothing.
		expect(await verdictFor(store, stored, [OTHER])).toMatchObject({ kind: 'tampered' });
	});

	it('a decision MAC-signed by the gate that names the item\'s requester is tampered (separation of duties), and a backup only from their level on', async () => {
		const json = { subject: 'Bonus', amount: 5 };
		const base = signedRequest(json);
		const p = { ...(base.payload as unknown as GatePayload), requester: { ids: ['ann@example.com'] } };
		const request: ReviewRequest = { ...base, id: randomUUID(), payload: p as unknown as Record<string, unknown> };
		request.mac = signRequest(request, KEY);
		await store.putReviewRequests([request]);
		// decide() signs a decision by ann, listed as a reviewer — but she requested the item.
		const { record } = await store.resolveReviewRequest(request.id, decide(request, json, 'approved'));
		expect(record?.requesterId).toBe('ann@example.com');
		expect(await verdictFor(store, request, [KEY])).toMatchObject({ kind: 'tampered', reason: expect.stringContaining('the requester of this item') });

		// A backup (bob) whose level is reached only after the decision time is not a reviewer of it.
		const late = signedRequest(json);
		const plan = { v: 1 as const, deadline: null, deadlineText: 'no deadline', rejectOnTimeout: false, reminders: [], escalation: [{ level: 1, at: '2026-01-01T02:00:00.000Z', reviewers: ['bob@example.com'] }] };
		const latePayload = { ...(late.payload as unknown as GatePayload), deadlinePlan: plan };
		const backupRequest: ReviewRequest = { ...late, id: randomUUID(), reviewers: ['ann@example.com'], payload: latePayload as unknown as Record<string, unknown> };
		backupRequest.mac = signRequest(backupRequest, KEY);
		// A decision by bob at 01:00, MAC-signed by the gate: his level starts at 02:00.
		const resolution = decisionResolution({
			request: backupRequest, payload: latePayload, outcome: { decision: 'approved', reviewerId: 'bob@example.com', decidedAt: '2026-01-01T01:00:00.000Z', comment: null, edits: [], finalJson: null },
			finalSha256: sha256Json(json), queueTimeMs: 1, linkKeyId: KEY.keyId, linkNonce: 'n'.repeat(22), client: { clientIp: null, userAgent: null }, key: KEY,
		});
		await store.putReviewRequests([backupRequest]);
		await store.resolveReviewRequest(backupRequest.id, resolution);
		expect(await verdictFor(store, backupRequest, [KEY])).toMatchObject({ kind: 'tampered', reason: expect.stringContaining('not a reviewer of this request') });
	});

	it('an erased request is closed for good: never decided or released, whatever its record says, and not reported as tampered', async () => {
		const request = signedRequest();
		await store.putReviewRequests([request]);
		await store.resolveReviewRequest(request.id, decide(request, { subject: 'Hello there', amount: 5 }));
		const erasure = { at: '2026-12-01T10:00:00.000Z', by: 'dpo@example.com', reason: 'DSR-1' };
		expect((await store.eraseRequestContent({ endedBefore: new Date('2027-01-01T00:00:00Z') }, erasure)).requestIds).toContain(request.id);
		const stored = (await store.getReviewRequest(request.id)) as ReviewRequest;
		expect(await verdictFor(store, stored, [KEY])).toEqual({ kind: 'erased', erasure });
		// The mark alone closes a request: writing it into a store can stop a review, never pass one.
		expect(await verdictFor(storeWith(null), { ...signedRequest(), erased: erasure }, [KEY])).toEqual({ kind: 'erased', erasure });
	});

	it('a stored status without a record is pending, flagged as inconsistent', async () => {
		const request = { ...signedRequest(), status: 'decided' as const };
		expect(await verdictFor(storeWith(null), request, [KEY])).toMatchObject({ kind: 'pending', inconsistent: expect.stringContaining('no record ending it') });
	});

	it('a rejection releases the draft as it was', async () => {
		const request = signedRequest();
		await store.putReviewRequests([request]);
		const draft = (request.payload as unknown as GatePayload).items[0].json;
		const resolution = decide(request, draft, 'rejected');
		const { record } = await store.resolveReviewRequest(request.id, { ...resolution, outcome: { ...(resolution.outcome as ReviewOutcome), finalJson: null } });
		expect(await verdictFor(store, (await store.getReviewRequest(request.id)) as ReviewRequest, [KEY])).toEqual({ kind: 'decided', record, json: [draft] });
	});

	describe('every field the decision MAC covers, flipped in the record, is refused', () => {
		let request: ReviewRequest;
		let record: ReviewRecord;
		beforeAll(async () => {
			request = signedRequest();
			await store.putReviewRequests([request]);
			({ record } = (await store.resolveReviewRequest(request.id, decide(request, { subject: 'Hi', amount: 5 }))) as { record: ReviewRecord });
			request = (await store.getReviewRequest(request.id)) as ReviewRequest;
		});
		const binding = (r: ReviewRecord) => (r.details as { hitlRequest: Record<string, unknown> }).hitlRequest;
		const flips: Array<[string, (r: ReviewRecord) => void]> = [
			['decision', (r) => (r.decision = 'approved')],
			['decision → rejected', (r) => (r.decision = 'rejected')],
			['reviewerId (another listed reviewer)', (r) => (r.reviewerId = 'ben@example.com')],
			['reviewerId (not listed)', (r) => (r.reviewerId = 'mallory@evil.example')],
			['decidedAt', (r) => (r.decidedAt = '2026-01-01T01:00:01.000Z')],
			['comment', (r) => (r.comment = 'ok!')],
			['draftSha256', (r) => (r.draftSha256 = '1'.repeat(64))],
			['finalSha256', (r) => (r.finalSha256 = sha256Json({ subject: 'Hi', amount: 5000 }))],
			['event', (r) => (r.event = 'expired')],
			['binding id', (r) => (binding(r).id = randomUUID())],
			['binding groupId', (r) => (binding(r).groupId = 'g')],
			['binding nodeId', (r) => (binding(r).nodeId = 'gate-2')],
			['binding keyId', (r) => (binding(r).keyId = 'k-other')],
			['binding mac (last character changed)', (r) => {
				const mac = String(binding(r).mac);
				binding(r).mac = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
			}],
			['binding mac removed', (r) => (binding(r).mac = null)],
		];
		it.each(flips)('%s', async (_what, flip) => {
			const forged = JSON.parse(JSON.stringify(record)) as ReviewRecord;
			flip(forged);
			const verdict = await verdictFor(storeWith(forged), request, [KEY]);
			// An `expired` record never releases through Approved or Rejected: Timed Out is the safe side.
			if (forged.event === 'expired') expect(verdict.kind).toBe('expired');
			else expect(verdict).toMatchObject({ kind: 'tampered' });
		});
		it('the untouched record passes (the flips above are what fails)', async () => {
			expect(await verdictFor(storeWith(record), request, [KEY])).toMatchObject({ kind: 'decided' });
		});
	});
});
