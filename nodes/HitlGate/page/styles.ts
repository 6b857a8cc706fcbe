/**
 * The pages' only style sheet, inline (no external assets) and allowed by its hash in the CSP, so the
 * policy needs neither 'unsafe-inline' nor any origin. No style attributes are used anywhere (and the
 * sanitiser drops the draft's own).
 *
 * Mobile first and WCAG 2.2 AA: nothing wider than the screen at 320 CSS px (long words, hashes and
 * URLs wrap anywhere; a wide table scrolls inside its focusable preview), text at ≥ 4.5:1, borders
 * of controls at ≥ 3:1 (#6b7280 on white is 4.8:1), a 3 px focus ring, buttons at least 44 px high.
 */
import { createHash } from 'node:crypto';

export const PAGE_CSS = [
	'*{box-sizing:border-box}',
	'html{scroll-padding-bottom:5rem}',
	'body{margin:0;background:#f4f5f7;color:#1d2330;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}',
	'main{max-width:46rem;margin:0 auto;padding:.75rem .75rem 0}',
	'h1{font-size:1.35rem;line-height:1.25;margin:.25rem 0 .5rem}',
	'h2{font-size:1.1rem;margin:0 0 .5rem}',
	'p{margin:.25rem 0}',
	'.card{background:#fff;border:1px solid #d8dce3;border-radius:8px;padding:.875rem;margin:0 0 .875rem;min-width:0}',
	'.deadline{font-weight:600;margin:0 0 .25rem}',
	'.meta,.relative{color:#4a5262;font-size:.9rem}',
	'.summary ul{margin:.25rem 0 0;padding-left:1.25rem}.why{font-weight:600;margin-top:.5rem}',
	'.risk{font-weight:700}.tier{display:inline-block;padding:.1rem .6rem;border-radius:999px;font-weight:700;font-size:.9rem;text-transform:capitalize}',
	'.tier-low{background:#dff3e4;color:#15572b}.tier-medium{background:#fff1cc;color:#6b4a00}',
	'.tier-high,.tier-unknown{background:#fde0de;color:#8a1c12}',
	'.text{white-space:pre-wrap;unicode-bidi:isolate}',
	'dl{margin:0}dd{margin:.25rem 0 0}',
	'dl.fields>dt{font-weight:700;margin-top:1rem}dl.fields>dt:first-child{margin-top:0}',
	'dl.data{border-left:3px solid #d8dce3;padding-left:.625rem}dl.data>dt{font-weight:600;color:#4a5262;margin-top:.375rem}',
	'ol.data{margin:0;padding-left:1.5rem}',
	'.scalar{font-variant-numeric:tabular-nums}',
	'pre,.code{font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}',
	'pre{white-space:pre-wrap;margin:0;padding:.5rem;background:#f7f8fa;border-radius:4px;unicode-bidi:isolate}',
	'.notice{color:#4a5262;font-size:.85rem;margin:.25rem 0}',
	'.preview{border:1px solid #6b7280;border-radius:6px;padding:.75rem;background:#fff;overflow-x:auto;unicode-bidi:isolate}',
	'.preview>:first-child{margin-top:0}.preview>:last-child{margin-bottom:0}',
	'.preview p{margin:0 0 .75rem}.preview img{max-width:100%;height:auto}',
	'.preview table{border-collapse:collapse}.preview td,.preview th{border:1px solid #d8dce3;padding:.25rem .5rem;vertical-align:top}',
	'.preview .link{color:#1d4ed8;text-decoration:underline dotted}',
	'.preview .link::after{content:" <" attr(data-href) ">";color:#4a5262;font-size:.85em;text-decoration:none}',
	'.preview .blocked{color:#4a5262;font-style:italic}',
	'details{margin:.5rem 0 0}summary{cursor:pointer;color:#1d4ed8;padding:.25rem 0}',
	'details.tech{margin:0 0 1.5rem;padding:0 .25rem}details.tech dt{font-weight:600;margin-top:.5rem}details.tech dd{font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}',
	'.hidden-char{background:#fde0de;color:#8a1c12;border-radius:3px;padding:0 .15rem;font-size:.8em}',
	'label{display:block;font-weight:700;margin:0 0 .25rem}',
	'.field,dl.fields{margin-top:1rem}h2+.field,h2+dl.fields{margin-top:0}',
	'.decision label{margin-top:.5rem}',
	'.hint{font-weight:400;color:#4a5262}',
	'textarea{display:block;width:100%;min-height:5rem;padding:.5rem;font:inherit;color:inherit;background:#fff;border:1px solid #6b7280;border-radius:4px;resize:vertical}',
	'textarea.code{font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}textarea.long{min-height:12rem}',
	'textarea[aria-invalid="true"]{border:2px solid #b42318}.preview+textarea{margin-top:.5rem}',
	'.warn{color:#8a1c12;font-size:.9rem;margin:.25rem 0 0}',
	'.error{background:#fde0de;border-color:#b42318;color:#8a1c12}',
	'.ok{background:#dff3e4;border-color:#1a7f37}',
	'.decide-bar{position:sticky;bottom:0;z-index:1;margin:0 -.75rem .875rem;padding:.5rem .75rem;background:#f4f5f7;border-top:1px solid #d8dce3}',
	'.decide-bar a{display:flex;align-items:center;justify-content:center;min-height:44px;border-radius:6px;background:#1d2330;color:#fff;font-weight:700;text-decoration:none}',
	'.buttons{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1rem}',
	'button{font:inherit;font-weight:700;min-height:48px;padding:.7rem 1.4rem;border-radius:6px;border:0;cursor:pointer;flex:1 1 8rem}',
	'button.approve{background:#1a7f37;color:#fff}button.reject{background:#b42318;color:#fff}button.submit{background:#1d2330;color:#fff}',
	// The batch page: a radio group per item, each choice a 44 px target with its label.
	'fieldset.choice{border:0;padding:0;margin:1rem 0 .5rem;min-width:0}legend{font-weight:700;padding:0;margin:0 0 .375rem}',
	'.options{display:flex;flex-wrap:wrap;gap:.5rem}',
	'label.option{display:flex;align-items:center;gap:.5rem;flex:1 1 7.5rem;min-height:44px;margin:0;padding:.375rem .75rem;border:1px solid #6b7280;border-radius:6px;font-weight:600;cursor:pointer}',
	'label.option input{width:1.25rem;height:1.25rem;margin:0;flex:none;accent-color:#1d2330}',
	'label.option-approve:has(input:checked){background:#dff3e4;border-color:#1a7f37}label.option-reject:has(input:checked){background:#fde0de;border-color:#b42318}',
	'textarea.short{min-height:3.25rem}ul.settled{margin:0;padding-left:1.25rem}',
	'a:focus-visible,button:focus-visible,textarea:focus-visible,summary:focus-visible,.preview:focus-visible,input:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}',
	// Preview changes: removed words struck through in red, added ones underlined in green (both ≥ 4.5:1).
	'.diff del{background:#fde8e8;color:#8b1a1a;text-decoration:line-through}',
	'.diff ins{background:#e3f4e8;color:#13522b;text-decoration:underline}',
	'.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
	'h3{font-size:1rem;margin:.5rem 0 .25rem}',
	'button.preview-changes{background:#fff;color:#1d2330;border:2px solid #6b7280}',
	// The one-time code: 16 px or more (phones do not zoom in), digits spaced, a 48 px target.
	'.otp{margin-top:1rem}.otp .label{font-weight:700;margin:0}.otp .sent{color:#13522b;font-weight:600;margin:.25rem 0}',
	'input.otp{display:block;width:10rem;min-height:48px;padding:.5rem;font:700 1.25rem/1.2 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.15em;color:inherit;background:#fff;border:1px solid #6b7280;border-radius:4px}',
	'input.otp[aria-invalid="true"]{border:2px solid #b42318}button.send-code{background:#fff;color:#1d2330;border:2px solid #6b7280}',
].join('\n');

export const PAGE_CSS_HASH = `sha256-${createHash('sha256').update(PAGE_CSS, 'utf8').digest('base64')}`;
