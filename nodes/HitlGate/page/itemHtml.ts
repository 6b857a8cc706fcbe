/**
 * One draft's section of the review page: its fields in the builder's order, read-only values grouped
 * in a `<dl>` under their labels, editable ones as labelled text boxes (HTML and Markdown edited as
 * source, with the rendered version above). Every box is labelled, and its warnings and errors are
 * tied to it (`aria-describedby`, `aria-invalid`), so a screen reader announces them with the field.
 */
import { escapeHtml, escapeHtmlVisible } from '../../../core/html';
import type { EditableField, ReviewItemView, ShownField } from './reviewPage';
import { renderMarkdown, sanitizeDraftHtml, PREVIEW_NOTICE } from './sanitize';
import { hiddenWarning, valueHtml } from './values';

function readOnlyHtml(f: ShownField): string {
	return `<dt>${escapeHtmlVisible(f.label)}</dt><dd>${valueHtml(f.value, f.format ?? 'text', f.label, f.missing === true)}</dd>`;
}

function formatHint(f: EditableField): string {
	if (f.kind === 'json') return 'JSON';
	if (f.format === 'html') return 'HTML source';
	if (f.format === 'markdown') return 'Markdown';
	return '';
}

/** The rendered current text of an editable HTML or Markdown field, so the reviewer sees what they edit. */
function editPreview(f: EditableField, id: string): string {
	if (f.kind !== 'text' || (f.format !== 'html' && f.format !== 'markdown')) return '';
	const rendered = f.format === 'html' ? sanitizeDraftHtml(f.text) : renderMarkdown(f.text);
	return [
		`<p class="notice" id="${id}-notice">${escapeHtml(PREVIEW_NOTICE)}</p>`,
		`<div class="preview" dir="auto" role="region" tabindex="0" aria-label="${escapeHtml(`Preview of ${f.label}`)}">${rendered}</div>`,
	].join('');
}

function editableHtml(f: EditableField, id: string): string {
	const hint = formatHint(f);
	const code = hint !== '';
	const long = f.text.length > 200 || f.text.includes('\n');
	const warning = hiddenWarning(f.text, `${id}-hidden`);
	const described = [warning ? `${id}-hidden` : '', f.error ? `${id}-error` : ''].filter(Boolean).join(' ');
	const classes = [code ? 'code' : '', long ? 'long' : ''].filter(Boolean).join(' ');
	const attrs = [
		`id="${id}"`,
		`name="${escapeHtml(`edit.${f.name}`)}"`,
		'dir="auto"',
		classes ? `class="${classes}"` : '',
		`spellcheck="${code ? 'false' : 'true'}"`,
		described ? `aria-describedby="${described}"` : '',
		f.error ? 'aria-invalid="true"' : '',
	].filter(Boolean);
	return [
		'<div class="field">',
		`<label for="${id}">${escapeHtmlVisible(f.label)}${hint ? ` <span class="hint">(${hint})</span>` : ''}</label>`,
		editPreview(f, id),
		// The newline after <textarea> is eaten by the HTML parser, so a value's own leading newline survives.
		`<textarea ${attrs.join(' ')}>\n${escapeHtml(f.text)}</textarea>`,
		warning,
		f.error ? `<p class="warn" id="${id}-error">${escapeHtml(f.error)}</p>` : '',
		'</div>',
	].join('\n');
}

/**
 * `extra.before` / `extra.after`: markup of the caller's own (already escaped) placed after the heading
 * and before the section ends — the batch page's risk line and per-item decision.
 */
export function itemHtml(item: ReviewItemView, index: number, extra: { before?: string; after?: string } = {}): string {
	const heading = item.heading ?? 'Draft';
	const headingId = `item${index}-h`;
	const parts: string[] = [`<section class="card" aria-labelledby="${headingId}">`, `<h2 id="${headingId}">${escapeHtml(heading)}</h2>`];
	if (extra.before) parts.push(extra.before);
	let openList = false;
	item.fields.forEach((f, j) => {
		if (f.mode === 'read') {
			if (!openList) parts.push('<dl class="fields">');
			openList = true;
			parts.push(readOnlyHtml(f));
			return;
		}
		if (openList) parts.push('</dl>');
		openList = false;
		parts.push(editableHtml(f, `f${index}-${j}`));
	});
	if (openList) parts.push('</dl>');
	if (item.fields.length === 0) parts.push('<p class="meta">No fields to show.</p>');
	if (extra.after) parts.push(extra.after);
	parts.push('</section>');
	return parts.join('\n');
}
