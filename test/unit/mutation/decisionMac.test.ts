/**
 * Tests added from mutation testing (docs/mutation-testing.md) for core/links/decisionMac.ts: the MACs
 * are pinned by known answers computed here from their definition (domain, key id, canonical JSON of
 * exactly the covered fields), and verification says "not authentic" — never throws — for anything odd.
 */
import { createHmac } from 'node:crypto';

import { canonicalize } from '../../../core/canonicalJson';
import { type DecisionFacts, type RequestDefinition, signDecision, signRequest, verifyDecisionMac, verifyRequestMac } from '../../../core/links/decisionMac';
import type { SigningKey } from '../../../core/links/signingKey';

const KEY: SigningKey = { keyId: 'k-mac', secret: 'decision-mac-mutation-secret-0123456789' };
const OTHER: SigningKey = { keyId: 'k-other', secret: 'another-decision-mac-secret-0123456789' };

const request: RequestDefinition = {
	id: 'req-1', groupId: 'g-1', executionId: 'e-1', nodeId: 'n-1', itemIndex: 0, reviewers: ['ann@example.com'],
	draftSha256: 'ab'.repeat(32), createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z', payload: { draft: { body: 'Hi' } },
};
const facts: DecisionFacts = {
	requestId: 'req-1', groupId: 'g-1', executionId: 'e-1', nodeId: 'n-1', event: 'decided', decision: 'approved',
	reviewerId: 'ann@example.com', decidedAt: '2026-01-01T01:00:00.000Z', comment: null, draftSha256: 'ab'.repeat(32), finalSha256: 'cd'.repeat(32),
};

const expected = (domain: string, fields: unknown, key = KEY) =>
	createHmac('sha256', key.secret).update(`${domain}${key.keyId}\n${canonicalize(fields)}`, 'utf8').digest('base64url');

describe('decision and request MACs', () => {
	test('known answers: domain, key id and exactly the covered fields', () => {
		expect(signRequest(request, KEY)).toBe(expected('n8n-nodes-hitl/request/v1\n', request));
		expect(signDecision(facts, KEY)).toBe(expected('n8n-nodes-hitl/decision/v1\n', facts));
		// Fields outside the definition are not covered (status and outcome of a request change over time).
		const withState = { ...request, status: 'decided', outcome: { decision: 'approved' } } as RequestDefinition;
		expect(signRequest(withState, KEY)).toBe(signRequest(request, KEY));
		expect(signDecision({ ...facts, extra: 1 } as DecisionFacts, KEY)).toBe(signDecision(facts, KEY));
	});

	test('verification: the right key id among several keys, never another key id', () => {
		const mac = signDecision(facts, KEY);
		expect(verifyDecisionMac(facts, KEY.keyId, mac, [OTHER, KEY])).toBe(true);
		expect(verifyDecisionMac(facts, OTHER.keyId, mac, [OTHER, KEY])).toBe(false);
		expect(verifyDecisionMac(facts, null, mac, [KEY])).toBe(false);
		expect(verifyRequestMac(request, KEY.keyId, signRequest(request, KEY), [KEY])).toBe(true);
		expect(verifyRequestMac(request, KEY.keyId, signRequest(request, OTHER), [KEY])).toBe(false);
	});

	test('a MAC that is not text, or fields that are not JSON data, are "not authentic" — never an exception', () => {
		for (const given of [null, undefined, 42, ['x'], { mac: 'x' }, '']) {
			expect(verifyDecisionMac(facts, KEY.keyId, given, [KEY])).toBe(false);
			expect(verifyRequestMac(request, KEY.keyId, given, [KEY])).toBe(false);
		}
		const mac = signRequest(request, KEY);
		for (const payload of [{ draft: undefined }, { n: Number.NaN }, { f: () => 1 }, { big: 1n }]) {
			expect(verifyRequestMac({ ...request, payload: payload as Record<string, unknown> }, KEY.keyId, mac, [KEY])).toBe(false);
		}
		expect(verifyDecisionMac({ ...facts, comment: '\uD800' }, KEY.keyId, signDecision(facts, KEY), [KEY])).toBe(false);
	});
});
