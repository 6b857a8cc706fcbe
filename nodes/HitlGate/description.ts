import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';

import { deadlineProperties } from './deadlineDescription';
import { policyProperties } from './policyDescription';
import { reviewLinksOptions } from './reviewLinks';

/**
 * Output order is a safety decision: when n8n's wait time runs out it passes the node's original
 * input items to output 0 without running the node, so output 0 must be the harmless one.
 */
export const OUTPUT_TIMED_OUT = 0;
export const OUTPUT_APPROVED = 1;
export const OUTPUT_REJECTED = 2;
export const OUTPUT_NAMES = ['Timed Out', 'Approved', 'Rejected'];
/** Sample review's only output: the items went on unreviewed; nothing here was approved by anyone. */
export const OUTPUT_SAMPLE = 0;
export const SAMPLE_OUTPUT_NAME = 'Sent On (Sample Review Later)';

/**
 * The outputs as n8n draws and routes them, from the node's parameters (an expression, as n8n's own
 * Switch node does): sample review has one output, and no "Approved" a sampled item could leave
 * through; every other mode keeps exactly the three outputs existing workflows are wired to. The
 * function is stringified into the expression, so it may use nothing from outside its own body.
 */
export const gateOutputs = (parameters: { reviewMode?: unknown }): Array<{ type: 'main'; displayName: string }> =>
	parameters.reviewMode === 'sample'
		? [{ type: 'main', displayName: 'Sent On (Sample Review Later)' }]
		: ['Timed Out', 'Approved', 'Rejected'].map((displayName) => ({ type: 'main' as const, displayName }));

export const GATE_OUTPUTS_EXPRESSION: `={{${string}}}` = `={{(${gateOutputs.toString()})($parameter)}}`;

const SMTP_CREDENTIAL_OPTIONS = [
	{ name: 'SMTP', value: 'smtp', description: 'The SMTP credential n8n\'s own Send Email node uses' },
	{ name: 'HITL SMTP', value: 'hitlSmtpApi', description: 'This package\'s own SMTP credential (same fields)' },
];

export const gateProperties: INodeProperties[] = [
	{
		displayName:
			'Items leave through Approved only after a named reviewer approved them on the signed review page. At the deadline, items already decided leave through their decision and undecided ones through Timed Out.',
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
				description: 'One page per reviewer lists every item of the run, each with its own Approve / Reject (plus Approve all / Reject all)',
			},
			{
				name: 'Sample Review (Passes Items On at Once)',
				value: 'sample',
				description: 'For the Router\'s "Low – sampled for review" output: every item goes on at once, unreviewed; a reviewer later marks it "Looks fine" or "Problem" through HITL Review Links',
			},
		],
	},
	{
		displayName:
			'Sample review does not hold items: each one leaves at once through "Sent On (Sample Review Later)", unreviewed — never through Approved. The reviewer\'s later verdict ("Looks fine" / "Problem", with a comment) is recorded against the item; Review Log Metrics shows the skip rate and problem rate. Needs an active HITL Review Links workflow for this store (the run fails otherwise); no reminders, escalation, quorum or one-time code. See docs/sample-review.md.',
		name: 'sampleNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { reviewMode: ['sample'] } },
	},
	...policyProperties,
	...deadlineProperties,
	{
		displayName: 'Fields to Show',
		name: 'displayFields',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Field',
		default: {},
		description:
			'The fields the reviewer sees on the review page and in the email, each with a label, in this order. Leave empty to show the whole item.',
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Label',
						name: 'label',
						type: 'string',
						default: '',
						placeholder: 'Email to candidate',
						description: 'What the reviewer reads above the value. Leave empty to use the field path.',
					},
					{
						displayName: 'Field Path',
						name: 'path',
						type: 'string',
						default: '',
						placeholder: 'body or to[0].email',
						description: 'Where the value is in the item, as in the Blast Radius Router: candidate.stage, to[0].email',
					},
					{
						displayName: 'Format',
						name: 'format',
						type: 'options',
						default: 'auto',
						options: [
							{ name: 'Auto', value: 'auto', description: 'HTML when the text looks like HTML, otherwise plain text' },
							{ name: 'HTML', value: 'html', description: 'Shown as the recipient will see it (sanitised; nothing remote is loaded)' },
							{ name: 'Markdown', value: 'markdown', description: 'Rendered as formatted text' },
							{ name: 'Plain Text', value: 'text', description: 'Shown as written, line breaks kept' },
						],
					},
					{
						displayName: 'Editable',
						name: 'editable',
						type: 'boolean',
						default: false,
						description:
							'Whether the reviewer may change this field before approving (HTML is edited as source). The changed item leaves through Approved and the changes are recorded.',
					},
				],
			},
		],
	},
	{
		displayName: 'Fields Shown (Comma List, Legacy)',
		name: 'fieldsShown',
		type: 'string',
		default: '',
		placeholder: 'subject, body, candidate.name',
		description:
			'Older form of "Fields to Show": comma-separated field paths, labelled with their path. Still honoured (added after the fields above); prefer "Fields to Show".',
	},
	{
		displayName: 'Editable Fields (Comma List, Legacy)',
		name: 'editableFields',
		type: 'string',
		default: '',
		placeholder: 'subject, body',
		description:
			'Older form of "Editable" in "Fields to Show": comma-separated field paths the reviewer may change before approving. Still honoured; prefer "Fields to Show".',
	},
	{
		displayName: 'Require a Reason to Reject',
		name: 'requireRejectReason',
		type: 'boolean',
		default: true,
		description: 'Whether a reviewer must write a comment when rejecting',
	},
	{
		displayName: 'Require Time on Page for High Risk',
		name: 'requireTimeOnPageForHigh',
		type: 'boolean',
		default: true,
		description:
			'Whether a decision on a High-risk (or unclassified) item must come at least "Minimum Seconds on Page (High)" after the page was served. A sooner click only asks the reviewer to confirm: this stops mail-security sandboxes that load a link and click its first button.',
	},
	{
		displayName:
			'Time on page is off for High risk: a first click decides High-risk and unclassified items, including a click by a mail-security sandbox that opens the link. Each request records minSecondsOnPage 0.',
		name: 'timeOnPageOffNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { requireTimeOnPageForHigh: [false] } },
	},
	{
		displayName: 'Allow Approve All for High Risk',
		name: 'allowApproveAllHigh',
		type: 'boolean',
		default: false,
		displayOptions: { show: { reviewMode: ['batch'] } },
		description:
			'Whether "Approve all" on the batch page may approve High-risk and unclassified items. Off: the page refuses it while such an item is undecided, and each High item must be approved on its own.',
	},
	{
		displayName:
			'Approve all is allowed for High risk: one click on the batch page approves every undecided item, High-risk and unclassified ones included. Each request records allowApproveAllHigh true.',
		name: 'approveAllHighNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { reviewMode: ['batch'], allowApproveAllHigh: [true] } },
	},
	{
		displayName: 'Send Email',
		name: 'notifyByEmail',
		type: 'boolean',
		default: true,
		description: 'Whether to email each reviewer their links through the SMTP credential',
	},
	// Which SMTP credential sends the mails. Version 1 gates keep this package's own credential; new gates
	// (1.1) default to n8n's SMTP credential, which most builders already have.
	{
		displayName: 'Email Credential',
		name: 'smtpCredentialType',
		type: 'options',
		options: SMTP_CREDENTIAL_OPTIONS,
		default: 'hitlSmtpApi',
		displayOptions: { show: { notifyByEmail: [true], '@version': [1] } },
	},
	{
		displayName: 'Email Credential',
		name: 'smtpCredentialType',
		type: 'options',
		options: SMTP_CREDENTIAL_OPTIONS,
		default: 'smtp',
		displayOptions: { show: { notifyByEmail: [true], '@version': [{ _cnd: { gte: 1.1 } }] } },
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
			{
				displayName: 'Minimum Seconds on Page (High)',
				name: 'minSecondsOnPageHigh',
				type: 'number',
				default: 4,
				typeOptions: { minValue: 0, maxValue: 300, numberPrecision: 1 },
				description:
					'A decision on a High-risk item that comes sooner after its page was served is not taken: the page asks the reviewer to confirm, and the attempt is logged as decision_too_fast. Used only while "Require Time on Page for High Risk" is on; must then be more than 0.',
			},
			{
				displayName: 'Minimum Seconds on Page (Low)',
				name: 'minSecondsOnPageLow',
				type: 'number',
				default: 4,
				typeOptions: { minValue: 0, maxValue: 300, numberPrecision: 1 },
				description:
					'A decision on a Low-risk item that comes sooner after its page was served is not taken: the page asks the reviewer to confirm, and the attempt is logged as decision_too_fast. 0 lets a first click decide.',
			},
			{
				displayName: 'Minimum Seconds on Page (Medium)',
				name: 'minSecondsOnPageMedium',
				type: 'number',
				default: 4,
				typeOptions: { minValue: 0, maxValue: 300, numberPrecision: 1 },
				description:
					'A decision on a Medium-risk item that comes sooner after its page was served is not taken: the page asks the reviewer to confirm, and the attempt is logged as decision_too_fast. 0 lets a first click decide.',
			},
			...reviewLinksOptions,
			{
				displayName: 'Rubber-Stamp Threshold Seconds (High)',
				name: 'rubberStampSecondsHigh',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 1 },
				description:
					'A decision on a High-risk item taken sooner than this after its page was served is flagged on its record as a possible rubber stamp (details.possibleRubberStamp, with the threshold) and counted in Review Log Metrics. It is still taken. 0 never flags.',
			},
			{
				displayName: 'Rubber-Stamp Threshold Seconds (Low)',
				name: 'rubberStampSecondsLow',
				type: 'number',
				default: 10,
				typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 1 },
				description:
					'A decision on a Low-risk item taken sooner than this after its page was served is flagged on its record as a possible rubber stamp (details.possibleRubberStamp, with the threshold) and counted in Review Log Metrics. It is still taken. 0 never flags.',
			},
			{
				displayName: 'Rubber-Stamp Threshold Seconds (Medium)',
				name: 'rubberStampSecondsMedium',
				type: 'number',
				default: 20,
				typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 1 },
				description:
					'A decision on a Medium-risk item taken sooner than this after its page was served is flagged on its record as a possible rubber stamp (details.possibleRubberStamp, with the threshold) and counted in Review Log Metrics. It is still taken. 0 never flags.',
			},
			{
				displayName: 'Rubber-Stamp Threshold Seconds (Unclassified)',
				name: 'rubberStampSecondsUnclassified',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 0, maxValue: 3600, numberPrecision: 1 },
				description:
					'A decision on an item without a risk tier taken sooner than this after its page was served is flagged on its record as a possible rubber stamp (details.possibleRubberStamp, with the threshold) and counted in Review Log Metrics. It is still taken. 0 never flags.',
			},
			{
				displayName: 'Time Zone',
				name: 'timeZone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Berlin',
				description:
					'IANA time zone for the times on the review page. Leave empty to use the workflow\'s time zone (Workflow Settings, else the instance\'s).',
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
