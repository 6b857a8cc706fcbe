import { PAGE_CSS_HASH } from './styles';

/**
 * No script at all, nothing from anywhere: the one inline style sheet by hash (so a style attribute or
 * `<style>` the sanitiser missed does not apply, and no CSS can fetch a `url()`), images only inline
 * (`data:`, as the sanitiser keeps them), forms may post only to this origin, no <base> tricks, never
 * framed (clickjacking a decision button). A sanitiser miss can therefore still load nothing.
 */
export const CONTENT_SECURITY_POLICY = [
	"default-src 'none'",
	`style-src '${PAGE_CSS_HASH}'`,
	'img-src data:',
	"form-action 'self'",
	"base-uri 'none'",
	"frame-ancestors 'none'",
].join('; ');

/** Headers for every page the gate serves (review page and message pages). */
export function securityHeaders(): Record<string, string> {
	return {
		'Content-Type': 'text/html; charset=utf-8',
		'Content-Security-Policy': CONTENT_SECURITY_POLICY,
		// The link carries its token in the query: never leak it through Referer.
		'Referrer-Policy': 'no-referrer',
		'Cache-Control': 'no-store',
		Pragma: 'no-cache',
		'X-Robots-Tag': 'noindex, nofollow',
		'X-Content-Type-Options': 'nosniff',
		'X-Frame-Options': 'DENY',
		'Cross-Origin-Opener-Policy': 'same-origin',
		'Cross-Origin-Resource-Policy': 'same-origin',
		'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
	};
}
