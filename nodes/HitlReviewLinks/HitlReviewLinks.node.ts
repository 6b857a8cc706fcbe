/**
 * HITL Review Links: the production webhook the HITL Gates' links point at, activated once per n8n
 * instance and review store. n8n answers a waiting-webhook link of an ended run itself (409/404 JSON)
 * before any node runs; this node's URL never depends on a run, so it can always answer: while the run
 * waits it relays the request to the run's waiting webhook (the gate shows, decides and resumes exactly
 * as before), and once n8n refuses it renders what the review log says — decided by whom and when,
 * expired, erased, or the run ended undecided (relay.ts). It decides nothing for a waiting run; the one
 * thing it records itself is sample review's later verdict, for a gate that passed its items on at once
 * and waits for nothing (sampleReview.ts).
 */
import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { hitlStoreApiTest } from '../shared/reviewStore';
import { hitlSigningApiTest } from '../HitlGate/signingCredentialTest';
import { reviewLinksProperties, reviewLinksWebhooks } from './description';
import { reviewLinksWebhook } from './relay';

export class HitlReviewLinks implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HITL Review Links',
		name: 'hitlReviewLinks',
		icon: { light: 'file:hitlReviewLinks.svg', dark: 'file:hitlReviewLinks.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "/" + $parameter["path"] }}',
		description: 'Keeps HITL Gate review links answering after the run ended: decided by whom, expired, or closed',
		defaults: { name: 'HITL Review Links' },
		inputs: [],
		// Never emits: every request is answered here and starts no execution.
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			// The same two the gates use: the signing key (optional: derived from n8n's key) and the store.
			{ name: 'hitlSigningApi', required: false, testedBy: 'hitlSigningApiTest' },
			{ name: 'hitlStoreApi', required: false, testedBy: 'hitlStoreApiTest' },
		],
		webhooks: reviewLinksWebhooks,
		properties: reviewLinksProperties,
	};

	methods = { credentialTest: { hitlSigningApiTest, hitlStoreApiTest } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await reviewLinksWebhook.call(this);
	}
}
