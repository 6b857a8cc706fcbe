import { escapeHtml } from '../../../core/html';
import { PAGE_CSS } from './styles';

/** The document shell shared by all pages. `bodyHtml` must already be escaped markup. */
export function pageShell(title: string, bodyHtml: string): string {
	return [
		'<!DOCTYPE html>',
		'<html lang="en">',
		'<head>',
		'<meta charset="utf-8">',
		'<meta name="viewport" content="width=device-width, initial-scale=1">',
		'<meta name="robots" content="noindex, nofollow">',
		'<meta name="referrer" content="no-referrer">',
		`<title>${escapeHtml(title)}</title>`,
		`<style>${PAGE_CSS}</style>`,
		'</head>',
		'<body>',
		`<main>${bodyHtml}</main>`,
		'</body>',
		'</html>',
	].join('\n');
}

/** `2026-11-25T10:31:07.123Z` → `2026-11-25 10:31 UTC`; anything unparsable is shown as given. */
export function formatTime(iso: string): string {
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return iso;
	return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
