import type { ICredentialTestFunctions } from 'n8n-workflow';

import { hitlSigningApiTest } from '../../../nodes/HitlGate/signingCredentialTest';

const ctx = {} as ICredentialTestFunctions;
const cred = (data: Record<string, unknown>) => ({ id: '1', name: 'HITL Signing Key', type: 'hitlSigningApi', data }) as never;
const S1 = 'current-secret-0123456789-0123456789';
const S0 = 'previous-secret-0123456789-012345678';

describe('HITL Signing Key credential test (testedBy)', () => {
	test('a good current key passes and says which key signs', async () => {
		await expect(hitlSigningApiTest.call(ctx, cred({ kid: 'k2', secret: S1 }))).resolves.toEqual({
			status: 'OK',
			message: 'Key "k2" signs new links.',
		});
	});
	test('with a previous key, both are exercised', async () => {
		const r = await hitlSigningApiTest.call(ctx, cred({ kid: 'k2', secret: S1, previousKid: 'k1', previousSecret: S0 }));
		expect(r).toEqual({ status: 'OK', message: 'Key "k2" signs new links. Previous key "k1" still verifies old links.' });
	});
	test('a short secret fails with the fix in the message', async () => {
		const r = await hitlSigningApiTest.call(ctx, cred({ kid: 'k2', secret: 'short' }));
		expect(r.status).toBe('Error');
		expect(r.message).toMatch(/at least 32 characters \(got 5\).*openssl rand/);
	});
	test('no data at all fails, not throws', async () => {
		const r = await hitlSigningApiTest.call(ctx, { id: '1', name: 'x', type: 'hitlSigningApi' } as never);
		expect(r.status).toBe('Error');
	});
});
