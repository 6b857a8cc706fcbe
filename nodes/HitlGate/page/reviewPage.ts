/**
 * The review page. Everything from the draft is escaped (it is model output); the page has no script,
 * no meta refresh and no external asset. A GET only shows it; the decision is a POST of its form, to the
 * page's own URL (the form has no action attribute, so n8n's `signature` and our `t` come along).
 */
import { escapeHtml, escapeHtmlVisible, hiddenCharacters } from '../../../core/html';
import type { LinkDecision } from '../../../core/links';
import { isTier, type Tier } from '../../../core/tiers';
import { formatTime, pageShell } from './layout';

/** A read-only value shown to the reviewer. */
export interface ShownField {
	label: string;
	value: unknown;
}

/** A field the reviewer may edit: posted as `edit.<name>`. */
export interface EditableField {
	/** Form key after `edit.`: the field path, e.g. `candidate.stage`. */
	name: string;
	label: string;
	/** The text the textarea starts with. */
	text: string;
	/** `json`: the reviewer must keep valid JSON of the same type. */
	kind: 'text' | 'json';
	/** Shown under the field after a failed submit. */
	error?: string;
}

export interface ReviewItemView {
	/** e.g. "Item 3" in batch mode; omitted for a single item. */
	heading?: string;
	shown: ShownField[];
	editable: EditableField[];
}

export interface ReviewPageView {
	/** Page heading, e.g. the workflow's or gate's name. */
	title: string;
	/** The builder's note to the reviewer (plain text). */
	message?: string;
	reviewer: string;
	/** null: the item was not classified; the page says to treat it as high risk. */
	tier: Tier | null;
	tierReasons: string[];
	/** The item carried a risk annotation no Blast Radius Router of this execution produced. */
	riskUnverified?: boolean;
	requestedAt?: string;
	expiresAt: string;
	draftSha256?: string;
	items: ReviewItemView[];
	csrf: string;
	/** Buttons to show; default both. */
	decisions?: readonly LinkDecision[];
	requireRejectReason: boolean;
	/** Pre-fills the comment box (after a failed submit). */
	comment?: string;
	/** Shown at the top after a failed submit. */
	error?: string;
}

function valueHtml(value: unknown): string {
	const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value, null, 2) ?? '';
	// `dir="auto"` per value plus CSS isolation: a right-to-left value cannot reorder the page around it.
	return `<pre dir="auto">${escapeHtmlVisible(text)}</pre>`;
}

function hiddenWarning(text: string): string {
	const found = hiddenCharacters(text);
	if (found.length === 0) return '';
	return `<p class="warn">Contains hidden characters: ${escapeHtml(found.join(', '))}. They are invisible here but part of the text.</p>`;
}

function tierHtml(tier: Tier | null, reasons: string[], unverified: boolean): string {
	let badge = isTier(tier)
		? `<span class="tier tier-${tier}">${tier}</span>`
		: '<span class="tier tier-unknown">not classified</span> <span class="meta">treat as high risk</span>';
	if (unverified) {
		badge += ' <span class="tier tier-unknown">unverified</span> <span class="meta">unverified — treat as high risk: the risk annotation was not produced by a Blast Radius Router in this run</span>';
	}
	const list = reasons.length > 0 ? `<ul>${reasons.map((r) => `<li>${escapeHtmlVisible(r)}</li>`).join('')}</ul>` : '';
	return `<section aria-label="Risk"><h2>Risk</h2><p>${badge}</p>${list}</section>`;
}

function itemHtml(item: ReviewItemView, index: number): string {
	const parts: string[] = [`<section aria-label="${escapeHtml(item.heading ?? 'Draft')}">`];
	parts.push(`<h2>${escapeHtml(item.heading ?? 'Draft')}</h2>`);
	if (item.shown.length > 0) {
		parts.push('<dl>');
		for (const f of item.shown) parts.push(`<dt>${escapeHtmlVisible(f.label)}</dt><dd>${valueHtml(f.value)}</dd>`);
		parts.push('</dl>');
	}
	item.editable.forEach((f, j) => {
		const id = `f${index}-${j}`;
		const long = f.text.length > 200 || f.text.includes('\n');
		const hint = f.kind === 'json' ? ' <span class="meta">(JSON)</span>' : '';
		parts.push(`<label for="${id}">${escapeHtmlVisible(f.label)}${hint}</label>`);
		// The newline after <textarea> is eaten by the HTML parser, so a value's own leading newline survives.
		parts.push(
			`<textarea id="${id}" name="${escapeHtml(`edit.${f.name}`)}" dir="auto"${long ? ' class="long"' : ''} spellcheck="true">\n${escapeHtml(f.text)}</textarea>`,
		);
		parts.push(hiddenWarning(f.text));
		if (f.error) parts.push(`<p class="warn" role="alert">${escapeHtml(f.error)}</p>`);
	});
	parts.push('</section>');
	return parts.join('\n');
}

export function renderReviewPage(view: ReviewPageView): string {
	const decisions = view.decisions ?? ['approve', 'reject'];
	const body: string[] = [`<h1>${escapeHtmlVisible(view.title)}</h1>`];
	if (view.error) body.push(`<section class="card error" role="alert"><p>${escapeHtml(view.error)}</p></section>`);
	const meta = [
		`Reviewer: <strong>${escapeHtml(view.reviewer)}</strong>`,
		view.requestedAt ? `Requested ${escapeHtml(formatTime(view.requestedAt))}` : '',
		`Decide before ${escapeHtml(formatTime(view.expiresAt))}`,
	].filter(Boolean);
	body.push(`<p class="meta">${meta.join(' · ')}</p>`);
	if (view.message) body.push(`<section aria-label="Message"><pre dir="auto">${escapeHtmlVisible(view.message)}</pre></section>`);
	body.push(tierHtml(view.tier, view.tierReasons, view.riskUnverified === true));

	// No action attribute: the form posts to this page's own URL, query string included.
	body.push('<form method="post" accept-charset="utf-8" autocomplete="off">');
	// Pressing Enter submits with the form's first submit button; make that one a disabled no-op
	// so nothing but a deliberate click on Approve or Reject can decide.
	body.push('<button type="submit" name="decision" value="" disabled hidden aria-hidden="true" tabindex="-1"></button>');
	body.push(`<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">`);
	view.items.forEach((item, i) => body.push(itemHtml(item, i)));
	const reasonLabel =
		view.requireRejectReason && decisions.includes('reject') ? 'Comment (required to reject: give the reason)' : 'Comment (optional)';
	body.push('<section aria-label="Decision">');
	body.push(`<label for="comment">${reasonLabel}</label>`);
	body.push(`<textarea id="comment" name="comment" dir="auto">\n${escapeHtml(view.comment ?? '')}</textarea>`);
	body.push('<div class="buttons">');
	if (decisions.includes('approve')) body.push('<button type="submit" class="approve" name="decision" value="approve">Approve</button>');
	if (decisions.includes('reject')) body.push('<button type="submit" class="reject" name="decision" value="reject">Reject</button>');
	body.push('</div>');
	if (view.draftSha256) body.push(`<p class="meta">Draft fingerprint (SHA-256): ${escapeHtml(view.draftSha256)}</p>`);
	body.push('</section>');
	body.push('</form>');
	return pageShell(view.title, body.join('\n'));
}
