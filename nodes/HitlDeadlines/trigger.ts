/**
 * The HITL Deadlines trigger's timer (n8n's cron scheduler): every interval, one tick of the deadline worker
 * (core/deadline/worker.ts) against the node's review store — a beat, claims on due steps, signed
 * orders POSTed to the waiting gates. Ticks never overlap in one process; across processes the store's
 * claims keep each step to one worker. A failing tick is logged and retried at the next one: the
 * trigger must not stop because one gate's run is unreachable.
 */
import type { Cron, IDataObject, ITriggerFunctions, ITriggerResponse, IN8nHttpFullResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { deriveDeadlineActionKey, type SignedDeadlineOrder, defaultWorkerName, runDeadlineTick, type HttpAnswer, type TickOutcome } from '../../core/deadline';
import { instanceEncryptionKey } from '../shared/instanceKey';
import { openReviewStore } from '../shared/reviewStore';
import { cronFor, INTERVAL_SECONDS } from './description';

function intervalOf(ctx: ITriggerFunctions): number {
	const seconds = Number(ctx.getNodeParameter('intervalSeconds', 30));
	if (!INTERVAL_SECONDS.includes(seconds)) {
		throw new NodeOperationError(ctx.getNode(), `Invalid interval: ${String(seconds)} seconds`, {
			description: `Pick one of the offered intervals for "Check Every" (${INTERVAL_SECONDS.join(', ')} seconds).`,
		});
	}
	return seconds * 1000;
}

export async function deadlinesTrigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
	const node = this.getNode();
	const intervalMs = intervalOf(this);
	const instanceKey = instanceEncryptionKey();
	if (instanceKey === null) {
		throw new NodeOperationError(node, 'n8n\'s encryption key could not be read', {
			description: 'The deadline trigger signs its orders to the gates with a key derived from n8n\'s encryption key (N8N_ENCRYPTION_KEY or the n8n config file). Run it in the n8n process that owns that key.',
		});
	}
	const key = deriveDeadlineActionKey(instanceKey);
	const worker = defaultWorkerName(node.id);
	const emitActions = this.getNodeParameter('emitActions', false) === true;

	const post = async (url: string, body: SignedDeadlineOrder): Promise<HttpAnswer> => {
		const response = (await this.helpers.httpRequest({
			method: 'POST',
			url,
			body: { ...body } as IDataObject,
			json: true,
			timeout: 60_000,
			disableFollowRedirect: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as IN8nHttpFullResponse;
		const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
		return { status: response.statusCode, body: text };
	};

	const tick = async (): Promise<TickOutcome[]> => {
		const store = await openReviewStore(this);
		try {
			return await runDeadlineTick(store, { worker, intervalMs, key, post });
		} finally {
			await store.close();
		}
	};

	if (this.getMode() === 'manual') {
		// Testing the node: one tick now, its outcome as the output (an idle tick says so).
		return {
			manualTriggerFunction: async () => {
				const outcomes = await tick();
				const items: IDataObject[] = outcomes.length > 0 ? outcomes.map((o) => ({ ...o })) : [{ idle: true, checkedAt: new Date().toISOString(), worker }];
				this.emit([this.helpers.returnJsonArray(items)]);
			},
		};
	}

	let running = false;
	const guarded = async () => {
		if (running) return;
		running = true;
		try {
			const outcomes = await tick();
			for (const o of outcomes) {
				const line = `HITL Deadlines: ${o.kind} ${o.eventId} → ${o.result}${o.status === null ? '' : ` (HTTP ${o.status})`}`;
				if (o.result === 'retry') this.logger.warn(`${line}: ${o.detail}`);
				else this.logger.info(line);
			}
			if (emitActions && outcomes.length > 0) this.emit([this.helpers.returnJsonArray(outcomes.map((o) => ({ ...o })))]);
		} catch (error) {
			this.logger.error(`HITL Deadlines could not check the review store: ${(error as Error).message}`, { error });
		} finally {
			running = false;
		}
	};
	// n8n's own scheduler: it runs only on the leader of a multi-main set-up and stops with the workflow.
	this.helpers.registerCron({ expression: cronFor(intervalMs / 1000) as Cron['expression'] }, () => void guarded());
	void guarded();
	return {};
}
