/**
 * The expiry sweep (nodes/shared/expiry.ts): overdue pending requests end in one `expired` record each,
 * with the gate's MAC when a key is given; a request that cannot be resolved does not keep the others
 * open; a second sweep writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { sha256Hex } from '../../../core/chain';
import { verifyDecisionMac } from '../../../core/links';
import { JsonlReviewStore } from '../../../core/store/file/jsonlStore';
import { requestBindingOf } from '../../../core/store/requests';
import type { ReviewRequest } from '../../../core/store/types';
import { expireOverdueRequests } from '../../../nodes/shared/expiry';
import { tempDir } from '../store/helpers';

const KEY = { keyId: 'k-sweep', secret: 'sweep-test-secret-0123456789abcdef' };

function request(groupId: string, itemIndex: number, expiresAt: string): ReviewRequest {
	return {
		id: randomUUID(), groupId, executionId: 'exec-sweep', nodeId: 'gate-1', itemIndex,
		reviewers: ['ann@example.com'], draftSha256: 'cd'.repeat(32), createdAt: '2026-01-01T00:00:00.000Z', expiresAt,
		status: 'pending', outcome: null, payload: { nodeName: 'HITL Gate', tier: 'medium', tierReasons: ['r'] }, mac: null,
	};
}

describe('expiry sweep', () => {
	let dir: string;
	let cleanup: () => void;
	beforeAll(() => ({ dir, cleanup } = tempDir('sweep')));
	afterAll(() => cleanup());

	it('closes every overdue request once, with the MAC; skips open ones; a second sweep writes nothing', async () => {
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'a' });
		try {
			const group = randomUUID();
			const overdue = [request(group, 0, '2026-01-02T00:00:00.000Z'), request(group, 1, '2026-01-03T00:00:00.000Z')];
			const open = request(group, 2, '2099-01-01T00:00:00.000Z');
			await store.putReviewRequests([...overdue, open]);
			const now = new Date('2026-06-01T00:00:00.000Z');
			expect(await expireOverdueRequests(store, now, { key: KEY })).toBe(2);
			for (const r of overdue) {
				const record = await store.terminalRecord(r.id);
				expect(record).toMatchObject({ event: 'expired', itemKey: r.id, tier: 'medium', details: { reason: 'deadline_passed' } });
				const binding = requestBindingOf(record!);
				const facts = { requestId: r.id, groupId: r.groupId, executionId: r.executionId, nodeId: r.nodeId, event: 'expired' as const, decision: null, reviewerId: null, decidedAt: null, comment: null, draftSha256: r.draftSha256, finalSha256: null };
				expect(verifyDecisionMac(facts, binding!.keyId, binding!.mac, [KEY])).toBe(true);
			}
			expect(await store.terminalRecord(open.id)).toBeNull();
			const head = await store.head();
			expect(await expireOverdueRequests(store, now, { key: KEY })).toBe(0);
			expect(await store.head()).toEqual(head);
		} finally {
			await store.close();
		}
	});

	it('a request that cannot be resolved does not keep the others open; the failure is reported afterwards', async () => {
		const store = await JsonlReviewStore.open({ directory: dir, chain: 'b' });
		try {
			const broken = request(randomUUID(), 0, '2026-01-02T00:00:00.000Z');
			const fine = request(randomUUID(), 0, '2026-01-03T00:00:00.000Z');
			await store.putReviewRequests([broken]);
			await store.putReviewRequests([fine]);
			// Damaged state: the id index entry of the older request is gone, so it cannot be resolved.
			rmSync(join(dir, 'b.requests', `i-${sha256Hex(broken.id)}`));
			expect(readdirSync(join(dir, 'b.requests')).filter((n) => n.startsWith('o-'))).toHaveLength(2);
			await expect(expireOverdueRequests(store, new Date('2026-06-01T00:00:00.000Z'))).rejects.toThrow(/Unknown review request/);
			expect((await store.terminalRecord(fine.id))?.event).toBe('expired');
			// Without a key the record carries no MAC (an expiry never lets anything through).
			expect(requestBindingOf((await store.terminalRecord(fine.id))!)).toMatchObject({ keyId: null, mac: null });
		} finally {
			await store.close();
		}
	});
});
