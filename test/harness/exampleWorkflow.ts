/**
 * An example workflow from examples/ as a user imports it: the file unchanged except the id of the SMTP
 * credential its nodes name (the placeholder REPLACE_WITH_SMTP_CREDENTIAL_ID), which only exists once
 * created on the server under test.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import type { WorkflowJson } from './n8nTypes';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

export function loadExampleWorkflow(file: string, smtpCredentialId: string): WorkflowJson {
	const workflow = JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as WorkflowJson;
	for (const node of workflow.nodes) {
		if (node.credentials?.smtp) node.credentials.smtp.id = smtpCredentialId;
	}
	return workflow;
}
