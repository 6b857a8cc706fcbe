/**
 * The review email's HTML part, made for a phone first: one column inside a container of at most
 * 600 px, no fixed widths, long words and links wrapping, and one big button per review request.
 * Mail clients strip <style> and <head>, so every rule is an inline style; the button is the
 * "bulletproof" kind (a table cell with a background colour holding a padded link), which renders as
 * a button even where CSS on links is ignored. Everything from the item goes through
 * escapeHtml/escapeHtmlVisible: drafts are model output. The only links are the reviewer's own.
 */
import { escapeHtml, escapeHtmlVisible } from '../../../core/html';
import type { Tier } from '../../../core/tiers';
import { compactEntriesText, moreItemsText, type EntrySummary, type SummaryItem } from './summary';

export interface HtmlMail {
	/** The document title (the subject): what a screen reader announces for the mail's HTML document. */
	title: string;
	message: string;
	workflowName: string;
	due: string;
	/** The run has no deadline: the mail says the review stays open. */
	noDeadline?: boolean;
	/** Sample review: the items already went on; a verdict is asked for, not a decision. */
	sampleReview?: boolean;
	alsoAsked?: string[];
	footer: string;
	entries: EntrySummary[];
}

/** Colours with at least 4.5:1 contrast against their text (white on the badges and the button). */
const COLOR = {
	text: '#1f2328',
	muted: '#57606a',
	rule: '#d0d7de',
	page: '#f6f8fa',
	button: '#0b57d0',
};
const TIER_COLOR: Readonly<Record<Tier, string>> = { high: '#b42318', medium: '#8a5a00', low: '#1a7f37' };
const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
/** Long words, links and hashes break instead of widening the mail past a phone's screen. */
const WRAP = 'overflow-wrap:anywhere;word-wrap:break-word;word-break:break-word';

function tierHtml(e: EntrySummary): string {
	const bg = e.tier === null ? COLOR.muted : TIER_COLOR[e.tier];
	const badge =
		`<span style="display:inline-block;padding:2px 8px;border-radius:4px;background-color:${bg};color:#ffffff;` +
		`font-weight:bold;font-size:14px;line-height:20px">${escapeHtml(e.tierWords.short)}</span>`;
	const explain = e.tierWords.explain.charAt(0).toUpperCase() + e.tierWords.explain.slice(1);
	let html = `<p style="margin:0 0 8px">${badge} ${escapeHtml(explain)}</p>`;
	if (e.reasons.length > 0) {
		html +=
			'<p style="margin:12px 0 4px;font-weight:bold">Why it needs review</p>' +
			`<ul style="margin:0 0 12px;padding-left:20px">${e.reasons.map((r) => `<li style="margin:0 0 4px">${escapeHtmlVisible(r)}</li>`).join('')}</ul>`;
	}
	return html;
}

/** Labelled fields stacked (label above value), so a value gets the full width of a phone. */
function fieldsHtml(items: SummaryItem[]): string {
	const rows: string[] = [];
	for (const item of items) {
		if (item.heading !== null) {
			rows.push(`<tr><td style="padding:16px 0 4px;font-weight:bold;font-size:16px">${escapeHtml(item.heading)}</td></tr>`);
		}
		for (const f of item.fields) {
			rows.push(
				`<tr><td style="padding:10px 0 2px;font-size:14px;font-weight:bold;color:${COLOR.muted};${WRAP}">${escapeHtmlVisible(f.label)}</td></tr>`,
				// pre-wrap keeps the value's own line breaks (paragraphs of a body) and still wraps long lines.
				`<tr><td style="padding:0 0 10px;border-bottom:1px solid ${COLOR.rule};white-space:pre-wrap;${WRAP}">${escapeHtmlVisible(f.text)}</td></tr>`,
			);
		}
	}
	if (rows.length === 0) return '';
	return `<table style="width:100%;border-collapse:collapse;table-layout:fixed;margin:8px 0">${rows.join('')}</table>`;
}

/**
 * The button: background on the cell and on the link, padding on the link (14 + 20 + 14 px plus the
 * border: 50 px tall), white on #0b57d0 (6.4:1). The link text names the item, so a screen reader's
 * list of links says which button is which.
 */
function buttonHtml(e: EntrySummary): string {
	const url = escapeHtml(e.url);
	return (
		'<table style="border-collapse:separate;margin:16px 0 8px">' +
		`<tr><td style="background-color:${COLOR.button};border-radius:6px;text-align:center">` +
		`<a href="${url}" style="display:inline-block;padding:14px 24px;border:1px solid ${COLOR.button};border-radius:6px;` +
		`background-color:${COLOR.button};color:#ffffff;font-family:${FONT};font-size:16px;line-height:20px;font-weight:bold;` +
		`text-decoration:none">${escapeHtml(e.action)}</a></td></tr></table>` +
		// The link as text too, for clients that drop the button; copied, not clicked, so not a second link.
		`<p style="margin:0 0 8px;font-size:13px;line-height:18px;color:${COLOR.muted}">Button not working? Copy this link into your browser:<br>` +
		// break-all on the link alone: it has no spaces to wrap at, the sentence before it has.
		`<span style="word-break:break-all;overflow-wrap:anywhere">${url}</span></p>`
	);
}

/** An entry past a long mail's first ones: its name, tier and link, on one line. */
function compactEntryHtml(e: EntrySummary): string {
	return (
		`<p style="margin:0;padding:10px 0;border-bottom:1px solid ${COLOR.rule}"><b>${escapeHtml(e.title)}</b> · ${escapeHtml(e.tierWords.short)}<br>` +
		`<a href="${escapeHtml(e.url)}" style="color:${COLOR.button};font-weight:bold">${escapeHtml(e.action)}</a></p>`
	);
}

function entryHtml(e: EntrySummary): string {
	if (e.compact === true) return compactEntryHtml(e);
	return (
		`<h3 style="margin:24px 0 8px;padding-top:16px;border-top:1px solid ${COLOR.rule};font-size:18px;line-height:24px">${escapeHtml(e.title)}</h3>` +
		tierHtml(e) +
		fieldsHtml(e.items) +
		(e.moreItems > 0 ? `<p style="margin:8px 0;font-weight:bold">${escapeHtml(moreItemsText(e.moreItems))}</p>` : '') +
		buttonHtml(e)
	);
}

export function renderEmailHtml(mail: HtmlMail): string {
	const body: string[] = [];
	const message = mail.message.trim();
	if (message !== '') body.push(`<p style="margin:0 0 16px">${escapeHtmlVisible(message).replace(/\n/g, '<br>')}</p>`);
	const due = mail.sampleReview === true
		? `Sample review: <b>already sent on</b>. ${mail.noDeadline === true ? 'The review stays open until you give your verdict' : `Give your verdict before: <b>${escapeHtml(mail.due)}</b> (after that it counts as not reviewed)`}`
		: mail.noDeadline === true
		? 'No deadline: the review stays open until it is decided'
		: `Decide before: <b>${escapeHtml(mail.due)}</b> (after that nothing is approved)`;
	const others = (mail.alsoAsked ?? []).length > 0 ? `<br>Also asked: ${escapeHtml((mail.alsoAsked ?? []).join(', '))}` : '';
	body.push(`<p style="margin:0 0 8px">Workflow: <b>${escapeHtml(mail.workflowName)}</b><br>${due}${others}</p>`);
	const compactFrom = mail.entries.findIndex((e) => e.compact === true);
	mail.entries.forEach((e, i) => {
		if (i === compactFrom) body.push(`<p style="margin:24px 0 8px;padding-top:16px;border-top:1px solid ${COLOR.rule};font-weight:bold">${escapeHtml(compactEntriesText(mail.entries.length - i))}</p>`);
		body.push(entryHtml(e));
	});
	body.push(`<p style="margin:24px 0 0;font-size:13px;line-height:18px;color:${COLOR.muted}">${escapeHtml(mail.footer)}</p>`);
	// An outer full-width table for the background, an inner one capped at 600 px: the width cap that
	// survives clients which ignore max-width on <body> (most webmail replaces the body element). `lang`
	// is on the content cell too, for the same clients (screen readers pick the voice from it).
	return (
		`<!doctype html><html lang="en"><head><title>${escapeHtml(mail.title)}</title></head><body style="margin:0;padding:0;background-color:${COLOR.page}">` +
		`<table style="width:100%;border-collapse:collapse;background-color:${COLOR.page}"><tr><td style="padding:16px 8px">` +
		`<table style="width:100%;max-width:600px;margin:0 auto;border-collapse:separate;table-layout:fixed;background-color:#ffffff;` +
		`border:1px solid ${COLOR.rule};border-radius:8px"><tr><td lang="en" style="padding:20px 16px;font-family:${FONT};font-size:16px;` +
		`line-height:24px;color:${COLOR.text};${WRAP}">\n${body.join('\n')}\n</td></tr></table></td></tr></table></body></html>`
	);
}
