/**
 * The text of an HTML message body, for a notification excerpt. The parsing is sanitize-html's (a
 * well-kept HTML parser and allowlist sanitiser), not a regular expression over the draft: drafts are
 * model output and may hold markup built to confuse a naive tag stripper. Kept in its own file so the
 * one import of sanitize-html in notify/ is easy to see and to scope in the lint configuration.
 */
// Runtime dependency (the package's DEPARTURE 1, see eslint.config.mjs and the README): sanitize-html,
// plain JavaScript without install scripts; the review page's preview uses it too.
import sanitizeHtml from 'sanitize-html';

/** Elements that end a line or paragraph of text; the sanitiser keeps only these, without attributes. */
const LINE_TAGS = ['br', 'p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'table'];

/** sanitize-html's output escapes exactly these; reversing them (in one pass) gives the text back. */
const SANITIZER_ESCAPES: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&amp;': '&' };

/**
 * The text of an HTML body: paragraphs and line breaks kept as newlines, list items as "• ", every
 * other tag dropped, script and style content dropped, entities decoded. The parsing is
 * sanitize-html's; after it, the only `<…>` left are the bare line tags it wrote itself (any `<` from
 * the text is `&lt;`), so turning those into newlines cannot be fooled by the draft.
 */
export function htmlToText(html: string): string {
	const clean = sanitizeHtml(html, {
		allowedTags: LINE_TAGS,
		allowedAttributes: {},
		selfClosing: ['br'],
		// Text inside these is never shown: it is code or chrome, not message (the page's preview drops the same).
		nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'template', 'title', 'head', 'svg', 'math', 'select'],
	});
	return (
		clean
			// Source whitespace is not layout in HTML; only the tags below make lines.
			.replace(/\s+/g, ' ')
			.replace(/<\/li>/g, '')
			.replace(/<li>/g, '\n• ')
			.replace(/<br\s*\/?>/g, '\n')
			.replace(/<\/?[a-z0-9]+>/g, '\n\n')
			.replace(/&(?:lt|gt|quot|amp);/g, (e) => SANITIZER_ESCAPES[e])
			.split('\n')
			.map((line) => line.trim())
			.join('\n')
			.replace(/\n{3,}/g, '\n\n')
			.trim()
	);
}
