/**
 * Reading the gate's settings: once per run for everything that cannot differ per item, per item
 * only where the builder wrote an expression (reviewers, subject).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { validateEditablePaths } from '../../core/edits';
import { normalizeReviewerEmail } from '../../core/links';

export type ReviewMode = 'perItem' | 'batch';

export interface GateSettings {
	reviewMode: ReviewMode;
	deadlineMs: number;
	/** Field paths shown to the reviewer; empty = the whole item. */
	fieldsShown: string[];
	editableFields: string[];
	requireRejectReason: boolean;
	notifyByEmail: boolean;
	fromEmail: string;
	message: string;
	notificationWebhookUrl: string;
	hashClientInfo: boolean;
}

const UNIT_MS: Record<string, number> = {
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

export function readGateSettings(ctx: IExecuteFunctions): GateSettings {
	const amount = ctx.getNodeParameter('deadlineAmount', 0) as number;
	const unit = ctx.getNodeParameter('deadlineUnit', 0) as string;
	if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || !(unit in UNIT_MS)) {
		throw new NodeOperationError(ctx.getNode(), `Invalid deadline: ${String(amount)} ${String(unit)}`, {
			description: 'Set "Deadline Amount" to a positive number and pick a unit.',
		});
	}
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
	const editableFields = parsePathList(ctx.getNodeParameter('editableFields', 0, ''));
	try {
		validateEditablePaths(editableFields);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, {
			description: 'Fix "Editable Fields": comma-separated paths like subject, candidate.stage.',
		});
	}
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		reviewMode: ctx.getNodeParameter('reviewMode', 0, 'perItem') === 'batch' ? 'batch' : 'perItem',
		deadlineMs: Math.round(amount * UNIT_MS[unit]),
		fieldsShown: parsePathList(ctx.getNodeParameter('fieldsShown', 0, '')),
		editableFields,
		requireRejectReason: ctx.getNodeParameter('requireRejectReason', 0, true) !== false,
		notifyByEmail,
		fromEmail,
		message: String(ctx.getNodeParameter('message', 0, '')),
		notificationWebhookUrl: webhookUrl,
		hashClientInfo: options.hashClientInfo !== false,
	};
}
