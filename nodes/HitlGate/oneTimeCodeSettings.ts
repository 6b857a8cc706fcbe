/**
 * "Require One-Time Code" as the gate reads it when it runs (the webhook side is oneTimeCode.ts): the
 * mode and the code's validity, read once per run; which requests need a code, fixed per request from its
 * tier and kept in the request's MAC'd payload. Combinations that cannot work fail the node before
 * anything is sent: batch mode (the batch page has no per-item code) and a gate that sends no email.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { OTP_MIN_VALIDITY_SECONDS, OTP_VALIDITY_SECONDS } from '../../core/links';
import type { Tier } from '../../core/tiers';

export type OneTimeCodeMode = 'off' | 'high' | 'always';

/** The run's setting: when a code is needed, and how long one is valid. */
export interface OneTimeCodeSettings {
	mode: OneTimeCodeMode;
	validitySeconds: number;
}

/** What a request that needs a code carries in its payload (covered by the request MAC). */
export interface OneTimeCodePolicy {
	validitySeconds: number;
}

/** Reads "Require One-Time Code" once per run; refuses batch mode and a gate that sends no email. */
export function readOneTimeCode(ctx: IExecuteFunctions, batch: boolean, notifyByEmail: boolean): OneTimeCodeSettings {
	const raw = String(ctx.getNodeParameter('requireOneTimeCode', 0, 'off'));
	const mode: OneTimeCodeMode = raw === 'always' || raw === 'high' ? raw : 'off';
	if (mode === 'off') return { mode, validitySeconds: OTP_VALIDITY_SECONDS };
	if (batch) {
		throw new NodeOperationError(ctx.getNode(), 'A one-time code needs one request per item', {
			description: 'Set "Review Mode" to "One Request per Item", or "Require One-Time Code" to "Off". Nothing was sent for review.',
		});
	}
	if (!notifyByEmail) {
		throw new NodeOperationError(ctx.getNode(), 'A one-time code is sent by email', {
			description: 'Turn on "Send Email" (the code goes to the reviewer\'s address in a second email), or set "Require One-Time Code" to "Off".',
		});
	}
	const seconds = ctx.getNodeParameter('oneTimeCodeValiditySeconds', 0, OTP_VALIDITY_SECONDS) as unknown;
	if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < OTP_MIN_VALIDITY_SECONDS || seconds > OTP_VALIDITY_SECONDS) {
		throw new NodeOperationError(ctx.getNode(), `Invalid code validity: ${String(seconds)}`, {
			description: `Set "Code Validity (Seconds)" to a whole number from ${OTP_MIN_VALIDITY_SECONDS} to ${OTP_VALIDITY_SECONDS}.`,
		});
	}
	return { mode, validitySeconds: seconds };
}

/** The payload field for a request of this tier: "high" covers High and unclassified (unknown risk counts as High). */
export function oneTimeCodeFor(settings: OneTimeCodeSettings | undefined, tier: Tier | null): { oneTimeCode?: OneTimeCodePolicy } {
	if (!settings || settings.mode === 'off') return {};
	if (settings.mode === 'high' && tier !== 'high' && tier !== null) return {};
	return { oneTimeCode: { validitySeconds: settings.validitySeconds } };
}
