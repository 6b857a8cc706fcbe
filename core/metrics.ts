/**
 * Review metrics over the audit log: the numbers a team watches "until error and skip rates look
 * boring for a month". Pure computation over a stream of records (one pass over `readAll()`); no n8n
 * import. Definitions (also in the README):
 *
 * - A record's time is its event time (`decidedAt` for `decided`, `requestedAt` for `requested`,
 *   `viewedAt` for `viewed`), falling back to `recordedAt`; periods are UTC days, ISO weeks
 *   (`2026-W48`) or months.
 * - A request's identity is its execution id plus `details.requestId`, else its item key (HITL Gate
 *   writes item key = request id). requests = distinct request identities among `requested` records:
 *   the gate writes one `requested` record per reviewer link, so a request sent to two reviewers is
 *   one request. A `requested` record without an execution id or a key cannot be matched to anything
 *   and counts once per record. A request counts once in the total and once in every row one of its
 *   `requested` records falls into: per-reviewer rows count the requests sent to that reviewer, so
 *   they may add up to more than the total.
 * - outcomes = `decided` + `expired` records (each request ends in one) + unrecorded expiries.
 * - asOf (option, default now; the To bound instead when that is earlier) is the time the open
 *   requests are judged at. An outcome record after To does not close its request (as of To it was
 *   still open); any other outcome record does.
 * - expiredUnrecorded = requests (counted in the range) with no outcome record whose deadline
 *   (`details.expiresAt` of their first `requested` record) is at or before asOf — the link is dead
 *   (a link is valid only while now < deadline) but nobody wrote `expired`, e.g. because n8n's own
 *   timer released the run through Timed Out. One is counted in the period and tier of its
 *   `requested` record (the rows its request was counted in; an `expired` record instead counts in
 *   the period it was written in) and under reviewer `(none)` (like `expired` records, which name no
 *   reviewer). They are included in `expired` and `outcomes`, so the approval rate is not overstated
 *   nor the expiry rate understated.
 * - pending = requests (counted in the range) with no outcome record whose deadline is after asOf or
 *   unknown; counted in every row the request is counted in. A `requested` record without an
 *   identity is neither pending nor an unrecorded expiry (no outcome can ever be matched to it).
 * - approvalRate / rejectionRate / expiryRate = approvals / rejections / expiries ÷ outcomes (they sum
 *   to 1). Approvals include approvals with edits. editRate = approvals with edits ÷ approvals.
 * - tamperSuspected = `tamper_suspected` records (written when a verification finds the log altered).
 * - decisionsTooFast = `decision_too_fast` records: decisions posted sooner than the gate's minimum time
 *   on page, which were not taken (a clicking mail sandbox, or a reviewer who had to confirm).
 * - bypassed = requests (counted as `requests` are) whose `requested` record says a visible bypass was on:
 *   time on page off for a High or unclassified item (`details.minSecondsOnPage` 0), or "Approve all"
 *   allowed for High in a batch (`details.allowApproveAllHigh`).
 * - selfApprovalRefused = `self_approval_refused` records: a requester opened or posted on a link to their
 *   own item and was refused (separation of duties).
 * - queue time = `queueTimeMs` of `decided` records: median (mean of the two middle values for an even
 *   count) and p90 (nearest rank: the ⌈0.9·n⌉-th smallest value).
 * - review time = decidedAt − viewedAt, the viewed time taken from the decided record or else from the
 *   latest earlier `viewed` record of the same reviewer, execution and item key; when no view is known
 *   it falls back to the queue time. fastDecisions = possible rubber stamps: a `decided` record that
 *   carries the gate's own judgement (`details.possibleRubberStamp` and `rubberStampThresholdSeconds`,
 *   judged at decision time against its request's per-tier threshold) counts when the gate flagged it —
 *   that judgement supersedes the run-level threshold for it, flagged or not; any other decision
 *   (Review Log Append, older gate records, a page without a served time) counts when its review time
 *   is below the run's `fastThresholdSeconds`; a decision with neither a flag nor a time is not fast.
 * - reviewTimeMedianMs / reviewTimeP90Ms = the review times above (time on page before deciding) of the
 *   decisions that have one, median and p90 as for queue time.
 * - decisionsPerHour = decisions ÷ the hours of the window: From (else the first in-range record's time)
 *   to To (else asOf, or the last in-range record's time when later); at least one hour.
 *   peakDecisionsPerHour = the most decisions in one UTC clock hour. Volume is what pushes people to rubber-stamp: a reviewer's peak next to their fast-decision
 *   rate says whether speed came with load.
 * - escalated = requests with at least one `escalated` record (counted once per request and row: a request
 *   escalated to two backups is one escalated request in the total and one in each backup's row);
 *   reminders = `reminded` records (one per reviewer reminded).
 * - Reviewer load = `pending` in a reviewer's row: requests sent to that reviewer still open as of asOf.
 * - sampled = `sampled` records; sampledUnreviewed = those with no later `decided` record for the same
 *   item key (a `sampled` record without an item key can never be matched and counts as unreviewed);
 *   skipRate = sampledUnreviewed ÷ sampled. sampledProblems = samples whose first later `decided`
 *   record for the same item key is a rejection (the reviewer found a problem); problemRate =
 *   sampledProblems ÷ reviewed samples (sampled − sampledUnreviewed).
 * - One outcome per request: HITL Gate logs its own `decided` / `expired` record (item key = request
 *   id), and a Review Log Append after the gate logs the same outcome again (with the request id in
 *   `details.requestId`). Outcome records with the same execution id and request id (or, without
 *   one, item key) are counted once — the first in the log; later ones still resolve samples.
 * - A rate whose denominator is 0 is `null`.
 */
import type { ReviewRecord } from './records';

export type MetricsPeriod = 'day' | 'week' | 'month';
export type MetricsDimension = 'total' | 'period' | 'reviewer' | 'tier';

export interface MetricsOptions {
	period: MetricsPeriod;
	/**
	 * Decisions faster than this (seconds) count as possible rubber-stamping — for decisions that do not
	 * carry the gate's own per-tier judgement (`details.possibleRubberStamp`), which supersedes it.
	 */
	fastThresholdSeconds: number;
	/** Only records whose event time is within [from, to] (ISO-8601, inclusive). */
	from?: string;
	to?: string;
	/**
	 * When open requests are judged (ISO-8601; default: now): a request without an outcome record whose
	 * deadline is at or before this time (or To, if earlier) is an unrecorded expiry, else pending.
	 */
	asOf?: string;
	/** Which breakdowns to produce besides the total (default: all three). */
	dimensions?: Array<Exclude<MetricsDimension, 'total'>>;
}

export interface MetricsRow {
	dimension: MetricsDimension;
	/** Period key (`2026-11-25`, `2026-W48`, `2026-11`), reviewer id, tier, or `all` for the total. */
	key: string;
	requests: number;
	outcomes: number;
	approved: number;
	approvedWithEdits: number;
	rejected: number;
	/** Includes {@link expiredUnrecorded}. */
	expired: number;
	/** Requests past their deadline without any outcome record (see the docblock). */
	expiredUnrecorded: number;
	/** Requests without an outcome record whose deadline has not passed (or is unknown). */
	pending: number;
	approvalRate: number | null;
	rejectionRate: number | null;
	editRate: number | null;
	expiryRate: number | null;
	queueTimeMedianMs: number | null;
	queueTimeP90Ms: number | null;
	/** Time on page before deciding (see the docblock), of the decisions where it is known. */
	reviewTimeMedianMs: number | null;
	reviewTimeP90Ms: number | null;
	/** Decisions ÷ hours of the window (see the docblock). */
	decisionsPerHour: number | null;
	/** The most decisions within one UTC clock hour. */
	peakDecisionsPerHour: number;
	/** Requests with at least one `escalated` record. */
	escalated: number;
	/** `reminded` records. */
	reminders: number;
	/** Possible rubber stamps: flagged by the gate at its tier's threshold, else below the run-level threshold (see the docblock). */
	fastDecisions: number;
	fastDecisionRate: number | null;
	sampled: number;
	sampledUnreviewed: number;
	skipRate: number | null;
	/** Sampled items whose later review rejected them (the reviewer found a problem). */
	sampledProblems: number;
	/** sampledProblems ÷ reviewed samples (sampled − sampledUnreviewed). */
	problemRate: number | null;
	/** `tamper_suspected` records. */
	tamperSuspected: number;
	/** `decision_too_fast` records (not taken; the page asked to confirm). */
	decisionsTooFast: number;
	/** `self_approval_refused` records (a requester's attempt on their own item). */
	selfApprovalRefused: number;
	/** Requests made with a visible bypass on (time on page off for High, or Approve all allowed for High). */
	bypassed: number;
}

/** Group key used for records without a reviewer or a tier. */
export const NO_REVIEWER = '(none)';
export const UNKNOWN_TIER = 'unknown';

interface Acc {
	requests: number;
	approved: number;
	approvedWithEdits: number;
	rejected: number;
	expired: number;
	expiredUnrecorded: number;
	pending: number;
	queueTimes: number[];
	reviewTimes: number[];
	/** Decisions per UTC clock hour (key: hour number since the epoch). */
	decisionsByHour: Map<number, number>;
	escalated: number;
	reminders: number;
	decisionsWithReviewTime: number;
	fastDecisions: number;
	sampled: number;
	sampledUnreviewed: number;
	sampledProblems: number;
	tamperSuspected: number;
	decisionsTooFast: number;
	selfApprovalRefused: number;
	bypassed: number;
}

function newAcc(): Acc {
	return {
		requests: 0,
		approved: 0,
		approvedWithEdits: 0,
		rejected: 0,
		expired: 0,
		expiredUnrecorded: 0,
		pending: 0,
		queueTimes: [],
		reviewTimes: [],
		decisionsByHour: new Map(),
		escalated: 0,
		reminders: 0,
		decisionsWithReviewTime: 0,
		fastDecisions: 0,
		sampled: 0,
		sampledUnreviewed: 0,
		sampledProblems: 0,
		tamperSuspected: 0,
		decisionsTooFast: 0,
		selfApprovalRefused: 0,
		bypassed: 0,
	};
}

function parseTime(value: string | null | undefined): number | null {
	if (typeof value !== 'string' || value === '') return null;
	const t = Date.parse(value);
	return Number.isFinite(t) ? t : null;
}

/** Parses an ISO-8601 bound; throws a clear error for anything else (callers turn it into a node error). */
export function parseTimeBound(name: string, value: string | undefined): number | undefined {
	if (value === undefined || value === '') return undefined;
	const t = parseTime(value);
	if (t === null) {
		throw new RangeError(`${name} "${value}" is not a valid date; use ISO-8601, e.g. 2026-11-25T00:00:00Z`);
	}
	return t;
}

export function eventTime(record: ReviewRecord): number | null {
	const own =
		record.event === 'decided'
			? record.decidedAt
			: record.event === 'requested'
				? record.requestedAt
				: record.event === 'viewed'
					? record.viewedAt
					: null;
	return parseTime(own) ?? parseTime(record.recordedAt);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** UTC period key of a timestamp. Weeks are ISO-8601 weeks (Monday first; week-year may differ). */
export function periodKey(time: number, period: MetricsPeriod): string {
	const d = new Date(time);
	const y = d.getUTCFullYear();
	if (period === 'month') return `${y}-${pad(d.getUTCMonth() + 1)}`;
	if (period === 'day') return `${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
	// ISO week: the week containing this date's Thursday belongs to that Thursday's year.
	const dayNr = d.getUTCDay() || 7; // Monday = 1 … Sunday = 7
	const thursday = new Date(Date.UTC(y, d.getUTCMonth(), d.getUTCDate() + 4 - dayNr));
	const weekYear = thursday.getUTCFullYear();
	const week = Math.ceil(((thursday.getTime() - Date.UTC(weekYear, 0, 1)) / 86400000 + 1) / 7);
	return `${weekYear}-W${pad(week)}`;
}

export function median(sorted: number[]): number | null {
	const n = sorted.length;
	if (n === 0) return null;
	const mid = Math.floor(n / 2);
	return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number | null {
	const n = sorted.length;
	if (n === 0) return null;
	const rank = Math.max(1, Math.ceil((p / 100) * n));
	return sorted[Math.min(n, rank) - 1];
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

const HOUR_MS = 3_600_000;

function toRow(dimension: MetricsDimension, key: string, a: Acc, windowHours: number | null): MetricsRow {
	const sorted = a.queueTimes.slice().sort((x, y) => x - y);
	const reviewSorted = a.reviewTimes.slice().sort((x, y) => x - y);
	const outcomes = a.approved + a.rejected + a.expired;
	const decisions = a.approved + a.rejected;
	return {
		dimension,
		key,
		requests: a.requests,
		outcomes,
		approved: a.approved,
		approvedWithEdits: a.approvedWithEdits,
		rejected: a.rejected,
		expired: a.expired,
		expiredUnrecorded: a.expiredUnrecorded,
		pending: a.pending,
		approvalRate: ratio(a.approved, outcomes),
		rejectionRate: ratio(a.rejected, outcomes),
		editRate: ratio(a.approvedWithEdits, a.approved),
		expiryRate: ratio(a.expired, outcomes),
		queueTimeMedianMs: median(sorted),
		queueTimeP90Ms: percentile(sorted, 90),
		reviewTimeMedianMs: median(reviewSorted),
		reviewTimeP90Ms: percentile(reviewSorted, 90),
		decisionsPerHour: windowHours === null ? null : decisions / windowHours,
		peakDecisionsPerHour: Math.max(0, ...a.decisionsByHour.values()),
		escalated: a.escalated,
		reminders: a.reminders,
		fastDecisions: a.fastDecisions,
		fastDecisionRate: ratio(a.fastDecisions, decisions),
		sampled: a.sampled,
		sampledUnreviewed: a.sampledUnreviewed,
		skipRate: ratio(a.sampledUnreviewed, a.sampled),
		sampledProblems: a.sampledProblems,
		problemRate: ratio(a.sampledProblems, a.sampled - a.sampledUnreviewed),
		tamperSuspected: a.tamperSuspected,
		decisionsTooFast: a.decisionsTooFast,
		selfApprovalRefused: a.selfApprovalRefused,
		bypassed: a.bypassed,
	};
}

/** Execution + request id (from `details.requestId`, else the item key); null when unknown. */
export function outcomeIdentity(r: ReviewRecord): string | null {
	if (r.executionId === null) return null;
	const fromDetails = r.details !== null && typeof r.details.requestId === 'string' ? r.details.requestId : null;
	const key = fromDetails ?? r.itemKey;
	return key === null ? null : JSON.stringify([r.executionId, key]);
}

/** Identity of the request a `requested` record belongs to: the same as {@link outcomeIdentity}. */
export const requestIdentity = outcomeIdentity;

interface PendingSample {
	accs: Acc[];
}

/** A counted request with no outcome record yet. Deleted when its outcome arrives. */
interface OpenRequest {
	/** `details.expiresAt` of its first `requested` record; null when absent or unreadable. */
	deadline: number | null;
	/** Event time and tier of its first `requested` record: where an unrecorded expiry is counted. */
	time: number;
	tier: string;
	/** Rows the request is already counted in (a further reviewer link adds only its reviewer row). */
	countedIn: Set<Acc>;
}

/** The event written when a verification finds the log altered (compared as a string: new event). */
const TAMPER_SUSPECTED = 'tamper_suspected';

/**
 * Checks the caller's options (a RangeError says what is wrong) and returns the time bounds they give,
 * in ms: From, To, and when open requests are judged. Callers may run it before reading any record, to
 * tell bad options from a store that cannot be read.
 */
export function metricsBounds(options: MetricsOptions): { from: number | undefined; to: number | undefined; asOf: number } {
	if (!Number.isFinite(options.fastThresholdSeconds) || options.fastThresholdSeconds < 0) {
		throw new RangeError('fastThresholdSeconds must be a number ≥ 0');
	}
	const from = parseTimeBound('From', options.from);
	const to = parseTimeBound('To', options.to);
	if (from !== undefined && to !== undefined && from > to) {
		throw new RangeError(`From (${options.from}) is after To (${options.to})`);
	}
	return { from, to, asOf: Math.min(parseTimeBound('As of', options.asOf) ?? Date.now(), to ?? Infinity) };
}

/**
 * Computes metrics in one pass. Memory grows with the number of groups, decisions (queue times are
 * kept for exact percentiles), open views, still-unmatched sampled item keys, requests still open
 * (dropped when their outcome arrives) and one identity per outcome (to count each once) — not with
 * the number of records.
 */
export async function computeMetrics(
	records: AsyncIterable<ReviewRecord> | Iterable<ReviewRecord>,
	options: MetricsOptions,
): Promise<MetricsRow[]> {
	const { from, to, asOf } = metricsBounds(options);
	const dims = new Set(options.dimensions ?? ['period', 'reviewer', 'tier']);
	const fastMs = options.fastThresholdSeconds * 1000;

	const total = newAcc();
	const groups = new Map<string, { dimension: MetricsDimension; key: string; acc: Acc }>();
	const views = new Map<string, number>();
	// Sampled records still waiting for a decision, by item key (several samples of one key all wait).
	const pendingSamples = new Map<string, PendingSample[]>();

	const accsFor = (r: ReviewRecord, time: number): Acc[] =>
		accsOf(time, r.reviewerId ?? NO_REVIEWER, r.tier ?? UNKNOWN_TIER);
	const accsOf = (time: number, reviewer: string, tier: string): Acc[] => {
		const out = [total];
		const add = (dimension: MetricsDimension, key: string): void => {
			const id = `${dimension}\u0000${key}`;
			let g = groups.get(id);
			if (!g) {
				g = { dimension, key, acc: newAcc() };
				groups.set(id, g);
			}
			out.push(g.acc);
		};
		if (dims.has('period')) add('period', periodKey(time, options.period));
		if (dims.has('reviewer')) add('reviewer', reviewer);
		if (dims.has('tier')) add('tier', tier);
		return out;
	};
	const viewKey = (r: ReviewRecord): string =>
		JSON.stringify([r.reviewerId, r.executionId, r.itemKey]);
	const open = new Map<string, OpenRequest>();
	/** Escalated request identities already counted, per row. */
	const escalatedIn = new Map<Acc, Set<string>>();
	/** Event time of the earliest in-range record: the window's start when From is not given. */
	let firstInRange: number | null = null;
	let lastInRange: number | null = null;
	/** Identities with an outcome record; the value says whether the request itself was counted too. */
	const outcomeSeen = new Map<string, boolean>();
	/**
	 * Registers an outcome (decided / expired) record, even outside the range, so a duplicate just
	 * inside it is not counted either; closes its open request unless it comes after To. True the
	 * first time an outcome of the request is seen.
	 */
	const firstOutcome = (r: ReviewRecord, time: number | null): boolean => {
		const id = outcomeIdentity(r);
		if (id === null) return true;
		const first = !outcomeSeen.has(id);
		if (first) outcomeSeen.set(id, open.has(id));
		if (to === undefined || time === null || time <= to) open.delete(id);
		return first;
	};
	/** Counts a `requested` record: once per request (identity), not once per reviewer link. */
	const countOne = (a: Acc, bypass: boolean): void => {
		a.requests++;
		if (bypass) a.bypassed++;
	};
	const countRequest = (r: ReviewRecord, time: number): void => {
		const id = requestIdentity(r);
		const bypass = isBypassed(r);
		if (id === null) {
			for (const a of accsFor(r, time)) countOne(a, bypass);
			return;
		}
		const known = open.get(id);
		if (known) {
			for (const a of accsFor(r, time)) {
				if (known.countedIn.has(a)) continue;
				known.countedIn.add(a);
				countOne(a, bypass);
			}
			return;
		}
		const seen = outcomeSeen.get(id);
		if (seen === true) return; // a further link of a request already counted and closed
		const accs = accsFor(r, time);
		for (const a of accs) countOne(a, bypass);
		if (seen === false) {
			// Its outcome was logged first: counted now, and already closed.
			outcomeSeen.set(id, true);
			return;
		}
		const expiresAt = r.details !== null && typeof r.details.expiresAt === 'string' ? r.details.expiresAt : null;
		open.set(id, { deadline: parseTime(expiresAt), time, tier: r.tier ?? UNKNOWN_TIER, countedIn: new Set(accs) });
	};

	for await (const r of records) {
		const time = eventTime(r);
		// Views and decisions outside the range still resolve samples/views inside it; only counting is ranged.
		const inRange =
			time !== null && (from === undefined || time >= from) && (to === undefined || time <= to);
		if (inRange) {
			if (firstInRange === null || time < firstInRange) firstInRange = time;
			if (lastInRange === null || time > lastInRange) lastInRange = time;
		}

		if (r.event === 'viewed') {
			const t = parseTime(r.viewedAt) ?? time;
			if (t !== null) views.set(viewKey(r), t);
			continue;
		}
		if (r.event === 'decided') {
			if (r.itemKey !== null) {
				// A decision on a sampled item key means a human reviewed it; a rejection means they found a problem.
				if (r.decision === 'rejected') for (const s of pendingSamples.get(r.itemKey) ?? []) for (const a of s.accs) a.sampledProblems++;
				pendingSamples.delete(r.itemKey);
			}
			const vk = viewKey(r);
			const viewedAt = parseTime(r.viewedAt) ?? views.get(vk) ?? null;
			views.delete(vk);
			const first = firstOutcome(r, time);
			if (!inRange || r.decision === null || !first) continue;
			const decidedAt = parseTime(r.decidedAt) ?? time;
			let reviewMs: number | null = null;
			if (viewedAt !== null && decidedAt !== null) reviewMs = decidedAt - viewedAt;
			else if (typeof r.queueTimeMs === 'number') reviewMs = r.queueTimeMs;
			// The gate's own judgement, by its tier's threshold, supersedes the run-level one (see the docblock).
			const judged = gateRubberStampFlag(r);
			const fast = judged ?? (reviewMs !== null && reviewMs < fastMs);
			for (const a of accsFor(r, time)) {
				if (r.decision === 'rejected') a.rejected++;
				else {
					a.approved++;
					if (r.decision === 'approved_with_edits') a.approvedWithEdits++;
				}
				if (typeof r.queueTimeMs === 'number' && Number.isFinite(r.queueTimeMs)) a.queueTimes.push(r.queueTimeMs);
				if (reviewMs !== null && Number.isFinite(reviewMs)) a.reviewTimes.push(reviewMs);
				if (fast) a.fastDecisions++;
				if (decidedAt !== null) {
					const hour = Math.floor(decidedAt / HOUR_MS);
					a.decisionsByHour.set(hour, (a.decisionsByHour.get(hour) ?? 0) + 1);
				}
			}
			continue;
		}
		if (r.event === 'expired') {
			const first = firstOutcome(r, time);
			if (inRange && first) for (const a of accsFor(r, time)) a.expired++;
			continue;
		}
		if (!inRange) continue;
		if (r.event === 'requested') {
			countRequest(r, time);
		} else if ((r.event as string) === TAMPER_SUSPECTED) {
			for (const a of accsFor(r, time)) a.tamperSuspected++;
		} else if (r.event === 'escalated') {
			const id = outcomeIdentity(r) ?? `record ${r.seq}`;
			for (const a of accsFor(r, time)) {
				const seen = escalatedIn.get(a) ?? new Set<string>();
				escalatedIn.set(a, seen);
				if (seen.has(id)) continue;
				seen.add(id);
				a.escalated++;
			}
		} else if (r.event === 'reminded') {
			for (const a of accsFor(r, time)) a.reminders++;
		} else if (r.event === 'decision_too_fast') {
			for (const a of accsFor(r, time)) a.decisionsTooFast++;
		} else if (r.event === 'self_approval_refused') {
			for (const a of accsFor(r, time)) a.selfApprovalRefused++;
		} else if (r.event === 'sampled') {
			const accs = accsFor(r, time);
			for (const a of accs) a.sampled++;
			if (r.itemKey === null) {
				for (const a of accs) a.sampledUnreviewed++;
			} else {
				const list = pendingSamples.get(r.itemKey) ?? [];
				list.push({ accs });
				pendingSamples.set(r.itemKey, list);
			}
		}
	}
	for (const list of pendingSamples.values()) {
		for (const s of list) for (const a of s.accs) a.sampledUnreviewed++;
	}
	for (const request of open.values()) {
		if (request.deadline !== null && request.deadline <= asOf) {
			for (const a of accsOf(request.time, NO_REVIEWER, request.tier)) {
				a.expired++;
				a.expiredUnrecorded++;
			}
		} else {
			for (const a of request.countedIn) a.pending++;
		}
	}

	const order: MetricsDimension[] = ['period', 'reviewer', 'tier'];
	// Tiers read by risk (high first); periods and reviewers in plain string order.
	const tierOrder = ['high', 'medium', 'low', UNKNOWN_TIER];
	const keyCmp = (d: MetricsDimension, a: string, b: string): number =>
		d === 'tier' ? tierOrder.indexOf(a) - tierOrder.indexOf(b) : a < b ? -1 : a > b ? 1 : 0;
	const rows = [...groups.values()].sort(
		(x, y) => order.indexOf(x.dimension) - order.indexOf(y.dimension) || keyCmp(x.dimension, x.key, y.key),
	);
	const windowStart = from ?? firstInRange;
	const windowEnd = to ?? Math.max(asOf, lastInRange ?? asOf);
	const windowHours = windowStart === null ? null : Math.max(1, (windowEnd - windowStart) / HOUR_MS);
	return [toRow('total', 'all', total, windowHours), ...rows.map((g) => toRow(g.dimension, g.key, g.acc, windowHours))];
}

/**
 * The gate's rubber-stamp judgement on a decided record (`details.possibleRubberStamp` with the
 * `rubberStampThresholdSeconds` of its request's tier), or null when the record carries none.
 */
function gateRubberStampFlag(r: ReviewRecord): boolean | null {
	const d = r.details;
	if (d === null || typeof d !== 'object' || typeof d.possibleRubberStamp !== 'boolean' || typeof d.rubberStampThresholdSeconds !== 'number') return null;
	return d.possibleRubberStamp;
}

/** A `requested` record made with one of the gate's visible bypasses on (see `bypassed`). */
function isBypassed(r: ReviewRecord): boolean {
	const d = r.details;
	if (d === null || typeof d !== 'object') return false;
	const high = r.tier === 'high' || r.tier === null;
	return (high && d.minSecondsOnPage === 0) || d.allowApproveAllHigh === true;
}
