/**
 * Draft HTML (and rendered Markdown) made safe to show as the recipient would see it. Drafts are model
 * output: the preview must not run, load, post or navigate anything, and must not restyle the page.
 *
 * An allowlist (sanitize-html), never a blocklist: formatting elements only. No script, event handler,
 * form, frame, object, `<style>` or style attribute (so no CSS `url()` either); images only as inline
 * `data:` rasters (a remote image is replaced by a visible "[image not loaded]"); links become inert
 * text whose address is shown next to them (`.link::after` in the style sheet), because a reviewer must
 * see where a link in the email would go without being able to follow it from the review page. The
 * page's Content-Security-Policy (headers.ts) would block a load the sanitiser missed, too.
 */
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/** Shown above every preview, so nobody takes a missing logo for a broken email. */
export const PREVIEW_NOTICE = 'Preview: links are disabled and remote images and styles are blocked.';

const INLINE_IMAGE = /^data:image\/(?:png|gif|jpeg|webp);base64,/i;

/** The draft's headings sit below the page's own (h1 title, h2 sections). */
const HEADING_LEVEL: Readonly<Record<string, string>> = { h1: 'h3', h2: 'h4', h3: 'h5', h4: 'h6', h5: 'h6', h6: 'h6' };

const headingTransforms: sanitizeHtml.IOptions['transformTags'] = Object.fromEntries(
	Object.entries(HEADING_LEVEL).map(([from, to]) => [from, (_tag: string, attribs: sanitizeHtml.Attributes) => ({ tagName: to, attribs })]),
);

const OPTIONS: sanitizeHtml.IOptions = {
	allowedTags: [
		'p', 'br', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 's', 'small', 'sub', 'sup', 'mark', 'code', 'pre',
		'blockquote', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'hr', 'img',
		'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
	],
	allowedAttributes: {
		img: ['src', 'alt'],
		span: ['class', 'data-href'],
		td: ['colspan', 'rowspan'],
		th: ['colspan', 'rowspan', 'scope'],
		ol: ['start'],
	},
	allowedClasses: { span: ['link', 'blocked'] },
	// Only images carry a URL after the transforms below, and only inline ones.
	allowedSchemes: [],
	allowedSchemesByTag: { img: ['data'] },
	allowProtocolRelative: false,
	// Their content is code or chrome, not text the recipient reads.
	nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'template', 'title', 'head', 'svg', 'math', 'select'],
	transformTags: {
		...headingTransforms,
		a: (_tag, attribs) => ({ tagName: 'span', attribs: { class: 'link', 'data-href': attribs.href ?? '' } }),
		img: (_tag, attribs) =>
			INLINE_IMAGE.test(attribs.src ?? '')
				? { tagName: 'img', attribs }
				: { tagName: 'span', attribs: { class: 'blocked' }, text: attribs.alt ? `[image not loaded: ${attribs.alt}]` : '[image not loaded]' },
	},
};

/** The allowlisted, inert form of draft HTML (a fragment; safe inside a `<div>`). */
export function sanitizeDraftHtml(html: string): string {
	return sanitizeHtml(html, OPTIONS);
}

/** Markdown rendered (GitHub flavour, single line breaks kept) and then sanitised like HTML. */
export function renderMarkdown(text: string): string {
	const html = marked.parse(text, { async: false, gfm: true, breaks: true });
	return sanitizeDraftHtml(html);
}
