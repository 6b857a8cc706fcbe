/**
 * The gate's default signing key, derived from n8n's encryption key when no HITL Signing Key
 * credential is chosen: deterministic (every process of an instance derives the same key), different
 * per instance, long enough for the link checks, and read from where n8n itself reads its key — the
 * environment first, then a key file, then the n8n settings file.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { assertSigningKey, deriveInstanceSigningKey, signLinkToken, verifyLinkToken, SigningKeyError } from '../../../core/links';
import { instanceEncryptionKey } from '../../../nodes/shared/instanceKey';

describe('deriveInstanceSigningKey', () => {
	it('is deterministic per instance key, differs between instances, and passes the signing-key checks', () => {
		const a1 = deriveInstanceSigningKey('instance-key-aaaaaaaaaaaaaaaa');
		const a2 = deriveInstanceSigningKey('instance-key-aaaaaaaaaaaaaaaa');
		const b = deriveInstanceSigningKey('instance-key-bbbbbbbbbbbbbbbb');
		expect(a1).toEqual(a2);
		expect(b.secret).not.toBe(a1.secret);
		expect(b.keyId).not.toBe(a1.keyId);
		expect(a1.keyId).toMatch(/^n8n-[0-9a-f]{12}$/);
		expect(a1.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
		// Never the instance key itself, nor a plain hash of it.
		expect(a1.secret).not.toContain('instance-key');
		expect(() => assertSigningKey(a1)).not.toThrow();
	});

	it('signs links that verify under the same instance and fail under another', () => {
		const key = deriveInstanceSigningKey('instance-key-aaaaaaaaaaaaaaaa');
		const other = deriveInstanceSigningKey('instance-key-bbbbbbbbbbbbbbbb');
		const now = Math.floor(Date.now() / 1000);
		const claims = { v: 1 as const, kid: key.keyId, exec: '1', node: 'n', req: 'r-1', rev: 'ann@example.com', dec: ['approve' as const, 'reject' as const], dh: 'ab'.repeat(32), iat: now, exp: now + 600, nonce: 'n'.repeat(22) };
		const token = signLinkToken(claims, key);
		expect(verifyLinkToken(token, [key], { now: new Date(), executionId: '1', nodeId: 'n' })).toMatchObject({ ok: true });
		expect(verifyLinkToken(token, [{ ...other, keyId: key.keyId }], { now: new Date(), executionId: '1', nodeId: 'n' })).toMatchObject({ ok: false });
	});

	it('refuses a missing or short instance key with a message that names the way out', () => {
		expect(() => deriveInstanceSigningKey('')).toThrow(SigningKeyError);
		expect(() => deriveInstanceSigningKey('short')).toThrow(/HITL Signing Key credential/);
	});
});

describe('instanceEncryptionKey reads n8n\'s key where n8n does', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'hitl-instance-key-'));
		mkdirSync(join(dir, '.n8n'));
		writeFileSync(join(dir, '.n8n', 'config'), JSON.stringify({ encryptionKey: 'from-settings-file-0123456789' }));
		writeFileSync(join(dir, 'keyfile'), 'from-key-file-0123456789\n');
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('environment first, then N8N_ENCRYPTION_KEY_FILE, then <user folder>/.n8n/config', () => {
		const base = { N8N_USER_FOLDER: dir };
		expect(instanceEncryptionKey({ ...base, N8N_ENCRYPTION_KEY: 'from-env-0123456789' })).toBe('from-env-0123456789');
		expect(instanceEncryptionKey({ ...base, N8N_ENCRYPTION_KEY_FILE: join(dir, 'keyfile') })).toBe('from-key-file-0123456789');
		expect(instanceEncryptionKey(base)).toBe('from-settings-file-0123456789');
	});

	it('null when there is none or the settings file is not n8n\'s', () => {
		expect(instanceEncryptionKey({ N8N_USER_FOLDER: join(dir, 'nowhere') })).toBeNull();
		writeFileSync(join(dir, '.n8n', 'config'), 'not json');
		expect(instanceEncryptionKey({ N8N_USER_FOLDER: dir })).toBeNull();
		writeFileSync(join(dir, '.n8n', 'config'), JSON.stringify({ encryptionKey: 42 }));
		expect(instanceEncryptionKey({ N8N_USER_FOLDER: dir })).toBeNull();
	});
});
