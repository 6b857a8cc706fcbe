/**
 * Parses the review form's POST body: a raw `application/x-www-form-urlencoded` string or Buffer, or
 * the object n8n already parsed it into (`querystring.parse`: a repeated field becomes an array).
 * Strict on structure: a repeated, unknown or non-text field is refused, never guessed at.
 * It does not judge meaning (CSRF validity, whether a reason is required): the webhook does.
 * The single-item form is read here; the batch page's form (batchForm.ts) shares the field reader.
 */
export const EDIT_PREFIX = 'edit.';
export const MAX_COMMENT_LENGTH = 10_000;
/** Bigger than any honest form of this page (edits are capped at 200,000 characters each). */
export const MAX_FORM_BYTES = 2_000_000;

export interface DecisionForm {
	/** '' when absent: the CSRF check then fails (403). */
	csrf: string;
	/** null when absent or not one of the two values. */
	decision: 'approve' | 'reject' | null;
	/** "Preview changes" was pressed: re-render with the edits against the draft; never a decision. */
	preview?: boolean;
	/** As typed ('' when absent); trim before judging it. */
	comment: string;
	/** Submitted texts keyed by field path (`edit.candidate.stage` → `candidate.stage`); null prototype. */
	edits: Record<string, string>;
	/** The one-time code as typed (absent when the page has no code box). */
	otp?: string;
	/** "Email me a code" was pressed: send a code and re-render; never a decision. */
	sendCode?: boolean;
}

export type ParseFormFailure = 'duplicate_field' | 'unknown_field' | 'not_text' | 'too_large' | 'malformed' | 'bad_value';

export interface ParseFormError {
	ok: false;
	reason: ParseFormFailure;
	field?: string;
	message: string;
}

export type ParseFormResult = { ok: true; form: DecisionForm } | ParseFormError;

type Entry = [string, unknown];

function entriesOf(body: unknown): Entry[] | ParseFormError {
	if (body === undefined || body === null || body === '') return [];
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body === 'string') {
		if (Buffer.byteLength(body, 'utf8') > MAX_FORM_BYTES) return fail('too_large', undefined, 'The form is too large.');
		return [...new URLSearchParams(body)];
	}
	if (typeof body === 'object' && !Array.isArray(body)) return Object.entries(body as Record<string, unknown>);
	return fail('malformed', undefined, 'The form could not be read. Send it from the review page.');
}

export function fail(reason: ParseFormFailure, field: string | undefined, message: string): ParseFormError {
	return { ok: false, reason, ...(field !== undefined ? { field } : {}), message };
}

/**
 * Reads the body field by field, refusing a repeated, non-text or oversized one, and hands each
 * (name, text) to `take`, which refuses what its form does not know by returning an error.
 */
export function readFields(body: unknown, take: (name: string, value: string) => ParseFormError | null): ParseFormError | null {
	const entries = entriesOf(body);
	if (!Array.isArray(entries)) return entries;
	const seen = new Set<string>();
	let total = 0;
	for (const [name, value] of entries) {
		if (seen.has(name) || Array.isArray(value)) {
			return fail('duplicate_field', name, `The form field "${name}" was sent more than once.`);
		}
		seen.add(name);
		if (typeof value !== 'string') return fail('not_text', name, `The form field "${name}" must be text.`);
		total += value.length;
		if (total > MAX_FORM_BYTES) return fail('too_large', name, 'The form is too large.');
		const refused = take(name, value);
		if (refused) return refused;
	}
	return null;
}

/** A comment or reason within its limit, or the refusal naming the field. */
export function commentProblem(name: string, value: string): ParseFormError | null {
	return value.length > MAX_COMMENT_LENGTH ? fail('too_large', name, `The comment is longer than ${MAX_COMMENT_LENGTH} characters.`) : null;
}

export function unknownField(name: string): ParseFormError {
	return fail('unknown_field', name, `The form field "${name}" is not part of the review page.`);
}

export function parseDecisionForm(body: unknown): ParseFormResult {
	const form: DecisionForm = { csrf: '', decision: null, comment: '', edits: Object.create(null) as Record<string, string> };
	const refused = readFields(body, (name, value) => {
		if (name === 'csrf') form.csrf = value;
		else if (name === 'decision') form.decision = value === 'approve' || value === 'reject' ? value : null;
		else if (name === 'preview') {
			// The button sends exactly "1"; anything else is not from the page.
			if (value !== '1') return unknownField(name);
			form.preview = true;
		} else if (name === 'sendCode') {
			if (value !== '1') return unknownField(name);
			form.sendCode = true;
		} else if (name === 'otp') {
			if (value.length > 32) return fail('too_large', name, 'The one-time code is too long.');
			form.otp = value;
		} else if (name === 'comment') {
			const tooLong = commentProblem(name, value);
			if (tooLong) return tooLong;
			form.comment = value;
		} else if (name.startsWith(EDIT_PREFIX) && name.length > EDIT_PREFIX.length) {
			form.edits[name.slice(EDIT_PREFIX.length)] = value;
		} else {
			return unknownField(name);
		}
		return null;
	});
	return refused ?? { ok: true, form };
}
