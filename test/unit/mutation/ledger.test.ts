/**
 * Tests added from mutation testing (docs/mutation-testing.md) for nodes/HitlGate/ledger.ts: every
 * reason the release check gives, a decided record naming someone the request did not list even with a
 * valid MAC, batch release, the evidence branch of the decided record, the logged-edit size boundary,
 * and that a tamper report lands in the log (and never throws).
 */
import { randomUUID } from 'node:crypto';

import { normaliseInput } from '../../../core/chain';
import { sha256Json } from '../../../core/edits';
import { signDecision, signRequest, type SigningKey } from '../../../core/links';
import type { ReviewOutcome, ReviewRecord, ReviewRequest, ReviewStore } from '../../../core/store/types';
import { authenticateRequest, decisionResolution, draftOf, loggedEdits, MAX_LOGGED_EDIT_VALUE_BYTES, reportTamper, verdictFor } from '../../../nodes/HitlGate/ledger';
import type { GatePayload } from '../../../nodes/HitlGate/types';

const KEY: SigningKey = { keyId: 'k-ledger-m', secret: 'ledger-mutation-secret-0123456789abcdef' };

function payloadOf(items: Array<Record<string, unknown>>): GatePayload {
	return {
		v: 1, mode: items.length === 1 ? 'perItem' : 'batch', items: items.map((json, index) => ({ index, json })), shown: [], editable: ['subject'],
		requireRejectReason: true, message: 'check', tier: 'high', tierReasons: ['r'], blastRadius: null, hashClientInfo: true,
		workflowId: 'wf', workflowName: 'WF', nodeName: 'HITL Gate', linkKeyId: KEY.keyId,
	};
}

function signed(items: Array<Record<string, unknown>>): ReviewRequest {
	const payload = payloadOf(items);
	const request: ReviewRequest = {
		id: randomUUID(), groupId: randomUUID(), executionId: 'exec-1', nodeId: 'gate-1', itemIndex: 0, reviewers: ['ann@example.com'],
		draftSha256: sha256Json(draftOf(payload)), createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z',
		status: 'pending', outcome: null, payload: payload as unknown as Record<string, unknown>, mac: null,
	};
	request.mac = signRequest(request, KEY);
	return request;
}

/** The record a resolution would write, as the store would (seq etc. filled in). */
function recordFor(request: ReviewRequest, over: Partial<ReviewOutcome> & { reviewerId?: string } = {}, finalJson: unknown = null): ReviewRecord {
	const outcome: ReviewOutcome = { decision: 'approved', reviewerId: 'ann@example.com', decidedAt: '2026-01-01T01:00:00.000Z', comment: null, edits: [], finalJson: null, ...over };
	const payload = request.payload as unknown as GatePayload;
	const resolution = decisionResolution({
		request, payload, outcome, finalSha256: sha256Json(finalJson ?? draftOf(payload)), queueTimeMs: 1, linkKeyId: KEY.keyId, linkNonce: 'n'.repeat(22),
		client: { clientIp: null, userAgent: null }, key: KEY,
	});
	return { ...normaliseInput(resolution.record), v: 1, chain: 'main', seq: 1, recordedAt: '2026-01-01T01:00:00.000Z', prevHash: '0'.repeat(64), hash: 'f'.repeat(64) } as ReviewRecord;
}

const storeWith = (record: ReviewRecord | null, appended: unknown[] = []): ReviewStore =>
	({ terminalRecord: async () => record, append: async (input: unknown) => appended.push(input) }) as unknown as ReviewStore;

describe('ledger (mutation-found gaps)', () => {
	test('each refusal says why', () => {
		const request = signed([{ subject: 'Hi' }]);
		expect(authenticateRequest({ ...request, payload: { v: 2 } }, [KEY])).toEqual({ ok: false, reason: 'the stored request is not a HITL Gate request' });
		expect(authenticateRequest({ ...request, mac: 'x' }, [KEY])).toEqual({
			ok: false,
			reason: 'the stored request does not carry a valid MAC of the gate signing key (altered in the store?)',
		});
	});

	test('an unauthentic request is tampered even with a genuine decided record', async () => {
		const request = signed([{ subject: 'Hi' }]);
		const record = recordFor(request);
		expect(await verdictFor(storeWith(record), request, [KEY])).toMatchObject({ kind: 'decided' });
		expect(await verdictFor(storeWith(record), { ...request, reviewers: ['ann@example.com', 'eve@example.com'] }, [KEY])).toMatchObject({ kind: 'tampered' });
	});

	test('a decided record whose MAC is valid but names someone the request did not list is tampered', async () => {
		const request = signed([{ subject: 'Hi' }]);
		const record = recordFor(request, { reviewerId: 'mallory@evil.example' });
		expect(await verdictFor(storeWith(record), request, [KEY])).toEqual({
			kind: 'tampered',
			reason: 'the decided record names mallory@evil.example, who is not a reviewer of this request',
		});
		const unnamed = { ...recordFor(request), reviewerId: null };
		const binding = (unnamed.details as { hitlRequest: { mac: string } }).hitlRequest;
		binding.mac = signDecision({ requestId: request.id, groupId: request.groupId, executionId: request.executionId, nodeId: request.nodeId, event: 'decided', decision: 'approved', reviewerId: null, decidedAt: unnamed.decidedAt, comment: null, draftSha256: request.draftSha256, finalSha256: unnamed.finalSha256 }, KEY);
		expect(await verdictFor(storeWith(unnamed), request, [KEY])).toMatchObject({ kind: 'tampered', reason: expect.stringContaining('names null') });
	});

	test('other refusals name their reason exactly', async () => {
		const request = signed([{ subject: 'Hi' }]);
		const other = recordFor(signed([{ subject: 'Other' }]));
		expect(await verdictFor(storeWith(other), request, [KEY])).toEqual({ kind: 'tampered', reason: 'the terminal record does not name this request' });
		const badMac = recordFor(request);
		(badMac.details as { hitlRequest: { mac: string } }).hitlRequest.mac = 'AAAA';
		expect(await verdictFor(storeWith(badMac), request, [KEY])).toEqual({ kind: 'tampered', reason: 'the decided record does not carry a valid MAC of the gate signing key' });
	});

	test('a batch leaves as drafted, every item; a rejected single item leaves as drafted, whatever is stored', async () => {
		const batch = signed([{ subject: 'A' }, { subject: 'B' }]);
		expect(await verdictFor(storeWith(recordFor(batch)), batch, [KEY])).toMatchObject({ kind: 'decided', json: [{ subject: 'A' }, { subject: 'B' }] });
		const single = signed([{ subject: 'Hi' }]);
		const rejected = recordFor(single, { decision: 'rejected' });
		const withStored = { ...single, outcome: { decision: 'rejected' as const, reviewerId: 'ann@example.com', decidedAt: '', comment: null, edits: [], finalJson: { subject: 'edited' } } };
		expect(await verdictFor(storeWith(rejected), withStored, [KEY])).toMatchObject({ kind: 'decided', json: [{ subject: 'Hi' }] });
		// Approved with a stored final item: that item, checked against the record's hash.
		const approved = recordFor(single, {}, { subject: 'edited' });
		expect(await verdictFor(storeWith(approved), { ...withStored, outcome: { ...withStored.outcome, decision: 'approved' as const } }, [KEY])).toMatchObject({ kind: 'decided', json: [{ subject: 'edited' }] });
		// No outcome stored at all (a request index rebuilt from the log): the draft, checked against the hash.
		expect(await verdictFor(storeWith(recordFor(single)), { ...single, outcome: null }, [KEY])).toMatchObject({ kind: 'decided', json: [{ subject: 'Hi' }] });
	});

	test('with evidence kept, the decided record logs edits by path and names the evidence', () => {
		const request = signed([{ subject: 'Hi' }]);
		const evidence = [{ id: 'e'.repeat(32), subjectRef: 's'.repeat(32), commitments: { draft: 'c'.repeat(64) } }];
		const outcome: ReviewOutcome = { decision: 'approved_with_edits', reviewerId: 'ann@example.com', decidedAt: '2026-01-01T01:00:00.000Z', comment: null, edits: [{ path: 'subject', before: 'Hi', after: 'Hello' }], finalJson: { subject: 'Hello' } };
		const base = { request, payload: request.payload as unknown as GatePayload, outcome, finalSha256: sha256Json({ subject: 'Hello' }), queueTimeMs: 1, linkKeyId: KEY.keyId, linkNonce: 'n'.repeat(22), client: { clientIp: null, userAgent: null }, key: KEY };
		const withEvidence = decisionResolution({ ...base, evidence }).record;
		expect(withEvidence.edits).toEqual([{ path: 'subject', before: null, after: null }]);
		expect(withEvidence.details).toMatchObject({ evidence });
		const without = decisionResolution(base).record;
		expect(without.edits).toEqual([{ path: 'subject', before: 'Hi', after: 'Hello' }]);
		expect(without.details).not.toHaveProperty('evidence');
	});

	test('edit values are logged in full up to exactly the limit, by SHA-256 above it', () => {
		const exact = 'x'.repeat(MAX_LOGGED_EDIT_VALUE_BYTES - 2); // JSON adds two quotes
		const over = `${exact}y`;
		expect(loggedEdits([{ path: 'a', before: exact, after: over }])).toEqual([{ path: 'a', before: exact, after: null, afterSha256: sha256Json(over) }]);
		const multiByte = 'é'.repeat(Math.ceil(MAX_LOGGED_EDIT_VALUE_BYTES / 2)); // bytes, not characters
		expect(loggedEdits([{ path: 'a', before: null, after: multiByte }])[0].after).toBeNull();
	});

	test('a tamper report is a tamper_suspected record naming the request and why; a failing store does not throw', async () => {
		const request = signed([{ subject: 'Hi' }]);
		const appended: Array<Record<string, unknown>> = [];
		await reportTamper(storeWith(null, appended), request, 'forged', { reviewerId: 'ann@example.com' });
		expect(appended).toEqual([expect.objectContaining({ event: 'tamper_suspected', itemKey: request.id, details: { requestId: request.id, groupId: request.groupId, reason: 'forged', reviewerId: 'ann@example.com' } })]);
		const failing = { append: async () => Promise.reject(new Error('disk full')) } as unknown as ReviewStore;
		await expect(reportTamper(failing, request, 'forged')).resolves.toBeUndefined();
	});
});
