/** The HITL Review Links node's parameters and webhooks (apart from its request handling in relay.ts). */
import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';

import { DEFAULT_REVIEW_LINKS_PATH } from '../../core/links';

export const reviewLinksProperties: INodeProperties[] = [
	{
		displayName:
			'Activate one workflow with this node per n8n instance and review store. HITL Gates that use the same review store and signing key then send links through it: while the run waits they work as before; after it ended — decided, timed out, stopped or deleted — they still answer with a page that says what happened, never n8n\'s error.',
		name: 'reviewLinksNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: DEFAULT_REVIEW_LINKS_PATH,
		required: true,
		description: 'The last part of the links\' URL (one URL segment). Gates look here unless their "Review Links Path" option says otherwise.',
	},
];

/** GET shows (relayed, or from the log once the run ended); POST relays a decision to the waiting run. */
export const reviewLinksWebhooks: IWebhookDescription[] = (['GET', 'POST'] as const).map((httpMethod) => ({
	name: 'default',
	httpMethod,
	responseMode: 'onReceived',
	path: '={{ $parameter["path"] }}',
	isFullPath: true,
}));
