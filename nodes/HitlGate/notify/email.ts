/**
 * Review emails: one per reviewer, HTML plus a plain-text alternative with the same content — the
 * builder's message, the deadline, and per review request a short summary (tier and reasons in plain
 * words, the labelled fields the builder chose, never internal annotations or raw JSON) and one
 * button with the reviewer's personal link. The summary is built once (summary.ts) and rendered by
 * emailHtml.ts and emailText.ts; this file adds the subject and the sending.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { createTransport } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';

import type { GatePayload } from '../types';
import { dueText, isNoDeadline, type NotifyEntry } from './content';
import { renderEmailHtml } from './emailHtml';
import { renderEmailText } from './emailText';
import { connectNoDelay } from './smtpSocket';
import { MAX_ITEMS_IN_MESSAGE, summarize, summarizeCompact, type EntrySummary } from './summary';

export interface ReviewerMail {
	to: string;
	subject: string;
	message: string;
	entries: NotifyEntry[];
	/** Everyone else who may decide the same items (the page says it too). */
	alsoAsked?: string[];
}

/** Header values must not carry line breaks or control characters (header injection through an expression). */
function oneLine(text: string): string {
	return text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ').trim().slice(0, 250);
}

const FOOTER =
	'This link is personal: it records your name with the decision. Opening it decides nothing; you decide on the page.';
const SAMPLE_FOOTER =
	'This link is personal: it records your name with your verdict. Opening it records nothing but your view; you give your verdict on the page.';

/**
 * Entry summaries of one sending, by payload and items: every reviewer of a run gets the same entries
 * and only the links differ, so a 1,000-item run summarises each entry once, not once per reviewer.
 */
export type SummaryCache = Map<GatePayload, Map<string, EntrySummary>>;

function summaryOf(entry: NotifyEntry, cache: SummaryCache | undefined): EntrySummary {
	if (!cache) return summarize(entry);
	let byItems = cache.get(entry.payload);
	if (!byItems) {
		byItems = new Map();
		cache.set(entry.payload, byItems);
	}
	const items = entry.link.itemIndexes.join(',');
	const known = byItems.get(items);
	if (known) return { ...known, url: entry.link.url };
	const made = summarize(entry);
	byItems.set(items, made);
	return made;
}

export function renderReviewEmail(
	mail: ReviewerMail,
	deadline: Date,
	workflowName: string,
	summaries?: SummaryCache,
): { subject: string; text: string; html: string } {
	const subject = oneLine(mail.subject) || 'Review needed';
	// Sample review: the items already went on; the mail must not say that a decision is awaited.
	const sampleReview = mail.entries[0]?.payload.mode === 'sample';
	const content = {
		...(sampleReview ? { sampleReview } : {}),
		title: subject,
		message: mail.message,
		workflowName,
		due: dueText(deadline, mail.entries[0]?.payload.timeZone),
		noDeadline: isNoDeadline(deadline),
		alsoAsked: mail.alsoAsked ?? [],
		footer: sampleReview ? SAMPLE_FOOTER : FOOTER,
		// A long mail (per-item mode, a run of hundreds) lists its entries past the first ones compactly.
		entries: mail.entries.map((entry, i) => (i < MAX_ITEMS_IN_MESSAGE ? summaryOf(entry, summaries) : summarizeCompact(entry))),
	};
	return {
		subject,
		text: renderEmailText(content),
		html: renderEmailHtml(content),
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
	// Our own connection, with TCP_NODELAY: about 40 ms less a mail (smtpSocket.ts).
	options.getSocket = connectNoDelay;
	return options;
}

/**
 * A mail listing many items (a run of hundreds) is sent base64-encoded: nodemailer's quoted-printable
 * encoder took about a second for a 200-item mail (scripts/bench hold), base64 is native. Small mails keep
 * quoted-printable, which stays readable in a raw source view.
 */
const LARGE_MAIL_CHARS = 64 * 1024;
function largeMailEncoding(rendered: { text: string; html: string }): { textEncoding?: 'base64' } {
	return rendered.text.length + rendered.html.length > LARGE_MAIL_CHARS ? { textEncoding: 'base64' } : {};
}

export async function sendReviewEmails(
	smtp: ICredentialDataDecryptedObject,
	from: string,
	mails: ReviewerMail[],
	deadline: Date,
	workflowName: string,
): Promise<void> {
	const summaries: SummaryCache = new Map();
	const rendered = mails.map((mail) => renderReviewEmail(mail, deadline, workflowName, summaries));
	// One connection for all the run's mails, still sent one after the other (a failure stops the rest, as
	// before): a new connection per mail cost about 300 ms each in the hold bench (two small mails: 590 ms
	// on two connections, 280 ms on one).
	// maxRequeues 0: a connection that drops mid-message fails that mail, as a plain transport does (the
	// pool's default re-sends it without limit: a duplicate mail, or a run that never finishes).
	// File and URL access off: nothing in a mail may make nodemailer read local files or fetch URLs.
	// (maxRequeues is missing from @types/nodemailer's pool options; nodemailer 7 reads it.)
	const withRequeues = { ...smtpOptions(smtp), pool: true as const, maxConnections: 1, maxRequeues: 0 };
	const pooled: SMTPPool.Options = withRequeues;
	const transport = createTransport(pooled, { pool: true, disableFileAccess: true, disableUrlAccess: true });
	try {
		for (const [i, mail] of mails.entries()) {
			await transport.sendMail({ from, to: mail.to, ...rendered[i], ...largeMailEncoding(rendered[i]) });
		}
	} finally {
		transport.close();
	}
}

/** One prepared message through the same transport settings (the one-time code's mail: codeEmail.ts). */
export async function sendOneMail(smtp: ICredentialDataDecryptedObject, message: { from: string; to: string; subject: string; text: string; html: string }): Promise<void> {
	const transport = createTransport(smtpOptions(smtp), { disableFileAccess: true, disableUrlAccess: true });
	try {
		await transport.sendMail(message);
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
