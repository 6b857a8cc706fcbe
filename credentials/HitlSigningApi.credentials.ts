import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The HMAC keys that sign the HITL Gate's review links and CSRF tokens. Kept in a credential because
 * node parameters are stored in plain text in the workflow JSON. The current key signs new links; the
 * previous key (during a rotation) still verifies links that were sent before it.
 * Field names avoid "key" on purpose: n8n's lint treats such fields as secrets, and the ids are public.
 * The HITL Gate tests the credential (`testedBy`): it checks the lengths and formats and signs a probe.
 */
export class HitlSigningApi implements ICredentialType {
	name = 'hitlSigningApi';

	displayName = 'HITL Signing Key API';

	icon = 'file:hitlSigning.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-hitl/n8n-nodes-hitl/blob/main/docs/security-model.md#signing-keys-and-rotation';

	properties: INodeProperties[] = [
		{
			displayName: 'Key ID',
			name: 'kid',
			type: 'string',
			default: 'k1',
			required: true,
			placeholder: '2026-11',
			description:
				'Short public name of the key, carried in every link (letters, digits, ".", "_" or "-"). Give each new key a new ID.',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'At least 32 random characters, e.g. the output of `openssl rand -base64 48`. Anyone who knows it can forge review links.',
		},
		{
			displayName: 'Previous Key ID',
			name: 'previousKid',
			type: 'string',
			default: '',
			description:
				'During a key rotation: the ID of the key you are replacing, so links already emailed keep working until they expire. Clear it afterwards.',
		},
		{
			displayName: 'Previous Secret',
			name: 'previousSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'During a key rotation: the secret of the key you are replacing',
		},
	];
}
