/**
 * What a reviewer saw and decided, kept as evidence beside the chain when the HITL Review Store
 * credential has an Evidence Encryption Secret (core/evidence/): per item, the draft, the item that
 * leaves through Approved (edits applied) and the edits, encrypted under the item's data subject.
 * The `decided` record carries only references and salted commitments (`details.evidence`), and —
 * with evidence kept — logs edits by path only, so personal data can be erased later while the
 * chain and every proof still verify. n8n prunes executions; this outlives them.
 *
 * Fail closed: a vault that cannot be opened or written makes the decision fail ("nothing was
 * decided"), rather than a decision whose evidence silently went missing.
 */
import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { evidenceReference, type EvidenceReference } from '../../core/evidence';
import type { ReviewOutcome } from '../../core/store';
import { openEvidenceVaultFor } from '../shared/evidence';
import { getStoreSettings, type StoreSettings } from '../shared/reviewStore';
import { itemParameterReader } from './itemParameters';
import type { GatePayload } from './types';

/** The builder's Data Subject ID for each item (execute time); null when the credential keeps no evidence. */
export function subjectIdsFor(ctx: IExecuteFunctions, settings: StoreSettings, count: number): Array<string | null> {
	if (!settings.evidence) return Array.from({ length: count }, () => null);
	// Read once per item; a `{{ $json.path }}` ID by a field lookup (itemParameters.ts).
	const subjectAt = itemParameterReader(ctx, 'dataSubjectId', '');
	return Array.from({ length: count }, (_, i) => {
		const value = subjectAt(i);
		const id = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
		if (id === '') {
			throw new NodeOperationError(ctx.getNode(), 'Data Subject ID is empty', {
				itemIndex: i,
				description:
					'The HITL Review Store credential keeps evidence per data subject, so each item needs one: set Data Subject ID to who the item is about, e.g. {{ $json.candidate.id }}. Evidence is erased by this id.',
			});
		}
		return id;
	});
}

/**
 * Keeps the evidence of one decision, one vault entry per item; null when the credential keeps no
 * evidence or the request was made before it did (no subject ids in its payload).
 */
export async function keepEvidence(ctx: IWebhookFunctions, payload: GatePayload, outcome: ReviewOutcome, now: Date): Promise<EvidenceReference[] | null> {
	if (!payload.items.every((item) => typeof item.subjectId === 'string' && item.subjectId !== '')) return null;
	const vault = await openEvidenceVaultFor(await getStoreSettings(ctx));
	if (!vault) return null;
	try {
		const approved = outcome.decision !== 'rejected';
		const single = payload.items.length === 1;
		const refs: EvidenceReference[] = [];
		for (const item of payload.items) {
			const final = approved ? (single && outcome.finalJson ? outcome.finalJson : item.json) : null;
			const put = await vault.put({
				subjectId: item.subjectId as string,
				parts: { draft: item.json, final, edits: single ? outcome.edits : [] },
				recordedAt: now,
			});
			refs.push(evidenceReference(put));
		}
		return refs;
	} finally {
		await vault.close();
	}
}
