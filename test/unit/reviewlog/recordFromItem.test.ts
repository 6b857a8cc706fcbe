import { createHmac } from 'node:crypto';
import {
	PUBLIC_PRIVACY_DOMAIN,
	RecordInputError,
	recordFromItem,
	type AppendSettings,
} from '../../../nodes/ReviewLog/helpers/recordFromItem';

const settings = (over: Partial<AppendSettings> = {}): AppendSettings => ({
	event: 'auto',
	hitlField: 'hitl',
	blastRadiusField: 'blastRadius',
	hashClientInfo: false,
	privacySecret: null,
	context: { workflowId: 'wf1', workflowName: 'Offers', executionId: '42', nodeName: 'Review Log' },
	...over,
});

const H = 'a'.repeat(64);
const gateItem = (hitl: Record<string, unknown>) => ({
	subject: 'Offer',
	hitl: {
		decision: 'approve',
		reviewer: 'alice@example.com',
		decidedAt: '2026-11-25T10:05:00.000Z',
		requestedAt: '2026-11-25T10:00:00.000Z',
		queueTimeMs: 300000,
		comment: 'ok',
		edits: [],
		draftSha256: H,
		finalSha256: H,
		linkKeyId: 'k1',
		requestId: 'req-1',
		...hitl,
	},
	blastRadius: { tier: 'high', reasons: [{ label: 'candidate-facing send', rule: 1 }], sampled: false },
});

function err(fn: () => unknown): RecordInputError {
	try {
		fn();
	} catch (e) {
		expect(e).toBeInstanceOf(RecordInputError);
		return e as RecordInputError;
	}
	throw new Error('expected a RecordInputError');
}

describe('recordFromItem: gate and router annotations', () => {
	it('maps an approved gate item with its blast radius and n8n context', () => {
		expect(recordFromItem(gateItem({}), {}, settings())).toEqual({
			event: 'decided',
			decision: 'approved',
			reviewerId: 'alice@example.com',
			decidedAt: '2026-11-25T10:05:00.000Z',
			requestedAt: '2026-11-25T10:00:00.000Z',
			viewedAt: null,
			queueTimeMs: 300000,
			comment: 'ok',
			edits: [],
			draftSha256: H,
			finalSha256: H,
			linkKeyId: 'k1',
			linkNonce: null,
			itemKey: null,
			clientIp: null,
			userAgent: null,
			tier: 'high',
			tierReasons: ['candidate-facing send'],
			details: { requestId: 'req-1' },
			workflowId: 'wf1',
			workflowName: 'Offers',
			executionId: '42',
			nodeName: 'Review Log',
		});
	});

	it('approval with edits, rejection and expiry', () => {
		const edited = recordFromItem(gateItem({ edits: [{ path: 'body', before: 'a', after: 'b' }] }), {}, settings());
		expect(edited.decision).toBe('approved_with_edits');
		expect(edited.edits).toEqual([{ path: 'body', before: 'a', after: 'b' }]);
		expect(recordFromItem(gateItem({ decision: 'reject' }), {}, settings()).decision).toBe('rejected');
		const expired = recordFromItem(gateItem({ decision: 'expired' }), {}, settings());
		expect([expired.event, expired.decision]).toEqual(['expired', null]);
		// As HITL Gate's Timed Out output writes it.
		const timedOut = recordFromItem(
			gateItem({ decision: 'timed_out', reviewer: null, expiresAt: '2026-11-25T10:00:00.000Z', earlierDecision: { decision: 'approved', reviewer: 'bob', decidedAt: '2026-11-25T09:59:00.000Z' } }),
			{},
			settings(),
		);
		expect(timedOut).toMatchObject({
			event: 'expired', decision: null, reviewerId: null,
			details: { requestId: 'req-1', expiresAt: '2026-11-25T10:00:00.000Z', earlierDecision: { decision: 'approved', reviewer: 'bob' } },
		});
	});

	it('a sampled Low item without a gate annotation becomes a sampled record', () => {
		const r = recordFromItem({ blastRadius: { tier: 'low', reasons: [], sampled: true, sampleRate: 10, seed: 's1' } }, { itemKey: 'cand-7' }, settings());
		expect(r).toMatchObject({ event: 'sampled', tier: 'low', itemKey: 'cand-7', details: { sampling: { sampled: true, rate: 10, seed: 's1' } } });
	});

	it('reads custom annotation field names and the blast radius nested in hitl', () => {
		const r = recordFromItem({ review: { decision: 'approved', reviewer: 'bob', blastRadius: { tier: 'medium' } } }, {}, settings({ hitlField: 'review' }));
		expect(r).toMatchObject({ event: 'decided', reviewerId: 'bob', tier: 'medium' });
	});
});

describe('recordFromItem: builder mappings', () => {
	it('explicit note event with mapped fields and JSON details', () => {
		const r = recordFromItem(
			{ anything: 1 },
			{ itemKey: 17, modelName: 'gpt-x', modelVersion: '2026-10', promptVersion: 'v3', workflowVersion: 5, note: 'manual override checked', details: '{"ticket":"OPS-12"}' },
			settings({ event: 'note' }),
		);
		expect(r).toMatchObject({
			event: 'note', itemKey: '17', modelName: 'gpt-x', modelVersion: '2026-10', promptVersion: 'v3', workflowVersion: '5',
			details: { ticket: 'OPS-12', note: 'manual override checked' },
		});
	});

	it('a decided record without a gate needs a mapped decision', () => {
		expect(err(() => recordFromItem({}, {}, settings({ event: 'decided' }))).message).toMatch(/needs a decision/);
		expect(recordFromItem({}, { decision: 'rejected', reviewerId: 'carol' }, settings({ event: 'decided' }))).toMatchObject({ decision: 'rejected', reviewerId: 'carol' });
	});

	it('mappings may not contradict the gate', () => {
		expect(err(() => recordFromItem(gateItem({}), { decision: 'rejected' }, settings())).message).toMatch(/contradicts the gate's decision/);
		expect(err(() => recordFromItem(gateItem({}), { reviewerId: 'mallory' }, settings())).message).toMatch(/contradicts the gate's reviewer/);
		// Agreeing mappings are fine.
		expect(recordFromItem(gateItem({}), { decision: 'approved', reviewerId: 'alice@example.com' }, settings()).decision).toBe('approved');
	});

	it('hashes client IP and user agent when asked, keyed by the secret or the public domain string', () => {
		const m = { clientIp: '203.0.113.9', userAgent: 'Mozilla/5.0' };
		const plain = recordFromItem({}, m, settings({ event: 'note' }));
		expect([plain.clientIp, plain.userAgent]).toEqual(['203.0.113.9', 'Mozilla/5.0']);
		const pub = recordFromItem({}, m, settings({ event: 'note', hashClientInfo: true }));
		expect(pub.clientIp).toBe('hmac-sha256:' + createHmac('sha256', PUBLIC_PRIVACY_DOMAIN).update('203.0.113.9').digest('hex'));
		const salted = recordFromItem({}, m, settings({ event: 'note', hashClientInfo: true, privacySecret: 's3cret' }));
		expect(salted.userAgent).toBe('hmac-sha256:' + createHmac('sha256', 's3cret').update('Mozilla/5.0').digest('hex'));
		expect(salted.clientIp).not.toBe(pub.clientIp);
	});

	it('keeps a __proto__ key in details as data and pollutes nothing', () => {
		const r = recordFromItem({}, { details: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}' }, settings({ event: 'note' }));
		expect(Object.getPrototypeOf(r.details)).toBe(Object.prototype);
		expect(Object.keys(r.details!)).toEqual(['__proto__', 'constructor']);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});

describe('recordFromItem: bad input gives a clear error with what to do', () => {
	it.each([
		['no annotation in auto mode', { a: 1 }, {}, /neither a "hitl" annotation/],
		['unknown gate decision', gateItem({ decision: 'maybe' }), {}, /not a known decision/],
		['bad decidedAt', gateItem({ decidedAt: 'tomorrow' }), {}, /not a valid date/],
		['bad hash', gateItem({ draftSha256: 'xyz' }), {}, /not a SHA-256/],
		['negative queue time', gateItem({ queueTimeMs: -1 }), {}, /queueTimeMs/],
		['edits not a list', gateItem({ edits: 'body' }), {}, /edits must be a list/],
		['reviewer not text', gateItem({ reviewer: { id: 1 } }), {}, /reviewer must be text/],
		['bad tier', { blastRadius: { tier: 'extreme', sampled: true } }, {}, /not low, medium or high/],
		['hitl not an object', { hitl: 'yes' }, {}, /is not an object/],
		['bad mapped decision', gateItem({}), { decision: 'ok' }, /is not one of/],
		['details not JSON', gateItem({}), { details: '{oops' }, /not valid JSON/],
		['details an array', gateItem({}), { details: '[1]' }, /must be a JSON object/],
	])('%s', (_name, json, mapped, pattern) => {
		const e = err(() => recordFromItem(json, mapped, settings()));
		expect(e.message).toMatch(pattern);
		expect(e.description.length).toBeGreaterThan(10);
	});

	it('an item that is not an object', () => {
		expect(err(() => recordFromItem(null, {}, settings())).message).toMatch(/no JSON object/);
		expect(err(() => recordFromItem([1], {}, settings())).message).toMatch(/no JSON object/);
	});

	it('a decision on a non-decided event', () => {
		expect(err(() => recordFromItem({}, { decision: 'approved' }, settings({ event: 'note' }))).message).toMatch(/cannot carry a decision/);
	});

	it('a note after the gate (e.g. "paid") keeps the item\'s context but not the gate\'s decision', () => {
		const record = recordFromItem(gateItem({}), { note: 'Paid' }, settings({ event: 'note' }));
		expect(record.event).toBe('note');
		expect(record.decision ?? null).toBeNull();
		// Mapping the decision onto a note is still refused.
		expect(err(() => recordFromItem(gateItem({}), { decision: 'approved' }, settings({ event: 'note' }))).message).toMatch(/cannot carry a decision/);
	});
});

describe('recordFromItem: the Blast Radius Router annotation as the router writes it', () => {
	const routed = {
		id: 'cand-9',
		blastRadius: {
			tier: 'low',
			reasons: [
				{ label: 'Routine update', tier: 'low', source: 'rule', ruleId: 'rule 1' },
				{ label: 'Large payment', tier: 'high', source: 'error', error: 'amount is not a number' },
				{ label: '', tier: 'high', source: 'fallback' },
			],
			sampled: true,
			sampling: { rate: 10, seed: 'seed-1', key: 'cand-9', value: 0.04 },
			routerVersion: '1',
			evaluatedAt: '2026-11-25T10:00:00.000Z',
		},
	};

	it('keeps every reason (with the error of a fail-closed rule) and the sampling facts; the sampling key is the item key', () => {
		const r = recordFromItem(routed, {}, settings());
		expect(r).toMatchObject({
			event: 'sampled',
			tier: 'low',
			itemKey: 'cand-9',
			tierReasons: ['Routine update', 'Large payment (error: amount is not a number)', 'fallback'],
			details: { sampling: { sampled: true, rate: 10, seed: 'seed-1', key: 'cand-9', value: 0.04 } },
		});
	});

	it('a mapped item key wins over the sampling key', () => {
		expect(recordFromItem(routed, { itemKey: 'other' }, settings()).itemKey).toBe('other');
	});
});

describe('recordFromItem: an item a sample-review gate passed on (no decision yet)', () => {
	const sampleItem = () => ({
		text: 'Internal note',
		hitl: { mode: 'sample', status: 'pending_sample_review', decision: null, requestId: 'req-s', requestedAt: '2026-11-25T10:00:00.000Z', draftSha256: H, linkKeyId: 'k1' },
		blastRadius: { tier: 'low', reasons: [], sampled: true },
	});
	it('Auto refuses it, saying the gate already logged it as sampled (never a decision it does not have)', () => {
		expect(err(() => recordFromItem(sampleItem(), {}, settings())).message).toMatch(/sample review, which already logged it as `sampled`/);
	});
	it('an explicit Note logs it with its request id and no decision', () => {
		const note = recordFromItem(sampleItem(), {}, settings({ event: 'note' }));
		expect(note).toMatchObject({ event: 'note', tier: 'low' });
		expect(note.decision ?? null).toBeNull();
		expect(note.details).toMatchObject({ requestId: 'req-s' });
	});
});
