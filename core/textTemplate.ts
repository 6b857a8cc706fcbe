/**
 * A native fast path for the simplest n8n expressions a node reads once per item: literal text with
 * `{{ $json.path }}` placeholders, such as a subject `=Offer for {{ $json.candidate.name }}`.
 *
 * Why: n8n 2.x evaluates each expression through its expression runtime, about 0.4 ms an item on a real
 * server (profiled: 385 ms of a 1,000-item per-item gate run went to the subject alone). A field lookup
 * is microseconds. The fast path answers only where its answer is n8n's own — every placeholder a plain
 * own-property path that holds a string or a finite number — and says "ask n8n" (null) otherwise: a
 * missing field, any other type, any other expression syntax, a backslash, a brace outside a
 * placeholder, text without any placeholder. The equivalence with n8n's engine is tested against real n8n expression evaluation
 * (test/workflow/gate/textTemplate.workflow.test.ts for text, test/workflow/reviewlog/mappedFields.workflow.test.ts
 * for values with their type).
 */
import { FORBIDDEN_KEYS, getOwn, parsePath, type PathSegment } from './router/path';

/** Literal text and field paths, in order (a path where the placeholder was). */
export type TextTemplate = ReadonlyArray<string | { path: readonly PathSegment[] }>;

/** `$json` followed by `.name`, `[0]` or `["key"]` steps, and nothing else (whitespace around it allowed). */
const PLACEHOLDER = /^\s*\$json((?:\.[A-Za-z_$][\w$]*|\[\d+\]|\[(?:"[^"\\]*"|'[^'\\]*')\])+)\s*$/;

/**
 * Compiles an n8n parameter value (`=` + template) into a TextTemplate, or null when it is not one this
 * fast path answers exactly (then every item is evaluated by n8n).
 */
export function compileTextTemplate(raw: unknown): TextTemplate | null {
	if (typeof raw !== 'string' || !raw.startsWith('=')) return null;
	const body = raw.slice(1);
	// Escapes and n8n's other syntax are n8n's to interpret.
	if (body.includes('\\')) return null;
	const parts: Array<string | { path: readonly PathSegment[] }> = [];
	let at = 0;
	while (at < body.length) {
		const open = body.indexOf('{{', at);
		const literal = body.slice(at, open < 0 ? body.length : open);
		// A brace next to a placeholder (`{{{`, `}}}`) or a stray `}}` is n8n's to read.
		if (literal.includes('{') || literal.includes('}')) return null;
		if (literal !== '') parts.push(literal);
		if (open < 0) break;
		const close = body.indexOf('}}', open + 2);
		if (close < 0) return null;
		const match = PLACEHOLDER.exec(body.slice(open + 2, close));
		if (!match) return null;
		let path: PathSegment[];
		try {
			path = parsePath(`$json${match[1]}`);
		} catch {
			return null;
		}
		if (path.some((segment) => typeof segment === 'string' && FORBIDDEN_KEYS.has(segment))) return null;
		parts.push({ path });
		at = close + 2;
	}
	// Text without any placeholder is n8n's to read: n8n evaluates some of it (`=toString` is
	// "[object Object]", `=constructor` an error), where text beside a placeholder stays text.
	if (!parts.some((part) => typeof part !== 'string')) return null;
	return parts;
}

/** A placeholder's value where the lookup can answer: a string or a finite number; null for anything else. */
function placeholderValue(json: unknown, path: readonly PathSegment[]): string | number | null {
	const value = getOwn(json, path);
	return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? value : null;
}

/** The template's text for one item's json, or null when a placeholder's value is not a string or a finite number. */
export function renderTextTemplate(template: TextTemplate, json: unknown): string | null {
	let out = '';
	for (const part of template) {
		if (typeof part === 'string') {
			out += part;
			continue;
		}
		const value = placeholderValue(json, part.path);
		if (value === null) return null;
		out += String(value);
	}
	return out;
}

/**
 * What n8n's getNodeParameter gives for the template and one item's json, its type included, or null
 * when the lookup cannot say. n8n returns a field's own value for an expression that is one placeholder
 * and nothing else (`={{ $json.amount }}` is the number 5000, not "5000"; -0 stays -0): answered for a
 * string or a finite number. Any other template is text (renderTextTemplate).
 */
export function renderTemplateValue(template: TextTemplate, json: unknown): string | number | null {
	if (template.length === 1 && typeof template[0] !== 'string') return placeholderValue(json, template[0].path);
	return renderTextTemplate(template, json);
}
