/** The gate's working state kept in `ReviewRequest.payload` (JSON only): everything the webhook needs later. */
import type { DeadlinePlan } from '../../core/deadline';
import type { Tier } from '../../core/tiers';
import type { NotifySettings } from './notify/send';
import type { OneTimeCodePolicy } from './oneTimeCodeSettings';
import type { QuorumPolicy } from './quorum';
import type { RequesterPolicy } from './separationOfDuties';
import type { DisplayField } from './display/fields';
import type { ReviewMode } from './settings';

export interface GateItem {
	/** Index of the item in the gate's input, used for `pairedItem`. */
	index: number;
	json: Record<string, unknown>;
	/** The item's binary data as n8n handed it over (references in filesystem/S3 mode), if any. */
	binary?: Record<string, unknown>;
	/** Who the item is about (Data Subject ID), when the store keeps evidence (evidence.ts). */
	subjectId?: string;
}

export interface GatePayload {
	v: 1;
	mode: ReviewMode;
	/**
	 * What the request is about beyond its item, for an auditor reading only the log: HITL Tool Approval's
	 * tool call (tool name, call id, arguments hash). MAC'd with the payload; copied into the `details.about`
	 * of the request's `requested`, `decided` and `expired` records.
	 */
	about?: Record<string, unknown>;
	/** One item per request (batch requests stored before each item had its own request: every item of the run). */
	items: GateItem[];
	/** Canonical field paths shown (empty = the whole item); display/fields.ts reads them. */
	shown: string[];
	/** Canonical field paths the reviewer may edit. */
	editable: string[];
	/** "Fields to Show" (labels and formats). Absent in requests stored before it existed. */
	displayFields?: DisplayField[];
	/** IANA zone for the page's times. Absent in requests stored before it existed (UTC then). */
	timeZone?: string;
	requireRejectReason: boolean;
	message: string;
	tier: Tier | null;
	tierReasons: string[];
	/**
	 * Where the risk annotation came from: `router` — a Blast Radius Router of this execution produced
	 * it (every item's); `unverified` — some item carried one no Router of this execution produced
	 * (its tier is then high); `none` — otherwise (some item not classified). Absent in requests
	 * stored before this field existed.
	 */
	riskProvenance?: 'router' | 'unverified' | 'none';
	/** The Blast Radius Router's verified annotation (per-item mode), carried into `hitl.blastRadius`. */
	blastRadius: Record<string, unknown> | null;
	hashClientInfo: boolean;
	/**
	 * Seconds a decision must come after its page was served, fixed for this request's tier when the gate
	 * ran (timeOnPage.ts); covered by the request MAC, so the webhook enforces what was signed. 0: the
	 * builder turned the requirement off. Absent in requests stored before it existed (the default applies).
	 */
	minSecondsOnPage?: number;
	/**
	 * Batch mode only: the builder allowed "Approve all" to decide High-risk and unclassified items.
	 * Covered by the request MAC; absent (not allowed) in per-item requests and older batch requests.
	 */
	allowApproveAllHigh?: boolean;
	/**
	 * Reminders, escalation levels and the deadline (core/deadline/plan.ts), fixed when the run started.
	 * Absent in requests stored before it existed: no reminders or backups, the deadline is `expiresAt`.
	 */
	deadlinePlan?: DeadlinePlan;
	/** Separation of duties: the requester's addresses (separationOfDuties.ts); absent when not used. */
	requester?: RequesterPolicy;
	/**
	 * A decision needs a one-time code from a second email (oneTimeCode.ts), fixed for this request's tier
	 * when the gate ran; covered by the request MAC. Absent: the link alone decides.
	 */
	oneTimeCode?: OneTimeCodePolicy;
	/** Quorum approval (quorum.ts); absent: the first reviewer's decision ends the request. */
	quorum?: QuorumPolicy;
	/** How the run reaches reviewers, for reminder and escalation mails sent later from the webhook. */
	notify?: NotifySettings & {
		subject: string;
		resumeUrl: string;
		/** Links go through the HITL Review Links node at this URL (reviewLinks.ts); absent: to the waiting webhook. */
		reviewLinksUrl?: string;
	};
	workflowId: string | null;
	workflowName: string | null;
	nodeName: string;
	/** Key id of the key that signed this request's links. */
	linkKeyId: string;
}

export function asGatePayload(payload: Record<string, unknown>): GatePayload | null {
	const p = payload as unknown as GatePayload;
	if (p?.v !== 1 || !Array.isArray(p.items) || !Array.isArray(p.editable)) return null;
	return p;
}
