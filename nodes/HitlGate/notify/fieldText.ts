/**
 * A field's value as short plain text for a notification. A reviewer on a phone needs to recognise
 * the draft, not read its source: an HTML body becomes its text with paragraphs kept, nested objects
 * become "key: value" lines, lists are joined, and everything is cut to an excerpt at a word
 * boundary. The result is plain text; each renderer escapes or quotes it for its own medium.
 */
import type { EmailField } from './fields';
import { htmlToText } from './htmlText';
import { readableLabel } from './labels';

/** Longest excerpt of one field, in characters: a few lines on a phone. */
export const MAX_FIELD_CHARS = 400;
/** Nested objects deeper than this are summarised, so a huge structure cannot flood the mail. */
const MAX_DEPTH = 4;

/**
 * Whether an `auto` string is an HTML body: it uses the elements a written message is made of.
 * Deliberately narrow: text that merely contains a tag (`<script>` in a subject, a `<textarea>`
 * break-out attempt) is not a message body and is shown exactly as it is, escaped.
 */
const HTML_BODY = /<(?:p|br|div|table|ul|ol|li|h[1-6]|blockquote|html|body)(?:\s[^<>]*)?\/?>/i;

export function looksLikeHtml(text: string): boolean {
	return HTML_BODY.test(text);
}

/**
 * Cuts `text` to at most `max` characters plus "…", at the last space or line break when there is one
 * in the last third, never between the halves of a surrogate pair (half a pair shows as garbage).
 * Works on plain text, so there is no entity to cut into: escaping happens after the cut.
 */
export function excerpt(text: string, max: number = MAX_FIELD_CHARS): string {
	if (text.length <= max) return text;
	let cut = max;
	if (/[\uD800-\uDBFF]/.test(text[cut - 1]) && /[\uDC00-\uDFFF]/.test(text[cut])) cut -= 1;
	const space = text.slice(0, cut + 1).search(/\s\S*$/);
	if (space >= Math.floor((max * 2) / 3)) cut = space;
	return `${text.slice(0, cut).trimEnd()}…`;
}

function scalarText(value: unknown): string {
	if (value === null || value === undefined) return '(empty)';
	if (typeof value === 'boolean') return value ? 'yes' : 'no';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'bigint') return String(value);
	return '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Nested data as readable lines: objects as "Key: value" (keys made readable; nested objects indented
 * below their key),
 * lists of scalars joined with ", ", lists of objects as "- " entries. Never JSON.
 */
function structuredLines(value: unknown, depth: number): string[] {
	if (Array.isArray(value)) {
		if (value.length === 0) return ['(none)'];
		if (value.every((v) => !isPlainObject(v) && !Array.isArray(v))) return [value.map(scalarText).join(', ')];
		if (depth >= MAX_DEPTH) return [`(${value.length} entries)`];
		return value.flatMap((v) => structuredLines(v, depth + 1).map((line, i) => `${i === 0 ? '- ' : '  '}${line}`));
	}
	if (isPlainObject(value)) {
		const entries = Object.entries(value);
		if (entries.length === 0) return ['(none)'];
		if (depth >= MAX_DEPTH) return [`(${entries.length} fields)`];
		return entries.flatMap(([key, v]) => {
			if (isPlainObject(v) || (Array.isArray(v) && v.some((x) => isPlainObject(x) || Array.isArray(x)))) {
				return [`${readableLabel(key)}:`, ...structuredLines(v, depth + 1).map((line) => `  ${line}`)];
			}
			return [`${readableLabel(key)}: ${structuredLines(v, depth + 1).join('')}`];
		});
	}
	return [scalarText(value)];
}

/** The field's value as plain text, converted by its format and cut to an excerpt. */
export function fieldText(field: EmailField): string {
	const { value, format } = field;
	if (field.missing === true) return '(missing)';
	if (typeof value === 'string') {
		const html = format === 'html' || (format === 'auto' && looksLikeHtml(value));
		// Markdown is read as it is written: its marks are meant to be readable as plain text.
		return excerpt(html ? htmlToText(value) : value);
	}
	return excerpt(structuredLines(value, 0).join('\n'));
}
