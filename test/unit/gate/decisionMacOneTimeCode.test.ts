/**
 * Version 2 of the decision MAC (core/links/decisionMac.ts): a decision or vote taken with a one-time
 * code is MAC'd over the v1 fields plus the seq of its `otp_accepted` record, under its own domain; a
 * decision without a code keeps version 1 byte for byte, so records written before v2 verify unchanged.
 * Also the record note the gate reads it from (codeNoteOf): both fields or neither, anything else is
 * malformed. Known answers are computed here from the definition.
 */
import { createHmac } from 'node:crypto';

import { canonicalize } from '../../../core/canonicalJson';
import { DECISION_MAC_DOMAIN_V2, signDecision, verifyDecisionMac, type DecisionFacts, type SigningKey } from '../../../core/links';
import { codeNoteOf } from '../../../nodes/HitlGate/oneTimeCode';

const KEY: SigningKey = { keyId: 'k-otp', secret: 'decision-mac-one-time-code-secret-0123' };
const facts: DecisionFacts = {
	requestId: 'req-1', groupId: 'g-1', executionId: 'e-1', nodeId: 'n-1', event: 'decided', decision: 'approved',
	reviewerId: 'ann@example.com', decidedAt: '2026-01-01T01:00:00.000Z', comment: null, draftSha256: 'ab'.repeat(32), finalSha256: 'cd'.repeat(32),
};
const expected = (domain: string, fields: unknown) =>
	createHmac('sha256', KEY.secret).update(`${domain}${KEY.keyId}\n${canonicalize(fields)}`, 'utf8').digest('base64url');

describe('decision MAC version 2: the accepted one-time code', () => {
	test('known answers: v1 without a code (absent or null), v2 over the v1 fields and the acceptance seq', () => {
		const v1 = expected('n8n-nodes-hitl/decision/v1\n', facts);
		expect(signDecision(facts, KEY)).toBe(v1);
		expect(signDecision({ ...facts, oneTimeCodeAcceptedSeq: null }, KEY)).toBe(v1);
		expect(DECISION_MAC_DOMAIN_V2).toBe('n8n-nodes-hitl/decision/v2\n');
		expect(signDecision({ ...facts, oneTimeCodeAcceptedSeq: 7 }, KEY)).toBe(expected(DECISION_MAC_DOMAIN_V2, { ...facts, oneTimeCodeAcceptedSeq: 7 }));
		expect(signDecision({ ...facts, oneTimeCodeAcceptedSeq: 0 }, KEY)).toBe(expected(DECISION_MAC_DOMAIN_V2, { ...facts, oneTimeCodeAcceptedSeq: 0 }));
	});

	test('a code cannot be added, stripped or moved: each MAC verifies only as signed', () => {
		const withCode = signDecision({ ...facts, oneTimeCodeAcceptedSeq: 7 }, KEY);
		const without = signDecision(facts, KEY);
		expect(verifyDecisionMac({ ...facts, oneTimeCodeAcceptedSeq: 7 }, KEY.keyId, withCode, [KEY])).toBe(true);
		expect(verifyDecisionMac(facts, KEY.keyId, withCode, [KEY])).toBe(false);
		expect(verifyDecisionMac({ ...facts, oneTimeCodeAcceptedSeq: 8 }, KEY.keyId, withCode, [KEY])).toBe(false);
		expect(verifyDecisionMac(facts, KEY.keyId, without, [KEY])).toBe(true);
		expect(verifyDecisionMac({ ...facts, oneTimeCodeAcceptedSeq: 7 }, KEY.keyId, without, [KEY])).toBe(false);
		// The same text under the v1 domain is not a v2 MAC (the domains keep the versions apart).
		expect(verifyDecisionMac({ ...facts, oneTimeCodeAcceptedSeq: 7 }, KEY.keyId, expected('n8n-nodes-hitl/decision/v1\n', { ...facts, oneTimeCodeAcceptedSeq: 7 }), [KEY])).toBe(false);
	});

	test.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('signing refuses %p as an acceptance seq', (seq) => {
		expect(() => signDecision({ ...facts, oneTimeCodeAcceptedSeq: seq }, KEY)).toThrow(new TypeError(`oneTimeCodeAcceptedSeq must be a record seq, got ${String(seq)}`));
	});
});

describe('codeNoteOf: what a decided or vote record says about its code', () => {
	test('neither field: no code; both, with a seq: the acceptance', () => {
		expect(codeNoteOf(undefined)).toEqual({ kind: 'none' });
		expect(codeNoteOf(null)).toEqual({ kind: 'none' });
		expect(codeNoteOf({ secondsOnPage: 3 })).toEqual({ kind: 'none' });
		expect(codeNoteOf({ oneTimeCode: true, oneTimeCodeAcceptedSeq: 12 })).toEqual({ kind: 'accepted', seq: 12 });
		expect(codeNoteOf({ oneTimeCode: true, oneTimeCodeAcceptedSeq: 0 })).toEqual({ kind: 'accepted', seq: 0 });
	});

	test.each<[string, Record<string, unknown>]>([
		['the flag without the seq', { oneTimeCode: true }],
		['the seq without the flag', { oneTimeCodeAcceptedSeq: 12 }],
		['a false flag', { oneTimeCode: false, oneTimeCodeAcceptedSeq: 12 }],
		['a seq as text', { oneTimeCode: true, oneTimeCodeAcceptedSeq: '12' }],
		['a negative seq', { oneTimeCode: true, oneTimeCodeAcceptedSeq: -1 }],
		['a fractional seq', { oneTimeCode: true, oneTimeCodeAcceptedSeq: 1.5 }],
		['a null seq', { oneTimeCode: true, oneTimeCodeAcceptedSeq: null }],
	])('%s is malformed', (_name, details) => {
		expect(codeNoteOf(details)).toEqual({ kind: 'malformed' });
	});
});
