"""The dev-only "BankID test app" page. All URLs are relative, so any mount prefix works."""

APP_PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>BankID test app</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 1rem auto; padding: 0 1rem;
       color: #1a1a1a; }
h1 { font-size: 1.4rem; }
fieldset { border: 1px solid #999; margin: 1rem 0; padding: .75rem; }
label { display: block; margin: .5rem 0 .2rem; font-weight: 600; }
textarea, select, input { width: 100%; box-sizing: border-box; font: inherit; padding: .3rem; }
button { font: inherit; padding: .4rem .8rem; margin: .5rem .4rem 0 0; cursor: pointer; }
button:focus-visible, textarea:focus-visible, select:focus-visible, input:focus-visible {
  outline: 3px solid #1b5fc1; outline-offset: 2px; }
#status { min-height: 1.5rem; padding: .5rem; background: #f2f2f2; }
.warn { background: #fff3cd; padding: .5rem; }
li { margin: .4rem 0; }
</style>
</head>
<body>
<main>
<h1>BankID test app</h1>
<p class="warn">Endast för utveckling och test / Development and test only.</p>

<fieldset>
<legend>Identitet / Identity</legend>
<label for="identity">Testperson / Test person</label>
<select id="identity"></select>
<label for="pnr">Eller eget personnummer (12 siffror) / Or own personal number</label>
<input id="pnr" inputmode="numeric" autocomplete="off" pattern="[0-9]{12}">
</fieldset>

<fieldset>
<legend>QR-kod / QR code</legend>
<label for="qr">Klistra in QR-data / Paste QR payload (bankid.…)</label>
<textarea id="qr" rows="3" autocomplete="off" spellcheck="false"></textarea>
<button type="button" id="scan">Skanna / Scan</button>
</fieldset>

<fieldset>
<legend>Väntande order / Pending orders</legend>
<ul id="orders" aria-live="polite"></ul>
</fieldset>

<fieldset>
<legend>Åtgärd / Action</legend>
<button type="button" data-action="approve">Godkänn / Approve</button>
<button type="button" data-action="cancel">Avbryt / Cancel</button>
<button type="button" data-action="blocked">Spärrat BankID / Blocked BankID</button>
</fieldset>

<p id="status" role="status" aria-live="polite"></p>
</main>
<script>
(function () {
  "use strict";
  var base = location.pathname.replace(/\\/app\\/?$/, "/");
  var current = null;
  var $ = function (id) { return document.getElementById(id); };

  function who() {
    var pnr = $("pnr").value.trim();
    return pnr ? { personalNumber: pnr } : { identity: $("identity").value };
  }
  function show(text) { $("status").textContent = text; }
  function call(method, path, body) {
    return fetch(base + path, {
      method: method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.message || data.error || r.status); }
        return data;
      });
    });
  }
  function report(res) {
    current = res.status === "pending" ? res.id : null;
    show("Order " + res.id + ": " + res.status + (res.hintCode ? " / " + res.hintCode : ""));
    refresh();
  }
  function fail(err) { show("Fel / Error: " + err.message); }

  function scan(action) {
    var body = Object.assign({ qrData: $("qr").value.trim() }, who());
    if (action) { body.action = action; }
    return call("POST", "app/scan", body).then(report, fail);
  }
  function act(action) {
    if (current) {
      var body = Object.assign({ action: action }, who());
      return call("POST", "app/orders/" + encodeURIComponent(current) + "/action", body)
        .then(report, fail);
    }
    if ($("qr").value.trim()) { return scan(action); }
    show("Skanna en QR-kod eller välj en order först / Scan a QR code or pick an order first");
  }
  function refresh() {
    return call("GET", "app/orders").then(function (data) {
      var list = $("orders");
      list.textContent = "";
      data.orders.forEach(function (o) {
        var li = document.createElement("li");
        var label = o.type + ", " + o.hintCode + ", " + o.ageSeconds + " s" +
          (o.personalNumber ? ", " + o.personalNumber : "") +
          (o.userVisibleData ? ": " + o.userVisibleData.slice(0, 80) : "");
        li.appendChild(document.createTextNode(label + " "));
        if (!o.pickedUp) {
          var b = document.createElement("button");
          b.type = "button";
          b.textContent = "Öppna / Open";
          b.setAttribute("aria-label", "Öppna order / Open order " + o.id);
          b.addEventListener("click", function () {
            var body = Object.assign({ action: "open" }, who());
            call("POST", "app/orders/" + encodeURIComponent(o.id) + "/action", body)
              .then(report, fail);
          });
          li.appendChild(b);
        }
        list.appendChild(li);
      });
      if (!data.orders.length) { list.textContent = "Inga / None"; }
    }, function () {});
  }

  call("GET", "app/identities").then(function (data) {
    data.identities.forEach(function (i) {
      var opt = document.createElement("option");
      opt.value = i.key;
      opt.textContent = i.name + " (" + i.personalNumber + ", " + i.kind + ")";
      $("identity").appendChild(opt);
    });
  }, fail);
  $("scan").addEventListener("click", function () { scan(null); });
  document.querySelectorAll("button[data-action]").forEach(function (b) {
    b.addEventListener("click", function () { act(b.getAttribute("data-action")); });
  });
  refresh();
  setInterval(refresh, 2000);
})();
</script>
</body>
</html>
"""
