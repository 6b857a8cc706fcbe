/**
 * The hold benchmark's SMTP sink in raw mode (test/harness/smtpCapture.ts `parse: false`): it answers
 * the sender once the message is on disk, keeps it byte for byte as `<id>.eml`, parses nothing; the bench
 * counts a round's mails by the Subject header it reads from the raw file (scripts/bench/server/hold.ts
 * rawSubject). Real SMTP through nodemailer, as the gate sends.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createTransport } from 'nodemailer';

import { rawSubject } from '../../../scripts/bench/server/hold';
import { startSmtpCapture, type SmtpCapture } from '../../harness/smtpCapture';

describe('the SMTP sink in raw mode', () => {
	let dir: string;
	let sink: SmtpCapture;
	beforeEach(async () => {
		dir = mkdtempSync(join(tmpdir(), 'raw-sink-'));
		sink = await startSmtpCapture(join(dir, 'mail'), 0, { parse: false });
	});
	afterEach(async () => {
		await sink.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	it('keeps each message as it arrived, acknowledged, in arrival order, and parses none', async () => {
		const transport = createTransport({ host: sink.host, port: sink.port, secure: false, ignoreTLS: true });
		const long = `Hold r0-perItem-${'x'.repeat(90)} tag`;
		try {
			const first = await transport.sendMail({ from: 'gate@hitl.test', to: 'ann@hitl.test', subject: 'Hold r0-batch-abc', text: 'first', html: '<p>first</p>' });
			await transport.sendMail({ from: 'gate@hitl.test', to: 'ben@hitl.test', subject: long, text: 'second' });
			expect(first.accepted).toEqual(['ann@hitl.test']);
		} finally {
			transport.close();
		}
		const names = readdirSync(join(dir, 'mail')).sort();
		expect(names.every((n) => n.endsWith('.eml'))).toBe(true);
		expect(names).toHaveLength(2);
		const raws = names.map((n) => readFileSync(join(dir, 'mail', n), 'utf8'));
		expect(raws[0]).toContain('first');
		expect(rawSubject(raws[0])).toBe('Hold r0-batch-abc');
		// A long subject is folded over header lines; unfolded it still holds the whole tag.
		expect(rawSubject(raws[1])).toContain('tag');
		expect(rawSubject(raws[1]).replace(/\s+/g, '')).toBe(long.replace(/\s+/g, ''));
	});

	it('reads no Subject from the body', () => {
		expect(rawSubject('From: a@b.test\r\n\r\nSubject: not a header')).toBe('');
	});
});
