/**
 * The demo's web inbox: a small loopback HTTP server over the folder the SMTP capture writes, so a
 * review link mailed by the gate can be clicked in a browser on the same machine. Read-only: GET and
 * HEAD only, mail ids checked against their exact shape before a file is touched (no path traversal),
 * and every page sent with a strict content policy (see inboxPages.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { extractLinks, listMail, type CapturedMail } from '../../test/harness/smtpCapture';
import { INBOX_CSP, listPage, mailPage, notFoundPage } from './inboxPages';

export interface RunningInbox {
	url: string;
	port: number;
	stop(): Promise<void>;
}

/** The shape of a capture file name stem: `<ms since epoch>-<6-digit sequence>`. */
const MAIL_ID = /^\d{10,16}-\d{6}$/;
const LIST_LIMIT = 200;

function send(res: ServerResponse, status: number, html: string, head: boolean): void {
	res.writeHead(status, {
		'content-type': 'text/html; charset=utf-8',
		'content-security-policy': INBOX_CSP,
		'x-content-type-options': 'nosniff',
		'referrer-policy': 'no-referrer',
		'cache-control': 'no-store',
		'x-frame-options': 'DENY',
	});
	res.end(head ? undefined : html);
}

function readMail(mailDir: string, id: string): CapturedMail | undefined {
	if (!MAIL_ID.test(id)) return undefined;
	const file = path.join(mailDir, `${id}.json`);
	return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CapturedMail) : undefined;
}

function handle(mailDir: string, req: IncomingMessage, res: ServerResponse): void {
	const head = req.method === 'HEAD';
	if (req.method !== 'GET' && !head) {
		res.writeHead(405, { allow: 'GET, HEAD' }).end();
		return;
	}
	const { pathname } = new URL(req.url ?? '/', 'http://inbox.invalid');
	if (pathname === '/') {
		send(res, 200, listPage(listMail(mailDir).reverse().slice(0, LIST_LIMIT)), head);
		return;
	}
	const match = /^\/mail\/([^/]+)$/.exec(pathname);
	const mail = match ? readMail(mailDir, match[1]) : undefined;
	if (!mail) {
		send(res, 404, notFoundPage(), head);
		return;
	}
	send(res, 200, mailPage(mail, extractLinks(mail)), head);
}

export async function startInbox(options: { mailDir: string; host: string; port: number }): Promise<RunningInbox> {
	const server = createServer((req, res) => {
		try {
			handle(options.mailDir, req, res);
		} catch (error) {
			res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`inbox error: ${String(error)}`);
		}
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen({ host: options.host, port: options.port, exclusive: true }, () => resolve());
	});
	return {
		url: `http://${options.host}:${options.port}/`,
		port: options.port,
		stop: async () => {
			// Browsers keep connections open; close them too, or the port stays in use until they time out.
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
