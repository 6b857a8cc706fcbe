/**
 * The review page. Everything from the draft is escaped or, for HTML and Markdown, sanitised (it is
 * model output); the page has no script, no meta refresh and no external asset. A GET only shows it;
 * the decision is a POST of its form, to the page's own URL (the form has no action attribute, so
 * n8n's `signature` and our `t` come along).
 *
 * Laid out for a phone first: title, risk in plain words and a way to the decision on the first
 * screen (a decision bar that stays at the bottom while the draft scrolls by), then the draft, then the
 * decision with big buttons; ids and fingerprints folded away at the end.
 */
import { escapeHtml, escapeHtmlVisible } from '../../../core/html';
import type { LinkDecision } from '../../../core/links';
import { isTier, type Tier } from '../../../core/tiers';
import type { ResolvedFormat } from '../display/fields';
import { isNoDeadline } from '../notify/content';
import { changesHtml, type FieldChange } from './changes';
import { codeFieldHtml, type CodeFieldView } from './codeField';
import { itemHtml } from './itemHtml';
import { pageShell } from './layout';
import { showTime, usableZone } from './time';
import { plainTextHtml } from './values';

/** A read-only value shown to the reviewer. */
export interface ShownField {
	label: string;
	value: unknown;
	/** How the value is rendered; default plain text (or lists for structured data). */
	format?: ResolvedFormat;
	/** The item does not have the field: shown as "(missing)". */
	missing?: boolean;
}

/** A field the reviewer may edit: posted as `edit.<name>`. */
export interface EditableField {
	/** Form key after `edit.`: the canonical field path, e.g. `candidate.stage`. */
	name: string;
	label: string;
	/** The text the textarea starts with. */
	text: string;
	/** `json`: the reviewer must keep valid JSON of the same type. */
	kind: 'text' | 'json';
	/** `html`/`markdown`: edited as source, shown rendered above the box. */
	format?: ResolvedFormat;
	/** Shown under the field after a failed submit. */
	error?: string;
}

export type ItemField = ({ mode: 'read' } & ShownField) | ({ mode: 'edit' } & EditableField);

export interface ReviewItemView {
	/** e.g. "Item 3" in batch mode; omitted for a single item. */
	heading?: string;
	/** In the builder's order. */
	fields: ItemField[];
}

export interface ReviewPageView {
	/** Page heading, e.g. the workflow's or gate's name. */
	title: string;
	/** After "Preview changes": the edits against the draft (changes.ts). */
	changes?: FieldChange[];
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
	/** The other people who may decide this item (reviewers, and backups once their level was reached). */
	alsoAsked?: string[];
	/** How the item is decided when it is not by the first reviewer (e.g. a quorum). */
	policyNote?: string;
	/** IANA zone for the times shown (the gate's); UTC when absent. */
	timeZone?: string;
	/** The moment "in 3 hours" is counted from; default now. */
	now?: Date;
	draftSha256?: string;
	/** The review request's id, shown under technical details. */
	requestId?: string;
	items: ReviewItemView[];
	csrf: string;
	/** Buttons to show; default both. */
	decisions?: readonly LinkDecision[];
	requireRejectReason: boolean;
	/** Pre-fills the comment box (after a failed submit). */
	comment?: string;
	/** Shown under the comment box and tied to it (e.g. a missing reason). */
	commentError?: string;
	/** Shown at the top after a failed submit. */
	error?: string;
	/** The request needs a one-time code (codeField.ts): the box and its button, above the decision buttons. */
	oneTimeCode?: CodeFieldView;
	/**
	 * Sample review's wording (the item already went on): a verdict, not a decision. The buttons post the
	 * same form values (approve = looks fine, reject = problem), so the form and its checks stay the gate's.
	 */
	verdictLabels?: VerdictLabels;
}

export interface VerdictLabels {
	heading: string;
	approve: string;
	reject: string;
	comment: string;
}

/** The labels sample review shows (HITL Review Links, nodes/HitlReviewLinks/sampleReview.ts). */
export const SAMPLE_VERDICT_LABELS: VerdictLabels = {
	heading: 'Your verdict',
	approve: 'Looks fine',
	reject: 'Problem',
	comment: 'Comment (required for Problem: say what is wrong)',
};

/** The risk card: what the page's views share of it. */
export type RiskView = Pick<ReviewPageView, 'tier' | 'tierReasons' | 'riskUnverified'>;

export function riskHtml(view: RiskView): string {
	const known = isTier(view.tier);
	// The badge's markup is a contract other tests and tools read: `<span class="tier tier-high">high</span>`.
	const badge = known
		? `<span class="tier tier-${view.tier}">${view.tier}</span> risk`
		: '<span class="tier tier-unknown">not classified</span> <span class="meta">treat as high risk</span>';
	const parts = [`<section class="card summary" aria-labelledby="risk-h">`, `<h2 id="risk-h">Risk</h2>`, `<p class="risk">${badge}</p>`];
	if (view.riskUnverified === true) {
		parts.push('<p><span class="tier tier-unknown">unverified</span> <span class="meta">unverified — treat as high risk: the risk annotation was not produced by a Blast Radius Router in this run</span></p>');
	}
	if (view.tierReasons.length > 0) {
		parts.push(`<p class="why">Why:</p><ul class="reasons">${view.tierReasons.map((r) => `<li>${escapeHtmlVisible(r)}</li>`).join('')}</ul>`);
	} else if (known) {
		parts.push('<p class="meta">No reasons were given.</p>');
	}
	parts.push('</section>');
	return parts.join('\n');
}

type HeaderView = Pick<ReviewPageView, 'title' | 'expiresAt' | 'reviewer' | 'requestedAt' | 'timeZone' | 'alsoAsked' | 'policyNote'>;

export function timeHtml(iso: string, view: Pick<ReviewPageView, 'timeZone'>, now: Date): string {
	const t = showTime(iso, view.timeZone, now);
	if (t.iso === '') return escapeHtml(t.text);
	return `<time datetime="${escapeHtml(t.iso)}">${escapeHtml(t.text)}</time> <span class="relative">(${escapeHtml(t.relative)})</span>`;
}

export function headerHtml(view: HeaderView, now: Date): string {
	const noDeadline = isNoDeadline(new Date(view.expiresAt));
	const deadline = noDeadline ? 'No deadline: this review stays open until it is decided' : `Decide by ${timeHtml(view.expiresAt, view, now)}`;
	const lines = [`<h1>${escapeHtmlVisible(view.title)}</h1>`, `<p class="deadline">${deadline}</p>`];
	if (view.policyNote) lines.push(`<p class="policy"><strong>${escapeHtml(view.policyNote)}</strong></p>`);
	const meta = [`Reviewer: <strong>${escapeHtml(view.reviewer)}</strong>`];
	if (view.alsoAsked && view.alsoAsked.length > 0) meta.push(`Also asked: ${escapeHtml(view.alsoAsked.join(', '))}`);
	if (view.requestedAt) meta.push(`Requested ${timeHtml(view.requestedAt, view, now)}`);
	lines.push(`<p class="meta">${meta.join(' · ')}</p>`);
	return lines.join('\n');
}

function decisionHtml(view: ReviewPageView): string {
	const decisions = view.decisions ?? ['approve', 'reject'];
	const reasonRequired = view.requireRejectReason && decisions.includes('reject');
	const labels = view.verdictLabels;
	const label = labels?.comment ?? (reasonRequired ? 'Comment (required to reject: give the reason)' : 'Comment (optional)');
	const described = view.commentError ? ' aria-describedby="comment-error" aria-invalid="true"' : '';
	const parts = [
		'<section class="card decision" id="decision" aria-labelledby="decision-h">',
		`<h2 id="decision-h">${escapeHtml(labels?.heading ?? 'Your decision')}</h2>`,
		`<label for="comment">${escapeHtml(label)}</label>`,
		`<textarea id="comment" name="comment" dir="auto"${described}>\n${escapeHtml(view.comment ?? '')}</textarea>`,
		view.commentError ? `<p class="warn" id="comment-error">${escapeHtml(view.commentError)}</p>` : '',
		view.oneTimeCode ? codeFieldHtml(view.oneTimeCode) : '',
		'<div class="buttons">',
	];
	if (decisions.includes('approve')) parts.push(`<button type="submit" class="approve" name="decision" value="approve">${escapeHtml(labels?.approve ?? 'Approve')}</button>`);
	if (decisions.includes('reject')) parts.push(`<button type="submit" class="reject" name="decision" value="reject">${escapeHtml(labels?.reject ?? 'Reject')}</button>`);
	parts.push('</div>');
	// Offered only where something can be edited; it re-renders the page and never decides.
	if (view.items.some((item) => item.fields.some((f) => f.mode === 'edit'))) {
		parts.push('<div class="buttons"><button type="submit" class="preview-changes" name="preview" value="1">Preview changes</button></div>');
	}
	parts.push('</section>');
	return parts.filter(Boolean).join('\n');
}

function technicalHtml(view: ReviewPageView): string {
	const rows: Array<[string, string]> = [];
	if (view.draftSha256) rows.push(['Draft fingerprint (SHA-256)', view.draftSha256]);
	if (view.requestId) rows.push(['Review request', view.requestId]);
	rows.push(['Times shown in', usableZone(view.timeZone)]);
	const list = rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
	return `<details class="tech"><summary>Technical details</summary><dl>${list}</dl></details>`;
}

export function renderReviewPage(view: ReviewPageView): string {
	const now = view.now ?? new Date();
	// The form holds the whole page, not just the fields: the decision bar sticks only inside its
	// parent, and must be reachable from the first screen. No action attribute: the form posts to this
	// page's own URL, query string included.
	const body: string[] = ['<form method="post" accept-charset="utf-8" autocomplete="off">'];
	// Pressing Enter submits with the form's first submit button; make that one a disabled no-op
	// so nothing but a deliberate click on Approve or Reject can decide.
	body.push('<button type="submit" name="decision" value="" disabled hidden aria-hidden="true" tabindex="-1"></button>');
	body.push(`<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">`);
	body.push(headerHtml(view, now));
	if (view.error) body.push(`<section class="card error" role="alert"><p>${escapeHtml(view.error)}</p></section>`);
	body.push(riskHtml(view));
	if (view.message) {
		body.push(`<section class="card" aria-labelledby="message-h"><h2 id="message-h">Message</h2>${plainTextHtml(view.message)}</section>`);
	}
	const changes = changesHtml(view.changes);
	if (changes) body.push(changes);
	view.items.forEach((item, i) => body.push(itemHtml(item, i)));
	// Sticks to the bottom of the screen until the decision itself scrolls into view.
	body.push('<nav class="decide-bar" aria-label="Jump to decision"><a href="#decision">Go to decision ↓</a></nav>');
	body.push(decisionHtml(view));
	body.push('</form>');
	body.push(technicalHtml(view));
	return pageShell(view.title, body.join('\n'));
}
