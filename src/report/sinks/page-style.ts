// The page's stylesheet, inlined into every page (no external resources).

export const PAGE_STYLE = `
:root { --ok: #2e7d32; --fail: #c62828; --warn: #ef6c00; --lost: #9e9e9e; --run: #1565c0; --pre: #6d4c41;
  --bg: #fafafa; --fg: #212121; --muted: #666; --line: #ddd; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: baseline; padding: 10px 16px; background: #263238; color: #eceff1; }
header h1 { margin: 0; font-size: 18px; }
header .meta { color: #b0bec5; }
.badge { padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; }
.badge.running { background: var(--run); } .badge.complete { background: var(--ok); }
.badge.stopped, .badge.interrupted { background: var(--warn); }
main { padding: 12px 16px; display: grid; gap: 14px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
/* Long tables off screen are not laid out or painted until scrolled to. */
section.long { content-visibility: auto; contain-intrinsic-size: auto 800px; }
h2 { font-size: 15px; margin: 0 0 8px; }
.counters { display: flex; flex-wrap: wrap; gap: 8px; }
.counter { min-width: 92px; padding: 6px 10px; border-radius: 6px; background: #eceff1; }
.counter b { display: block; font-size: 20px; }
.counter.done b { color: var(--ok); } .counter.failed b { color: var(--fail); } .counter.indirect b { color: var(--warn); }
.counter.running b { color: var(--run); } .counter.prefailed b { color: var(--pre); }
.bar { display: flex; height: 10px; border-radius: 5px; overflow: hidden; background: #e0e0e0; margin-top: 8px; }
.bar span { display: block; height: 100%; }
.hosts { display: flex; flex-wrap: wrap; gap: 6px; }
.host { padding: 3px 8px; border-radius: 4px; border: 1px solid var(--line); }
.host.up { border-color: var(--ok); } .host.down { border-color: var(--fail); color: var(--fail); } .host.draining { border-color: var(--warn); } .host.quarantined { border-color: var(--fail); color: var(--fail); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eee; white-space: nowrap; }
td.wrap { white-space: normal; min-width: 16em; max-width: 40em; overflow-wrap: anywhere; }
th { cursor: pointer; user-select: none; background: #f5f5f5; position: sticky; top: 0; }
th[aria-sort="ascending"]::after { content: " \\25B2"; } th[aria-sort="descending"]::after { content: " \\25BC"; }
td.num, th.num { text-align: right; }
tr.stuck td { background: #fff3e0; }
.status-failed, .status-prefailed { color: var(--fail); font-weight: 600; }
.status-indirect-failed, .status-indirect-prefailed { color: var(--warn); }
.status-done, .status-up-to-date { color: var(--ok); } .status-building { color: var(--run); }
.toolbar { display: flex; gap: 8px; align-items: center; }
#search { flex: 1; max-width: 480px; padding: 5px 8px; font-size: 14px; border: 1px solid #bbb; border-radius: 4px; }
.note { color: var(--muted); font-size: 12px; margin-top: 4px; }
canvas { display: block; }
#timeline { position: relative; }
.tip { position: absolute; z-index: 2; max-width: 360px; padding: 4px 8px; background: #263238; color: #eceff1; border-radius: 4px;
  font-size: 12px; pointer-events: none; overflow-wrap: anywhere; }
.controls { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; margin-bottom: 6px; }
.controls button, button.more { font-size: 12px; padding: 2px 8px; }
.badge.warn { background: var(--warn); }
.legend { display: flex; gap: 12px; font-size: 12px; color: var(--muted); margin-bottom: 4px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: middle; }
.messages li.warning { color: var(--warn); } .messages li.error { color: var(--fail); }
a { color: #1565c0; }
.l-built { background: #2e7d32; } .l-failed { background: #c62828; } .l-running { background: #1565c0; } .l-lost { background: #9e9e9e; }
`;
