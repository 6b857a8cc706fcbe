import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Where the review log and the gate's working state live, and the keys that sign checkpoints.
 * Optional: without it the nodes use the embedded JSON Lines file under the n8n user folder.
 */
export class HitlStoreApi implements ICredentialType {
	name = 'hitlStoreApi';

	displayName = 'HITL Review Store API';

	icon = 'file:hitlStore.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-hitl/n8n-nodes-hitl/blob/main/docs/review-log.md#where-the-log-lives-the-hitl-review-store-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Backend',
			name: 'backend',
			type: 'options',
			options: [
				{
					name: 'File (Embedded JSON Lines)',
					value: 'file',
					description: 'An append-only file on this n8n host. Choose for a single n8n instance.',
				},
				{
					name: 'Postgres',
					value: 'postgres',
					description: 'Choose for queue mode or several n8n hosts sharing one log',
				},
			],
			default: 'file',
		},
		{
			displayName: 'Directory',
			name: 'directory',
			type: 'string',
			default: '',
			placeholder: '/home/node/.n8n/hitl',
			description:
				'Folder of the log file. Empty: the "hitl" folder in the n8n user folder (N8N_USER_FOLDER, or the home folder) — .n8n/hitl.',
			displayOptions: { show: { backend: ['file'] } },
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'n8n_hitl',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require (Encrypt, Do Not Check Certificate)', value: 'require' },
				{ name: 'Verify Full (Encrypt and Check Certificate)', value: 'verify-full' },
			],
			default: 'disable',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Chain',
			name: 'chain',
			type: 'string',
			default: 'default',
			description:
				'Name of the hash chain. Separate chains (e.g. per team) have their own sequence numbers and checkpoints.',
		},
		{
			displayName: 'Checkpoint Signing Key (Ed25519)',
			name: 'signingPrivateKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'PRIVATE+KEY+hitl.example.com/hiring-log+…',
			description:
				'Signs checkpoints that anyone can verify with the public key alone (C2SP signed notes). Make one with npx n8n-nodes-hitl keygen <origin>, where the origin names this log (e.g. hitl.example.com/hiring-log); give the printed verifier key to your auditors.',
		},
		{
			displayName: 'Previous Verifiers (Public)',
			name: 'previousVerifiers',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'hitl.example.com/hiring-log+1a2b3c4d+Ab…',
			description: 'After a key rotation: the verifier (public) keys of earlier signing keys, one per line, so older checkpoints and proofs still verify',
		},
		{
			displayName: 'Checkpoint Key ID',
			name: 'checkpointKid',
			type: 'string',
			default: '',
			placeholder: 'ckpt-2026-11',
			description:
				'Legacy HMAC checkpoints (verifying one needs the secret; prefer the Ed25519 signing key above). Names the key, so a verifier knows which secret to use.',
		},
		{
			displayName: 'Checkpoint Secret',
			name: 'checkpointSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'HMAC key for checkpoints: at least 32 random characters. Verifying a checkpoint needs the same secret, so keep a copy with your auditor.',
		},
		{
			displayName: 'Previous Checkpoint Key ID',
			name: 'previousCheckpointKid',
			type: 'string',
			default: '',
			description: 'During key rotation: the old key ID, so checkpoints signed before the rotation still verify',
		},
		{
			displayName: 'Previous Checkpoint Secret',
			name: 'previousCheckpointSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Evidence Encryption Secret',
			name: 'evidenceSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Keeps what reviewers saw and approved (draft, final item, edits) beside the log, encrypted per data subject, so it outlives n8n\'s execution pruning and can still be erased on request. At least 32 random characters (e.g. openssl rand -hex 32); it cannot be changed once evidence is written with it. Empty: no evidence is kept.',
		},
		{
			displayName: 'Evidence Retention',
			name: 'evidenceRetention',
			type: 'string',
			default: '',
			placeholder: 'P6M',
			description:
				'How long evidence is kept, as an ISO-8601 period (P6M = 6 months, P4Y = 4 years, P30D = 30 days). Review Log\'s Apply Retention operation erases older evidence and logs an erased record. Empty: kept until erased.',
		},
		{
			displayName: 'Privacy Hash Secret',
			name: 'privacySecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Secret key (salt) for hashing client IP addresses and user agents when a node asks for privacy. Without it a fixed public salt is used, and IPv4 addresses can be recovered by trying them all.',
		},
	];
}
