/**
 * One draft value as markup a person reads: HTML as the recipient will see it (sanitised) with its
 * source folded beside it, Markdown rendered, plain text in a proportional font with its line breaks,
 * and structured data as labelled lists instead of raw JSON. Everything not run through the sanitiser
 * is escaped; hidden characters are made visible (core/html) wherever text is shown as text.
 */
import { escapeHtml, escapeHtmlVisible, hiddenCharacters } from '../../../core/html';
import type { ResolvedFormat } from '../display/fields';
import { PREVIEW_NOTICE, renderMarkdown, sanitizeDraftHtml } from './sanitize';

/** Deeper structures are shown as JSON text: a page of nested boxes helps nobody. */
const MAX_DATA_DEPTH = 6;

/** The warning under a value that holds characters a reader cannot see. */
export function hiddenWarning(text: string, id?: string): string {
	const found = hiddenCharacters(text);
	if (found.length === 0) return '';
	const idAttr = id ? ` id="${escapeHtml(id)}"` : '';
	return `<p class="warn"${idAttr}>Contains hidden characters: ${escapeHtml(found.join(', '))}. They are invisible here but part of the text.</p>`;
}

/** Text as written: line breaks kept, `dir="auto"` plus CSS isolation so right-to-left text cannot reorder the page. */
export function plainTextHtml(text: string): string {
	return `<div class="text" dir="auto">${escapeHtmlVisible(text)}</div>`;
}

function scalarText(value: unknown): string {
	if (value === null) return '(empty)';
	if (typeof value === 'string') return value;
	return JSON.stringify(value) ?? String(value);
}

/** Objects as `<dl>` of key and value, lists as `<ol>`, recursively; strings inside data stay plain text. */
export function dataHtml(value: unknown, depth = 0): string {
	if (value === null || typeof value !== 'object') {
		return typeof value === 'string' ? plainTextHtml(value) : `<span class="scalar">${escapeHtml(scalarText(value))}</span>`;
	}
	if (depth >= MAX_DATA_DEPTH) return `<pre class="code" dir="auto">${escapeHtmlVisible(JSON.stringify(value, null, 2) ?? '')}</pre>`;
	if (Array.isArray(value)) {
		if (value.length === 0) return '<span class="scalar">(empty list)</span>';
		return `<ol class="data">${value.map((v) => `<li>${dataHtml(v, depth + 1)}</li>`).join('')}</ol>`;
	}
	const entries = Object.entries(value as Record<string, unknown>);
	if (entries.length === 0) return '<span class="scalar">(empty)</span>';
	const rows = entries.map(([k, v]) => `<dt>${escapeHtmlVisible(k)}</dt><dd>${dataHtml(v, depth + 1)}</dd>`);
	return `<dl class="data">${rows.join('')}</dl>`;
}

/** The escaped source of a rendered value, folded away (a `<details>`: no script needed to open it). */
function sourceHtml(text: string, label: string): string {
	return `<details class="source"><summary>${escapeHtml(label)}</summary><pre class="code" dir="auto">${escapeHtmlVisible(text)}</pre></details>`;
}

/**
 * A rendered HTML or Markdown value: notice, preview, then the source it came from. The preview is a
 * focusable region so a wide table inside it can be scrolled from the keyboard too.
 */
function previewHtml(renderedSafe: string, source: string, sourceLabel: string, label: string): string {
	return [
		`<p class="notice">${escapeHtml(PREVIEW_NOTICE)}</p>`,
		`<div class="preview" dir="auto" role="region" tabindex="0" aria-label="${escapeHtml(`Preview of ${label}`)}">${renderedSafe}</div>`,
		sourceHtml(source, sourceLabel),
	].join('');
}

/** The markup for one value in the format it resolved to (display/fields.ts `resolveFormat`). */
export function valueHtml(value: unknown, format: ResolvedFormat, label: string, missing = false): string {
	if (missing) return '<span class="scalar">(missing)</span>';
	if (typeof value === 'string') {
		const warning = hiddenWarning(value);
		if (format === 'html') return warning + previewHtml(sanitizeDraftHtml(value), value, 'HTML source', label);
		if (format === 'markdown') return warning + previewHtml(renderMarkdown(value), value, 'Markdown source', label);
		return plainTextHtml(value) + warning;
	}
	return dataHtml(value);
}
