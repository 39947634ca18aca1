// The dashboard page's styles (embedded for the reason page-html.ts gives).
export const pageStyle = `
:root { --ink: #1d2433; --muted: #6b7385; --line: #e3e6ee; --panel: #ffffff; --back: #f4f6fa;
  --confirmed: #1f9d55; --pending: #c98a06; --rejected: #d6453d; --accent: #2f6fde; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--back); }
header { display: flex; justify-content: space-between; align-items: baseline; padding: 16px 24px; background: var(--ink); color: #fff; }
h1 { margin: 0; font-size: 20px; }
.subtitle { font-weight: 400; color: #aeb6c8; margin-left: 6px; }
.meta { color: #cfd5e2; }
.meta code { color: #fff; font-size: 13px; }
.connection { display: inline-block; padding: 1px 8px; margin-right: 10px; border-radius: 10px; background: #6b7385; color: #fff; font-size: 12px; }
.connection.live { background: var(--confirmed); }
.tiles { display: grid; grid-template-columns: 2fr 1fr 1fr 1fr; gap: 16px; padding: 16px 24px 0; }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.tile .label { display: block; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile strong { font-size: 24px; font-variant-numeric: tabular-nums; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; padding: 16px 24px 24px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 0; }
h2 { margin: 0 0 8px; font-size: 15px; }
.hint { color: var(--muted); font-weight: 400; font-size: 12px; }
.chart { position: relative; height: 300px; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
.number { text-align: right; }
.status { padding: 1px 8px; border-radius: 10px; font-size: 12px; color: #fff; }
.status.confirmed { background: var(--confirmed); }
.status.pending { background: var(--pending); }
.status.rejected { background: var(--rejected); }
#low-stock { list-style: none; margin: 0; padding: 0; columns: 2; }
#low-stock li { display: flex; justify-content: space-between; gap: 8px; padding: 3px 4px; border-bottom: 1px solid var(--line); break-inside: avoid; }
#low-stock .stock { font-weight: 600; color: var(--rejected); font-variant-numeric: tabular-nums; }
@media (max-width: 900px) { .grid, .tiles { grid-template-columns: 1fr; } }
`;
