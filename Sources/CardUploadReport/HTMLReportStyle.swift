/// The HTML report's style sheet, inlined in its `<head>`: sober, printable, no fonts or images to fetch.
enum HTMLReportStyle {
    static let css = """
        :root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
                --bar: #b35900; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; }
        * { box-sizing: border-box; }
        body { margin: 0; padding: 24px 32px 48px; color: var(--ink); background: #fff;
               font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1100px; margin: 0 auto; }
        h1 { font-size: 22px; margin: 0 0 4px; font-weight: 600; }
        h2 { font-size: 16px; margin: 28px 0 10px; font-weight: 600; border-bottom: 1px solid var(--line);
             padding-bottom: 4px; }
        code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
                      font-size: 13px; }
        .subtitle { margin: 0; color: var(--muted); overflow-wrap: anywhere; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 16px 0 0; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        .status { display: inline-block; padding: 0 8px; border-radius: 10px; font-weight: 600;
                  border: 1px solid currentColor; }
        .status-completed { color: var(--ok); }
        .status-completed_with_errors { color: var(--warn); }
        .status-failed { color: var(--bad); }
        .status-interrupted, .status-running { color: var(--muted); }
        .counts { display: flex; flex-wrap: wrap; gap: 12px; margin: 20px 0 0; padding: 0; list-style: none; }
        .counts li { min-width: 130px; padding: 10px 14px; border: 1px solid var(--line); border-radius: 6px;
                     background: var(--soft); }
        .counts .label { display: block; color: var(--muted); font-size: 12px; text-transform: uppercase;
                         letter-spacing: .04em; }
        .counts .value { display: block; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .counts li.rejected .value { color: var(--bad); }
        .file-error { margin: 20px 0 0; padding: 10px 14px; border: 1px solid var(--bad); border-left-width: 4px;
                      border-radius: 6px; background: #fff5f5; }
        .file-error p { margin: 0; overflow-wrap: anywhere; }
        .note { color: var(--muted); }
        svg.chart { display: block; max-width: 100%; height: auto; }
        svg.chart rect { fill: var(--bar); }
        svg.chart text { font: 13px ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
                         fill: var(--ink); }
        svg.chart text.count { fill: var(--muted); font-variant-numeric: tabular-nums; }
        table.rows { border-collapse: collapse; width: 100%; }
        table.rows th, table.rows td { text-align: left; vertical-align: top; padding: 4px 10px;
                                       border-bottom: 1px solid var(--line); }
        table.rows th { background: var(--soft); position: sticky; top: 0; font-weight: 600; }
        table.rows td { overflow-wrap: anywhere; }
        table.rows td.line { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted);
                             width: 5em; }
        table.rows tbody tr:nth-child(even) { background: #fbfcfd; }
        .none { color: var(--muted); }
        .field { color: var(--muted); }
        .more { margin: 12px 0 0; font-weight: 600; }
        """
}
