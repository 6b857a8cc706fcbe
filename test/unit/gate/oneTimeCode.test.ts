/**
 * The one-time code's pure rules (core/links/oneTimeCode.ts): codes, their keyed hash and its binding,
 * reading the chain's records into a state, the send limits, the check of a typed code, and the rule
 * that the chain's order decides whether an acceptance stands. Plus the page's code field and the mail.
 */
import { createHmac } from 'node:crypto';

import {
	acceptanceStands,
	checkCode,
	codeMac,
	codeStateOf,
	generateCode,
	issueCode,
	normaliseCode,
	OTP_MAX_FAILURES,
	OTP_MAX_SENDS,
	sendPermission,
	type CodeState,
	type SigningKey,
} from '../../../core/links';
import type { ReviewRecord } from '../../../core/records';
import { codeFieldHtml } from '../../../nodes/HitlGate/page';
import { renderCodeEmail } from '../../../nodes/HitlGate/notify/codeEmail';

const KEY: SigningKey = { keyId: 'k1', secret: 'unit-test-secret-0123456789abcdefghij' };
const OLD: SigningKey = { keyId: 'k0', secret: 'older-unit-test-secret-0123456789abcdef' };
const SCOPE = { requestId: 'req-1', reviewer: 'ann@example.com', nonce: 'nonceNonceNonceNonce01' };
const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

let seq = 0;
function record(event: string, fields: Partial<ReviewRecord> = {}): ReviewRecord {
	seq += 1;
	return { v: 1, chain: 'default', seq, recordedAt: T0.toISOString(), prevHash: '', hash: '', event, itemKey: SCOPE.requestId, reviewerId: SCOPE.reviewer, linkNonce: SCOPE.nonce, details: {}, ...fields } as ReviewRecord;
}

/** A sent code as the gate records it, and the code itself. */
function sent(now: Date, validitySeconds = 600, key = KEY): { code: string; rec: ReviewRecord } {
	const issued = issueCode(SCOPE, key, now, validitySeconds);
	return { code: issued.code, rec: record('otp_sent', { details: issued.details }) };
}

const other = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('codes', () => {
	test('six digits, uniform-looking, from the CSPRNG: many draws, all well-formed, hardly any repeats', () => {
		const codes = Array.from({ length: 2000 }, generateCode);
		for (const c of codes) expect(c).toMatch(/^[0-9]{6}$/);
		expect(new Set(codes).size).toBeGreaterThan(1990);
		// Leading zeros are kept (a code below 100000 is still six characters).
		expect(codes.some((c) => c.startsWith('0'))).toBe(true);
	});

	test('typed codes: spaces and dashes ignored; anything but six digits is not a code', () => {
		expect(normaliseCode('123456')).toBe('123456');
		expect(normaliseCode(' 123 456 ')).toBe('123456');
		expect(normaliseCode('123-456')).toBe('123456');
		for (const bad of ['', '12345', '1234567', '12a456', '１２３４５６', null, undefined, 123456, 'x'.repeat(40)]) expect(normaliseCode(bad)).toBeNull();
	});

	test('the keyed hash is an HMAC with the signing key over everything the code is bound to', () => {
		const b = { ...SCOPE, issuedAt: T0.toISOString(), expiresAt: at(600_000).toISOString() };
		const expected = createHmac('sha256', KEY.secret)
			.update(`n8n-nodes-hitl/one-time-code/v1\nk1\nreq-1\nann@example.com\n${SCOPE.nonce}\n${b.issuedAt}\n${b.expiresAt}\n123456`, 'utf8')
			.digest('base64url');
		expect(codeMac('123456', b, KEY)).toBe(expected);
		// Each part of the binding changes it: another request, reviewer, link, time or key gives another hash.
		for (const changed of [{ requestId: 'req-2' }, { reviewer: 'bob@example.com' }, { nonce: 'otherNonceOtherNonce01' }, { issuedAt: at(1).toISOString() }, { expiresAt: at(1).toISOString() }]) {
			expect(codeMac('123456', { ...b, ...changed }, KEY)).not.toBe(expected);
		}
		expect(codeMac('123456', b, OLD)).not.toBe(expected);
		expect(codeMac('123457', b, KEY)).not.toBe(expected);
	});

	test('the record keeps the keyed hash and times, never the code', () => {
		const { code, rec } = sent(T0);
		expect(JSON.stringify(rec.details)).not.toContain(code);
		expect(rec.details).toMatchObject({ requestId: 'req-1', keyId: 'k1', issuedAt: T0.toISOString(), expiresAt: at(600_000).toISOString() });
		// Validity is clamped to at most 10 minutes and at least 5 seconds.
		expect(issueCode(SCOPE, KEY, T0, 99_999).details.expiresAt).toBe(at(600_000).toISOString());
		expect(issueCode(SCOPE, KEY, T0, 1).details.expiresAt).toBe(at(5_000).toISOString());
	});
});

describe('the state the chain holds', () => {
	test('only this request, reviewer and link; failures count per request and reviewer whatever the link', () => {
		const mine = sent(T0).rec;
		const records = [
			mine,
			record('otp_sent', { itemKey: 'req-2', details: mine.details }),
			record('otp_sent', { reviewerId: 'bob@example.com', details: mine.details }),
			record('otp_sent', { linkNonce: 'otherNonceOtherNonce01', details: mine.details }),
			record('otp_sent', { details: { codeMac: 5 } }),
			record('otp_failed'),
			record('otp_failed', { linkNonce: 'otherNonceOtherNonce01' }),
			record('otp_failed', { itemKey: 'req-2' }),
			record('otp_accepted', { details: { codeMac: 'm' } }),
			record('viewed'),
		];
		const state = codeStateOf(records.reverse(), SCOPE);
		expect(state.sent.map((s) => s.seq)).toEqual([mine.seq]);
		expect(state.failures).toHaveLength(2);
		expect(state.accepted).toHaveLength(1);
	});
});

describe('sending limits', () => {
	const state = (sends: Date[], failures = 0): CodeState => ({
		sent: sends.map((d, i) => ({ seq: i + 1, keyId: 'k1', mac: `m${i}`, issuedAt: d.toISOString(), expiresAt: at(600_000).toISOString() })),
		failures: Array.from({ length: failures }, (_, i) => 100 + i),
		accepted: [],
	});
	test('the first code at once; the next only 60 s after the last; at most five; none after the lock', () => {
		expect(sendPermission(state([]), T0)).toEqual({ ok: true });
		expect(sendPermission(state([T0]), at(1_000))).toEqual({ ok: false, reason: 'too_soon', retryAfterSeconds: 59 });
		expect(sendPermission(state([T0]), at(59_999))).toEqual({ ok: false, reason: 'too_soon', retryAfterSeconds: 1 });
		expect(sendPermission(state([T0]), at(60_000))).toEqual({ ok: true });
		const five = Array.from({ length: OTP_MAX_SENDS }, (_, i) => at(i * 120_000));
		expect(sendPermission(state(five), at(3_600_000))).toEqual({ ok: false, reason: 'too_many' });
		expect(sendPermission(state(five.slice(0, 4)), at(3_600_000))).toEqual({ ok: true });
		expect(sendPermission(state([], OTP_MAX_FAILURES), T0)).toEqual({ ok: false, reason: 'locked' });
		expect(sendPermission(state([], OTP_MAX_FAILURES - 1), T0)).toEqual({ ok: true });
	});
});

describe('checking a typed code', () => {
	const stateOf = (records: ReviewRecord[]) => codeStateOf(records, SCOPE);

	test('the right code within its validity is accepted; the neighbour of it is wrong', () => {
		const { code, rec } = sent(T0);
		const check = checkCode(code, stateOf([rec]), SCOPE, [KEY], at(599_999));
		expect(check).toMatchObject({ ok: true, sent: { seq: rec.seq } });
		expect(checkCode(other(code), stateOf([rec]), SCOPE, [KEY], at(1_000))).toEqual({ ok: false, reason: 'wrong' });
		expect(checkCode(null, stateOf([rec]), SCOPE, [KEY], at(1_000))).toEqual({ ok: false, reason: 'wrong' });
	});

	test('expired at its expiry, not a millisecond later', () => {
		const { code, rec } = sent(T0, 10);
		expect(checkCode(code, stateOf([rec]), SCOPE, [KEY], at(9_999)).ok).toBe(true);
		expect(checkCode(code, stateOf([rec]), SCOPE, [KEY], at(10_000))).toEqual({ ok: false, reason: 'expired' });
	});

	test('bound to its link and request: the same code on another request, reviewer or link is wrong', () => {
		const { code, rec } = sent(T0);
		const state = stateOf([rec]);
		for (const scope of [{ ...SCOPE, requestId: 'req-2' }, { ...SCOPE, reviewer: 'bob@example.com' }, { ...SCOPE, nonce: 'otherNonceOtherNonce01' }]) {
			expect(checkCode(code, state, scope, [KEY], at(1_000))).toEqual({ ok: false, reason: 'wrong' });
		}
	});

	test('nothing sent: none_sent; only the latest code counts (an older one is superseded); a spent one is used', () => {
		expect(checkCode('123456', stateOf([]), SCOPE, [KEY], T0)).toEqual({ ok: false, reason: 'none_sent' });
		const first = sent(T0);
		const second = sent(at(60_000));
		const state = stateOf([first.rec, second.rec]);
		if (first.code !== second.code) expect(checkCode(first.code, state, SCOPE, [KEY], at(61_000))).toEqual({ ok: false, reason: 'superseded' });
		expect(checkCode(second.code, state, SCOPE, [KEY], at(61_000)).ok).toBe(true);
		const spent = stateOf([first.rec, second.rec, record('otp_accepted', { details: { codeMac: second.rec.details!.codeMac } })]);
		expect(checkCode(second.code, spent, SCOPE, [KEY], at(62_000))).toEqual({ ok: false, reason: 'used' });
	});

	test('a code whose key is gone is never accepted; one under a rotated-out key that is still listed is', () => {
		const { code, rec } = sent(T0, 600, OLD);
		expect(checkCode(code, stateOf([rec]), SCOPE, [KEY], at(1_000))).toEqual({ ok: false, reason: 'wrong' });
		expect(checkCode(code, stateOf([rec]), SCOPE, [KEY, OLD], at(1_000)).ok).toBe(true);
	});

	test('someone who can read the store cannot make a stored hash match without the key (a guessed key fails)', () => {
		const { code, rec } = sent(T0);
		const guessedKey = { keyId: 'k1', secret: 'attacker-guess-0123456789abcdefghijkl' };
		expect(checkCode(code, stateOf([rec]), SCOPE, [guessedKey], at(1_000))).toEqual({ ok: false, reason: 'wrong' });
	});

	test(`after ${OTP_MAX_FAILURES} failures the link is locked: even the right code is refused`, () => {
		const { code, rec } = sent(T0);
		const fails = Array.from({ length: OTP_MAX_FAILURES }, () => record('otp_failed'));
		expect(checkCode(code, stateOf([rec, ...fails.slice(1)]), SCOPE, [KEY], at(1_000)).ok).toBe(true);
		expect(checkCode(code, stateOf([rec, ...fails]), SCOPE, [KEY], at(1_000))).toEqual({ ok: false, reason: 'locked' });
	});
});

describe('the chain order decides whether an acceptance stands', () => {
	const mac = 'the-code-mac';
	const state = (failures: number[], accepted: number[]): CodeState => ({ sent: [], failures, accepted: accepted.map((s) => ({ seq: s, mac })) });
	test('fewer failures than the limit before it, and no earlier acceptance of the same code: stands', () => {
		expect(acceptanceStands(state([1, 2, 3, 4], [10]), 10, mac)).toEqual({ ok: true });
		// Failures after it (guesses racing in other processes) do not take it back.
		expect(acceptanceStands(state([1, 2, 3, 4, 11, 12], [10]), 10, mac)).toEqual({ ok: true });
	});
	test('the limit reached before it: locked, whatever the code was', () => {
		expect(acceptanceStands(state([1, 2, 3, 4, 5], [10]), 10, mac)).toEqual({ ok: false, reason: 'locked' });
	});
	test('two processes accepting the same code: only the one the chain lists first stands', () => {
		const both = state([], [10, 11]);
		expect(acceptanceStands(both, 10, mac)).toEqual({ ok: true });
		expect(acceptanceStands(both, 11, mac)).toEqual({ ok: false, reason: 'used' });
		// Another code's acceptance is not this one's.
		expect(acceptanceStands({ sent: [], failures: [], accepted: [{ seq: 9, mac: 'other' }] }, 10, mac)).toEqual({ ok: true });
	});
});

describe('the page field and the mail', () => {
	test('a phone-friendly box tied to its messages; the send button is a POST of the same form; no script', () => {
		const html = codeFieldHtml({ validitySeconds: 600, error: 'That code is not right.', notice: 'We emailed a code.' });
		expect(html).toContain('inputmode="numeric"');
		expect(html).toContain('autocomplete="one-time-code"');
		expect(html).toContain('aria-describedby="otp-help otp-notice otp-error"');
		expect(html).toContain('aria-invalid="true"');
		expect(html).toContain('<p class="warn" id="otp-error" role="alert">That code is not right.</p>');
		expect(html).toContain('<button type="submit" class="send-code" name="sendCode" value="1">Email me a code</button>');
		expect(html).toContain('valid for 10 minutes');
		expect(html).not.toMatch(/<script|onclick|formmethod="get"/i);
		const plain = codeFieldHtml({ validitySeconds: 30 });
		expect(plain).toContain('aria-describedby="otp-help"');
		expect(plain).not.toContain('aria-invalid');
		expect(plain).toContain('valid for 30 seconds');
		const locked = codeFieldHtml({ validitySeconds: 600, locked: true, error: 'Too many <wrong> codes' });
		expect(locked).not.toContain('<input');
		expect(locked).not.toContain('sendCode');
		expect(locked).toContain('Too many &lt;wrong&gt; codes');
	});

	test('the mail carries the code and no link; the workflow name is escaped', () => {
		const mail = renderCodeEmail({ to: 'ann@example.com', code: '012345', expiresAt: at(600_000), validitySeconds: 600, workflowName: 'Pay <b>run</b>\nBcc: x' });
		expect(mail.text).toContain('Your code: 012345');
		expect(mail.html).toContain('012345');
		expect(mail.text + mail.html).not.toMatch(/https?:\/\//);
		expect(mail.html).toContain('Pay &lt;b&gt;run&lt;/b&gt; Bcc: x');
		expect(mail.subject).not.toContain('012345');
		expect(mail.text).toContain('valid until 2026-12-01 10:10:00 UTC (10 minutes)');
	});
});
