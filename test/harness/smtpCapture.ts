/**
 * A loopback SMTP server that captures every message (as n8n or a node sends it) into a folder,
 * one JSON file per message, so test files in other jest worker processes can read the mail.
 * globalSetup starts it; tests use `waitForMail` with the `mailDir` from the connection info.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

import { pollUntil } from './net';

export interface CapturedMail {
	/** File name stem; increases with arrival order. */
	id: string;
	receivedAt: string;
	envelope: { from: string; to: string[] };
	from: string;
	/** Lower-cased addresses of the To header. */
	to: string[];
	subject: string;
	text: string;
	html: string;
	headers: Record<string, string>;
	/** The message exactly as received (RFC 5322 source). */
	raw: string;
}

export interface SmtpCapture {
	host: string;
	port: number;
	mailDir: string;
	stop(): Promise<void>;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
	const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
	return list.flatMap((entry) => entry.value.map((mailbox) => (mailbox.address ?? '').toLowerCase())).filter(Boolean);
}

export interface CaptureOptions {
	/**
	 * false: each message is kept only as it arrived, `<id>.eml`, and acknowledged as soon as it is on
	 * disk, as a mail server acknowledges a message once it is queued. For benchmarks (scripts/bench hold):
	 * parsing a 2 MB message (about 125–230 ms here) before answering made the sender wait for the test
	 * sink's own work. Tests keep the default (true): they read the parsed `<id>.json`.
	 */
	parse?: boolean;
}

/**
 * Starts the capture server on 127.0.0.1 (port 0 = any free port). It accepts any sender,
 * recipient and AUTH credentials and offers no STARTTLS, so a plain SMTP client (nodemailer with
 * `secure: false`) delivers without certificates.
 */
export async function startSmtpCapture(mailDir: string, port = 0, options: CaptureOptions = {}): Promise<SmtpCapture> {
	const parse = options.parse ?? true;
	mkdirSync(mailDir, { recursive: true });
	let sequence = 0;
	const server = new SMTPServer({
		secure: false,
		authOptional: true,
		disabledCommands: ['STARTTLS'],
		logger: false,
		size: 10 * 1024 * 1024,
		onAuth(_auth, _session, callback) {
			callback(null, { user: 'test' });
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('error', (error) => callback(error));
			stream.on('end', () => {
				const raw = Buffer.concat(chunks);
				if (!parse) {
					sequence += 1;
					const file = path.join(mailDir, `${Date.now()}-${String(sequence).padStart(6, '0')}.eml`);
					writeFileSync(`${file}.tmp`, raw);
					renameSync(`${file}.tmp`, file);
					callback();
					return;
				}
				simpleParser(raw)
					.then((parsed) => {
						sequence += 1;
						const id = `${Date.now()}-${String(sequence).padStart(6, '0')}`;
						const headers: Record<string, string> = {};
						for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
						const mail: CapturedMail = {
							id,
							receivedAt: new Date().toISOString(),
							envelope: {
								from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
								to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
							},
							from: parsed.from?.text ?? '',
							to: addresses(parsed.to),
							subject: parsed.subject ?? '',
							text: parsed.text ?? '',
							html: typeof parsed.html === 'string' ? parsed.html : '',
							headers,
							raw: raw.toString('utf8'),
						};
						// Write-then-rename: a reader in another process never sees half a message.
						const file = path.join(mailDir, `${id}.json`);
						writeFileSync(`${file}.tmp`, JSON.stringify(mail, null, 2));
						renameSync(`${file}.tmp`, file);
						callback();
					})
					.catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
			});
		},
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	const address = server.server.address();
	const boundPort = typeof address === 'object' && address ? address.port : port;
	return {
		host: '127.0.0.1',
		port: boundPort,
		mailDir,
		stop: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/** Every captured message so far, oldest first. */
export function listMail(mailDir: string): CapturedMail[] {
	if (!existsSync(mailDir)) return [];
	return readdirSync(mailDir)
		.filter((name) => name.endsWith('.json'))
		.sort()
		.map((name) => JSON.parse(readFileSync(path.join(mailDir, name), 'utf8')) as CapturedMail);
}

export interface MailQuery {
	/** Matches the To header or the envelope recipients (case-insensitive). */
	to?: string;
	subjectContains?: string;
	/** Only messages received after this message id (e.g. the last one a test already read). */
	afterId?: string;
}

function matches(mail: CapturedMail, query: MailQuery): boolean {
	if (query.to) {
		const wanted = query.to.toLowerCase();
		if (!mail.to.includes(wanted) && !mail.envelope.to.includes(wanted)) return false;
	}
	if (query.subjectContains && !mail.subject.includes(query.subjectContains)) return false;
	if (query.afterId && mail.id <= query.afterId) return false;
	return true;
}

/** Captured messages matching the query, oldest first. */
export function findMail(mailDir: string, query: MailQuery): CapturedMail[] {
	return listMail(mailDir).filter((mail) => matches(mail, query));
}

/**
 * Waits until `count` (default 1) messages match and returns them, oldest first. Use a unique
 * recipient per test, since all test files share one capture folder.
 */
export async function waitForMail(
	mailDir: string,
	query: MailQuery & { timeoutMs?: number; count?: number },
): Promise<CapturedMail[]> {
	const count = query.count ?? 1;
	return await pollUntil(
		async () => {
			const found = findMail(mailDir, query);
			return found.length >= count ? found : undefined;
		},
		{
			timeoutMs: query.timeoutMs ?? 30_000,
			intervalMs: 200,
			describe: () => {
				const all = listMail(mailDir);
				const seen = all.map((mail) => `${mail.to.join(',')} "${mail.subject}"`).slice(-10);
				return `no ${count} mail(s) matching ${JSON.stringify(query)}; last received: ${JSON.stringify(seen)}`;
			},
		},
	);
}

/**
 * The links in a captured mail: `href`s of the HTML part (entities decoded) and bare http(s)
 * URLs of the text part, de-duplicated, in order of appearance.
 */
export function extractLinks(mail: CapturedMail): string[] {
	const decode = (value: string): string =>
		value
			.replace(/&amp;/g, '&')
			.replace(/&quot;/g, '"')
			.replace(/&#39;|&#x27;/g, "'")
			.replace(/&lt;/g, '<')
			.replace(/&gt;/g, '>');
	const links: string[] = [];
	for (const match of mail.html.matchAll(/href\s*=\s*"([^"]*)"|href\s*=\s*'([^']*)'/gi)) {
		links.push(decode(match[1] ?? match[2] ?? ''));
	}
	for (const match of mail.text.matchAll(/https?:\/\/[^\s<>"')\]]+/g)) links.push(match[0]);
	return [...new Set(links.filter((link) => /^https?:\/\//.test(link)))];
}
