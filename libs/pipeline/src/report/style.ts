/** The report's stylesheet, inlined into report.html (the file loads nothing from anywhere). */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1a1a1a; --muted: #5f6368; --rule: #d9d9d9; --accent: #1f4e8c; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1280px; padding: 24px 32px 64px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-top: 12px; border-top: 2px solid var(--rule); }
h3 { font-size: 15px; margin: 20px 0 6px; }
p.meta, p.note { color: var(--muted); margin: 2px 0; }
p.warning { color: #8a3b00; background: #fff4e5; padding: 6px 10px; border-left: 3px solid #e6a23c; }
nav a { margin-right: 12px; color: var(--accent); }
.charts { display: flex; flex-wrap: wrap; gap: 20px 28px; align-items: flex-start; }
figure { margin: 0; }
svg { max-width: 100%; height: auto; font-family: inherit; }
svg .chart-title { font-size: 13px; font-weight: 600; fill: var(--ink); }
svg .axis-label, svg .legend-label { font-size: 11px; fill: var(--ink); }
svg .tick { font-size: 10px; fill: var(--muted); }
svg .axis-title { font-size: 11px; fill: var(--muted); }
svg .cell-value { font-size: 10.5px; font-variant-numeric: tabular-nums; pointer-events: none; }
svg .empty-note, svg .na { font-size: 11px; fill: var(--muted); font-style: italic; }
svg .grid { stroke: #e3e3e3; stroke-width: 1; fill: none; }
svg .reference { stroke: #9aa0a6; stroke-dasharray: 4 3; stroke-width: 1; }
svg .series { fill: none; stroke-width: 2; }
svg .area { fill-opacity: 0.14; stroke-width: 2; }
svg .point { fill-opacity: 0.85; stroke: #fff; stroke-width: 0.8; }
svg .whisker { stroke: #333; stroke-width: 1.2; fill: none; }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
.table-wrap { max-width: 100%; overflow-x: auto; }
th, td { padding: 3px 8px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #b5b5b5; }
td.num { text-align: right; white-space: nowrap; }
th[title] { text-decoration: underline dotted #9aa0a6; cursor: help; }
caption { caption-side: top; text-align: left; color: var(--muted); padding-bottom: 4px; }
tr.flagged td, tr.flagged th { background: #fff4e5; }
pre { background: #f6f8fa; padding: 10px 12px; overflow-x: auto; font-size: 12px; }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--accent); }
@media print { h2 { break-before: page; } nav { display: none; } }
`;
