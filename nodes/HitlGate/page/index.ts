export { securityHeaders, CONTENT_SECURITY_POLICY } from './headers';
export { renderMessagePage, standardMessage, type MessagePageInput, type StandardMessage } from './messagePage';
export {
	renderReviewPage,
	SAMPLE_VERDICT_LABELS,
	type EditableField,
	type ItemField,
	type ReviewItemView,
	type ReviewPageView,
	type ShownField,
	type VerdictLabels,
} from './reviewPage';
export { codeFieldHtml, type CodeFieldView } from './codeField';
export { buildItemView, type ItemViewInput } from './view';
export { changesHtml, MAX_DIFF_CHARS, type FieldChange } from './changes';
export { renderBatchPage, type BatchItemView, type BatchPageView, type SettledItemView } from './batchPage';
export { parseBatchForm, BULK_ACTIONS, type BatchForm, type BatchItemChoice, type BulkAction, type ParseBatchFormResult } from './batchForm';
export { sanitizeDraftHtml, renderMarkdown, PREVIEW_NOTICE } from './sanitize';
export {
	parseDecisionForm,
	EDIT_PREFIX,
	MAX_COMMENT_LENGTH,
	type DecisionForm,
	type ParseFormFailure,
	type ParseFormResult,
} from './form';
