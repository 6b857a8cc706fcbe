// Tests added from mutation testing (docs/mutation-testing.md) for core/checkpoint.ts: the checkpoint's
// exact MAC input (so an auditor can recompute it), the key rules, and a strict shape check of every
// field — a checkpoint is what detects a cut-off log, so a malformed one must never pass as valid.
import { createHmac } from 'node:crypto';

import {
	assertCheckpointKey,
	CHECKPOINT_DOMAIN,
	CheckpointKeyError,
	checkpointKeyList,
	MIN_CHECKPOINT_SECRET_LENGTH,
	parseCheckpoint,
	signCheckpoint,
	verifyCheckpointMac,
	type CheckpointKey,
} from '../../../core/checkpoint';

const KEY: CheckpointKey = { keyId: 'k1', secret: 'checkpoint-mutation-secret-0123456789' };
const HEAD = { chain: 'main', seq: 7, headHash: 'ab'.repeat(32), time: '2026-02-01T00:00:00.000Z' };

/** The MAC recomputed from the documented format, independently of the module. */
function referenceMac(secret: string | Buffer, body: Record<string, unknown>): string {
	const keys = Object.keys(body).sort();
	const canonical = `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(body[k])}`).join(',')}}`;
	return createHmac('sha256', secret).update(`n8n-nodes-hitl/checkpoint/v1\n${canonical}`, 'utf8').digest('hex');
}

describe('checkpoint format', () => {
	test('mac is HMAC-SHA256 over the domain prefix and the canonical JSON of the other fields', () => {
		expect(CHECKPOINT_DOMAIN).toBe('n8n-nodes-hitl/checkpoint/v1\n');
		const cp = signCheckpoint(HEAD, KEY);
		expect(cp).toEqual({ v: 1, ...HEAD, keyId: 'k1', mac: referenceMac(KEY.secret, { v: 1, ...HEAD, keyId: 'k1' }) });
		expect(verifyCheckpointMac(cp, [KEY])).toEqual({ ok: true, checkpoint: cp });
	});

	test('a Buffer secret is used as the raw HMAC key', () => {
		const key = { keyId: 'kb', secret: Buffer.alloc(MIN_CHECKPOINT_SECRET_LENGTH, 7) };
		const cp = signCheckpoint(HEAD, key);
		expect(cp.mac).toBe(referenceMac(key.secret, { v: 1, ...HEAD, keyId: 'kb' }));
	});

	test('a checkpoint given as JSON text is parsed and verified', () => {
		const cp = signCheckpoint(HEAD, KEY);
		expect(parseCheckpoint(JSON.stringify(cp))).toEqual({ ok: true, checkpoint: cp });
		expect(verifyCheckpointMac(JSON.stringify(cp), [KEY])).toEqual({ ok: true, checkpoint: cp });
		expect(parseCheckpoint('{"v":1,')).toMatchObject({ ok: false, message: expect.stringMatching(/^checkpoint is not valid JSON \(/) });
	});
});

describe('checkpoint keys', () => {
	test('a secret must have at least 32 characters (or bytes)', () => {
		expect(() => assertCheckpointKey({ keyId: 'k1', secret: 'x'.repeat(MIN_CHECKPOINT_SECRET_LENGTH) })).not.toThrow();
		expect(() => assertCheckpointKey({ keyId: 'k1', secret: 'x'.repeat(MIN_CHECKPOINT_SECRET_LENGTH - 1) })).toThrow(
			/Checkpoint secret for key "k1" is too short: use at least 32 characters/,
		);
		expect(() => assertCheckpointKey({ keyId: 'k1', secret: Buffer.alloc(32) })).not.toThrow();
		expect(() => assertCheckpointKey({ keyId: 'k1', secret: Buffer.alloc(31) })).toThrow(CheckpointKeyError);
		expect(() => assertCheckpointKey({ keyId: 'k1', secret: '' })).toThrow(expect.objectContaining({ name: 'CheckpointKeyError' }));
	});

	test('a missing or non-text secret is a CheckpointKeyError, not a crash', () => {
		for (const secret of [undefined, null, 42, {}]) {
			expect(() => assertCheckpointKey({ keyId: 'k1', secret } as unknown as CheckpointKey)).toThrow(CheckpointKeyError);
		}
	});

	test('a key id is 1-64 of letters, digits and _ . : -, and must be text', () => {
		const secret = KEY.secret;
		for (const keyId of ['a', 'k_1.2:3-4', 'x'.repeat(64)]) {
			expect(() => assertCheckpointKey({ keyId, secret })).not.toThrow();
		}
		for (const keyId of ['', 'x'.repeat(65), 'k 1', 'k/1', 'k1\n', '\nk1', 'ключ', 12345]) {
			expect(() => assertCheckpointKey({ keyId, secret } as CheckpointKey)).toThrow(
				'Checkpoint key id must be 1-64 letters, digits or _ . : -',
			);
		}
	});

	test('the key list is the current key, then the previous one only when configured', () => {
		expect(checkpointKeyList({ keyId: 'k2', secret: KEY.secret })).toEqual([{ keyId: 'k2', secret: KEY.secret }]);
		expect(checkpointKeyList({ keyId: 'k2', secret: KEY.secret, previous: KEY })).toEqual([{ keyId: 'k2', secret: KEY.secret }, KEY]);
		expect(() => checkpointKeyList({ keyId: 'k2', secret: KEY.secret, previous: { keyId: 'k1', secret: 'short' } })).toThrow(
			CheckpointKeyError,
		);
	});
});

describe('checkpoint shape: every field is checked', () => {
	let cp: ReturnType<typeof signCheckpoint>;
	beforeEach(() => (cp = signCheckpoint(HEAD, KEY)));
	const refused = (value: unknown, message: string | RegExp) =>
		expect(parseCheckpoint(value)).toEqual({ ok: false, message: expect.stringMatching(message) });

	test('only a JSON object with exactly the seven fields', () => {
		for (const value of [null, [], 'null', '[]', 42, '"text"']) refused(value, /^checkpoint must be a JSON object$/);
		const withoutMac: Record<string, unknown> = { ...cp };
		delete withoutMac.mac;
		refused(withoutMac, /^checkpoint must have exactly the fields v, chain, seq, headHash, time, keyId, mac$/);
		refused({ ...withoutMac, extra: 'x' }, /^checkpoint must have exactly the fields/);
		refused({ ...cp, extra: 'x' }, /^checkpoint must have exactly the fields/);
	});

	test('a head hash or MAC that only looks right as text (a one-element list) is refused', () => {
		// A regex test coerces a list to its text, so the type check is what refuses these.
		refused({ ...cp, headHash: [cp.headHash] }, /^checkpoint headHash must be 64 hex characters$/);
		refused({ ...cp, mac: [cp.mac] }, /^checkpoint mac must be 64 hex characters$/);
	});

	test('version, chain, seq', () => {
		refused({ ...cp, v: 2 }, /^unsupported checkpoint version$/);
		refused({ ...cp, v: '1' }, /^unsupported checkpoint version$/);
		refused({ ...cp, chain: 'a b' }, /^checkpoint chain name is invalid$/);
		for (const seq of [-1, 1.5, '7', 2 ** 53, null]) refused({ ...cp, seq }, /^checkpoint seq must be a non-negative integer$/);
		expect(parseCheckpoint({ ...cp, seq: 0 })).toMatchObject({ ok: true });
	});

	test('headHash and mac are exactly 64 lower-case hex digits', () => {
		for (const bad of ['ab'.repeat(31) + 'a', 'ab'.repeat(32) + 'a', 'AB'.repeat(32), `x${'ab'.repeat(32)}`, `${'ab'.repeat(32)}\n`, 123]) {
			refused({ ...cp, headHash: bad }, /^checkpoint headHash must be 64 hex characters$/);
			refused({ ...cp, mac: bad }, /^checkpoint mac must be 64 hex characters$/);
		}
	});

	test('time is a date-time text; keyId follows the key-id rule', () => {
		for (const time of ['not a date', '', 12345, null]) refused({ ...cp, time }, /^checkpoint time must be a date-time$/);
		for (const keyId of ['', 'k 1', 'x'.repeat(65), 12345]) refused({ ...cp, keyId }, /^checkpoint keyId is invalid$/);
	});

	test('a valid shape is returned as a copy', () => {
		const input = { ...cp };
		const parsed = parseCheckpoint(input);
		expect(parsed).toEqual({ ok: true, checkpoint: cp });
		expect(parsed.ok && parsed.checkpoint).not.toBe(input);
	});
});

describe('checkpoint MAC check', () => {
	let cp: ReturnType<typeof signCheckpoint>;
	beforeEach(() => (cp = signCheckpoint(HEAD, KEY)));

	test('a key id that is not configured is named', () => {
		expect(verifyCheckpointMac(cp, [{ keyId: 'k2', secret: KEY.secret }])).toEqual({
			ok: false,
			message: 'checkpoint was signed with key "k1", which is not configured',
		});
	});

	test('a changed field or another secret under the same key id fails the MAC', () => {
		const message = 'checkpoint MAC does not match: it was altered or signed with another secret';
		for (const altered of [{ ...cp, seq: 8 }, { ...cp, chain: 'other' }, { ...cp, headHash: 'cd'.repeat(32) }, { ...cp, time: '2026-02-02T00:00:00.000Z' }]) {
			expect(verifyCheckpointMac(altered, [KEY])).toEqual({ ok: false, message });
		}
		expect(verifyCheckpointMac(cp, [{ keyId: 'k1', secret: 'another-secret-of-enough-length-0123' }])).toEqual({ ok: false, message });
	});

	test('with two keys of the same id (rotation of the secret), either one verifies', () => {
		const old = { keyId: 'k1', secret: 'previous-secret-of-enough-length-0123' };
		const byOld = signCheckpoint(HEAD, old);
		expect(verifyCheckpointMac(byOld, [KEY, old])).toMatchObject({ ok: true });
		expect(verifyCheckpointMac(cp, [old, KEY])).toMatchObject({ ok: true });
	});

	test('a shape error is reported before any MAC check', () => {
		expect(verifyCheckpointMac({ ...cp, v: 2 }, [KEY])).toEqual({ ok: false, message: 'unsupported checkpoint version' });
	});
});
