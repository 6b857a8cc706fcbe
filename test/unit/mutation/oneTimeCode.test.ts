/**
 * Written from mutants of core/links/oneTimeCode.ts that survived the first Stryker run: each test pins
 * a rule the code's check depends on — a padded code is not a code, the keyed hash separates its fields,
 * the chain's records are read in seq order whatever order they arrive in, malformed records count for
 * nothing, an expired code is refused, and an acceptance does not count against itself.
 */
import {
	acceptanceStands,
	checkCode,
	codeMac,
	codeStateOf,
	issueCode,
	normaliseCode,
	type SigningKey,
} from '../../../core/links';
import type { ReviewRecord } from '../../../core/records';

const KEY: SigningKey = { keyId: 'k1', secret: 'mutation-test-secret-0123456789abcdefgh' };
const SCOPE = { requestId: 'req-1', reviewer: 'ann@example.com', nonce: 'nonceNonceNonceNonce01' };
const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function record(seq: number, event: string, details: Record<string, unknown>, fields: Partial<ReviewRecord> = {}): ReviewRecord {
	return { v: 1, chain: 'default', seq, recordedAt: T0.toISOString(), prevHash: '', hash: '', event, itemKey: SCOPE.requestId, reviewerId: SCOPE.reviewer, linkNonce: SCOPE.nonce, details, ...fields } as ReviewRecord;
}

describe('one-time code rules pinned by surviving mutants', () => {
	it('refuses input longer than 32 characters even if six digits hide in it', () => {
		expect(normaliseCode(`123456${' '.repeat(26)}`)).toBe('123456'); // 32 characters: still read
		expect(normaliseCode(`123456${' '.repeat(27)}`)).toBeNull(); // 33: refused before reading
	});

	it('the keyed hash keeps its fields apart: moving a character across a field boundary changes it', () => {
		const binding = { ...SCOPE, issuedAt: T0.toISOString(), expiresAt: at(600_000).toISOString() };
		const a = codeMac('123456', { ...binding, requestId: 'ab', reviewer: 'c' }, KEY);
		const b = codeMac('123456', { ...binding, requestId: 'a', reviewer: 'bc' }, KEY);
		expect(a).not.toBe(b);
	});

	it('reads records in seq order whatever order they arrive in: the latest code is the one sent last', () => {
		const first = issueCode(SCOPE, KEY, T0, 600);
		const second = issueCode(SCOPE, KEY, at(61_000), 600);
		const records = [record(7, 'otp_sent', second.details), record(3, 'otp_sent', first.details)];
		const state = codeStateOf(records, SCOPE);
		expect(state.sent.map((s) => s.seq)).toEqual([3, 7]);
		expect(checkCode(second.code, state, SCOPE, [KEY], at(62_000))).toMatchObject({ ok: true });
		if (first.code !== second.code) expect(checkCode(first.code, state, SCOPE, [KEY], at(62_000))).toEqual({ ok: false, reason: 'superseded' });
	});

	it.each([
		['no codeMac', { codeMac: undefined }],
		['no keyId', { keyId: 7 }],
		['no issuedAt', { issuedAt: null }],
		['no expiresAt', { expiresAt: 1 }],
	])('an otp_sent record with %s is not a sent code', (_name, broken) => {
		const issued = issueCode(SCOPE, KEY, T0, 600);
		const state = codeStateOf([record(1, 'otp_sent', { ...issued.details, ...broken })], SCOPE);
		expect(state.sent).toEqual([]);
		expect(checkCode(issued.code, state, SCOPE, [KEY], at(1_000))).toEqual({ ok: false, reason: 'none_sent' });
	});

	it('an otp_accepted record without a codeMac spends nothing', () => {
		const issued = issueCode(SCOPE, KEY, T0, 600);
		const state = codeStateOf([record(1, 'otp_sent', issued.details), record(2, 'otp_accepted', { codeMac: 42 })], SCOPE);
		expect(state.accepted).toEqual([]);
		expect(checkCode(issued.code, state, SCOPE, [KEY], at(1_000))).toMatchObject({ ok: true });
	});

	it('a code is valid until, not at, its expiry', () => {
		const issued = issueCode(SCOPE, KEY, T0, 60);
		const state = codeStateOf([record(1, 'otp_sent', issued.details)], SCOPE);
		expect(checkCode(issued.code, state, SCOPE, [KEY], at(59_999))).toMatchObject({ ok: true });
		expect(checkCode(issued.code, state, SCOPE, [KEY], at(60_000))).toEqual({ ok: false, reason: 'expired' });
	});

	it('an acceptance stands against its own record; only an earlier acceptance of the same code spends it', () => {
		const issued = issueCode(SCOPE, KEY, T0, 600);
		const mac = issued.details.codeMac as string;
		const state = codeStateOf([record(1, 'otp_sent', issued.details), record(5, 'otp_accepted', { codeMac: mac })], SCOPE);
		expect(acceptanceStands(state, 5, mac)).toEqual({ ok: true });
		const twice = codeStateOf([record(1, 'otp_sent', issued.details), record(4, 'otp_accepted', { codeMac: mac }), record(5, 'otp_accepted', { codeMac: mac })], SCOPE);
		expect(acceptanceStands(twice, 5, mac)).toEqual({ ok: false, reason: 'used' });
	});

	it('spending an older code does not spend the latest one', () => {
		const first = issueCode(SCOPE, KEY, T0, 600);
		const second = issueCode(SCOPE, KEY, at(61_000), 600);
		const state = codeStateOf(
			[record(1, 'otp_sent', first.details), record(2, 'otp_accepted', { codeMac: first.details.codeMac }), record(3, 'otp_sent', second.details)],
			SCOPE,
		);
		expect(checkCode(second.code, state, SCOPE, [KEY], at(62_000))).toMatchObject({ ok: true });
	});

	it('only otp_sent records send codes and only otp_accepted records spend them, whatever other records carry', () => {
		const issued = issueCode(SCOPE, KEY, T0, 600);
		const lookalikes = codeStateOf([record(1, 'note', issued.details), record(2, 'otp_failed', issued.details)], SCOPE);
		expect(lookalikes.sent).toEqual([]);
		const state = codeStateOf([record(1, 'otp_sent', issued.details), record(2, 'note', { codeMac: issued.details.codeMac })], SCOPE);
		expect(state.accepted).toEqual([]);
		expect(checkCode(issued.code, state, SCOPE, [KEY], at(1_000))).toMatchObject({ ok: true });
	});
});
