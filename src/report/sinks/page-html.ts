// The operator's page: one document for the live server and for the static
// report.html. The markup holds no run data; the script (src/report/page/,
// bundled by `npm run build`) renders it from the run's data
// (view/page-wire.ts: a snapshot embedded in report.html; fetched, then kept
// up to date by the server's updates, on the live page). A
// Content-Security-Policy allows only this page's own script and style, by
// hash, so even a slip elsewhere could not run injected script.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { PAGE_STYLE } from './page-style.js';

/** Where `npm run build` puts the page's script: src/report/page/, typed and bundled into one file. */
export const PAGE_SCRIPT_FILE = new URL('../page/kiln-page.js', import.meta.url);

let script: string | undefined;

/** The page's whole script, as it runs in the browser; read once, when a page is first made. */
export function pageScript(): string {
  script ??= readFileSync(PAGE_SCRIPT_FILE, 'utf8');
  return script;
}

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy for the page: its own script and style only; the live page may also talk to its server. */
export function pageCsp(live: boolean): string {
  return [
    "default-src 'none'", `script-src ${hash(pageScript())}`, `style-src ${hash(PAGE_STYLE)}`, "img-src 'self' data:",
    `connect-src ${live ? "'self'" : "'none'"}`, "base-uri 'none'", "form-action 'none'",
  ].join('; ');
}

/** JSON text that can sit inside a <script> element: no `<`, `>` or `&` to end it early. */
export function scriptJson(json: string): string {
  return json
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The live page (no data: it asks the server) or, given a snapshot's JSON (page-delta.ts), the self-contained report. */
export function pageHtml(snapshot?: string): string {
  const live = snapshot === undefined;
  const data = live ? '' : `<script type="application/json" id="kiln-data">${scriptJson(snapshot)}</script>\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${pageCsp(live)}">
<meta name="referrer" content="no-referrer">
<title>kiln</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>kiln</h1><span id="run"></span><span id="result" class="badge"></span><span class="meta" id="times"></span>
<span class="meta" id="behind"></span><span class="badge warn" id="connection" hidden></span></header>
<main>
<section id="progress"><div class="counters" id="counters"></div><div class="bar" id="bar"></div><div class="note" id="scan"></div></section>
<section><h2>Hosts</h2><div class="hosts" id="hosts"></div></section>
<section class="toolbar">
<input id="search" type="search" placeholder="Search every table: pkgpath, pkgname, maintainer, error, host" aria-label="search">
<select id="status-filter" aria-label="status">
<option value="">every status</option><option value="done">done</option><option value="up-to-date">up-to-date</option>
<option value="building">building</option><option value="open">open</option><option value="failed">failed</option>
<option value="prefailed">prefailed</option><option value="indirect">indirect</option>
</select>
</section>
<section><h2>Running</h2><table id="running"></table><ul id="fetches" class="note"></ul></section>
<section><h2>Timeline</h2>
<div class="legend"><span><i class="l-built"></i>built</span><span><i class="l-failed"></i>failed</span><span><i class="l-running"></i>running</span><span><i class="l-lost"></i>lost (host or infrastructure)</span></div>
<div class="controls" id="timeline-controls"></div>
<div id="timeline"><div id="timeline-chart"></div><div class="note" id="timeline-empty"></div><div class="tip" id="timeline-tip" hidden></div></div></section>
<section><h2>Utilisation</h2><div id="utilisation"><div id="utilisation-chart"></div><div class="note" id="utilisation-average"></div></div></section>
<section class="long"><h2>Failures</h2><table id="failures"></table><div class="note" id="failures-note"></div></section>
<section class="long"><h2>Depending on failures</h2><table id="indirect"></table><div class="note" id="indirect-note"></div></section>
<section class="long"><h2>Every package</h2><table id="packages"></table><div class="note" id="packages-note"></div></section>
<section><h2>Messages</h2><ul class="messages" id="messages"></ul></section>
</main>
${data}<script>${pageScript()}</script>
</body>
</html>
`;
}
