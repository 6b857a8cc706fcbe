/**
 * The batch page: every item of a run that still waits for a decision, each with its own Approve /
 * Reject / Leave undecided choice, its own reason box and its editable fields, plus Approve all and
 * Reject all. Like the single page it is one plain form with no script (the CSP has no script-src): a
 * radio group per item (`decision.<itemIndex>`), and the pressed button says what to do (`bulk`).
 * Items someone already decided are listed, not offered again. Each item is a card holding a
 * fieldset with a legend, so a screen reader announces which item a choice belongs to; an item's error
 * is tied to its choice and reason box (`aria-describedby`).
 * "Preview changes" (offered where an item has an editable field) posts the form like the single
 * page's and never decides: the page comes back with a "Your changes to item N" card above each edited
 * item (changes.ts), everything typed and chosen still in place.
 */
import { escapeHtml, escapeHtmlVisible } from '../../../core/html';
import { isTier, type Tier } from '../../../core/tiers';
import { changesHtml, type FieldChange } from './changes';
import { itemHtml } from './itemHtml';
import { pageShell } from './layout';
import { headerHtml, riskHtml, timeHtml, type ReviewItemView, type ReviewPageView } from './reviewPage';
import { usableZone } from './time';
import { plainTextHtml } from './values';

/** One item that waits for a decision. */
export interface BatchItemView {
	/** The item's index in the gate's input: its form fields are `decision.<itemIndex>` etc. */
	itemIndex: number;
	tier: Tier | null;
	tierReasons: string[];
	/** Its fields (editable ones named `edit.<itemIndex>.<path>`), heading "Item N". */
	item: ReviewItemView;
	/** Pre-selected after a refused submit. */
	choice?: 'approve' | 'reject' | null;
	/** The item's own reason as typed. */
	comment?: string;
	/** What is wrong with this item's choice (e.g. a missing reason), shown under it. */
	error?: string;
	/** After "Preview changes": this item's edits against its draft; absent when it was not edited. */
	changes?: FieldChange[];
}

/** An item someone already decided (or that can no longer be decided), listed for the record. */
export interface SettledItemView {
	itemIndex: number;
	/** e.g. "approved by ann@example.com". */
	text: string;
	at?: string;
}

export interface BatchPageView
	extends Pick<ReviewPageView, 'title' | 'message' | 'reviewer' | 'tier' | 'tierReasons' | 'riskUnverified' | 'requestedAt' | 'expiresAt' | 'alsoAsked' | 'timeZone' | 'now' | 'csrf' | 'requireRejectReason' | 'error'> {
	items: BatchItemView[];
	settled: SettledItemView[];
	/** True: "Approve all" is offered (no undecided High-risk item, or the builder allowed it). */
	approveAllOffered: boolean;
	/** Why "Approve all" is not offered, shown in its place. */
	approveAllNote?: string;
	/** The shared comment as typed. */
	comment?: string;
	/** Shown at the top as a status (not an error): what the last submit recorded. */
	notice?: string;
	/** The run's group id and the link's digest of its drafts, under technical details. */
	groupId?: string;
	groupDigest?: string;
}

const CHOICES: Array<['approve' | 'reject' | null, string, string]> = [
	['approve', 'approve', 'Approve'],
	['reject', 'reject', 'Reject'],
	[null, 'undecided', 'Leave undecided'],
];

function tierBadge(tier: Tier | null): string {
	return isTier(tier) ? `<span class="tier tier-${tier}">${tier}</span> risk` : '<span class="tier tier-unknown">not classified</span> <span class="meta">treat as high risk</span>';
}

function riskLine(view: BatchItemView): string {
	const reasons = view.tierReasons.length > 0 ? ` <span class="meta">${view.tierReasons.map((r) => escapeHtmlVisible(r)).join(' · ')}</span>` : '';
	return `<p class="risk">${tierBadge(view.tier)}${reasons}</p>`;
}

function choiceHtml(view: BatchItemView, reasonRequired: boolean): string {
	const i = view.itemIndex;
	const errorId = `item${i}-error`;
	const described = view.error ? ` aria-describedby="${errorId}"` : '';
	const selected = view.choice ?? null;
	const options = CHOICES.map(([choice, value, label]) => {
		const checked = choice === selected ? ' checked' : '';
		return `<label class="option option-${value}"><input type="radio" name="decision.${i}" value="${value}"${checked}> ${label}</label>`;
	});
	const reasonLabel = reasonRequired ? 'Reason (required to reject, unless the comment for all items gives it)' : 'Comment (optional)';
	const invalid = view.error ? ` aria-describedby="${errorId}" aria-invalid="true"` : '';
	return [
		`<fieldset class="choice"${described}>`,
		`<legend>Your decision on item ${i + 1}</legend>`,
		`<div class="options">${options.join('')}</div>`,
		'</fieldset>',
		`<label for="comment-${i}">${reasonLabel}</label>`,
		`<textarea id="comment-${i}" name="comment.${i}" dir="auto" class="short"${invalid}>\n${escapeHtml(view.comment ?? '')}</textarea>`,
		view.error ? `<p class="warn" id="${errorId}">${escapeHtml(view.error)}</p>` : '',
	]
		.filter(Boolean)
		.join('\n');
}

function settledHtml(view: BatchPageView, now: Date): string {
	if (view.settled.length === 0) return '';
	const rows = view.settled.map((s) => `<li>Item ${s.itemIndex + 1}: ${escapeHtml(s.text)}${s.at ? ` (${timeHtml(s.at, view, now)})` : ''}</li>`);
	return `<section class="card" aria-labelledby="settled-h"><h2 id="settled-h">Already decided</h2><ul class="settled">${rows.join('')}</ul></section>`;
}

function decisionHtml(view: BatchPageView): string {
	const label = view.requireRejectReason
		? 'Comment for every item you decide (used where an item has no reason of its own; a reason is required to reject)'
		: 'Comment for every item you decide (optional; used where an item has no comment of its own)';
	const count = view.items.length;
	const parts = [
		'<section class="card decision" id="decision" aria-labelledby="decision-h">',
		'<h2 id="decision-h">Your decisions</h2>',
		`<p class="meta">${count === 1 ? '1 item waits' : `${count} items wait`} for a decision. Choose Approve or Reject on the items you decide and press <strong>Submit decisions</strong>; items left undecided stay open for you or another reviewer.</p>`,
		`<label for="comment">${label}</label>`,
		`<textarea id="comment" name="comment" dir="auto" class="short">\n${escapeHtml(view.comment ?? '')}</textarea>`,
		'<div class="buttons">',
		'<button type="submit" class="submit" name="bulk" value="selected">Submit decisions</button>',
		view.approveAllOffered ? '<button type="submit" class="approve" name="bulk" value="approve_all">Approve all</button>' : '',
		'<button type="submit" class="reject" name="bulk" value="reject_all">Reject all</button>',
		'</div>',
		view.approveAllNote ? `<p class="meta">${escapeHtml(view.approveAllNote)}</p>` : '',
		// Offered only where something can be edited; it re-renders the page and never decides.
		view.items.some((item) => item.item.fields.some((f) => f.mode === 'edit'))
			? '<div class="buttons"><button type="submit" class="preview-changes" name="preview" value="1">Preview changes</button></div>'
			: '',
		'</section>',
	];
	return parts.filter(Boolean).join('\n');
}

function technicalHtml(view: BatchPageView): string {
	const rows: Array<[string, string]> = [];
	if (view.groupDigest) rows.push(['Batch fingerprint (SHA-256 of its requests)', view.groupDigest]);
	if (view.groupId) rows.push(['Batch', view.groupId]);
	rows.push(['Times shown in', usableZone(view.timeZone)]);
	const list = rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
	return `<details class="tech"><summary>Technical details</summary><dl>${list}</dl></details>`;
}

export function renderBatchPage(view: BatchPageView): string {
	const now = view.now ?? new Date();
	const body: string[] = ['<form method="post" accept-charset="utf-8" autocomplete="off">'];
	// Enter in a text field submits with the form's first submit button: a disabled no-op, so nothing is
	// sent. Enter on a radio button (Chromium) skips disabled buttons and clicks the first enabled one:
	// an enabled no-op, whose empty `bulk` decides nothing (the page comes back asking for a choice).
	body.push('<button type="submit" name="bulk" value="" disabled hidden aria-hidden="true" tabindex="-1"></button>');
	body.push('<button type="submit" name="bulk" value="" hidden aria-hidden="true" tabindex="-1"></button>');
	body.push(`<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">`);
	body.push(headerHtml(view, now));
	if (view.error) body.push(`<section class="card error" role="alert"><p>${escapeHtml(view.error)}</p></section>`);
	if (view.notice) body.push(`<section class="card ok" role="status"><p>${escapeHtml(view.notice)}</p></section>`);
	body.push(riskHtml(view));
	if (view.message) {
		body.push(`<section class="card" aria-labelledby="message-h"><h2 id="message-h">Message</h2>${plainTextHtml(view.message)}</section>`);
	}
	body.push(settledHtml(view, now));
	view.items.forEach((item, position) => {
		const heading = `Your changes to item ${item.itemIndex + 1} — nothing is decided yet`;
		body.push(changesHtml(item.changes, { id: `changes${item.itemIndex}-h`, heading }));
		body.push(itemHtml(item.item, position, { before: riskLine(item), after: choiceHtml(item, view.requireRejectReason) }));
	});
	body.push('<nav class="decide-bar" aria-label="Jump to decision"><a href="#decision">Go to decisions ↓</a></nav>');
	body.push(decisionHtml(view));
	body.push('</form>');
	body.push(technicalHtml(view));
	return pageShell(view.title, body.filter(Boolean).join('\n'));
}
