/**
 * Review emails: one per reviewer, HTML plus a plain-text alternative, with every item's summary,
 * tier, reasons and the reviewer's personal link. Everything from the item is escaped: it may be
 * model output. In the plain text, item text (values, field names, reasons, the message) is indented
 * and quoted, so only the mail's own lines (item heading, "Risk tier:", "Review and decide:") stand
 * at column 0: a value cannot print a fake item with a fake link above the real one.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { createTransport } from 'nodemailer';

import { escapeHtml, escapeHtmlVisible } from '../../../core/html';
import { entryTitle, plainInline, plainQuoted, summaryLines, tierLabel, type NotifyEntry } from './content';

export interface ReviewerMail {
	to: string;
	subject: string;
	message: string;
	entries: NotifyEntry[];
}

/** Header values must not carry line breaks or control characters (header injection through an expression). */
function oneLine(text: string): string {
	return text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ').trim().slice(0, 250);
}

/** Plain-text indents: item text always sits deeper than the mail's own lines, behind a quote mark. */
const MESSAGE_QUOTE = '  > ';
const SECTION_INDENT = '  ';
const FIELD_INDENT = '    ';
const VALUE_QUOTE = '      | ';

export function renderReviewEmail(
	mail: ReviewerMail,
	deadline: Date,
	workflowName: string,
): { subject: string; text: string; html: string } {
	const due = deadline.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
	const text: string[] = [];
	const html: string[] = [];
	const message = mail.message.trim();
	if (message !== '') {
		text.push(...plainQuoted(message, MESSAGE_QUOTE), '');
		html.push(`<p>${escapeHtmlVisible(message).replace(/\n/g, '<br>')}</p>`);
	}
	text.push(`Workflow: ${plainInline(workflowName)}`, `Decide before: ${due} (after that nothing is approved)`, '');
	html.push(
		`<p>Workflow: <b>${escapeHtml(workflowName)}</b><br>Decide before: <b>${escapeHtml(due)}</b> (after that nothing is approved)</p>`,
	);
	for (const entry of mail.entries) {
		const p = entry.payload;
		const title = entryTitle(entry);
		// Fixed places: heading, then the tier right below it; the link is the entry's last line.
		text.push(`== ${title} ==`, `Risk tier: ${plainInline(tierLabel(p.tier))}`);
		html.push(`<h3 style="margin:16px 0 4px">${escapeHtml(title)}</h3>`);
		html.push(`<p style="margin:0 0 4px">Risk tier: <b>${escapeHtml(tierLabel(p.tier))}</b></p>`);
		if (p.tierReasons.length > 0) {
			text.push(`${SECTION_INDENT}Reasons:`, ...p.tierReasons.map((r) => `${FIELD_INDENT}- ${plainInline(r)}`));
			html.push(`<ul>${p.tierReasons.map((r) => `<li>${escapeHtmlVisible(r)}</li>`).join('')}</ul>`);
		}
		const lines = summaryLines(p);
		const multi = p.items.length > 1;
		text.push(`${SECTION_INDENT}Draft:`);
		for (const l of lines) {
			text.push(`${FIELD_INDENT}${multi ? `[${l.item + 1}] ` : ''}${plainInline(l.field)}:`, ...plainQuoted(l.value, VALUE_QUOTE));
		}
		html.push(
			'<table style="border-collapse:collapse">' +
				lines
					.map(
						(l) =>
							`<tr><td style="padding:2px 8px;vertical-align:top;color:#555">${multi ? `[${l.item + 1}] ` : ''}${escapeHtmlVisible(l.field)}</td>` +
							`<td style="padding:2px 8px;white-space:pre-wrap">${escapeHtmlVisible(l.value)}</td></tr>`,
					)
					.join('') +
				'</table>',
		);
		text.push(`Review and decide: ${entry.link.url}`, '');
		html.push(`<p><a href="${escapeHtml(entry.link.url)}">Open the review page</a></p>`);
	}
	const footer =
		'This link is personal: it records your name with the decision. Opening it decides nothing; you decide on the page.';
	text.push(footer);
	html.push(`<p style="color:#555;font-size:12px">${escapeHtml(footer)}</p>`);
	return {
		subject: oneLine(mail.subject) || 'Review needed',
		text: text.join('\n'),
		html: `<!doctype html><html><body style="font-family:sans-serif;max-width:680px">${html.join('\n')}</body></html>`,
	};
}

/** Transport options from n8n's own SMTP credential (same fields n8n's Send Email node reads). */
export function smtpOptions(c: ICredentialDataDecryptedObject): Record<string, unknown> {
	const options: Record<string, unknown> = {
		host: c.host,
		port: c.port,
		secure: c.secure,
		connectionTimeout: 15_000,
		greetingTimeout: 15_000,
		socketTimeout: 30_000,
	};
	if (c.secure === false) options.ignoreTLS = c.disableStartTls;
	if (typeof c.hostName === 'string' && c.hostName !== '') options.name = c.hostName;
	if (c.user || c.password) options.auth = { user: c.user, pass: c.password };
	return options;
}

export async function sendReviewEmails(
	smtp: ICredentialDataDecryptedObject,
	from: string,
	mails: ReviewerMail[],
	deadline: Date,
	workflowName: string,
): Promise<void> {
	// File and URL access off: nothing in a mail may make nodemailer read local files or fetch URLs.
	const transport = createTransport(smtpOptions(smtp), { disableFileAccess: true, disableUrlAccess: true });
	try {
		for (const mail of mails) {
			const rendered = renderReviewEmail(mail, deadline, workflowName);
			await transport.sendMail({ from, to: mail.to, ...rendered });
		}
	} finally {
		transport.close();
	}
}

/** Credential test: connects and authenticates without sending anything. */
export async function testSmtpConnection(
	smtp: ICredentialDataDecryptedObject,
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const transport = createTransport(smtpOptions(smtp), { disableFileAccess: true, disableUrlAccess: true });
	try {
		await transport.verify();
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	} finally {
		transport.close();
	}
}
