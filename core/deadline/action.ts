/**
 * The deadline worker's signed order to a waiting gate: "act on this scheduled event now". The worker
 * (HITL Deadlines trigger) POSTs it to the run's waiting webhook; the gate acts only on an order whose
 * MAC verifies with the key both derive from n8n's instance encryption key, that is fresh, and that
 * names an event the gate's own signed state scheduled. Why a MAC when the gate re-checks everything
 * against its store anyway: whoever learns a resume URL (a forwarded link) must not be able to make the
 * gate send reminder mails or escalate at will; only a process of this n8n instance (or of a queue-mode
 * deployment sharing its encryption key) can.
 *
 * MAC = base64url(HMAC-SHA256(actionKey, domain + RFC 8785 canonical JSON of the order)). No n8n import.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

import { canonicalize, hasLoneSurrogate } from '../canonicalJson';
import type { DeadlineActionKind, DeadlineEvent } from '../store/types';

export const ACTION_MAC_DOMAIN = 'n8n-nodes-hitl/deadline-action/v1\n';
const ACTION_KEY_SALT = 'n8n-nodes-hitl';
const ACTION_KEY_LABEL = 'n8n-nodes-hitl deadline action key v1';
/** An order older (or further in the future) than this is refused: a captured request cannot be replayed later. */
export const ACTION_MAX_AGE_MS = 5 * 60_000;

export interface DeadlineActionKey {
	/** Public name (changes with the key), logged so a record says which instance key ordered it. */
	keyId: string;
	secret: Buffer;
}

/** The order itself. */
export interface DeadlineOrder {
	v: 1;
	eventId: string;
	groupId: string;
	kind: DeadlineActionKind;
	step: number;
	executionId: string;
	nodeId: string;
	/** The worker's claim token: the gate ends the event under this claim. */
	claimToken: string;
	worker: string;
	/** When the worker signed it (ms since epoch). */
	issuedAtMs: number;
}

export interface SignedDeadlineOrder {
	order: DeadlineOrder;
	keyId: string;
	mac: string;
}

/** Derives the action key from n8n's instance encryption key (HKDF-SHA256, its own label). */
export function deriveDeadlineActionKey(instanceEncryptionKey: string): DeadlineActionKey {
	if (typeof instanceEncryptionKey !== 'string' || instanceEncryptionKey.length < 16) {
		throw new Error('n8n\'s encryption key is missing or too short to derive the HITL deadline key from');
	}
	const secret = Buffer.from(hkdfSync('sha256', instanceEncryptionKey, ACTION_KEY_SALT, ACTION_KEY_LABEL, 32));
	const keyId = `dl-${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;
	return { keyId, secret };
}

function macOf(order: DeadlineOrder, key: DeadlineActionKey): string {
	return createHmac('sha256', key.secret).update(`${ACTION_MAC_DOMAIN}${key.keyId}\n${canonicalize(order)}`, 'utf8').digest('base64url');
}

/** The order for one claimed event. */
export function orderFor(event: DeadlineEvent, worker: string, now: Date): DeadlineOrder {
	if (!event.claim) throw new Error(`Deadline event ${event.id} is not claimed`);
	return {
		v: 1,
		eventId: event.id,
		groupId: event.groupId,
		kind: event.kind,
		step: event.step,
		executionId: event.executionId,
		nodeId: event.nodeId,
		claimToken: event.claim.token,
		worker,
		issuedAtMs: now.getTime(),
	};
}

export function signDeadlineOrder(order: DeadlineOrder, key: DeadlineActionKey): SignedDeadlineOrder {
	return { order, keyId: key.keyId, mac: macOf(order, key) };
}

export type OrderCheck = { ok: true; order: DeadlineOrder } | { ok: false; reason: 'malformed' | 'unknown_key' | 'bad_mac' | 'stale' | 'wrong_run' };

const KINDS: readonly string[] = ['remind', 'escalate', 'deadline'];

function isOrder(value: unknown): value is DeadlineOrder {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
	const o = value as Record<string, unknown>;
	// Text the canonical JSON can encode (no lone surrogates): the MAC check must refuse, never throw.
	const text = (k: string) => typeof o[k] === 'string' && (o[k] as string).length > 0 && (o[k] as string).length <= 512 && !hasLoneSurrogate(o[k] as string);
	return (
		Object.keys(o).length === 10 &&
		o.v === 1 &&
		['eventId', 'groupId', 'executionId', 'nodeId', 'claimToken', 'worker'].every(text) &&
		KINDS.includes(o.kind as string) &&
		Number.isSafeInteger(o.step) && (o.step as number) >= 0 &&
		Number.isSafeInteger(o.issuedAtMs)
	);
}

/**
 * Checks a posted order: its shape, its MAC (constant time), its age, and that it is for this run and
 * node. Only then may the gate look the event up.
 */
export function verifyDeadlineOrder(
	body: unknown,
	key: DeadlineActionKey,
	expected: { executionId: string; nodeId: string; now: Date },
): OrderCheck {
	if (body === null || typeof body !== 'object') return { ok: false, reason: 'malformed' };
	const { order, keyId, mac } = body as Partial<SignedDeadlineOrder>;
	if (!isOrder(order) || typeof keyId !== 'string' || typeof mac !== 'string' || mac.length > 128) return { ok: false, reason: 'malformed' };
	if (keyId !== key.keyId) return { ok: false, reason: 'unknown_key' };
	const want = Buffer.from(macOf(order, key), 'utf8');
	const got = Buffer.from(mac, 'utf8');
	if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, reason: 'bad_mac' };
	if (Math.abs(expected.now.getTime() - order.issuedAtMs) > ACTION_MAX_AGE_MS) return { ok: false, reason: 'stale' };
	if (order.executionId !== expected.executionId || order.nodeId !== expected.nodeId) return { ok: false, reason: 'wrong_run' };
	return { ok: true, order };
}
