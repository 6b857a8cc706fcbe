/**
 * HTML of the demo's web inbox: the mail list and one mail. Every value comes from a mail — and the
 * mails carry model output and reviewer input — so every value is escaped, links are only ever
 * http(s), and a mail's HTML part is shown only inside a sandboxed iframe (no scripts, no forms, no
 * access to this page) under a policy that also blocks remote content. Pure functions, so the escaping
 * is tested without a server.
 */
import type { CapturedMail } from '../../test/harness/smtpCapture';

/** Sent with every inbox page. An srcdoc iframe inherits it, so it also binds the mail's own HTML. */
export const INBOX_CSP = [
	"default-src 'none'",
	"style-src 'unsafe-inline'",
	'img-src data:',
	"frame-src 'self'",
	"form-action 'none'",
	"frame-ancestors 'none'",
].join('; ');

export function escapeHtml(value: unknown): string {
	return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const URL_PATTERN = /https?:\/\/[^\s<>"')\]]+/g;

/** An anchor that opens `url` in a new tab, or just the escaped text when it is not an http(s) URL. */
function linkTo(url: string, text = url): string {
	if (!/^https?:\/\//i.test(url)) return escapeHtml(text);
	return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

/** Plain text with its http(s) URLs made clickable; everything else escaped. */
export function linkifiedText(text: string): string {
	let out = '';
	let last = 0;
	for (const match of text.matchAll(URL_PATTERN)) {
		const at = match.index ?? 0;
		out += escapeHtml(text.slice(last, at)) + linkTo(match[0]);
		last = at + match[0].length;
	}
	return out + escapeHtml(text.slice(last));
}

function recipients(mail: CapturedMail): string {
	return (mail.to.length > 0 ? mail.to : mail.envelope.to).join(', ');
}

function shownTime(iso: string): string {
	return `${iso.replace('T', ' ').slice(0, 19)} UTC`;
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:960px;padding:1rem;color:#1d1d1f}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{font-size:13px;color:#555}td.time{white-space:nowrap;color:#555;font-size:13px}a{color:#0b57d0}
iframe{width:100%;min-height:520px;border:1px solid #ccc;border-radius:6px;background:#fff}
ul a{word-break:break-all}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.75rem;border-radius:6px}
.meta td:first-child{color:#555;width:6rem}.hint{color:#555;font-size:13px}`;

function page(title: string, body: string, refreshSeconds?: number): string {
	const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${refresh}<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** The mail list, newest first. Refreshes itself every few seconds so new mail shows up. */
export function listPage(mails: CapturedMail[]): string {
	const rows = mails
		.map(
			(mail) =>
				`<tr><td class="time">${escapeHtml(shownTime(mail.receivedAt))}</td><td>${escapeHtml(recipients(mail))}</td>` +
				`<td><a href="/mail/${encodeURIComponent(mail.id)}">${escapeHtml(mail.subject || '(no subject)')}</a></td></tr>`,
		)
		.join('');
	const table = mails.length
		? `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>`
		: '<p>No mail yet. Send sample items with <code>npm run demo:send</code>; the review request arrives here.</p>';
	return page(
		'Local inbox',
		`<h1>Local inbox</h1><p class="hint">Every mail sent to the demo's SMTP server, newest first (${mails.length}). This page refreshes every 5 s.</p>${table}`,
		5,
	);
}

/** One mail: headers, its links, the HTML part in a sandboxed frame, and the text part. */
export function mailPage(mail: CapturedMail, links: string[]): string {
	// Links in the HTML part open in a new tab: the review page refuses to be framed.
	const srcdoc = mail.html ? `<base target="_blank">${mail.html}` : '';
	const linkList = links.length
		? `<h2>Links in this mail</h2><ul>${links.map((link) => `<li>${linkTo(link)}</li>`).join('')}</ul>`
		: '';
	const htmlPart = srcdoc
		? `<h2>HTML part</h2><iframe title="HTML part of the mail" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" srcdoc="${escapeHtml(srcdoc)}"></iframe>`
		: '';
	const textPart = mail.text ? `<h2>Text part</h2><pre>${linkifiedText(mail.text)}</pre>` : '';
	return page(
		mail.subject || '(no subject)',
		`<p><a href="/">← Inbox</a></p><h1>${escapeHtml(mail.subject || '(no subject)')}</h1>` +
			`<table class="meta"><tr><td>From</td><td>${escapeHtml(mail.from)}</td></tr><tr><td>To</td><td>${escapeHtml(recipients(mail))}</td></tr>` +
			`<tr><td>Received</td><td>${escapeHtml(shownTime(mail.receivedAt))}</td></tr></table>${linkList}${htmlPart}${textPart}`,
	);
}

export function notFoundPage(): string {
	return page('Not found', '<p><a href="/">← Inbox</a></p><h1>Not found</h1><p>No such mail in this inbox.</p>');
}
