/**
 * The one-time code's own email: the second message, sent to the same reviewer only when they ask for it
 * on the page (oneTimeCode.ts). It carries the code and nothing to click — a link in it would make the
 * second message as forwardable as the first — and says what to do if the reviewer did not ask for it.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { escapeHtml } from '../../../core/html';
import { dueText } from './content';
import { sendOneMail } from './email';

export interface CodeMail {
	to: string;
	code: string;
	expiresAt: Date;
	validitySeconds: number;
	workflowName: string | null;
	timeZone?: string;
}

function validityText(seconds: number): string {
	return seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} seconds`;
}

export function renderCodeEmail(mail: CodeMail): { subject: string; text: string; html: string } {
	// The workflow name is the builder's; one line, no control characters (it is also in the subject).
	const name = (mail.workflowName ?? '').replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ').trim().slice(0, 120);
	const about = name === '' ? 'your review' : `your review in "${name}"`;
	const until = `${dueText(mail.expiresAt, mail.timeZone)} (${validityText(mail.validitySeconds)})`;
	const warning = 'If you did not ask for a code, do not pass it on: someone else may have your review link. Tell the workflow owner.';
	const text = [
		`Your one-time code for ${about}:`,
		'',
		`Your code: ${mail.code}`,
		'',
		`Type it on the review page, then approve or reject. It is valid until ${until} and works once.`,
		'This email has no link on purpose.',
		'',
		warning,
	].join('\n');
	const html = [
		'<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1d2330">',
		`<p>Your one-time code for ${escapeHtml(about)}:</p>`,
		`<p style="font:700 28px/1.2 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.15em">${escapeHtml(mail.code)}</p>`,
		`<p>Type it on the review page, then approve or reject. It is valid until ${escapeHtml(until)} and works once. This email has no link on purpose.</p>`,
		`<p style="color:#4a5262">${escapeHtml(warning)}</p>`,
		'</body></html>',
	].join('\n');
	return { subject: 'Your one-time code for the review', text, html };
}

export async function sendCodeEmail(smtp: ICredentialDataDecryptedObject, from: string, mail: CodeMail): Promise<void> {
	await sendOneMail(smtp, { from, to: mail.to, ...renderCodeEmail(mail) });
}
