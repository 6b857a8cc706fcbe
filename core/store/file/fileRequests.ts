/**
 * The gate's working state for the file backend: one JSON file per request group
 * (`g-<sha256(groupId)>.json`) and one index file per request id (`i-<sha256(id)>` → group id),
 * replaced atomically (temp + fsync + rename + fsync dir). Mutations run under the log's lock, so
 * the pending → decided compare-and-set is atomic across processes. Reads need no lock: a rename
 * is atomic, so a reader sees the old or the new file, never half of one.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

import { sha256Hex } from '../../chain';
import { StoreCorruptError, StoreUsageError } from '../errors';
import { checkOutcome, checkReviewRequest } from '../requests';
import type { ReviewOutcome, ReviewRequest } from '../types';
import { fsyncDir, readFileOrNull, writeFileAtomic } from './fsUtil';

interface GroupFile {
	groupId: string;
	resumeClaimed: boolean;
	requests: ReviewRequest[];
}

export class FileRequestState {
	private ready = false;

	constructor(private readonly dir: string) {}

	private groupPath(groupId: string): string {
		return join(this.dir, `g-${sha256Hex(groupId)}.json`);
	}

	private idPath(id: string): string {
		return join(this.dir, `i-${sha256Hex(id)}`);
	}

	private async ensureDir(): Promise<void> {
		if (this.ready) return;
		const created = await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
		if (created) await fsyncDir(join(this.dir, '..'));
		this.ready = true;
	}

	private async readGroup(groupId: string): Promise<GroupFile | null> {
		const text = await readFileOrNull(this.groupPath(groupId));
		if (text === null) return null;
		try {
			const group = JSON.parse(text) as GroupFile;
			if (group.groupId !== groupId || !Array.isArray(group.requests)) throw new Error('unexpected content');
			return group;
		} catch (error) {
			throw new StoreCorruptError(`Review request file for group ${groupId} is damaged (${(error as Error).message})`);
		}
	}

	async put(requests: ReviewRequest[]): Promise<void> {
		const checked = requests.map((r) => checkReviewRequest(r));
		const ids = new Set<string>();
		for (const r of checked) {
			if (ids.has(r.id)) throw new StoreUsageError(`Review request id ${r.id} appears twice`);
			ids.add(r.id);
			if ((await readFileOrNull(this.idPath(r.id))) !== null) {
				throw new StoreUsageError(`Review request id ${r.id} already exists; request ids must be unique`);
			}
		}
		await this.ensureDir();
		const byGroup = new Map<string, ReviewRequest[]>();
		for (const r of checked) byGroup.set(r.groupId, [...(byGroup.get(r.groupId) ?? []), r]);
		for (const [groupId, list] of byGroup) {
			const group = (await this.readGroup(groupId)) ?? { groupId, resumeClaimed: false, requests: [] };
			group.requests.push(...list);
			await writeFileAtomic(this.groupPath(groupId), JSON.stringify(group));
			for (const r of list) await writeFileAtomic(this.idPath(r.id), groupId);
		}
	}

	async get(id: string): Promise<ReviewRequest | null> {
		const groupId = await readFileOrNull(this.idPath(id));
		if (groupId === null) return null;
		const group = await this.readGroup(groupId);
		return group?.requests.find((r) => r.id === id) ?? null;
	}

	async list(groupId: string): Promise<ReviewRequest[]> {
		return (await this.readGroup(groupId))?.requests ?? [];
	}

	async resolve(
		id: string,
		status: 'decided' | 'expired',
		outcome: ReviewOutcome | null,
	): Promise<{ applied: boolean; request: ReviewRequest }> {
		const checkedOutcome = checkOutcome(status, outcome);
		const groupId = await readFileOrNull(this.idPath(id));
		const group = groupId === null ? null : await this.readGroup(groupId);
		const request = group?.requests.find((r) => r.id === id);
		if (!group || !request) throw new StoreUsageError(`Unknown review request ${id}`);
		if (request.status !== 'pending') return { applied: false, request };
		request.status = status;
		request.outcome = checkedOutcome;
		await writeFileAtomic(this.groupPath(group.groupId), JSON.stringify(group));
		return { applied: true, request };
	}

	async claimResume(groupId: string): Promise<boolean> {
		const group = await this.readGroup(groupId);
		if (!group || group.resumeClaimed) return false;
		group.resumeClaimed = true;
		await writeFileAtomic(this.groupPath(groupId), JSON.stringify(group));
		return true;
	}
}
