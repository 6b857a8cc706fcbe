/**
 * Which fields a reviewer is shown (display/fields.ts, shared by the page and the email) and the
 * checks on the builder's "Fields to Show" (display/parse.ts): labels, `to[0].email` paths made
 * canonical edit keys, the legacy comma lists' meaning kept, and every refusal with a hint.
 */
import { labelledFields } from '../../../nodes/HitlGate/display/fields';
import { resolveDisplay } from '../../../nodes/HitlGate/display/parse';
import { CANDIDATE_DRAFT, CANDIDATE_FIELDS } from './recruiterDraft';

describe('labelledFields (shared with the email)', () => {
	test('Fields to Show: labels, paths with [index], resolved formats, missing fields flagged', () => {
		const fields = labelledFields(CANDIDATE_DRAFT, {
			shown: [],
			editable: [],
			displayFields: [...CANDIDATE_FIELDS, { label: 'Phone', path: 'candidate.phone', format: 'auto', editable: false }, { label: 'First to', path: 'to[0].name', format: 'auto', editable: false }],
		});
		expect(fields.map((f) => [f.label, f.format, f.missing])).toEqual([
			['To', 'text', false],
			['Subject', 'text', false],
			['Email to candidate', 'html', false],
			['Recruiter note', 'markdown', false],
			['Candidate', 'data', false],
			['Model confidence', 'data', false],
			['Phone', 'text', true],
			['First to', 'text', false],
		]);
		expect(fields[0].value).toBe('anna.example@mail.example');
		expect(fields[7].value).toBe('Anna Example');
	});

	test('legacy lists: labelled by path; an empty list shows every top-level field but blastRadius and hitl', () => {
		const json = { subject: 'S', body: 'B', blastRadius: { tier: 'low' }, hitl: { decision: 'x' } };
		expect(labelledFields(json, { shown: [], editable: [] }).map((f) => f.label)).toEqual(['subject', 'body']);
		expect(labelledFields(json, { shown: ['body'], editable: ['subject'] }).map((f) => [f.label, f.editable])).toEqual([
			['body', false],
			['subject', true],
		]);
		expect(labelledFields(json, { shown: ['blastRadius.tier'], editable: [] }).map((f) => f.value)).toEqual(['low']);
	});
});

describe('"Fields to Show" settings', () => {
	const entry = (path: string, extra: Record<string, unknown> = {}) => ({ label: '', path, format: 'auto', editable: false, ...extra });

	test('bracket paths become canonical dotted paths, which are the edit keys', () => {
		const r = resolveDisplay({ field: [entry('to[0].email', { label: 'To', editable: true }), entry('$json.body', { format: 'html' })] }, [], []);
		expect(r).toEqual({
			ok: true,
			displayFields: [
				{ label: 'To', path: 'to.0.email', format: 'auto', editable: true },
				{ label: '$json.body', path: 'body', format: 'html', editable: false },
			],
			shown: ['to.0.email', 'body'],
			editable: ['to.0.email'],
		});
	});

	test('legacy lists alone keep their meaning (no display fields; empty shown = whole item)', () => {
		expect(resolveDisplay({}, [], ['subject'])).toEqual({ ok: true, displayFields: [], shown: [], editable: ['subject'] });
		expect(resolveDisplay(undefined, ['a', 'b.c'], ['a'])).toEqual({ ok: true, displayFields: [], shown: ['a', 'b.c'], editable: ['a'] });
		expect(resolveDisplay({}, [], ['a', 'a.b'])).toMatchObject({ ok: false, message: expect.stringMatching(/overlap/) });
	});

	test('legacy lists are merged after the new list; a legacy editable path makes its entry editable', () => {
		const r = resolveDisplay({ field: [entry('body', { label: 'Body' })] }, ['subject'], ['body', 'note']);
		if (!r.ok) throw new Error(r.message);
		expect(r.displayFields.map((f) => [f.label, f.path, f.editable])).toEqual([
			['Body', 'body', true],
			['subject', 'subject', false],
			['note', 'note', true],
		]);
		expect(r.editable).toEqual(['body', 'note']);
	});

	test.each([
		[[entry('')], /Field 1 .*has no field path/],
		[[entry('a..b')], /Field 1/],
		[[entry('a.__proto__')], /forbidden/],
		[[entry('a[x]')], /Bad index/],
		[[entry('a', { format: 'pdf' })], /unknown format "pdf"/],
		[[entry('["a.b"]', { editable: true })], /cannot be editable/],
		[[entry('a'), entry('$json.a')], /listed twice/],
		[[entry('c', { editable: true }), entry('c.d', { editable: true })], /overlap/],
	])('refused with a hint: %j', (fields, message) => {
		const r = resolveDisplay({ field: fields }, [], []);
		expect(r).toMatchObject({ ok: false, message: expect.stringMatching(message), hint: expect.stringMatching(/.{10}/) });
	});
});
