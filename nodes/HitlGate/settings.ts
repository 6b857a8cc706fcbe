/**
 * Reading the gate's settings: once per run for everything that cannot differ per item, per item
 * only where the builder wrote an expression (reviewers, subject).
 */
import { IANAZone } from 'luxon';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { normalizeReviewerEmail } from '../../core/links';
import type { DisplayField } from './display/fields';
import { resolveDisplay, type ResolvedDisplay } from './display/parse';
import { readOneTimeCode, type OneTimeCodeSettings } from './oneTimeCodeSettings';
import {
	DEFAULT_MIN_SECONDS_ON_PAGE,
	DEFAULT_RUBBER_STAMP,
	MAX_MIN_SECONDS_ON_PAGE,
	MAX_RUBBER_STAMP_SECONDS,
	type RubberStampSettings,
	type TimeOnPageSettings,
} from './timeOnPage';

/** `sample`: items pass on at once; a reviewer's later verdict is recorded against each (sample.ts). */
export type ReviewMode = 'perItem' | 'batch' | 'sample';

export interface GateSettings {
	reviewMode: ReviewMode;
	/** Canonical field paths shown to the reviewer; empty = the whole item. */
	fieldsShown: string[];
	/** Canonical field paths the reviewer may edit (the form's `edit.<path>` keys). */
	editableFields: string[];
	/** "Fields to Show" with the legacy lists merged in; empty when only the legacy lists are used. */
	displayFields: DisplayField[];
	/** IANA zone the page shows times in: the gate's option, else the workflow's. */
	timeZone: string;
	requireRejectReason: boolean;
	notifyByEmail: boolean;
	fromEmail: string;
	message: string;
	notificationWebhookUrl: string;
	hashClientInfo: boolean;
	/** Minimum seconds between serving the page and a decision, per tier (timeOnPage.ts). */
	timeOnPage: TimeOnPageSettings;
	/** Seconds on page below which a decided record is flagged as a possible rubber stamp, per tier (timeOnPage.ts). */
	rubberStamp: RubberStampSettings;
	/** Batch mode: whether "Approve all" may decide High-risk and unclassified items (default off). */
	allowApproveAllHigh: boolean;
	/** "Require One-Time Code" (oneTimeCode.ts); off when absent. */
	oneTimeCode?: OneTimeCodeSettings;
}

export const UNIT_MS: Record<string, number> = {
	seconds: 1000,
	minutes: 60_000,
	hours: 3_600_000,
	days: 86_400_000,
};


/** Splits a reviewer list on commas, semicolons and whitespace; lower-cases and de-duplicates. */
export function parseReviewerList(raw: unknown): { reviewers: string[]; invalid: string[] } {
	let text: string;
	if (Array.isArray(raw)) text = raw.map((v) => String(v)).join(',');
	else if (typeof raw === 'string') text = raw;
	else text = raw === undefined || raw === null ? '' : String(raw);
	const reviewers: string[] = [];
	const invalid: string[] = [];
	for (const part of text.split(/[,;\s]+/)) {
		const trimmed = part.trim().replace(/^<|>$/g, '');
		if (trimmed === '') continue;
		// The signed link's charset decides what an address may look like (and a domain needs a dot).
		const email = normalizeReviewerEmail(trimmed);
		if (email === null || !/@[^@]+\.[^@]+$/.test(email)) invalid.push(trimmed);
		else if (!reviewers.includes(email)) reviewers.push(email);
	}
	return { reviewers, invalid };
}

export function parsePathList(raw: unknown): string[] {
	if (typeof raw !== 'string') return [];
	const out: string[] = [];
	for (const part of raw.split(',')) {
		const p = part.trim();
		if (p !== '' && !out.includes(p)) out.push(p);
	}
	return out;
}

/** True when the raw (unevaluated) parameter is an expression, so it may differ per item. */
export function isExpressionParameter(ctx: IExecuteFunctions, name: string): boolean {
	const raw = ctx.getNode().parameters[name];
	return typeof raw === 'string' && raw.startsWith('=');
}

const TIER_LABEL = { low: 'Low', medium: 'Medium', high: 'High' } as const;

/** A seconds option under Options: its default when empty, else a number in 0..max, or the node fails saying what to set. */
function readSecondsOption(ctx: IExecuteFunctions, options: IDataObject, o: { name: string; what: string; label: string; def: number; max: number; note?: string }): number {
	const raw = options[o.name];
	const value = raw === undefined || raw === null || raw === '' ? o.def : raw;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > o.max) {
		throw new NodeOperationError(ctx.getNode(), `Invalid ${o.what}: ${String(raw)}`, {
			description: `Set "${o.label}" under Options to a number from 0 to ${o.max} (default ${o.def}${o.note ?? ''}).`,
		});
	}
	return value;
}

/** Minimum seconds on page per tier, from Options; High is 0 only when its requirement is turned off. */
export function readTimeOnPage(ctx: IExecuteFunctions, options: IDataObject): TimeOnPageSettings {
	const requireForHigh = ctx.getNodeParameter('requireTimeOnPageForHigh', 0, true) !== false;
	const read = (tier: keyof typeof TIER_LABEL): number =>
		readSecondsOption(ctx, options, {
			name: `minSecondsOnPage${TIER_LABEL[tier]}`,
			what: `minimum time on page for ${TIER_LABEL[tier]}`,
			label: `Minimum Seconds on Page (${TIER_LABEL[tier]})`,
			def: DEFAULT_MIN_SECONDS_ON_PAGE,
			max: MAX_MIN_SECONDS_ON_PAGE,
		});
	const settings: TimeOnPageSettings = { low: read('low'), medium: read('medium'), high: read('high'), requireForHigh };
	if (requireForHigh && settings.high <= 0) {
		throw new NodeOperationError(ctx.getNode(), 'High-risk items need a minimum time on page', {
			description:
				'Set "Minimum Seconds on Page (High)" under Options to more than 0, or turn off "Require Time on Page for High Risk" if a first click may decide High-risk items (a mail-security sandbox that clicks could then decide).',
		});
	}
	return settings;
}

const STAMP_LABEL = { low: 'Low', medium: 'Medium', high: 'High', unclassified: 'Unclassified' } as const;

/** Rubber-stamp thresholds per tier, from Options (defaults 10 / 20 / 30 / 30 s; 0 never flags). */
export function readRubberStamp(ctx: IExecuteFunctions, options: IDataObject): RubberStampSettings {
	const read = (tier: keyof typeof STAMP_LABEL): number =>
		readSecondsOption(ctx, options, {
			name: `rubberStampSeconds${STAMP_LABEL[tier]}`,
			what: `rubber-stamp threshold for ${STAMP_LABEL[tier]}`,
			label: `Rubber-Stamp Threshold Seconds (${STAMP_LABEL[tier]})`,
			def: DEFAULT_RUBBER_STAMP[tier],
			max: MAX_RUBBER_STAMP_SECONDS,
			note: '; 0 never flags',
		});
	return { low: read('low'), medium: read('medium'), high: read('high'), unclassified: read('unclassified') };
}

export function readGateSettings(ctx: IExecuteFunctions): GateSettings {
	const notifyByEmail = ctx.getNodeParameter('notifyByEmail', 0, true) as boolean;
	const fromEmail = notifyByEmail ? String(ctx.getNodeParameter('fromEmail', 0, '')).trim() : '';
	if (notifyByEmail && fromEmail === '') {
		throw new NodeOperationError(ctx.getNode(), 'No sender address for the review emails', {
			description: 'Fill in "From Email" (an address your SMTP server may send from).',
		});
	}
	const webhookUrl = String(ctx.getNodeParameter('notificationWebhookUrl', 0, '')).trim();
	if (webhookUrl !== '' && !/^https?:\/\/[^\s]+$/i.test(webhookUrl)) {
		throw new NodeOperationError(ctx.getNode(), `Invalid notification webhook URL: ${webhookUrl}`, {
			description: 'Use the full https:// URL of a Slack or Teams incoming webhook, or leave it empty.',
		});
	}
	if (!notifyByEmail && webhookUrl === '') {
		throw new NodeOperationError(ctx.getNode(), 'The gate has no way to reach its reviewers', {
			description: 'Turn on "Send Email" or set a notification webhook URL.',
		});
	}
	const display = readDisplay(ctx);
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const reviewMode = readReviewMode(ctx);
	// A sampled item has already gone on: nothing to edit, and "Problem" always needs a comment saying what.
	const sample = reviewMode === 'sample';
	return {
		reviewMode,
		fieldsShown: display.shown,
		editableFields: sample ? [] : display.editable,
		displayFields: sample ? display.displayFields.map((f) => ({ ...f, editable: false })) : display.displayFields,
		timeZone: readTimeZone(ctx, options.timeZone),
		requireRejectReason: sample || ctx.getNodeParameter('requireRejectReason', 0, true) !== false,
		notifyByEmail,
		fromEmail,
		message: String(ctx.getNodeParameter('message', 0, '')),
		notificationWebhookUrl: webhookUrl,
		hashClientInfo: options.hashClientInfo !== false,
		timeOnPage: readTimeOnPage(ctx, options),
		rubberStamp: readRubberStamp(ctx, options),
		allowApproveAllHigh: reviewMode === 'batch' && ctx.getNodeParameter('allowApproveAllHigh', 0, false) === true,
		oneTimeCode: readOneTimeCode(ctx, reviewMode === 'batch', notifyByEmail),
	};
}

/** "Review Mode"; anything unknown reads as one request per item (the mode that holds every item). */
export function readReviewMode(ctx: Pick<IExecuteFunctions, 'getNodeParameter'>): ReviewMode {
	const raw = ctx.getNodeParameter('reviewMode', 0, 'perItem');
	return raw === 'batch' || raw === 'sample' ? raw : 'perItem';
}

/** "Fields to Show" and the legacy comma lists, checked and merged (display/parse.ts). */
function readDisplay(ctx: IExecuteFunctions): ResolvedDisplay {
	const result = resolveDisplay(
		ctx.getNodeParameter('displayFields', 0, {}),
		parsePathList(ctx.getNodeParameter('fieldsShown', 0, '')),
		parsePathList(ctx.getNodeParameter('editableFields', 0, '')),
	);
	if (!result.ok) throw new NodeOperationError(ctx.getNode(), result.message, { description: result.hint });
	return { displayFields: result.displayFields, shown: result.shown, editable: result.editable };
}

/** The gate's "Time Zone" option, else the workflow's (n8n falls back to the instance's), else UTC. */
function readTimeZone(ctx: IExecuteFunctions, option: unknown): string {
	const chosen = typeof option === 'string' ? option.trim() : '';
	if (chosen !== '') {
		if (!IANAZone.isValidZone(chosen)) {
			throw new NodeOperationError(ctx.getNode(), `Unknown time zone "${chosen}"`, {
				description: 'Use an IANA time zone name such as Europe/Berlin or America/New_York, or leave "Time Zone" empty.',
			});
		}
		return chosen;
	}
	const workflowZone = ctx.getTimezone();
	return typeof workflowZone === 'string' && IANAZone.isValidZone(workflowZone) ? workflowZone : 'UTC';
}
