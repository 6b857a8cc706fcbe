/**
 * The gate's deadline, reminder and escalation parameters (read by deadlineSettings.ts). Apart from
 * description.ts because they are one subject: when the run's reviewers are nudged, who is added when
 * nobody decides, and when undecided items time out. Reminders, escalation and the deadline itself are
 * acted on by an active HITL Deadlines trigger (nodes/HitlDeadlines); the notice says so on the canvas.
 */
import type { INodeProperties } from 'n8n-workflow';

const TIME_UNITS = [
	{ name: 'Seconds', value: 'seconds' },
	{ name: 'Minutes', value: 'minutes' },
	{ name: 'Hours', value: 'hours' },
	{ name: 'Days', value: 'days' },
];

const onType = (...types: string[]) => ({ show: { deadlineType: types } });

export const deadlineProperties: INodeProperties[] = [
	{
		displayName: 'Deadline',
		name: 'deadlineType',
		type: 'options',
		default: 'duration',
		options: [
			{ name: 'After a Duration', value: 'duration', description: 'A fixed time after the run reached the gate' },
			{ name: 'At a Date and Time', value: 'at', description: 'A moment, e.g. from an expression' },
			{ name: 'After Business Time', value: 'business', description: 'Working hours or days in the gate\'s time zone, skipping weekends and holidays' },
			{ name: 'No Deadline', value: 'none', description: 'Wait until every item is decided (reminders and escalation still run)' },
		],
		description: 'When undecided items stop waiting. Items are never approved by a deadline.',
	},
	{
		displayName: 'Deadline Amount',
		name: 'deadlineAmount',
		type: 'number',
		default: 24,
		typeOptions: { minValue: 1 },
		displayOptions: onType('duration'),
		description: 'How long reviewers have to decide before undecided items time out',
	},
	{
		displayName: 'Deadline Unit',
		name: 'deadlineUnit',
		type: 'options',
		default: 'hours',
		displayOptions: onType('duration'),
		options: TIME_UNITS,
	},
	{
		displayName: 'Deadline At',
		name: 'deadlineAt',
		type: 'dateTime',
		default: '',
		displayOptions: onType('at'),
		description: 'When undecided items time out; read once per run (item 0). A time without an offset is in the gate\'s time zone.',
	},
	{
		displayName: 'Business Amount',
		name: 'businessAmount',
		type: 'number',
		default: 2,
		typeOptions: { minValue: 0.25, numberPrecision: 2 },
		displayOptions: onType('business'),
		description: 'How much working time reviewers have, e.g. 2 business days or 8 business hours',
	},
	{
		displayName: 'Business Unit',
		name: 'businessUnit',
		type: 'options',
		default: 'days',
		displayOptions: onType('business'),
		options: [
			{ name: 'Business Hours', value: 'hours' },
			{ name: 'Business Days', value: 'days' },
		],
	},
	{
		displayName: 'Working Days',
		name: 'workingDays',
		type: 'string',
		default: 'Mon-Fri',
		displayOptions: onType('business'),
		placeholder: 'Mon-Fri',
		description: 'Weekdays that count, e.g. Mon-Fri, Sun-Thu or Mon,Tue,Thu',
	},
	{
		displayName: 'Working Hours',
		name: 'workingHours',
		type: 'string',
		default: '09:00-17:00',
		displayOptions: onType('business'),
		description: 'Local working hours in the gate\'s time zone (Options → Time Zone, else the workflow\'s)',
	},
	{
		displayName: 'Holidays',
		name: 'holidays',
		type: 'string',
		default: '',
		displayOptions: onType('business'),
		placeholder: '2026-12-24, 2026-12-25, 2026-12-31',
		description: 'Dates (YYYY-MM-DD) that do not count, separated by commas or new lines; may be an expression returning a list',
	},
	{
		displayName: 'Reject on Timeout',
		name: 'rejectOnTimeout',
		type: 'boolean',
		default: false,
		displayOptions: { hide: { deadlineType: ['none'] } },
		description:
			'Whether undecided items leave through Rejected (decision "timed_out") instead of Timed Out at the deadline. Items already decided leave through their decision either way; nothing is ever approved by a timeout.',
	},
	{
		displayName: 'Remind Every',
		name: 'remindEveryAmount',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'Mail reviewers who have not decided again, with their personal link, this often; 0 sends no reminders',
	},
	{
		displayName: 'Remind Every Unit',
		name: 'remindEveryUnit',
		type: 'options',
		default: 'hours',
		options: TIME_UNITS,
		displayOptions: { hide: { remindEveryAmount: [0] } },
	},
	{
		displayName: 'Max Reminders',
		name: 'maxReminders',
		type: 'number',
		default: 3,
		typeOptions: { minValue: 1, maxValue: 20 },
		displayOptions: { hide: { remindEveryAmount: [0] } },
		description: 'Reminders stop after this many, or at the deadline',
	},
	{
		displayName: 'Escalation',
		name: 'escalation',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: false },
		default: {},
		placeholder: 'Add Escalation Level',
		description:
			'Backups added when nobody decided in time: each level mails its reviewers their own personal link and is recorded in the review log. Backups may be an expression reading the item.',
		options: [
			{
				displayName: 'Level',
				name: 'levels',
				values: [
					{ displayName: 'After Amount', name: 'afterAmount', type: 'number', default: 4, typeOptions: { minValue: 0 } },
					{ displayName: 'After Unit', name: 'afterUnit', type: 'options', default: 'hours', options: TIME_UNITS },
					{
						displayName: 'Backup Reviewers',
						name: 'reviewers',
						type: 'string',
						default: '',
						placeholder: 'lead@example.com',
						description: 'Email addresses added at this level, separated by commas',
					},
				],
			},
		],
	},
	{
		displayName:
			'Reminders, escalation and deadlines are carried out by an active workflow with the HITL Deadlines trigger on this n8n instance (one is enough). Without one, links still stop working at the deadline and n8n\'s own timer then sends every item of the run through Timed Out.',
		name: 'deadlineNotice',
		type: 'notice',
		default: '',
	},
];
