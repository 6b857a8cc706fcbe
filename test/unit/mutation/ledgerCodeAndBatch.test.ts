/**
 * Tests added from a Stryker run of nodes/HitlGate/ledger.ts on 2026-12-03 (222 mutants, 78.4 %: the
 * file had gained the one-time code checks, the page-time details and verdictsFor since its last run,
 * all proven by workflow tests but not by the unit tests Stryker runs). Each test names the mutant it
 * kills: a code-protected request released without its code, a malformed code note, the code's seq
 * under the decision MAC, the seconds on page, a prefetched "no record" that must not be read again,
 * and verdictsFor's order.
 */
import { randomUUID } from 'node:crypto';

import { normaliseInput } from '../../../core/chain';
import { sha256Json } from '../../../core/edits';
import { signDecision, signRequest, type SigningKey } from '../../../core/links';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import type { ReviewOutcome, ReviewRecord, ReviewRequest, ReviewStore } from '../../../core/store/types';
import { decisionResolution, draftOf, verdictFor, verdictsFor, withDecisionDetails } from '../../../nodes/HitlGate/ledger';
import type { GatePayload } from '../../../nodes/HitlGate/types';
import { tempDir } from '../store/helpers';

const KEY: SigningKey = { keyId: 'k-ledger-c', secret: 'ledger-code-mutation-secret-0123456789' };

function signed(extra: Partial<GatePayload> = {}): ReviewRequest {
	const payload: GatePayload = {
		v: 1, mode: 'perItem', items: [{ index: 0, json: { subject: 'Hi' } }], shown: [], editable: [], requireRejectReason: false,
		message: 'check', tier: 'high', tierReasons: ['r'], blastRadius: null, hashClientInfo: true,
		workflowId: 'wf', workflowName: 'WF', nodeName: 'HITL Gate', linkKeyId: KEY.keyId, ...extra,
	};
	const request: ReviewRequest = {
		id: randomUUID(), groupId: randomUUID(), executionId: 'exec-1', nodeId: 'gate-1', itemIndex: 0, reviewers: ['ann@example.com'],
		draftSha256: sha256Json(draftOf(payload)), createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z',
		status: 'pending', outcome: null, payload: payload as unknown as Record<string, unknown>, mac: null,
	};
	request.mac = signRequest(request, KEY);
	return request;
}

function resolutionOf(request: ReviewRequest, servedAt: Date | null = null) {
	const payload = request.payload as unknown as GatePayload;
	const outcome: ReviewOutcome = { decision: 'approved', reviewerId: 'ann@example.com', decidedAt: '2026-01-01T01:00:00.000Z', comment: null, edits: [], finalJson: null };
	return decisionResolution({
		request, payload, outcome, finalSha256: sha256Json(draftOf(payload)), queueTimeMs: 1, linkKeyId: KEY.keyId, linkNonce: 'n'.repeat(22),
		client: { clientIp: null, userAgent: null }, key: KEY, servedAt,
	});
}

/** The record as a store writes it (seq 10, so a code accepted at seq 3 comes before it). */
const asStored = (input: ReturnType<typeof resolutionOf>['record']): ReviewRecord =>
	({ ...normaliseInput(input), v: 1, chain: 'main', seq: 10, recordedAt: '2026-01-01T01:00:00.000Z', prevHash: '0'.repeat(64), hash: 'f'.repeat(64) }) as ReviewRecord;

const storeWith = (record: ReviewRecord | null): ReviewStore => ({ terminalRecord: async () => record }) as unknown as ReviewStore;
const bindingMac = (record: ReviewRecord) => (record.details as { hitlRequest: { mac: string } }).hitlRequest.mac;

describe('ledger: one-time codes at release (mutation-found gaps)', () => {
	test('a code-protected request decided without a code is tampered (kills: `if (payload.oneTimeCode)` → false)', async () => {
		const request = signed({ oneTimeCode: { validitySeconds: 600 } });
		const record = asStored(resolutionOf(request).record);
		expect(await verdictFor(storeWith(record), request, [KEY])).toEqual({
			kind: 'tampered',
			reason: 'the request needs a one-time code but the decided record names no accepted code',
		});
	});

	test('a code-protected request whose named acceptance is not in the chain is tampered (kills: the unbacked check → false)', async () => {
		const { dir, cleanup } = tempDir('ledger-code');
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		try {
			const request = signed({ oneTimeCode: { validitySeconds: 600 } });
			await store.putReviewRequests([request]);
			const resolution = withDecisionDetails(resolutionOf(request), request, { oneTimeCode: true, oneTimeCodeAcceptedSeq: 0 }, KEY);
			await store.resolveReviewRequest(request.id, resolution);
			expect(await verdictFor(store, request, [KEY])).toMatchObject({
				kind: 'tampered',
				reason: expect.stringContaining('the request needs a one-time code but the chain has no otp_accepted record'),
			});
		} finally {
			await store.close();
			cleanup();
		}
	});

	test('a code-protected request decided with a code the chain backs is released (kills: the unbacked check → true)', async () => {
		const { dir, cleanup } = tempDir('ledger-code-ok');
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'main' });
		try {
			const request = signed({ oneTimeCode: { validitySeconds: 600 } });
			await store.putReviewRequests([request]);
			const link = { itemKey: request.id, reviewerId: 'ann@example.com', linkNonce: 'n'.repeat(22), executionId: request.executionId };
			await store.append({ event: 'otp_sent', ...link, details: { codeMac: 'code-mac-1', keyId: KEY.keyId, issuedAt: '2026-01-01T00:59:00.000Z', expiresAt: '2026-01-01T01:09:00.000Z' } });
			const accepted = await store.append({ event: 'otp_accepted', ...link, details: { codeMac: 'code-mac-1' } });
			const resolution = withDecisionDetails(resolutionOf(request), request, { oneTimeCode: true, oneTimeCodeAcceptedSeq: accepted.seq }, KEY);
			await store.resolveReviewRequest(request.id, resolution);
			expect(await verdictFor(store, request, [KEY])).toMatchObject({ kind: 'decided', json: [{ subject: 'Hi' }] });
		} finally {
			await store.close();
			cleanup();
		}
	});

	test('a code note added to a genuine record without its seq is malformed, so tampered (kills: the malformed check → false)', async () => {
		const request = signed();
		const record = asStored(resolutionOf(request).record);
		expect(await verdictFor(storeWith(record), request, [KEY])).toMatchObject({ kind: 'decided' });
		const noted = { ...record, details: { ...record.details, oneTimeCode: true } };
		expect(await verdictFor(storeWith(noted), request, [KEY])).toEqual({
			kind: 'tampered',
			reason: 'the decided record\'s one-time code note is malformed (added or stripped in the store?)',
		});
	});

	test('sealing a decision with a malformed code note throws (kills: sealDecision\'s malformed check → false)', () => {
		const request = signed();
		expect(() => withDecisionDetails(resolutionOf(request), request, { oneTimeCode: true }, KEY)).toThrow(new TypeError('a decided record names a one-time code without the seq of its acceptance'));
	});

	test('the accepted code\'s seq is under the decision MAC (v2); a record without a code keeps the v1 MAC', () => {
		const request = signed();
		const plain = resolutionOf(request);
		const facts = {
			requestId: request.id, groupId: request.groupId, executionId: request.executionId, nodeId: request.nodeId, event: 'decided' as const,
			decision: 'approved', reviewerId: 'ann@example.com', decidedAt: '2026-01-01T01:00:00.000Z', comment: null,
			draftSha256: request.draftSha256, finalSha256: plain.record.finalSha256 ?? null,
		};
		expect(bindingMac(asStored(plain.record))).toBe(signDecision(facts, KEY));
		const coded = withDecisionDetails(plain, request, { oneTimeCode: true, oneTimeCodeAcceptedSeq: 3 }, KEY);
		expect(bindingMac(asStored(coded.record))).toBe(signDecision({ ...facts, oneTimeCodeAcceptedSeq: 3 }, KEY));
		expect(bindingMac(asStored(coded.record))).not.toBe(signDecision(facts, KEY));
	});

	test('a changed code seq breaks the MAC (the request needs no code: only the MAC can catch it)', async () => {
		const request = signed();
		const coded = asStored(withDecisionDetails(resolutionOf(request), request, { oneTimeCode: true, oneTimeCodeAcceptedSeq: 3 }, KEY).record);
		expect(await verdictFor(storeWith(coded), request, [KEY])).toMatchObject({ kind: 'decided' });
		const moved = { ...coded, details: { ...coded.details, oneTimeCodeAcceptedSeq: 4 } };
		expect(await verdictFor(storeWith(moved), request, [KEY])).toMatchObject({ kind: 'tampered', reason: expect.stringContaining('valid MAC') });
	});
});

describe('ledger: the decided record and verdicts (mutation-found gaps)', () => {
	test('seconds on page are logged from the page served to the decision, and only when the page time is known', () => {
		const request = signed();
		const served = new Date(Date.parse('2026-01-01T01:00:00.000Z') - 12_345);
		expect(resolutionOf(request, served).record.details).toMatchObject({ secondsOnPage: 12.3 });
		expect(resolutionOf(request, served).record.viewedAt).toBe(served.toISOString());
		expect(resolutionOf(request).record.details).not.toHaveProperty('secondsOnPage');
	});

	test('what the request is about goes into the decided record', () => {
		const about = { tool: 'pay', callId: 'c1' };
		expect(resolutionOf(signed({ about })).record.details).toMatchObject({ about });
		expect(resolutionOf(signed()).record.details).not.toHaveProperty('about');
	});

	test('a record about another draft says so', async () => {
		const request = signed();
		const record = asStored(resolutionOf(request).record);
		expect(await verdictFor(storeWith({ ...record, draftSha256: '1'.repeat(64) }), request, [KEY])).toEqual({
			kind: 'tampered',
			reason: 'the decided record is about another draft',
		});
	});

	test('a prefetched "no record" is used as it is, not read again (kills: `terminal !== undefined` → false)', async () => {
		const unreadable = { terminalRecord: async () => Promise.reject(new Error('read again')) } as unknown as ReviewStore;
		expect(await verdictFor(unreadable, signed(), [KEY], null)).toEqual({ kind: 'pending' });
	});

	test('verdictsFor gives each request its own verdict, in order, from one read of the records', async () => {
		const pending = signed();
		const decided = signed();
		const record = asStored(resolutionOf(decided).record);
		let reads = 0;
		const store = {
			terminalRecords: async (ids: string[]) => {
				reads += 1;
				return new Map(ids.filter((id) => id === decided.id).map((id) => [id, record]));
			},
			terminalRecord: async () => Promise.reject(new Error('one at a time')),
		} as unknown as ReviewStore;
		const verdicts = await verdictsFor(store, [decided, pending, decided], [KEY]);
		expect(verdicts.map((v) => v.kind)).toEqual(['decided', 'pending', 'decided']);
		expect(reads).toBe(1);
	});
});
