/** UI of the Blast Radius Router: outputs, ordered rules, presets, fallback, sampling and options. */
import type { INodeProperties, INodePropertyCollection } from 'n8n-workflow';

import { TIER_OPTIONS } from '../shared/options';

/** Output order: the canvas reads top to bottom by risk. Indexes are used by execute.ts. */
export const OUTPUT_NAMES = ['High', 'Medium', 'Low – sampled for review', 'Low'];


const tierProperty = (defaultTier: string, description: string): INodeProperties => ({
	displayName: 'Tier',
	name: 'tier',
	type: 'options',
	options: TIER_OPTIONS,
	default: defaultTier,
	description,
});

const labelProperty: INodeProperties = {
	displayName: 'Reason Label',
	name: 'label',
	type: 'string',
	default: '',
	placeholder: 'e.g. Large payment',
	description: 'Short reason shown to reviewers and kept in the audit log. Leave empty for a generated one.',
};

const ruleValues: INodeProperties[] = [
	{
		displayName: 'Condition Type',
		name: 'conditionType',
		type: 'options',
		options: [
			{ name: 'Field Comparison', value: 'field', description: 'Compare a field of the item (fast: evaluated natively)' },
			{ name: 'Boolean Expression', value: 'expression', description: 'An expression you write that returns true or false (slower: evaluated per item)' },
		],
		default: 'field',
	},
	{
		displayName: 'Field',
		name: 'field',
		type: 'string',
		default: '',
		placeholder: 'e.g. payment.amount',
		// eslint-disable-next-line n8n-nodes-base/node-param-description-miscased-json -- shows n8n's lowercase $json variable
		description: 'Path of the field in the item, e.g. <code>candidate.email</code> or <code>to[0]</code>. An expression also works; a plain field reference such as <code>{{ $json.amount }}</code> is recognised and read natively.',
		displayOptions: { show: { conditionType: ['field'] } },
	},
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [
			{ name: 'Boolean', value: 'boolean' },
			{ name: 'Date & Time', value: 'date' },
			{ name: 'Exists / Empty', value: 'presence' },
			{ name: 'Number', value: 'number' },
			{ name: 'String', value: 'string' },
		],
		default: 'string',
		displayOptions: { show: { conditionType: ['field'] } },
	},
	{
		displayName: 'Operation',
		name: 'stringOperation',
		type: 'options',
		options: [
			{ name: 'Contains', value: 'contains' },
			{ name: 'Does Not Contain', value: 'notContains' },
			{ name: 'Does Not Match Regex', value: 'notRegex' },
			{ name: 'Ends With', value: 'endsWith' },
			{ name: 'Equals', value: 'equals' },
			{ name: 'Matches Regex', value: 'regex' },
			{ name: 'Not Equals', value: 'notEquals' },
			{ name: 'Starts With', value: 'startsWith' },
		],
		default: 'equals',
		displayOptions: { show: { conditionType: ['field'], type: ['string'] } },
	},
	{
		displayName: 'Operation',
		name: 'numberOperation',
		type: 'options',
		// eslint-disable-next-line n8n-nodes-base/node-param-options-type-unsorted-items -- ordered like a number line
		options: [
			{ name: 'Is Less Than', value: 'lt' },
			{ name: 'Is Less Than or Equal To', value: 'lte' },
			{ name: 'Is Equal To', value: 'eq' },
			{ name: 'Is Not Equal To', value: 'neq' },
			{ name: 'Is Greater Than or Equal To', value: 'gte' },
			{ name: 'Is Greater Than', value: 'gt' },
		],
		default: 'gte',
		displayOptions: { show: { conditionType: ['field'], type: ['number'] } },
	},
	{
		displayName: 'Operation',
		name: 'booleanOperation',
		type: 'options',
		options: [
			{ name: 'Is True', value: 'isTrue' },
			{ name: 'Is False', value: 'isFalse' },
		],
		default: 'isTrue',
		displayOptions: { show: { conditionType: ['field'], type: ['boolean'] } },
	},
	{
		displayName: 'Operation',
		name: 'dateOperation',
		type: 'options',
		options: [
			{ name: 'Is After', value: 'after' },
			{ name: 'Is Before', value: 'before' },
		],
		default: 'after',
		displayOptions: { show: { conditionType: ['field'], type: ['date'] } },
	},
	{
		displayName: 'Operation',
		name: 'presenceOperation',
		type: 'options',
		options: [
			{ name: 'Does Not Exist', value: 'notExists' },
			{ name: 'Exists', value: 'exists' },
			{ name: 'Is Empty', value: 'isEmpty' },
			{ name: 'Is Not Empty', value: 'isNotEmpty' },
		],
		default: 'exists',
		displayOptions: { show: { conditionType: ['field'], type: ['presence'] } },
	},
	{
		displayName: 'Value',
		name: 'value',
		type: 'string',
		default: '',
		placeholder: 'e.g. candidate',
		description: 'Text to compare with. For regex: a pattern or <code>/pattern/flags</code>.',
		displayOptions: { show: { conditionType: ['field'], type: ['string'] } },
	},
	{
		displayName: 'Value',
		name: 'numberValue',
		type: 'number',
		default: 0,
		displayOptions: { show: { conditionType: ['field'], type: ['number'] } },
	},
	{
		displayName: 'Value',
		name: 'dateValue',
		type: 'string',
		default: '',
		placeholder: 'e.g. 2026-12-31T17:00:00Z',
		description: 'ISO-8601 date or date-time; without an offset it is read as UTC. An expression such as <code>{{ $now.plus(7, "days").toISO() }}</code> works too.',
		displayOptions: { show: { conditionType: ['field'], type: ['date'] } },
	},
	{
		displayName: 'Case Sensitive',
		name: 'caseSensitive',
		type: 'boolean',
		default: true,
		description: 'Whether upper and lower case must match',
		displayOptions: { show: { conditionType: ['field'], type: ['string'] } },
	},
	{
		displayName: 'If Field Is Missing',
		name: 'ifMissing',
		type: 'options',
		options: [
			{ name: 'Fail Closed (Route to High)', value: 'fail', description: 'Unknown means risky' },
			{ name: 'Does Not Match', value: 'noMatch', description: 'Let the other rules or the fallback decide' },
		],
		default: 'fail',
		displayOptions: { show: { conditionType: ['field'], type: ['string', 'number', 'boolean', 'date'] } },
	},
	{
		displayName: 'Expression',
		name: 'expression',
		type: 'boolean',
		default: false,
		// eslint-disable-next-line n8n-nodes-base/node-param-description-boolean-without-whether, n8n-nodes-base/node-param-description-miscased-json -- an expression, not a switch; shows n8n's lowercase $json
		description: 'An expression returning true or false, e.g. <code>{{ $json.amount > 1000 && $json.currency === "EUR" }}</code>. Anything other than true/false, or an error, routes the item to High.',
		displayOptions: { show: { conditionType: ['expression'] } },
	},
	tierProperty('high', 'Tier this rule assigns when it matches. The highest tier among all matching rules wins.'),
	labelProperty,
];

const presetField = (name: string, def: string, description: string): INodeProperties => ({
	displayName: name,
	name: name === 'Field' ? 'field' : name.charAt(0).toLowerCase() + name.slice(1).replace(/ /g, ''),
	type: 'string',
	default: def,
	description,
});

const presetOptions: INodePropertyCollection[] = [
	{
		displayName: 'Candidate-Facing Send',
		name: 'candidateFacing',
		values: [
			presetField('Field', 'audience', 'Field that says who receives the message'),
			{ displayName: 'Values', name: 'values', type: 'string', default: 'candidate', description: 'Comma-separated values that mean "goes to a candidate" (case-insensitive). A field that is <code>true</code> also matches.' },
			tierProperty('high', 'Tier for candidate-facing items'),
			labelProperty,
		],
	},
	{
		displayName: 'Bulk Recipients',
		name: 'bulkRecipients',
		values: [
			presetField('Field', 'recipients', 'Field with the recipients: a list, a count, or comma-separated addresses'),
			{ displayName: 'At Least', name: 'min', type: 'number', default: 50, description: 'Match when there are at least this many recipients' },
			tierProperty('high', 'Tier for bulk sends'),
			labelProperty,
		],
	},
	{
		displayName: 'Money Amount',
		name: 'moneyAmount',
		values: [
			presetField('Field', 'amount', 'Field with the amount (number or numeric text)'),
			{ displayName: 'At Least', name: 'min', type: 'number', default: 1000, description: 'Match when the size of the amount (refunds included) is at least this' },
			tierProperty('high', 'Tier for large amounts'),
			labelProperty,
		],
	},
	{
		displayName: 'Compliance-Clock Change',
		name: 'complianceClock',
		values: [
			presetField('Stage Field', 'stage', 'Field with the record\'s new stage. Leave empty to check date fields only.'),
			{ displayName: 'Stages', name: 'stages', type: 'string', default: 'rejected, offer, hired', description: 'Comma-separated stages that start a legal deadline (case-insensitive)' },
			presetField('Previous Stage Field', '', 'Optional field with the stage before the change; no match when it equals the new stage'),
			presetField('Date Fields', '', 'Optional comma-separated date fields; setting any of them starts a deadline'),
			tierProperty('high', 'Tier for compliance-clock changes'),
			labelProperty,
		],
	},
	{
		displayName: 'Model Confidence Below',
		name: 'lowConfidence',
		values: [
			presetField('Field', 'confidence', 'Field with the model\'s confidence'),
			{ displayName: 'Threshold', name: 'below', type: 'number', default: 0.8, typeOptions: { numberPrecision: 4 }, description: 'Match when confidence is below this' },
			tierProperty('medium', 'Tier for low-confidence items'),
			labelProperty,
		],
	},
	{
		displayName: 'Structured-Output Check Failed',
		name: 'structuredOutput',
		values: [
			{ displayName: 'Required Fields', name: 'fields', type: 'string', default: '', placeholder: 'e.g. subject:string, body:string, score:number', description: 'Comma-separated <code>path:type</code> (string, number, boolean, object, array, any). Match when any is missing, empty or of the wrong type.' },
			tierProperty('high', 'Tier when the check fails'),
			labelProperty,
		],
	},
];

export const routerProperties: INodeProperties[] = [
	{
		displayName: 'Items leave through High, Medium, "Low – sampled for review" or Low. The highest tier among all matching rules and presets wins; anything that fails while judging an item sends it to High.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Rules',
		name: 'rules',
		placeholder: 'Add Rule',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		options: [{ displayName: 'Rule', name: 'rule', values: ruleValues }],
	},
	{
		displayName: 'Presets',
		name: 'presets',
		placeholder: 'Add Preset',
		type: 'fixedCollection',
		default: {},
		description: 'Ready-made rules you can switch on without writing conditions',
		options: presetOptions,
	},
	{
		displayName: 'Fallback Tier',
		name: 'fallbackTier',
		type: 'options',
		options: TIER_OPTIONS,
		default: 'high',
		description: 'Tier for items no rule or preset matches. Unknown means risky: keep High unless your rules cover every risky case.',
	},
	{
		displayName: 'Sampling Rate (%)',
		name: 'samplingRate',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 100, numberPrecision: 2 },
		default: 10,
		description: 'Share of Low items sent to "Low – sampled for review". The choice is deterministic: the same key and seed always give the same decision.',
	},
	{
		displayName: 'Sampling Key',
		name: 'samplingKey',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.candidateId }}',
		description: 'What identifies an item for sampling: a field path (e.g. <code>candidateId</code>) or an expression. Needed when the rate is between 0 and 100.',
		displayOptions: { hide: { samplingRate: [0, 100] } },
	},
	{
		displayName: 'Sampling Seed',
		name: 'samplingSeed',
		type: 'string',
		default: '',
		placeholder: 'e.g. hiring-2026-q4',
		description: 'Any text you keep. HMAC-SHA256 keyed by it decides sampling; it is recorded on each item so an auditor can recompute the decision. It is not a secret: anyone who has it can tell which keys are sampled.',
		displayOptions: { hide: { samplingRate: [0, 100] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Annotation Field',
				name: 'annotationField',
				type: 'string',
				default: 'blastRadius',
				description: 'Field added to each item with its tier, reasons and sampling decision (HITL Gate and Review Log read <code>blastRadius</code>)',
			},
			{
				displayName: 'Max Depth',
				name: 'maxDepth',
				type: 'number',
				default: 64,
				description: 'Items nested deeper than this go to High',
			},
			{
				displayName: 'Max String Length',
				name: 'maxStringLength',
				type: 'number',
				default: 1000000,
				description: 'Items holding a longer string go to High (keeps regex rules fast)',
			},
			{
				displayName: 'Max Values per Item',
				name: 'maxNodes',
				type: 'number',
				default: 100000,
				description: 'Items with more values than this (or circular data) go to High',
			},
			{
				displayName: 'Presets: If Field Is Missing',
				name: 'presetIfMissing',
				type: 'options',
				options: [
					{ name: 'Fail Closed (Route to High)', value: 'fail' },
					{ name: 'Does Not Match', value: 'noMatch' },
				],
				default: 'fail',
				description: 'What presets do when their field is missing. The structured-output check always treats missing fields as a failed check.',
			},
		],
	},
];
