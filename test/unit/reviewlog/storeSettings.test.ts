import path from 'node:path';
import { generateNoteKey, verifierFromKey } from '../../../core/tlog/note';
import { defaultStoreDirectory, storeSettingsFromCredential } from '../../../nodes/shared/reviewStore';

const SECRET = 's'.repeat(32);

describe('store settings from the hitlStoreApi credential', () => {
	it('no credential: the embedded file under the n8n user folder, no checkpoint key, public privacy salt', () => {
		expect(storeSettingsFromCredential(null, { N8N_USER_FOLDER: '/data/n8n' })).toEqual({
			config: { backend: 'file', directory: path.join('/data/n8n', '.n8n', 'hitl'), chain: 'default' },
			privacySecret: null,
			isDefault: true,
			transparency: null,
			evidence: null,
		});
		expect(defaultStoreDirectory({ HOME: '/x' })).toMatch(/\.n8n[/\\]hitl$/);
	});

	it('file backend with a directory, chain, current and previous checkpoint keys and a privacy secret', () => {
		const s = storeSettingsFromCredential({
			backend: 'file', directory: ' /srv/hitl ', chain: 'team-a',
			checkpointKid: 'ck2', checkpointSecret: SECRET, previousCheckpointKid: 'ck1', previousCheckpointSecret: SECRET + 'old',
			privacySecret: 'pepper',
		});
		expect(s).toEqual({
			config: { backend: 'file', directory: '/srv/hitl', chain: 'team-a', checkpointKeys: [{ keyId: 'ck2', secret: SECRET }, { keyId: 'ck1', secret: SECRET + 'old' }] },
			privacySecret: 'pepper',
			isDefault: false,
			transparency: null,
			evidence: null,
		});
	});

	it('the Ed25519 checkpoint key: its name is the origin; earlier verifier keys verify too', () => {
		const current = generateNoteKey('hitl.example.com/hiring-log');
		const earlier = generateNoteKey('hitl.example.com/hiring-log');
		const s = storeSettingsFromCredential({ backend: 'file', directory: '/srv', signingPrivateKey: ` ${current.privateKey} `, previousVerifiers: `${earlier.verifierKey}\n\n` });
		expect(s.transparency?.origin).toBe('hitl.example.com/hiring-log');
		expect(s.transparency?.signer.verifierKey).toBe(current.verifierKey);
		expect(s.transparency?.verifiers.map((v) => v.keyHash)).toEqual([verifierFromKey(current.verifierKey).keyHash, verifierFromKey(earlier.verifierKey).keyHash]);
	});

	it('evidence: the secret and an ISO-8601 retention period', () => {
		expect(storeSettingsFromCredential({ backend: 'file', evidenceSecret: SECRET, evidenceRetention: ' P6M ' }).evidence).toEqual({ secret: SECRET, retention: 'P6M' });
		expect(storeSettingsFromCredential({ backend: 'file', evidenceSecret: SECRET }).evidence).toEqual({ secret: SECRET, retention: null });
	});

	it('postgres backend', () => {
		const s = storeSettingsFromCredential({ backend: 'postgres', host: 'db', port: 5433, database: 'hitl', user: 'app', password: 'pw', ssl: 'verify-full', chain: '' });
		expect(s.config).toEqual({
			backend: 'postgres', chain: 'default', checkpointKeys: [],
			connection: { host: 'db', port: 5433, database: 'hitl', user: 'app', password: 'pw', ssl: 'verify-full' },
		});
	});

	it.each([
		[{ checkpointKid: 'ck1' }, /must be set together/],
		[{ checkpointSecret: SECRET }, /must be set together/],
		[{ checkpointKid: 'ck1', checkpointSecret: 'short' }, /shorter than 32/],
		[{ previousCheckpointKid: 'ck0', previousCheckpointSecret: SECRET }, /no current one/],
		[{ backend: 'postgres', port: 70000 }, /not a valid TCP port/],
		[{ backend: 'postgres', ssl: 'maybe' }, /Unknown SSL mode/],
		[{ backend: 'sqlite' }, /Unknown backend/],
		[{ signingPrivateKey: 'PRIVATE+KEY+nope' }, /Checkpoint Signing Key is not usable/],
		[{ previousVerifiers: 'a+b+c' }, /no Checkpoint Signing Key/],
		[{ signingPrivateKey: generateNoteKey('o.example/log').privateKey, previousVerifiers: 'o.example/log+00000000+AAAA' }, /Previous Verifier key is not usable/],
		[{ evidenceSecret: 'short' }, /shorter than 32/],
		[{ evidenceRetention: 'P6M' }, /no Evidence Encryption Secret/],
		[{ evidenceSecret: SECRET, evidenceRetention: 'six months' }, /Evidence Retention/],
	])('refuses contradictory data %j', (data, pattern) => {
		expect(() => storeSettingsFromCredential(data as never)).toThrow(pattern);
	});
});
