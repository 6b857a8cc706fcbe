import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { OUTPUT_NAMES, routerProperties } from './description';
import { routeItems } from './execute';

// Not offered as an AI-agent tool: it is flow control (four outputs), which a tool call cannot use.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class BlastRadiusRouter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Blast Radius Router',
		name: 'blastRadiusRouter',
		icon: { light: 'file:blastRadiusRouter.svg', dark: 'file:blastRadiusRouter.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ "fallback: " + $parameter["fallbackTier"] }}',
		description: 'Route items by the damage they could do if automation acted alone: High, Medium, Low (sampled) or Low',
		defaults: { name: 'Blast Radius Router' },
		inputs: [NodeConnectionTypes.Main],
		// Four outputs, ordered by risk; n8n adds a fifth (Error) when the builder enables the error output.
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: OUTPUT_NAMES,
		properties: routerProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await routeItems.call(this);
	}
}
