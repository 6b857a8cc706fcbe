/**
 * The batch page's form parser (nodes/HitlGate/page/batchForm.ts): as strict as the single form —
 * every field known, sent once, text — with per-item fields in one spelling of the item index.
 */
import { parse as querystringParse } from 'node:querystring';

import { parseBatchForm, parseDecisionForm } from '../../../nodes/HitlGate/page';

const enc = (pairs: Array<[string, string]>) => new URLSearchParams(pairs).toString();

describe('parseBatchForm', () => {
	const pairs: Array<[string, string]> = [
		['csrf', 'tok'],
		['bulk', 'selected'],
		['comment', 'for all'],
		['decision.0', 'approve'],
		['edit.0.subject', 'New subject'],
		['edit.0.candidate.stage', 'offer'],
		['decision.1', 'reject'],
		['comment.1', 'wrong person'],
		['decision.12', 'undecided'],
	];

	test('per-item choices, reasons and edits by item index; raw string, Buffer and n8n\'s parsed object agree', () => {
		for (const body of [enc(pairs), Buffer.from(enc(pairs)), querystringParse(enc(pairs))]) {
			const r = parseBatchForm(body);
			if (!r.ok) throw new Error(r.message);
			expect(r.form.csrf).toBe('tok');
			expect(r.form.bulk).toBe('selected');
			expect(r.form.comment).toBe('for all');
			expect([...r.form.items.keys()]).toEqual([0, 1, 12]);
			expect(r.form.items.get(0)).toEqual({ decision: 'approve', comment: '', edits: { subject: 'New subject', 'candidate.stage': 'offer' } });
			expect(r.form.items.get(1)).toEqual({ decision: 'reject', comment: 'wrong person', edits: {} });
			expect(r.form.items.get(12)).toEqual({ decision: null, comment: '', edits: {} });
		}
	});

	test('bulk buttons; an unknown or missing button reads as none', () => {
		for (const bulk of ['approve_all', 'reject_all', 'selected'] as const) expect(parseBatchForm(`bulk=${bulk}`)).toMatchObject({ ok: true, form: { bulk } });
		expect(parseBatchForm('bulk=approve')).toMatchObject({ ok: true, form: { bulk: null } });
		expect(parseBatchForm('')).toMatchObject({ ok: true, form: { bulk: null, csrf: '', comment: '' } });
	});

	test('a repeated field, in every body form, is refused', () => {
		for (const dup of ['bulk', 'decision.0', 'comment.1', 'edit.0.subject', 'csrf']) {
			const body = `${enc(pairs)}&${encodeURIComponent(dup)}=x`;
			expect(parseBatchForm(body)).toMatchObject({ ok: false, reason: 'duplicate_field', field: dup });
			expect(parseBatchForm(querystringParse(body))).toMatchObject({ ok: false, reason: 'duplicate_field', field: dup });
		}
	});

	test('unknown fields, other spellings of an index, and item decisions other than approve/reject/undecided are refused', () => {
		for (const name of ['decision', 'decision.', 'decision.01', 'decision.-1', 'decision.1.5', 'decision.1234567', 'edit.0', 'edit.0.', 'edit.x.subject', 'edit.subject', 'comment.', 'comment.a', 'approved']) {
			expect(parseBatchForm(`${enc(pairs)}&${encodeURIComponent(name)}=approve`)).toMatchObject({ ok: false, reason: 'unknown_field', field: name });
		}
		expect(parseBatchForm('decision.0=yes')).toMatchObject({ ok: false, reason: 'bad_value', field: 'decision.0' });
		expect(parseBatchForm('decision.0=')).toMatchObject({ ok: false, reason: 'bad_value' });
		expect(parseBatchForm({ 'decision.0': ['approve', 'reject'] })).toMatchObject({ ok: false, reason: 'duplicate_field' });
		expect(parseBatchForm({ bulk: { $ne: 1 } })).toMatchObject({ ok: false, reason: 'not_text', field: 'bulk' });
		expect(parseBatchForm(42)).toMatchObject({ ok: false, reason: 'malformed' });
	});

	test('comments are capped, the shared one and each item\'s', () => {
		expect(parseBatchForm(`comment=${'x'.repeat(10_001)}`)).toMatchObject({ ok: false, reason: 'too_large', field: 'comment' });
		expect(parseBatchForm(`comment.3=${'x'.repeat(10_001)}`)).toMatchObject({ ok: false, reason: 'too_large', field: 'comment.3' });
		expect(parseBatchForm(`comment.3=${'x'.repeat(10_000)}`)).toMatchObject({ ok: true });
	});

	test('the two forms do not mix: batch fields are unknown to the single form, and the single decision to the batch form', () => {
		expect(parseDecisionForm('csrf=a&bulk=approve_all')).toMatchObject({ ok: false, reason: 'unknown_field', field: 'bulk' });
		expect(parseDecisionForm('csrf=a&decision.0=approve')).toMatchObject({ ok: false, reason: 'unknown_field', field: 'decision.0' });
		expect(parseBatchForm('csrf=a&decision=approve')).toMatchObject({ ok: false, reason: 'unknown_field', field: 'decision' });
	});
});
