/**
 * The gate's SMTP connection (nodes/HitlGate/notify/smtpSocket.ts): opened by the gate with TCP_NODELAY
 * and handed to nodemailer, which must still do all it does on its own socket — plain SMTP, implicit TLS
 * (`secure`, the n8n SMTP credential's default), STARTTLS, authentication — through the transport
 * options the gate really uses (email.ts smtpOptions). Real SMTP servers (smtp-server) on loopback.
 */
import { Socket, type AddressInfo } from 'node:net';

import { createTransport } from 'nodemailer';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

import { smtpOptions } from '../../../nodes/HitlGate/notify/email';
import { connectNoDelay } from '../../../nodes/HitlGate/notify/smtpSocket';

interface Received {
	from: string;
	to: string[];
	body: string;
	secure: boolean;
	user: string | null;
}

/** A loopback SMTP server keeping what it received (smtp-server's own localhost certificate for TLS). */
async function startServer(options: Partial<SMTPServerOptions>): Promise<{ port: number; received: Received[]; stop: () => Promise<void> }> {
	const received: Received[] = [];
	const server = new SMTPServer({
		authOptional: true,
		logger: false,
		onAuth(auth, _session, callback) {
			if (auth.username === 'gate' && auth.password === 'secret') callback(null, { user: auth.username });
			else callback(new Error('Invalid username or password'));
		},
		onData(stream, session, callback) {
			let body = '';
			stream.setEncoding('utf8');
			stream.on('data', (chunk: string) => (body += chunk));
			stream.on('end', () => {
				received.push({
					from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
					to: session.envelope.rcptTo.map((r) => r.address),
					body,
					secure: session.secure,
					user: typeof session.user === 'string' ? session.user : null,
				});
				callback();
			});
		},
		...options,
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const address = server.server.address() as AddressInfo;
	return { port: address.port, received, stop: async () => await new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The sockets the gate gave TCP_NODELAY to, by the port they connect to. */
function watchNoDelay(): { ports: () => number[]; restore: () => void } {
	const sockets: Socket[] = [];
	const original = Socket.prototype.setNoDelay;
	const spy = jest.spyOn(Socket.prototype, 'setNoDelay').mockImplementation(function (this: Socket, enable?: boolean) {
		if (enable === true) sockets.push(this);
		return original.call(this, enable);
	});
	return { ports: () => sockets.map((s) => s.remotePort ?? -1), restore: () => spy.mockRestore() };
}

/** The module object smtpSocket.ts calls `connect` on (a namespace import's bindings cannot be spied on). */
const netModule = jest.requireActual<typeof import('node:net')>('node:net');

async function send(options: Record<string, unknown>, to: string): Promise<void> {
	const transport = createTransport(options);
	try {
		await transport.sendMail({ from: 'gate@hitl.test', to, subject: 'Review needed', text: 'Please review the offer.' });
	} finally {
		transport.close();
	}
}

describe("the gate's SMTP connection", () => {
	test('plain SMTP (STARTTLS off): the mail arrives whole over the socket the gate opened with TCP_NODELAY', async () => {
		const server = await startServer({ secure: false, disabledCommands: ['STARTTLS'] });
		const watch = watchNoDelay();
		try {
			const options = smtpOptions({ host: '127.0.0.1', port: server.port, secure: false, disableStartTls: true, user: 'gate', password: 'secret' });
			expect(options.getSocket).toBe(connectNoDelay);
			await send(options, 'ann@hitl.test');
			expect(watch.ports()).toContain(server.port);
		} finally {
			watch.restore();
			await server.stop();
		}
		expect(server.received).toHaveLength(1);
		expect(server.received[0]).toMatchObject({ from: 'gate@hitl.test', to: ['ann@hitl.test'], secure: false, user: 'gate' });
		expect(server.received[0].body).toContain('Please review the offer.');
	});

	test('implicit TLS (secure, port 465 style): nodemailer still wraps the gate\'s socket in TLS before it speaks', async () => {
		const server = await startServer({ secure: true });
		const watch = watchNoDelay();
		try {
			const options = smtpOptions({ host: '127.0.0.1', port: server.port, secure: true, user: 'gate', password: 'secret' });
			// smtp-server's certificate is its own localhost one: trusted for this test only.
			await send({ ...options, tls: { rejectUnauthorized: false } }, 'ben@hitl.test');
			expect(watch.ports()).toContain(server.port);
		} finally {
			watch.restore();
			await server.stop();
		}
		expect(server.received).toHaveLength(1);
		expect(server.received[0]).toMatchObject({ to: ['ben@hitl.test'], secure: true, user: 'gate' });
	});

	test('STARTTLS: the connection is upgraded on the same socket before the mail goes', async () => {
		const server = await startServer({ secure: false });
		try {
			const options = smtpOptions({ host: '127.0.0.1', port: server.port, secure: false, disableStartTls: false });
			await send({ ...options, requireTLS: true, tls: { rejectUnauthorized: false } }, 'cat@hitl.test');
		} finally {
			await server.stop();
		}
		expect(server.received).toHaveLength(1);
		expect(server.received[0]).toMatchObject({ to: ['cat@hitl.test'], secure: true, user: null });
	});

	test('wrong credentials still fail the send with the server\'s answer', async () => {
		const server = await startServer({ secure: false, disabledCommands: ['STARTTLS'] });
		try {
			const options = smtpOptions({ host: '127.0.0.1', port: server.port, secure: false, disableStartTls: true, user: 'gate', password: 'wrong' });
			await expect(send(options, 'ann@hitl.test')).rejects.toThrow(/Invalid username or password/);
		} finally {
			await server.stop();
		}
		expect(server.received).toHaveLength(0);
	});

	test('nobody listening: the send fails with the connection error naming the address', async () => {
		const probe = await startServer({ secure: false });
		const port = probe.port;
		await probe.stop();
		const options = smtpOptions({ host: '127.0.0.1', port, secure: false, disableStartTls: true });
		await expect(send(options, 'ann@hitl.test')).rejects.toThrow(`ECONNREFUSED 127.0.0.1:${port}`);
	});

	test('a connection that never completes is given up after the connection timeout, its socket destroyed', async () => {
		const hanging = new Socket();
		const connect = jest.spyOn(netModule, 'connect').mockReturnValue(hanging);
		try {
			const error = await new Promise<Error | null>((resolve) => connectNoDelay({ host: 'mail.example', port: 25, connectionTimeout: 30 }, (e) => resolve(e)));
			expect(error?.message).toBe('Connection timeout: no connection to mail.example:25 within 30 ms');
			expect((error as NodeJS.ErrnoException).code).toBe('ETIMEDOUT');
			expect(hanging.destroyed).toBe(true);
			expect(connect).toHaveBeenCalledWith({ host: 'mail.example', port: 25 });
		} finally {
			connect.mockRestore();
		}
	});

	test('defaults where the options leave them out: localhost, 465 when secure, 587 otherwise', () => {
		const seen: unknown[] = [];
		const connect = jest.spyOn(netModule, 'connect').mockImplementation(((o: unknown) => {
			seen.push(o);
			return new Socket();
		}) as typeof netModule.connect);
		try {
			connectNoDelay({ secure: true, connectionTimeout: 1 }, () => undefined);
			connectNoDelay({ port: '2525', connectionTimeout: 1 }, () => undefined);
			connectNoDelay({ connectionTimeout: 1 }, () => undefined);
		} finally {
			connect.mockRestore();
		}
		expect(seen).toEqual([{ host: 'localhost', port: 465 }, { host: 'localhost', port: 2525 }, { host: 'localhost', port: 587 }]);
	});
});
