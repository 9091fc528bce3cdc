/* blog-avatars serve: the latest build's warnings and errors over every served page, as Vite and
 * Hugo show theirs, so a broken post or a refused avatar URL is seen where one looks.
 *
 * The server puts the build's status in <script id="blog-avatars-status" type="application/json">
 * before this script. A successful rebuild reloads the page (the live-reload script), which then
 * carries the new status; a failed one does not, and the live-reload script hands its status to
 * window.blogAvatarsOverlay instead. "Dismiss" hides the panel until the next build.
 * Plain ES5 and inline styles under one id, so a site's own CSS and scripts neither break it nor
 * are touched by it.
 */
(function () {
  'use strict';

  var ID = 'blog-avatars-overlay';
  var DISMISSED = 'blog-avatars-overlay-dismissed';

  function el(tag, css, text) {
    var node = document.createElement(tag);
    if (css) { node.setAttribute('style', css); }
    if (text) { node.textContent = text; }
    return node;
  }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  function render(status) {
    var old = document.getElementById(ID);
    if (old) { old.parentNode.removeChild(old); }
    var errors = [];
    var warnings = [];
    if (!status.ok) {
      errors.push({ text: status.message || 'the build failed' });
    }
    (status.error_lines || []).forEach(function (line) { errors.push({ text: line }); });
    (status.warning_details || []).forEach(function (w) {
      warnings.push({ place: w.path + (w.line ? ':' + w.line : ''), text: w.message });
    });
    if (!errors.length && !warnings.length) { return; }
    var key = String(status.generation) + (status.ok ? '' : ' failed');
    try { if (sessionStorage.getItem(DISMISSED) === key) { return; } } catch (e) { /* no storage */ }

    var panel = el('aside',
      'all:initial;position:fixed;z-index:2147483647;left:1rem;right:1rem;bottom:1rem;' +
      'max-height:45vh;overflow:auto;box-sizing:border-box;padding:.9rem 1.1rem;' +
      'background:#1d2330;color:#f3f5f9;border-radius:10px;border-left:6px solid ' +
      (errors.length ? '#f04438' : '#f79009') + ';box-shadow:0 10px 30px rgba(0,0,0,.35);' +
      'font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;');
    panel.id = ID;
    panel.setAttribute('role', 'alert');
    panel.setAttribute('data-errors', String(errors.length));
    panel.setAttribute('data-warnings', String(warnings.length));

    var head = el('div', 'display:flex;align-items:center;gap:1rem;margin-bottom:.5rem;');
    var parts = [];
    if (errors.length) { parts.push(plural(errors.length, 'error', 'errors')); }
    if (warnings.length) { parts.push(plural(warnings.length, 'warning', 'warnings')); }
    head.appendChild(el('strong', 'flex:1;font:inherit;font-weight:700;color:inherit;',
      'blog-avatars build ' + status.generation + ': ' + parts.join(', ')));
    var close = el('button',
      'all:initial;cursor:pointer;padding:.2rem .7rem;border:1px solid #667085;border-radius:6px;' +
      'color:#f3f5f9;font:inherit;', 'Dismiss');
    close.id = ID + '-close';
    close.type = 'button';
    close.addEventListener('click', function () {
      try { sessionStorage.setItem(DISMISSED, key); } catch (e) { /* no storage */ }
      if (panel.parentNode) { panel.parentNode.removeChild(panel); }
    });
    head.appendChild(close);
    panel.appendChild(head);

    var list = el('ul', 'all:initial;display:block;margin:0;padding:0;list-style:none;font:inherit;color:inherit;');
    function item(kind, entry, colour) {
      var li = el('li', 'display:block;margin:.25rem 0;color:inherit;font:inherit;white-space:pre-wrap;');
      li.className = ID + '-' + kind;
      li.appendChild(el('span', 'color:' + colour + ';font-weight:700;', kind + ' '));
      if (entry.place) { li.appendChild(el('span', 'color:#9ec5fe;', entry.place + ': ')); }
      li.appendChild(document.createTextNode(entry.text));
      list.appendChild(li);
    }
    errors.forEach(function (e) { item('error', e, '#fda29b'); });
    warnings.forEach(function (w) { item('warning', w, '#fec84b'); });
    panel.appendChild(list);
    (document.body || document.documentElement).appendChild(panel);
  }

  window.blogAvatarsOverlay = render;
  var data = document.getElementById('blog-avatars-status');
  if (data) {
    try { render(JSON.parse(data.textContent)); } catch (e) { /* a page that mangled it */ }
  }
})();
