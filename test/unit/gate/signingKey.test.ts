import { signingKeysFromCredential, SigningKeyError } from '../../../core/links/signingKey';

const S1 = 'current-secret-0123456789-0123456789';
const S0 = 'previous-secret-0123456789-012345678';

describe('signing keys from the hitlSigningApi credential', () => {
	test('current key only', () => {
		expect(signingKeysFromCredential({ kid: ' k2 ', secret: S1 })).toEqual([{ keyId: 'k2', secret: S1 }]);
	});
	test('current + previous, current first (it signs); both verify', () => {
		expect(
			signingKeysFromCredential({ kid: 'k2', secret: S1, previousKid: 'k1', previousSecret: S0 }),
		).toEqual([
			{ keyId: 'k2', secret: S1 },
			{ keyId: 'k1', secret: S0 },
		]);
	});
	test('empty previous fields are ignored', () => {
		expect(signingKeysFromCredential({ kid: 'k2', secret: S1, previousKid: '', previousSecret: '' })).toHaveLength(1);
	});
	test.each([
		[{ kid: 'k2', secret: 'too-short' }, /at least 32 characters \(got 9\)/],
		[{ kid: '', secret: S1 }, /id must be/],
		[{ kid: 'has space', secret: S1 }, /id must be/],
		[{ secret: S1 }, /id must be/],
		[{ kid: 'k2' }, /at least 32/],
		[{ kid: 'k2', secret: S1, previousKid: 'k1' }, /previous signing key secret/],
		[{ kid: 'k2', secret: S1, previousSecret: S0 }, /previous signing key id/],
		[{ kid: 'k2', secret: S1, previousKid: 'k2', previousSecret: S0 }, /different key id/],
	])('refuses %j with a message that says what to fix', (data, msg) => {
		expect(() => signingKeysFromCredential(data)).toThrow(SigningKeyError);
		expect(() => signingKeysFromCredential(data)).toThrow(msg);
	});
});
