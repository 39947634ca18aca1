// The dashboard's page. Embedded in the module rather than read from a file beside it: tsc
// copies no assets to dist/, so a file would have to be found in the source tree at run time,
// which breaks as soon as dist/ runs without it (a pruned image, a package). The page travels
// with the compiled code instead; its script and styles are page-script.ts and page-style.ts.
export const pageHtml = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Online store · live dashboard</title>
  <link rel="stylesheet" href="/dashboard.css">
</head>
<body>
  <header>
    <h1>Online store <span class="subtitle">live dashboard</span></h1>
    <div class="meta">
      <span id="connection" class="connection">connecting…</span>
      figures as of lsn <code id="lsn">…</code>
    </div>
  </header>
  <section class="tiles">
    <div class="tile"><span class="label">Revenue (confirmed orders)</span><strong id="total-revenue">…</strong></div>
    <div class="tile"><span class="label">Pending</span><strong id="count-pending">…</strong></div>
    <div class="tile"><span class="label">Confirmed</span><strong id="count-confirmed">…</strong></div>
    <div class="tile"><span class="label">Rejected</span><strong id="count-rejected">…</strong></div>
  </section>
  <main class="grid">
    <section class="panel">
      <h2>Revenue per product <span class="hint">top 12</span></h2>
      <div class="chart"><canvas id="revenue-chart"></canvas></div>
    </section>
    <section class="panel">
      <h2>Orders per minute <span class="hint">placed, last 30 minutes (UTC)</span></h2>
      <div class="chart"><canvas id="orders-chart"></canvas></div>
    </section>
    <section class="panel">
      <h2>Latest orders</h2>
      <table id="latest-orders">
        <thead><tr><th>Order</th><th>User</th><th>Items</th><th class="number">Total</th><th>Status</th><th>Placed (UTC)</th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <section class="panel">
      <h2>Low stock <span class="hint">below <span id="low-stock-below">…</span> units</span></h2>
      <ul id="low-stock"></ul>
      <p id="low-stock-more" class="hint"></p>
    </section>
  </main>
  <script src="/assets/chart.js"></script>
  <script src="/dashboard.js"></script>
</body>
</html>
`;
