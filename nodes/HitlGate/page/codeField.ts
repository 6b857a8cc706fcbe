/**
 * The one-time code field of the review page (oneTimeCode.ts): a phone-friendly box for the 6 digits
 * (numeric keypad, the phone's "code from Mail/SMS" suggestion) and the "Email me a code" button — a
 * submit of the same form, so what the reviewer typed (comment, edits) comes back with the page. No
 * script. Every message about the code is tied to the box (aria-describedby), not only shown at the top.
 */
import { escapeHtml } from '../../../core/html';

export interface CodeFieldView {
	validitySeconds: number;
	/** Too many wrong codes: the link decides nothing any more; no box, no button. */
	locked?: boolean;
	/** After a code was sent. */
	notice?: string;
	/** Why the last code (or request for one) was refused. */
	error?: string;
}

function validityText(seconds: number): string {
	return seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} seconds`;
}

export function codeFieldHtml(view: CodeFieldView): string {
	if (view.locked) {
		return [
			'<div class="otp" role="group" aria-labelledby="otp-h">',
			'<p class="label" id="otp-h">One-time code</p>',
			`<p class="warn" id="otp-error">${escapeHtml(view.error ?? 'This link can no longer decide. Ask the workflow owner.')}</p>`,
			'</div>',
		].join('\n');
	}
	const describedBy = ['otp-help', view.notice ? 'otp-notice' : '', view.error ? 'otp-error' : ''].filter(Boolean).join(' ');
	return [
		'<div class="otp">',
		'<label for="otp">One-time code</label>',
		`<p class="hint" id="otp-help">Deciding needs a 6-digit code from a second email. Press "Email me a code", then type the code here. A code is valid for ${validityText(view.validitySeconds)} and works once.</p>`,
		view.notice ? `<p class="sent" id="otp-notice" role="status">${escapeHtml(view.notice)}</p>` : '',
		`<input class="otp" id="otp" name="otp" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="9" size="9" spellcheck="false" aria-describedby="${describedBy}"${view.error ? ' aria-invalid="true"' : ''}>`,
		view.error ? `<p class="warn" id="otp-error" role="alert">${escapeHtml(view.error)}</p>` : '',
		'<div class="buttons"><button type="submit" class="send-code" name="sendCode" value="1">Email me a code</button></div>',
		'</div>',
	].filter(Boolean).join('\n');
}
