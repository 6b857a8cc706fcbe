/**
 * The TCP connection the gate's mails go out on, opened with Nagle's algorithm off (TCP_NODELAY).
 *
 * Why: nodemailer writes a message in several pieces and then waits for the server's answer. With
 * Nagle on, the last small piece waits until the server acknowledges the ones before it, and a server
 * that has nothing to say until the message ends delays that acknowledgement (about 40 ms). Measured
 * against a local smtp-server: 45 ms → 3 ms for each mail after the first on one connection, 150 →
 * 106 ms for the first (most of that the server's own 100 ms greeting pause). nodemailer has no option
 * for it; its `getSocket` hook takes a connected socket, on which nodemailer then does everything it
 * does on its own — implicit TLS (`secure`), STARTTLS, greeting, authentication, timeouts.
 *
 * The connection is opened by Node (`net.connect`: the system resolver, as every other Node client),
 * not by nodemailer's resolver, and is given up after nodemailer's connection timeout.
 */
import { connect, type Socket } from 'node:net';

/** What nodemailer passes to getSocket: its transport options (smtpOptions in email.ts). */
export interface SocketRequest {
	host?: unknown;
	port?: unknown;
	secure?: unknown;
	connectionTimeout?: unknown;
}

type SocketCallback = (error: Error | null, socketOptions?: { connection: Socket }) => void;

/** nodemailer's defaults where the options leave them out. */
const DEFAULT_TIMEOUT_MS = 2 * 60 * 1000;
const portOf = (o: SocketRequest): number => (typeof o.port === 'number' && o.port > 0 ? o.port : Number(o.port) > 0 ? Number(o.port) : o.secure ? 465 : 587);
const hostOf = (o: SocketRequest): string => (typeof o.host === 'string' && o.host !== '' ? o.host : 'localhost');

/** nodemailer's `getSocket`: a connected socket with TCP_NODELAY, or the connection's error. */
export function connectNoDelay(options: SocketRequest, callback: SocketCallback): void {
	const host = hostOf(options);
	const port = portOf(options);
	const timeoutMs = typeof options.connectionTimeout === 'number' && options.connectionTimeout > 0 ? options.connectionTimeout : DEFAULT_TIMEOUT_MS;
	const socket = connect({ host, port });
	socket.setNoDelay(true);
	// The socket's own inactivity timer (no global timer): nothing happens on it until it connects.
	socket.setTimeout(timeoutMs);
	let settled = false;
	const settle = (error: Error | null) => {
		if (settled) return;
		settled = true;
		socket.removeListener('error', settle);
		socket.removeListener('timeout', onTimeout);
		// Handed over without a timer: nodemailer arms its own once it has the socket.
		socket.setTimeout(0);
		if (error) {
			socket.destroy();
			callback(error);
		} else callback(null, { connection: socket });
	};
	const onTimeout = () => settle(Object.assign(new Error(`Connection timeout: no connection to ${host}:${port} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
	socket.once('error', settle);
	socket.once('timeout', onTimeout);
	socket.once('connect', () => settle(null));
}
