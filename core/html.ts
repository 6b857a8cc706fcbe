/**
 * HTML escaping for the review page and the notification email. Drafts are model output: they may hold
 * markup, script, or characters that make text look different from what it is. Everything from a
 * draft goes through one of these functions; no draft value is ever placed in markup unescaped.
 */

const ESCAPES: Readonly<Record<string, string>> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;',
	'`': '&#96;',
	// The HTML parser turns NUL into U+FFFD anyway; doing it here makes the output deterministic.
	'\u0000': '\uFFFD',
};

/**
 * Escapes text for element content and for quoted attribute values (both quote kinds are escaped).
 * Lone UTF-16 surrogates (not valid Unicode) become U+FFFD, as any UTF-8 encoder would do.
 */
export function escapeHtml(value: string): string {
	return toWellFormed(value).replace(/[&<>"'`\u0000]/g, (c) => ESCAPES[c]);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function toWellFormed(value: string): string {
	return value.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Characters a reviewer cannot see but that change what text means or how it displays: control
 * characters (except tab and line feed), bidirectional overrides and isolates (the "Trojan Source"
 * trick: text shown in another order than it is stored), zero-width characters, the byte-order mark,
 * soft hyphen, Unicode tag characters (used to smuggle hidden instructions), and replacement marks for
 * invalid Unicode.
 */
const HIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDC7F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function codePointLabel(ch: string): string {
	const cp = ch.length === 1 ? ch.charCodeAt(0) : (ch.codePointAt(0) ?? 0);
	return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The distinct hidden characters in `value`, as `U+XXXX` labels (empty when there are none). */
export function hiddenCharacters(value: string): string[] {
	// CR LF is an ordinary line break; only a lone CR is hidden.
	const text = value.replace(/\r\n/g, '\n');
	const found = new Set<string>();
	for (const m of text.matchAll(HIDDEN)) found.add(codePointLabel(m[0]));
	return [...found];
}

/**
 * Escapes text for read-only display and makes hidden characters visible as a marked `[U+XXXX]`,
 * so what the reviewer reads is what the text is. Use inside elements, not attributes.
 */
export function escapeHtmlVisible(value: string): string {
	const text = value.replace(/\r\n/g, '\n');
	let out = '';
	let last = 0;
	for (const m of text.matchAll(HIDDEN)) {
		const at = m.index ?? 0;
		out += escapeHtml(text.slice(last, at));
		out += `<span class="hidden-char">[${codePointLabel(m[0])}]</span>`;
		last = at + m[0].length;
	}
	return out + escapeHtml(text.slice(last));
}
