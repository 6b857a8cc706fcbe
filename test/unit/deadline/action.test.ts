/**
 * The deadline worker's signed order (core/deadline/action.ts): key derivation, signing, and every
 * reason the gate refuses an order — checked against a MAC computed here independently (node:crypto
 * and a hand-written canonical JSON string), not by the code under test.
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';

import {
	ACTION_MAC_DOMAIN,
	ACTION_MAX_AGE_MS,
	deriveDeadlineActionKey,
	orderFor,
	signDeadlineOrder,
	verifyDeadlineOrder,
	type DeadlineOrder,
	type SignedDeadlineOrder,
} from '../../../core/deadline/action';
import type { DeadlineEvent } from '../../../core/store/types';

const INSTANCE_KEY = 'n8n-instance-encryption-key-for-tests-0123456789';
const OTHER_INSTANCE_KEY = 'another-n8n-instance-key-for-tests-9876543210';
const KEY = deriveDeadlineActionKey(INSTANCE_KEY);
const ISSUED = 1_800_000_000_000;
const NOW = new Date(ISSUED + 1000);

function order(over: Partial<DeadlineOrder> = {}): DeadlineOrder {
	return {
		v: 1,
		eventId: 'g-1#remind#1',
		groupId: 'g-1',
		kind: 'remind',
		step: 1,
		executionId: '4711',
		nodeId: '8d5f3c1e-0c7a-4b7b-9d61-2a4c9b1f7e11',
		claimToken: '0b3c1f0e-2a4d-4c1b-9e8f-0123456789ab',
		worker: 'deadlines-node:abcd1234',
		issuedAtMs: ISSUED,
		...over,
	};
}

const expected = (over: Partial<{ executionId: string; nodeId: string; now: Date }> = {}) => ({
	executionId: '4711',
	nodeId: '8d5f3c1e-0c7a-4b7b-9d61-2a4c9b1f7e11',
	now: NOW,
	...over,
});

/** A signed order re-parsed as the gate gets it (a JSON body). */
const overTheWire = (signed: SignedDeadlineOrder): unknown => JSON.parse(JSON.stringify(signed));

function event(over: Partial<DeadlineEvent> = {}): DeadlineEvent {
	return {
		id: 'g-1#escalate#2',
		groupId: 'g-1',
		kind: 'escalate',
		step: 2,
		dueAt: '2026-12-01T10:00:00.000Z',
		target: 'https://n8n.example.com/webhook-waiting/4711/node?signature=abc',
		executionId: '4711',
		nodeId: 'node-1',
		status: 'scheduled',
		claim: { by: 'w', token: 'tok-1', until: '2026-12-01T10:02:00.000Z' },
		attempts: 1,
		lastError: null,
		endedAt: null,
		result: null,
		...over,
	};
}

describe('deriveDeadlineActionKey', () => {
	it('derives the same 32-byte key and key id from the same instance key', () => {
		const again = deriveDeadlineActionKey(INSTANCE_KEY);
		expect(again.secret.equals(KEY.secret)).toBe(true);
		expect(again.keyId).toBe(KEY.keyId);
		expect(KEY.secret).toHaveLength(32);
		expect(Buffer.isBuffer(KEY.secret)).toBe(true);
		expect(KEY.keyId).toMatch(/^dl-[0-9a-f]{12}$/);
	});

	it('derives a different key and key id from a different instance key', () => {
		const other = deriveDeadlineActionKey(OTHER_INSTANCE_KEY);
		expect(other.secret.equals(KEY.secret)).toBe(false);
		expect(other.keyId).not.toBe(KEY.keyId);
	});

	it('matches HKDF-SHA256 with the documented salt and label, and names the key by its hash', () => {
		const secret = Buffer.from(hkdfSync('sha256', INSTANCE_KEY, 'n8n-nodes-hitl', 'n8n-nodes-hitl deadline action key v1', 32));
		expect(KEY.secret.equals(secret)).toBe(true);
		expect(KEY.keyId).toBe(`dl-${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`);
	});

	it('refuses a missing or short instance key (15 characters), accepts 16', () => {
		for (const bad of ['', 'x'.repeat(15), undefined, null, 12345678901234567890, ['x'.repeat(20)]]) {
			expect(() => deriveDeadlineActionKey(bad as unknown as string)).toThrow(/encryption key is missing or too short/);
		}
		expect(deriveDeadlineActionKey('x'.repeat(16)).secret).toHaveLength(32);
	});
});

describe('signDeadlineOrder: known answer', () => {
	it('produces the MAC computed independently from the instance key and a hand-written canonical JSON', () => {
		const instanceKey = 'kat-instance-key-0000000000000000';
		const o: DeadlineOrder = {
			v: 1,
			eventId: 'grp-9#deadline#0',
			groupId: 'grp-9',
			kind: 'deadline',
			step: 0,
			executionId: '99',
			nodeId: 'n-1',
			claimToken: 'tok',
			worker: 'w:1',
			issuedAtMs: 1700000000000,
		};
		// RFC 8785: members sorted by key (UTF-16 code units), no whitespace.
		const canonical =
			'{"claimToken":"tok","eventId":"grp-9#deadline#0","executionId":"99","groupId":"grp-9","issuedAtMs":1700000000000,' +
			'"kind":"deadline","nodeId":"n-1","step":0,"v":1,"worker":"w:1"}';
		const secret = Buffer.from(hkdfSync('sha256', instanceKey, 'n8n-nodes-hitl', 'n8n-nodes-hitl deadline action key v1', 32));
		const keyId = `dl-${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;
		const mac = createHmac('sha256', secret).update(`n8n-nodes-hitl/deadline-action/v1\n${keyId}\n${canonical}`, 'utf8').digest('base64url');

		const key = deriveDeadlineActionKey(instanceKey);
		const signed = signDeadlineOrder(o, key);
		expect(signed).toEqual({ order: o, keyId, mac });
		expect(signed.order).toBe(o);
		expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(ACTION_MAC_DOMAIN).toBe('n8n-nodes-hitl/deadline-action/v1\n');
		expect(verifyDeadlineOrder(overTheWire(signed), key, { executionId: '99', nodeId: 'n-1', now: new Date(1700000000000) })).toEqual({ ok: true, order: o });
	});

	it('signs the key order-independently (canonical JSON, not insertion order)', () => {
		const o = order();
		const reversed = Object.fromEntries(Object.entries(o).reverse()) as unknown as DeadlineOrder;
		expect(signDeadlineOrder(reversed, KEY).mac).toBe(signDeadlineOrder(o, KEY).mac);
	});
});

describe('verifyDeadlineOrder', () => {
	const signed = signDeadlineOrder(order(), KEY);

	it('accepts a signed order after a JSON round trip, for every kind', () => {
		expect(verifyDeadlineOrder(overTheWire(signed), KEY, expected())).toEqual({ ok: true, order: order() });
		for (const [kind, step] of [['remind', 3], ['escalate', 1], ['deadline', 0]] as const) {
			const o = order({ kind, step, eventId: `g-1#${kind}#${step}` });
			expect(verifyDeadlineOrder(overTheWire(signDeadlineOrder(o, KEY)), KEY, expected())).toEqual({ ok: true, order: o });
		}
	});

	it('accepts strings of 1 and 512 characters and a large safe step', () => {
		const o = order({ eventId: 'e', worker: 'w'.repeat(512), claimToken: 't'.repeat(512), step: Number.MAX_SAFE_INTEGER });
		expect(verifyDeadlineOrder(overTheWire(signDeadlineOrder(o, KEY)), KEY, expected())).toEqual({ ok: true, order: o });
	});

	describe('malformed', () => {
		const malformed = { ok: false, reason: 'malformed' };
		/** Signs `o` as it is (so only the shape check can refuse it) and verifies it. */
		const check = (o: unknown) => verifyDeadlineOrder({ order: o, keyId: KEY.keyId, mac: signDeadlineOrder(o as DeadlineOrder, KEY).mac }, KEY, expected());

		it('refuses a body that is not an object', () => {
			for (const body of [null, undefined, 'order', 42, true]) expect(verifyDeadlineOrder(body, KEY, expected())).toEqual(malformed);
		});

		it('refuses an order that is not a plain object', () => {
			for (const o of [null, undefined, 'x', 7, [], [order()]]) {
				expect(verifyDeadlineOrder({ order: o, keyId: KEY.keyId, mac: signed.mac }, KEY, expected())).toEqual(malformed);
			}
		});

		it('refuses an order missing any one field', () => {
			for (const field of Object.keys(order())) {
				const o: Record<string, unknown> = { ...order() };
				delete o[field];
				expect([field, check(o)]).toEqual([field, malformed]);
			}
		});

		it('refuses an order with an extra field, or with one field swapped for another name', () => {
			expect(check({ ...order(), extra: 'x' })).toEqual(malformed);
			expect(check({ ...order(), reviewers: ['mallory@example.com'] })).toEqual(malformed);
			for (const field of Object.keys(order())) {
				const o: Record<string, unknown> = { ...order(), [`${field}2`]: (order() as unknown as Record<string, unknown>)[field] };
				delete o[field];
				expect([field, check(o)]).toEqual([field, malformed]);
			}
		});

		it('refuses a wrong version', () => {
			for (const v of [0, 2, '1', true, null]) expect(check({ ...order(), v })).toEqual(malformed);
		});

		it('refuses text fields that are empty, too long, or not strings', () => {
			for (const field of ['eventId', 'groupId', 'executionId', 'nodeId', 'claimToken', 'worker']) {
				for (const bad of ['', 'x'.repeat(513), 42, null, ['abc'], { a: 1 }, true]) {
					expect([field, bad, check({ ...order(), [field]: bad })]).toEqual([field, bad, malformed]);
				}
			}
		});

		it('refuses an unknown kind', () => {
			for (const kind of ['expire', 'REMIND', '', 'remind ', null, 1, ['remind']]) expect([kind, check({ ...order(), kind })]).toEqual([kind, malformed]);
		});

		it('refuses a negative, fractional, unsafe or non-number step', () => {
			for (const step of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity, '1', null, true]) {
				expect([step, verifyDeadlineOrder({ order: { ...order(), step }, keyId: KEY.keyId, mac: signed.mac }, KEY, expected())]).toEqual([step, malformed]);
			}
			expect(check({ ...order(), step: 0 })).toEqual({ ok: true, order: { ...order(), step: 0 } });
		});

		it('refuses a fractional, unsafe or non-number issuedAtMs', () => {
			for (const issuedAtMs of [ISSUED + 0.5, 2 ** 53, NaN, Infinity, String(ISSUED), null]) {
				expect([issuedAtMs, verifyDeadlineOrder({ order: { ...order(), issuedAtMs }, keyId: KEY.keyId, mac: signed.mac }, KEY, expected())]).toEqual([
					issuedAtMs,
					malformed,
				]);
			}
		});

		it('refuses a key id or MAC that is missing or not a string, and a MAC longer than 128 characters', () => {
			const good = { order: order(), keyId: KEY.keyId, mac: signed.mac };
			for (const mac of [undefined, null, 42, [signed.mac], { mac: signed.mac }, 'A'.repeat(129)]) {
				expect(verifyDeadlineOrder({ ...good, mac }, KEY, expected())).toEqual(malformed);
			}
			for (const keyId of [undefined, null, 42, [KEY.keyId]]) expect(verifyDeadlineOrder({ ...good, keyId }, KEY, expected())).toEqual(malformed);
			// 128 characters is a MAC of the right form that simply does not match.
			expect(verifyDeadlineOrder({ ...good, mac: 'A'.repeat(128) }, KEY, expected())).toEqual({ ok: false, reason: 'bad_mac' });
		});

		it('refuses an array body even when its entries look right', () => {
			expect(verifyDeadlineOrder([signed], KEY, expected())).toEqual(malformed);
		});
	});

	it('refuses an order signed with another key id as unknown_key, before any MAC check', () => {
		const other = deriveDeadlineActionKey(OTHER_INSTANCE_KEY);
		expect(verifyDeadlineOrder(overTheWire(signDeadlineOrder(order(), other)), KEY, expected())).toEqual({ ok: false, reason: 'unknown_key' });
		expect(verifyDeadlineOrder({ ...signed, keyId: `${KEY.keyId}x` }, KEY, expected())).toEqual({ ok: false, reason: 'unknown_key' });
		expect(verifyDeadlineOrder({ ...signed, keyId: '' }, KEY, expected())).toEqual({ ok: false, reason: 'unknown_key' });
	});

	it('refuses an order signed with another secret under our key id as bad_mac', () => {
		const forged = { keyId: KEY.keyId, secret: deriveDeadlineActionKey(OTHER_INSTANCE_KEY).secret };
		expect(verifyDeadlineOrder(overTheWire(signDeadlineOrder(order(), forged)), KEY, expected())).toEqual({ ok: false, reason: 'bad_mac' });
	});

	it('binds the key id into the MAC', () => {
		// Same secret, another name: the MAC differs, so a signature cannot be moved to another key id.
		const renamed = { keyId: 'dl-000000000000', secret: KEY.secret };
		expect(signDeadlineOrder(order(), renamed).mac).not.toBe(signed.mac);
		expect(verifyDeadlineOrder({ ...signed, keyId: renamed.keyId }, renamed, expected())).toEqual({ ok: false, reason: 'bad_mac' });
	});

	it('refuses as bad_mac an order with any one field changed after signing', () => {
		const changes: Partial<DeadlineOrder>[] = [
			{ eventId: 'g-1#remind#2' },
			{ groupId: 'g-2' },
			{ kind: 'deadline' },
			{ kind: 'escalate' },
			{ step: 2 },
			{ step: 0 },
			{ executionId: '4712' },
			{ nodeId: 'other-node' },
			{ claimToken: 'someone-elses-token' },
			{ worker: 'another-worker' },
			{ issuedAtMs: ISSUED + 1 },
			{ issuedAtMs: ISSUED - 1 },
		];
		for (const change of changes) {
			const body = { ...signed, order: { ...signed.order, ...change } };
			// The run is what the changed order says, so only the MAC can refuse it.
			const run = expected({ executionId: body.order.executionId, nodeId: body.order.nodeId });
			expect([change, verifyDeadlineOrder(body, KEY, run)]).toEqual([change, { ok: false, reason: 'bad_mac' }]);
		}
	});

	it('refuses as bad_mac a MAC changed in one character, cut short, extended, or empty', () => {
		const flip = (c: string) => (c === 'A' ? 'B' : 'A');
		for (const i of [0, 20, signed.mac.length - 1]) {
			const mac = signed.mac.slice(0, i) + flip(signed.mac[i]) + signed.mac.slice(i + 1);
			expect(verifyDeadlineOrder({ ...signed, mac }, KEY, expected())).toEqual({ ok: false, reason: 'bad_mac' });
		}
		for (const mac of [signed.mac.slice(0, -1), `${signed.mac}A`, '', signed.mac.toUpperCase()]) {
			expect(verifyDeadlineOrder({ ...signed, mac }, KEY, expected())).toEqual({ ok: false, reason: 'bad_mac' });
		}
		// The same MAC in standard base64 (padding) is another string: refused.
		const b64 = Buffer.from(signed.mac, 'base64url').toString('base64');
		expect(verifyDeadlineOrder({ ...signed, mac: b64 }, KEY, expected())).toEqual({ ok: false, reason: 'bad_mac' });
	});

	it('refuses a stale order in both directions, exactly past ACTION_MAX_AGE_MS', () => {
		expect(ACTION_MAX_AGE_MS).toBe(5 * 60_000);
		const at = (offset: number) => expected({ now: new Date(ISSUED + offset) });
		expect(verifyDeadlineOrder(signed, KEY, at(ACTION_MAX_AGE_MS))).toEqual({ ok: true, order: order() });
		expect(verifyDeadlineOrder(signed, KEY, at(-ACTION_MAX_AGE_MS))).toEqual({ ok: true, order: order() });
		expect(verifyDeadlineOrder(signed, KEY, at(0))).toEqual({ ok: true, order: order() });
		expect(verifyDeadlineOrder(signed, KEY, at(ACTION_MAX_AGE_MS + 1))).toEqual({ ok: false, reason: 'stale' });
		expect(verifyDeadlineOrder(signed, KEY, at(-ACTION_MAX_AGE_MS - 1))).toEqual({ ok: false, reason: 'stale' });
		expect(verifyDeadlineOrder(signed, KEY, at(24 * 3600_000))).toEqual({ ok: false, reason: 'stale' });
		expect(verifyDeadlineOrder(signed, KEY, at(-24 * 3600_000))).toEqual({ ok: false, reason: 'stale' });
	});

	it('checks the MAC before the age, and the age before the run', () => {
		const stale = expected({ now: new Date(ISSUED + ACTION_MAX_AGE_MS + 1) });
		expect(verifyDeadlineOrder({ ...signed, mac: 'A'.repeat(43) }, KEY, stale)).toEqual({ ok: false, reason: 'bad_mac' });
		expect(verifyDeadlineOrder(signed, KEY, { ...stale, executionId: 'other' })).toEqual({ ok: false, reason: 'stale' });
	});

	it('refuses an order for another run or another node as wrong_run', () => {
		expect(verifyDeadlineOrder(signed, KEY, expected({ executionId: '4712' }))).toEqual({ ok: false, reason: 'wrong_run' });
		expect(verifyDeadlineOrder(signed, KEY, expected({ executionId: '471' }))).toEqual({ ok: false, reason: 'wrong_run' });
		expect(verifyDeadlineOrder(signed, KEY, expected({ nodeId: 'other-node' }))).toEqual({ ok: false, reason: 'wrong_run' });
		expect(verifyDeadlineOrder(signed, KEY, expected({ executionId: 'x', nodeId: 'y' }))).toEqual({ ok: false, reason: 'wrong_run' });
	});

	it('returns the order itself only when it is accepted', () => {
		const result = verifyDeadlineOrder(signed, KEY, expected());
		expect(result.ok && result.order).toBe(signed.order);
	});

	it('refuses without throwing a MAC or key id with a lone surrogate, and a huge step', () => {
		expect(verifyDeadlineOrder({ ...signed, mac: '\ud800' }, KEY, expected())).toEqual({ ok: false, reason: 'bad_mac' });
		expect(verifyDeadlineOrder({ ...signed, keyId: '\ud800' }, KEY, expected())).toEqual({ ok: false, reason: 'unknown_key' });
		expect(verifyDeadlineOrder({ ...signed, order: { ...signed.order, step: 1e308 } }, KEY, expected())).toEqual({ ok: false, reason: 'malformed' });
	});

	// A JSON body can carry lone surrogates, which canonical JSON refuses: the check must refuse, never throw.
	it('refuses, without throwing, an order whose text fields carry a lone surrogate (malformed)', () => {
		for (const body of [
			{ ...signed, order: { ...signed.order, eventId: '\ud800' } },
			{ ...signed, order: { ...signed.order, worker: 'a\udc00b' } },
		]) {
			expect(verifyDeadlineOrder(body, KEY, expected())).toEqual({ ok: false, reason: 'malformed' });
		}
	});
});

describe('orderFor', () => {
	it('builds the order of a claimed event, with the claim token, the worker and the time', () => {
		const now = new Date('2026-12-01T10:00:05.123Z');
		expect(orderFor(event(), 'deadlines-node:1234abcd', now)).toEqual({
			v: 1,
			eventId: 'g-1#escalate#2',
			groupId: 'g-1',
			kind: 'escalate',
			step: 2,
			executionId: '4711',
			nodeId: 'node-1',
			claimToken: 'tok-1',
			worker: 'deadlines-node:1234abcd',
			issuedAtMs: now.getTime(),
		});
	});

	it('builds an order the gate accepts for that run', () => {
		const now = new Date('2026-12-01T10:00:05.123Z');
		const o = orderFor(event(), 'w:1', now);
		expect(verifyDeadlineOrder(overTheWire(signDeadlineOrder(o, KEY)), KEY, { executionId: '4711', nodeId: 'node-1', now })).toEqual({ ok: true, order: o });
	});

	it('refuses an event nobody claimed', () => {
		expect(() => orderFor(event({ claim: null }), 'w:1', NOW)).toThrow('Deadline event g-1#escalate#2 is not claimed');
	});
});
