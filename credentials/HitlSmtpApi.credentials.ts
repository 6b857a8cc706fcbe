import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The SMTP server the HITL Gate sends review emails through. The same fields as n8n's own SMTP
 * credential; a package credential because community nodes must not read other packages' credentials.
 */
export class HitlSmtpApi implements ICredentialType {
	name = 'hitlSmtpApi';

	displayName = 'HITL SMTP API';

	icon = 'file:hitlSmtp.svg' as const;

	documentationUrl = 'https://github.com/n8n-nodes-hitl/n8n-nodes-hitl/blob/main/docs/gate.md#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: '',
			placeholder: 'e.g. smtp.example.com',
			required: true,
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 465,
		},
		{
			displayName: 'SSL/TLS',
			name: 'secure',
			type: 'boolean',
			default: true,
			description: 'Whether to connect with TLS from the start (usually port 465). Off: STARTTLS when the server offers it (port 587).',
		},
		{
			displayName: 'Disable STARTTLS',
			name: 'disableStartTls',
			type: 'boolean',
			default: false,
			description: 'Whether to send without upgrading to TLS even if the server offers it. Only for a trusted local relay.',
			displayOptions: { show: { secure: [false] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Client Host Name',
			name: 'hostName',
			type: 'string',
			default: '',
			description: 'The host name this client announces to the server (EHLO); empty = this machine\'s name',
		},
	];
}
