// The dashboard page's script (embedded for the reason page-html.ts gives), run by the browser
// after chart.js: it follows /events and redraws from each state pushed, without reloading.
// It is plain ES2017 for the browser, kept free of backticks and dollar-brace so it can sit in
// this raw string unchanged.
export const pageScript = String.raw`
(function () {
  'use strict';
  var productsCharted = 12;
  var axisColor = '#6b7385';

  var revenueChart = new Chart(document.getElementById('revenue-chart'), {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'Revenue', data: [], backgroundColor: '#2f6fde', borderRadius: 3 }] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { color: axisColor } }, y: { ticks: { color: axisColor } } }
    }
  });

  var ordersChart = new Chart(document.getElementById('orders-chart'), {
    type: 'line',
    data: { labels: [], datasets: [{ label: 'Orders placed', data: [], borderColor: '#e07a1f', backgroundColor: 'rgba(224, 122, 31, 0.15)', fill: true, tension: 0.3, cubicInterpolationMode: 'monotone', pointRadius: 2 }] },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0, color: axisColor } }, x: { ticks: { color: axisColor } } }
    }
  });

  function setText(id, value) {
    document.getElementById(id).textContent = value;
  }

  function cell(row, value, className) {
    var td = document.createElement('td');
    td.textContent = value;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function renderCharts(state) {
    var products = state.revenue.byProduct.slice(0, productsCharted);
    revenueChart.data.labels = products.map(function (product) { return product.name; });
    revenueChart.data.datasets[0].data = products.map(function (product) { return Number(product.revenue); });
    revenueChart.update('none');
    ordersChart.data.labels = state.ordersPerMinute.map(function (entry) { return entry.minute.slice(11); });
    ordersChart.data.datasets[0].data = state.ordersPerMinute.map(function (entry) { return entry.orders; });
    ordersChart.update('none');
  }

  function renderLatestOrders(orders) {
    var rows = orders.map(function (order) {
      var row = document.createElement('tr');
      row.dataset.orderId = String(order.id);
      cell(row, '#' + order.id);
      cell(row, String(order.userId));
      cell(row, String(order.items));
      cell(row, order.total, 'number order-total');
      var status = document.createElement('span');
      status.className = 'status ' + order.status;
      status.textContent = order.status;
      cell(row, '', 'order-status').appendChild(status);
      cell(row, order.placedAt);
      return row;
    });
    document.querySelector('#latest-orders tbody').replaceChildren.apply(document.querySelector('#latest-orders tbody'), rows);
  }

  function renderLowStock(lowStock) {
    setText('low-stock-below', String(lowStock.below));
    var items = lowStock.products.map(function (product) {
      var item = document.createElement('li');
      item.dataset.productId = String(product.productId);
      var name = document.createElement('span');
      name.textContent = product.name;
      var stock = document.createElement('span');
      stock.className = 'stock';
      stock.textContent = String(product.stock);
      item.append(name, stock);
      return item;
    });
    var list = document.getElementById('low-stock');
    list.replaceChildren.apply(list, items);
    var more = lowStock.count - lowStock.products.length;
    setText('low-stock-more', more > 0 ? 'and ' + more + ' more' : (lowStock.count === 0 ? 'none' : ''));
  }

  function render(state) {
    window.dashboardState = state;
    setText('lsn', state.lsn === null ? 'loading…' : state.lsn);
    setText('total-revenue', state.revenue.total);
    setText('count-pending', String(state.ordersByStatus.pending || 0));
    setText('count-confirmed', String(state.ordersByStatus.confirmed || 0));
    setText('count-rejected', String(state.ordersByStatus.rejected || 0));
    renderCharts(state);
    renderLatestOrders(state.latestOrders);
    renderLowStock(state.lowStock);
  }

  var connection = document.getElementById('connection');
  var events = new EventSource('/events');
  events.addEventListener('state', function (event) { render(JSON.parse(event.data)); });
  events.onopen = function () { connection.textContent = 'live'; connection.className = 'connection live'; };
  // EventSource reconnects by itself; the first state it receives redraws everything.
  events.onerror = function () { connection.textContent = 'reconnecting…'; connection.className = 'connection'; };
})();
`;
