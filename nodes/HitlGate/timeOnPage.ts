/**
 * The minimum time on page: a decision that arrives sooner after its page was served than a person
 * could have read it is not accepted. Mail-security sandboxes load a link and click the first button
 * within a second or two — measured on a real n8n, that approved an item. A person takes longer than a
 * few seconds and never notices; a sandbox that clicks at once gets a "please confirm" page with a fresh
 * clock, and clicks again too soon.
 *
 * The minimum is chosen per tier when the gate runs and stored in the request payload, which the
 * request MAC covers: the webhook enforces what was signed, not today's node settings. Unknown risk
 * counts as High; High is never 0 unless the builder turned the requirement off.
 *
 * The rubber-stamp threshold is the softer, later check: a decision that was taken (it passed the
 * minimum) but still came quicker than a careful read of that tier takes is flagged on its `decided`
 * record (`details.possibleRubberStamp`, with the threshold used), not refused — speed alone is not
 * proof, but a reviewer whose High decisions are mostly flagged is worth a look. Its threshold is fixed
 * per request when the gate runs, in the MAC'd payload like the minimum, so a record says what was
 * judged by the rule of its own run; Metrics counts the flags per reviewer and tier.
 */
import type { Tier } from '../../core/tiers';

/** Long enough that a load-and-click sandbox (about 1.5 s) always falls short; a reader never does. */
export const DEFAULT_MIN_SECONDS_ON_PAGE = 4;
/** A larger minimum only keeps people waiting; it stops no bot that a few seconds would not. */
export const MAX_MIN_SECONDS_ON_PAGE = 300;

export interface TimeOnPageSettings {
	low: number;
	medium: number;
	high: number;
	/** False only when the builder explicitly allowed High-risk decisions at the first click. */
	requireForHigh: boolean;
}

export const DEFAULT_TIME_ON_PAGE: TimeOnPageSettings = {
	low: DEFAULT_MIN_SECONDS_ON_PAGE,
	medium: DEFAULT_MIN_SECONDS_ON_PAGE,
	high: DEFAULT_MIN_SECONDS_ON_PAGE,
	requireForHigh: true,
};

/** The minimum seconds on page for a request of this tier; `null` (not classified) counts as High. */
export function minSecondsForTier(tier: Tier | null, settings: TimeOnPageSettings): number {
	if (tier === 'low') return settings.low;
	if (tier === 'medium') return settings.medium;
	return settings.requireForHigh ? settings.high : 0;
}

/** The minimum a stored request carries; requests stored before the setting existed get the default. */
export function minSecondsOfPayload(payload: { minSecondsOnPage?: unknown }): number {
	const stored = payload.minSecondsOnPage;
	return typeof stored === 'number' && Number.isFinite(stored) && stored >= 0 ? stored : DEFAULT_MIN_SECONDS_ON_PAGE;
}

export interface DecisionTiming {
	/** True: the POST is not a decision; re-render the page and ask the person to confirm. */
	tooFast: boolean;
	/** Milliseconds from the page being served to the POST (0 when the served time is unknown). */
	elapsedMs: number;
}

/**
 * Whether a decision POST came too soon. `servedAtMs` null (a token from before served-at binding) is
 * taken as "served just now": it can ask for confirmation, never skip the wait. A minimum of 0 accepts
 * every click, also one whose served time lies a little ahead because of clock skew.
 */
export function decisionTiming(servedAtMs: number | null, minSeconds: number, now: Date): DecisionTiming {
	const elapsedMs = servedAtMs === null ? 0 : now.getTime() - servedAtMs;
	return { tooFast: minSeconds > 0 && elapsedMs < minSeconds * 1000, elapsedMs };
}

/** Seconds on page below which a decision is flagged as a possible rubber stamp, per tier (the gate's defaults). */
export interface RubberStampSettings {
	low: number;
	medium: number;
	high: number;
	/** Items without a (verified) tier: judged like High by default. */
	unclassified: number;
}

export const DEFAULT_RUBBER_STAMP: RubberStampSettings = { low: 10, medium: 20, high: 30, unclassified: 30 };
/** Longer than any page needs to be read; beyond it every decision would be flagged. */
export const MAX_RUBBER_STAMP_SECONDS = 3600;

/** What a request's payload carries (covered by the request MAC); absent in requests stored before the option. */
export interface RubberStampPolicy {
	rubberStampSeconds?: number;
}

/** The payload field for a request of this tier (`null`: not classified). */
export function rubberStampFor(settings: RubberStampSettings, tier: Tier | null): Required<RubberStampPolicy> {
	return { rubberStampSeconds: tier === null ? settings.unclassified : settings[tier] };
}

/**
 * The rubber-stamp judgement for a decided record's details: its request's threshold (from the signed
 * payload) and whether the time on page fell below it. Nothing when the request has no threshold
 * (stored before the option existed) or the time on page is unknown (a token without a served time).
 */
export function rubberStampDetails(payload: object, msOnPage: number | null): { possibleRubberStamp: boolean; rubberStampThresholdSeconds: number } | Record<string, never> {
	const threshold = (payload as RubberStampPolicy).rubberStampSeconds as unknown;
	if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0 || msOnPage === null) return {};
	return { possibleRubberStamp: msOnPage < threshold * 1000, rubberStampThresholdSeconds: threshold };
}

/** The notice at the top of the re-rendered page. Says what to do, not why (the reason is for the log). */
export const CONFIRM_DECISION_NOTICE =
	'Please confirm your decision: check the draft below, then press Approve or Reject again. Nothing has been decided yet.';
