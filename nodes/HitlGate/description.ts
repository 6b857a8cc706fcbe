import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';

/**
 * Output order is a safety decision: when n8n's wait time runs out it passes the node's original
 * input items to output 0 without running the node, so output 0 must be the harmless one.
 */
export const OUTPUT_TIMED_OUT = 0;
export const OUTPUT_APPROVED = 1;
export const OUTPUT_REJECTED = 2;
export const OUTPUT_NAMES = ['Timed Out', 'Approved', 'Rejected'];

export const gateProperties: INodeProperties[] = [
	{
		displayName:
			'Items leave through Approved only after a named reviewer approved them on the signed review page. If the deadline passes first, all items of the run leave through Timed Out.',
		name: 'gateNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Reviewers',
		name: 'reviewers',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'anna@example.com, ben@example.com',
		description:
			'Email addresses of the people who may decide, separated by commas or semicolons. Each gets a personal link; only they can decide. May be an expression reading the item.',
	},
	{
		displayName: 'Review Mode',
		name: 'reviewMode',
		type: 'options',
		default: 'perItem',
		options: [
			{
				name: 'One Request per Item',
				value: 'perItem',
				description: 'Every item is reviewed and decided on its own',
			},
			{
				name: 'Whole Run as One Batch',
				value: 'batch',
				description: 'One decision covers all items of this run',
			},
		],
	},
	{
		displayName: 'Deadline Amount',
		name: 'deadlineAmount',
		type: 'number',
		default: 24,
		typeOptions: { minValue: 1 },
		description: 'How long reviewers have to decide before the items leave through Timed Out',
	},
	{
		displayName: 'Deadline Unit',
		name: 'deadlineUnit',
		type: 'options',
		default: 'hours',
		options: [
			{ name: 'Seconds', value: 'seconds' },
			{ name: 'Minutes', value: 'minutes' },
			{ name: 'Hours', value: 'hours' },
			{ name: 'Days', value: 'days' },
		],
	},
	{
		displayName: 'Fields Shown to Reviewer',
		name: 'fieldsShown',
		type: 'string',
		default: '',
		placeholder: 'subject, body, candidate.name',
		description:
			'Comma-separated field paths shown on the review page and in the email. Leave empty to show the whole item.',
	},
	{
		displayName: 'Editable Fields',
		name: 'editableFields',
		type: 'string',
		default: '',
		placeholder: 'subject, body',
		description:
			'Comma-separated field paths the reviewer may change before approving. The changed item leaves through Approved and the changes are recorded.',
	},
	{
		displayName: 'Require a Reason to Reject',
		name: 'requireRejectReason',
		type: 'boolean',
		default: true,
		description: 'Whether a reviewer must write a comment when rejecting',
	},
	{
		displayName: 'Send Email',
		name: 'notifyByEmail',
		type: 'boolean',
		default: true,
		description: 'Whether to email each reviewer their links through the SMTP credential',
	},
	{
		displayName: 'From Email',
		name: 'fromEmail',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'reviews@example.com',
		displayOptions: { show: { notifyByEmail: [true] } },
	},
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '=Review needed: {{ $workflow.name }}',
		displayOptions: { show: { notifyByEmail: [true] } },
		description: 'Email subject; expressions read the (first) item under review',
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: 'An automated step is waiting for your decision. Please review the draft below.',
		description: 'Text shown above the draft in the email, the chat notification and on the review page',
	},
	{
		displayName: 'Data Subject ID',
		name: 'dataSubjectId',
		type: 'string',
		default: '',
		placeholder: '{{ $json.candidate.email }}',
		description:
			'Who the item is about (e.g. the candidate\'s ID). Needed when the HITL Review Store credential keeps evidence: what the reviewer saw and approved is kept encrypted under this ID, and erased with it (Review Log → Erase Subject\'s Evidence). Never written to the log in plain text.',
	},
	{
		displayName: 'Notification Webhook URL',
		name: 'notificationWebhookUrl',
		type: 'string',
		default: '',
		placeholder: 'https://hooks.slack.com/services/...',
		description:
			'Optional Slack or Teams incoming-webhook URL that also receives the links as JSON. Anyone who can read that channel can use the links: use a private channel.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Hash Client IP and User Agent',
				name: 'hashClientInfo',
				type: 'boolean',
				default: true,
				description:
					'Whether to store only a SHA-256 hash of the reviewer\'s IP address and browser user agent in the review log instead of the plain values',
			},
		],
	},
];

/** Waiting webhooks, as n8n's Wait node and send-and-wait operations declare them: path = node id. */
export const gateWebhooks: IWebhookDescription[] = (['GET', 'POST'] as const).map((httpMethod) => ({
	name: 'default',
	httpMethod,
	responseMode: 'onReceived',
	responseData: '',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
}));
