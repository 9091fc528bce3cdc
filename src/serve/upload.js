/* blog-avatars serve: the upload page.
 *
 * Written in ES5 on purpose: the server-side preview exists for browsers that cannot preview
 * locally, so this file has to run in them too. Feature detection picks the path:
 * - in the browser: createImageBitmap (or an object URL) + canvas, the centred square drawn at
 *   each published size, after the checks the server would make (type, end marker, dimensions,
 *   size) so a refused file is never uploaded;
 *   the file is uploaded once, on Save;
 * - on the server (no canvas or object URLs, or `?preview=server`): the file is uploaded at
 *   once, the server answers with processed PNGs kept in a temporary area, and Save, Cancel or
 *   leaving the page (pagehide + sendBeacon) tells the server what to do with them.
 */
(function () {
  'use strict';

  function $(id) { return document.getElementById(id); }
  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute('content') : '';
  }

  var token = meta('avatars-token');
  var sizes = meta('avatars-sizes').split(',').map(Number);
  var maxBytes = Number(meta('avatars-max-bytes'));
  var maxPx = Number(meta('avatars-max-px')) || 8192;
  var largest = Math.max.apply(Math, sizes) * 2;
  // Previews in the theme's shape: the border-radius of its `.avatar` (50% for circles).
  var radius = meta('avatars-radius') || '8px';
  if (document.documentElement.style.setProperty) {
    document.documentElement.style.setProperty('--avatar-radius', radius);
  }

  var forceServer = /[?&]preview=server(&|$)/.test(location.search);
  var canvasWorks = (function () {
    var c = document.createElement('canvas');
    return !!(c.getContext && c.getContext('2d'));
  })();
  var inBrowser = !forceServer && canvasWorks &&
    !!(window.URL && URL.createObjectURL && URL.revokeObjectURL);

  var form = $('form'), identity = $('identity'), fileInput = $('file'), drop = $('drop');
  var preview = $('preview'), previews = $('previews'), info = $('source-info');
  var statusEl = $('status'), saveBtn = $('save'), cancelBtn = $('cancel');
  var confirmBox = $('confirm'), published = $('published'), publishedImages = $('published-images');
  var kindHint = $('kind-hint');

  preview.setAttribute('data-mode', inBrowser ? 'browser' : 'server');

  /* current: { file, mode: 'browser'|'server', objectUrl, previewId, ready } */
  var current = null;
  var busy = false;
  var kindChosen = false;

  function setStatus(text, tone) {
    statusEl.textContent = text;
    statusEl.className = 'status' + (tone ? ' ' + tone : '');
  }

  function human(bytes) {
    if (bytes >= 1048576) { return (Math.round(bytes / 104857.6) / 10) + ' MiB'; }
    if (bytes >= 1024) { return Math.round(bytes / 1024) + ' KiB'; }
    return bytes + ' bytes';
  }

  function request(url, data, done) {
    var xhr = new XMLHttpRequest();
    xhr.open('POST', url, true);
    xhr.setRequestHeader('X-Avatars-Token', token);
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      var body;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = { error: xhr.statusText || 'the server did not answer' }; }
      done(xhr.status, body);
    };
    xhr.send(data);
  }

  /* ---- identity ---- */

  function guessKind(value) {
    value = value.replace(/^\s+|\s+$/g, '');
    if (value.indexOf('@') >= 0) { return 'email'; }
    if (/^[1-9][0-9]{4,10}$/.test(value)) { return 'qq'; }
    return 'github';
  }
  function radios() { return form.querySelectorAll('input[name=kind]'); }
  function selectedKind() {
    var r = radios();
    for (var i = 0; i < r.length; i++) { if (r[i].checked) { return r[i].value; } }
    return guessKind(identity.value);
  }
  function setKind(kind) {
    var r = radios();
    for (var i = 0; i < r.length; i++) { r[i].checked = r[i].value === kind; }
  }
  identity.addEventListener('input', function () {
    if (!kindChosen) { setKind(identity.value ? guessKind(identity.value) : ''); }
    hideConfirm();
    updateButtons();
  });
  (function () {
    var r = radios();
    function chosen() { kindChosen = true; kindHint.textContent = 'chosen by you'; }
    for (var i = 0; i < r.length; i++) { r[i].addEventListener('change', chosen); }
  })();

  /* ---- state ---- */

  function updateButtons() {
    var ready = !!(current && current.ready);
    saveBtn.disabled = busy || !ready || !identity.value.replace(/\s+/g, '');
    cancelBtn.disabled = busy || !current;
  }
  function showConfirm() { confirmBox.hidden = false; saveBtn.hidden = true; }
  function hideConfirm() { confirmBox.hidden = true; saveBtn.hidden = false; }

  function discardOnServer(id) {
    var data = new FormData();
    data.append('csrf', token);
    data.append('preview', id);
    request('/_avatars/api/discard', data, function () {});
  }

  function clear() {
    if (current) {
      if (current.objectUrl) { URL.revokeObjectURL(current.objectUrl); }
      if (current.previewId) { discardOnServer(current.previewId); }
    }
    current = null;
    previews.innerHTML = '';
    info.textContent = '';
    preview.setAttribute('data-state', 'empty');
    hideConfirm();
    updateButtons();
  }

  function figure(element, css) {
    var fig = document.createElement('figure');
    var caption = document.createElement('figcaption');
    caption.textContent = css + ' px';
    fig.appendChild(element);
    fig.appendChild(caption);
    return fig;
  }

  function describe(width, height, side) {
    var text = 'Source ' + width + '×' + height + ' px';
    if (width !== height) { text += ', cropped to the centre ' + side + '×' + side; }
    if (side < largest) {
      text += '. Smaller than ' + largest + ' px: the largest avatar will look soft.';
    } else {
      text += '.';
    }
    return text;
  }

  function ready(entry) {
    entry.ready = true;
    preview.setAttribute('data-state', 'ready');
    setStatus('');
    updateButtons();
  }

  /* ---- choosing a file ---- */

  /* ---- what the server would refuse, refused here before anything is uploaded ---- */

  function ascii(b, at, n) {
    var text = '';
    for (var i = at; i < at + n && i < b.length; i++) { text += String.fromCharCode(b[i]); }
    return text;
  }
  function u16be(b, at) { return (b[at] << 8) | b[at + 1]; }
  function u16le(b, at) { return b[at] | (b[at + 1] << 8); }
  function u32be(b, at) { return ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]); }
  function u24le(b, at) { return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16); }

  /* The formats the server decodes, by their first bytes (the name and type can lie). */
  function sniff(b) {
    if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') { return 'png'; }
    if (b.length >= 3 && b[0] === 0xFF && b[1] === 0xD8 && b[2] === 0xFF) { return 'jpeg'; }
    if (b.length >= 6 && ascii(b, 0, 4) === 'GIF8') { return 'gif'; }
    if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') { return 'webp'; }
    return null;
  }

  /* What a file that is not a picture is, for the message. */
  function whatItIs(b) {
    var text = ascii(b, 0, 1024).replace(/^(\xEF\xBB\xBF)?\s*/, '').toLowerCase();
    if (text.indexOf('<svg') >= 0) { return 'an SVG drawing'; }
    if (/^<(!doctype html|html|head|body)/.test(text)) { return 'an HTML page'; }
    return null;
  }

  /* False when the file stops before its format's last marker (an interrupted download). */
  function complete(format, b) {
    var n = b.length;
    if (format === 'png') { return n >= 12 && ascii(b, n - 8, 4) === 'IEND'; }
    if (format === 'gif') { return b[n - 1] === 0x3B; }
    if (format === 'webp') { return n >= 8 && b[4] + (b[5] << 8) + (b[6] << 16) + b[7] * 16777216 + 8 <= n; }
    for (var i = n - 2; i >= 2 && i >= n - 4096; i--) {
      if (b[i] === 0xFF && b[i + 1] === 0xD9) { return true; }
    }
    return false;
  }

  /* Width and height from the header, without decoding: { w, h } or null. */
  function dimensions(format, b) {
    if (format === 'png' && b.length >= 24) { return { w: u32be(b, 16), h: u32be(b, 20) }; }
    if (format === 'gif' && b.length >= 10) { return { w: u16le(b, 6), h: u16le(b, 8) }; }
    if (format === 'webp' && b.length >= 30) {
      var chunk = ascii(b, 12, 4);
      if (chunk === 'VP8X') { return { w: 1 + u24le(b, 24), h: 1 + u24le(b, 27) }; }
      if (chunk === 'VP8 ') { return { w: u16le(b, 26) & 0x3FFF, h: u16le(b, 28) & 0x3FFF }; }
      if (chunk === 'VP8L') {
        return { w: 1 + (((b[22] & 0x3F) << 8) | b[21]),
                 h: 1 + (((b[24] & 0x0F) << 10) | (b[23] << 2) | ((b[22] & 0xC0) >> 6)) };
      }
      return null;
    }
    if (format === 'jpeg') {
      var at = 2;
      while (at + 9 < b.length && b[at] === 0xFF) {
        var marker = b[at + 1];
        if (marker >= 0xC0 && marker <= 0xCF && marker !== 0xC4 && marker !== 0xC8 && marker !== 0xCC) {
          return { w: u16be(b, at + 7), h: u16be(b, at + 5) };
        }
        at += 2 + u16be(b, at + 2);
      }
    }
    return null;
  }

  /* Why the server would refuse these bytes, or null. */
  function problemWith(b) {
    var format = sniff(b);
    if (!format) {
      var what = whatItIs(b);
      return { text: 'This file is ' + (what ? what + ', not a picture' : 'not a PNG, JPEG, GIF or WebP image') +
        ': choose a PNG, JPEG, GIF or WebP picture.', code: 'type' };
    }
    if (!complete(format, b)) {
      return { text: 'This image is cut short (an incomplete download?): choose the complete file.', code: 'truncated' };
    }
    var size = dimensions(format, b);
    if (size && (size.w > maxPx || size.h > maxPx)) {
      return { text: 'This image is ' + size.w + '×' + size.h + ' px; the limit is ' + maxPx + '×' + maxPx + ' px.',
        code: 'dimensions' };
    }
    if (size && (size.w === 0 || size.h === 0)) {
      return { text: 'This image is empty (0 px wide or high).', code: 'dimensions' };
    }
    return null;
  }

  function refuse(problem) {
    form.setAttribute('data-refused', problem.code);
    setStatus(problem.text, 'bad');
    updateButtons();
  }

  /* Reads the file and calls done(problem, format); without FileReader the server decides. */
  function inspect(file, done) {
    if (!window.FileReader || !window.Uint8Array) { done(null, null); return; }
    var reader = new FileReader();
    reader.onload = function () {
      var bytes = new Uint8Array(reader.result);
      done(problemWith(bytes), sniff(bytes));
    };
    reader.onerror = function () { done(null, null); };
    reader.readAsArrayBuffer(file);
  }

  /* ---- choosing a file ---- */

  var choices = 0;
  function choose(file) {
    if (!file) { return; }
    clear();
    setStatus('');
    published.hidden = true;
    form.removeAttribute('data-saved');
    form.removeAttribute('data-refused');
    if (file.size > maxBytes) {
      refuse({ text: 'This file is ' + human(file.size) + '; the limit is ' + human(maxBytes) + '.', code: 'size' });
      return;
    }
    var mine = ++choices;
    inspect(file, function (problem, format) {
      if (mine !== choices) { return; }
      if (problem) { refuse(problem); return; }
      if (inBrowser) { previewInBrowser(file, format); } else { previewOnServer(file); }
    });
  }

  function draw(entry, source, w, h) {
    var side = Math.min(w, h);
    previews.innerHTML = '';
    for (var i = 0; i < sizes.length; i++) {
      var css = sizes[i], px = css * 2;
      var canvas = document.createElement('canvas');
      canvas.width = px;
      canvas.height = px;
      canvas.style.width = css + 'px';
      canvas.style.height = css + 'px';
      canvas.setAttribute('data-css', String(css));
      var ctx = canvas.getContext('2d');
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(source, (w - side) / 2, (h - side) / 2, side, side, 0, 0, px, px);
      previews.appendChild(figure(canvas, css));
    }
    info.textContent = describe(w, h, side) + ' Previewed in your browser: nothing is uploaded until you save.';
    ready(entry);
  }

  /* The browser could not decode it: damaged, or a format this browser lacks (older ones have
   * no WebP), which the server can still preview. */
  function undecodable(entry, file, format) {
    if (entry.objectUrl) { URL.revokeObjectURL(entry.objectUrl); }
    current = null;
    if (format === 'webp' || !format) { previewOnServer(file); return; }
    preview.setAttribute('data-state', 'empty');
    refuse({ text: 'This image is damaged: it cannot be decoded.', code: 'damaged' });
  }

  function previewInBrowser(file, format) {
    var entry = { file: file, mode: 'browser', objectUrl: null, previewId: null, ready: false };
    current = entry;
    preview.setAttribute('data-mode', 'browser');
    preview.setAttribute('data-state', 'loading');
    if (window.createImageBitmap) {
      createImageBitmap(file).then(function (bitmap) {
        if (current === entry) { draw(entry, bitmap, bitmap.width, bitmap.height); }
      }, function () {
        if (current === entry) { undecodable(entry, file, format); }
      });
      return;
    }
    var img = new Image();
    entry.objectUrl = URL.createObjectURL(file);
    img.onload = function () {
      if (current === entry) { draw(entry, img, img.naturalWidth, img.naturalHeight); }
    };
    img.onerror = function () {
      if (current === entry) { undecodable(entry, file, format); }
    };
    img.src = entry.objectUrl;
  }

  function previewOnServer(file) {
    var entry = { file: file, mode: 'server', objectUrl: null, previewId: null, ready: false };
    var data = new FormData();
    data.append('file', file);
    current = entry;
    preview.setAttribute('data-mode', 'server');
    preview.setAttribute('data-state', 'loading');
    updateButtons();
    setStatus('Uploading for a preview…');
    request('/_avatars/api/preview', data, function (status, body) {
      if (current !== entry) {
        if (status === 200) { discardOnServer(body.id); }
        return;
      }
      if (status !== 200) {
        current = null;
        preview.setAttribute('data-state', 'empty');
        setStatus(body.error || 'The preview failed.', 'bad');
        updateButtons();
        return;
      }
      entry.previewId = body.id;
      previews.innerHTML = '';
      var pending = body.sizes.length;
      for (var i = 0; i < body.sizes.length; i++) {
        var size = body.sizes[i];
        var img = new Image();
        img.width = size.css;
        img.height = size.css;
        img.alt = size.css + ' px preview';
        img.onload = function () { pending -= 1; if (pending === 0 && current === entry) { ready(entry); } };
        img.setAttribute('srcset', size['2x'] + ' 2x');
        img.src = size['1x'];
        previews.appendChild(figure(img, size.css));
      }
      info.textContent = describe(body.width, body.height, body.side) +
        ' Previewed by the server: the upload is deleted if you cancel or leave.';
    });
  }

  fileInput.addEventListener('change', function () {
    if (fileInput.files && fileInput.files[0]) { choose(fileInput.files[0]); }
  });

  function stop(e) { e.preventDefault(); e.stopPropagation(); }
  drop.addEventListener('dragenter', function (e) { stop(e); drop.className = 'drop over'; });
  drop.addEventListener('dragover', function (e) { stop(e); drop.className = 'drop over'; });
  drop.addEventListener('dragleave', function () { drop.className = 'drop'; });
  drop.addEventListener('drop', function (e) {
    stop(e);
    drop.className = 'drop';
    var files = e.dataTransfer && e.dataTransfer.files;
    if (files && files[0]) { choose(files[0]); }
  });
  // A file dropped next to the zone must not replace the page with the image.
  document.addEventListener('dragover', function (e) { e.preventDefault(); });
  document.addEventListener('drop', function (e) { e.preventDefault(); });

  /* ---- save, cancel, leave ---- */

  function showPublished(body) {
    publishedImages.innerHTML = '';
    var sizesByCss = body.avatar && body.avatar.sizes;
    if (!sizesByCss) {
      var note = document.createElement('p');
      note.className = 'hint';
      note.textContent = 'No post mentions ' + body.identity + ' yet: the avatar is used as soon as one does.';
      publishedImages.appendChild(note);
    } else {
      for (var css in sizesByCss) {
        if (!sizesByCss.hasOwnProperty(css)) { continue; }
        var img = new Image();
        img.width = Number(css);
        img.height = Number(css);
        img.alt = body.identity;
        img.setAttribute('srcset', sizesByCss[css]['2x'] + ' 2x');
        img.src = sizesByCss[css]['1x'];
        publishedImages.appendChild(figure(img, css));
      }
    }
    published.hidden = false;
  }

  function save(overwrite) {
    if (!current || !current.ready || busy) { return; }
    var entry = current;
    var data = new FormData();
    data.append('identity', identity.value);
    data.append('kind', selectedKind());
    if (overwrite) { data.append('overwrite', '1'); }
    if (entry.previewId) { data.append('preview', entry.previewId); } else { data.append('file', entry.file); }
    busy = true;
    hideConfirm();
    updateButtons();
    setStatus('Saving and rebuilding the site…');
    request('/_avatars/api/save', data, function (status, body) {
      busy = false;
      if (status === 409 && body.code === 'exists') {
        setStatus('An avatar for this identity already exists (' + body.existing.join(', ') + '). Replace it?');
        showConfirm();
        updateButtons();
        return;
      }
      if (status !== 200) {
        setStatus(body.error || 'Saving failed.', 'bad');
        updateButtons();
        return;
      }
      entry.previewId = null; // the server moved it into the site
      clear();
      fileInput.value = '';
      var text = 'Saved as ' + body.saved;
      if (body.replaced.length) { text += ', replacing ' + body.replaced.join(', '); }
      text += body.build.ok ? '. The site was rebuilt.' : '. The rebuild failed: ' + body.build.message;
      setStatus(text, body.build.ok ? 'good' : 'bad');
      form.setAttribute('data-saved', body.saved);
      showPublished(body);
    });
  }

  form.addEventListener('submit', function (e) { e.preventDefault(); save(false); });
  $('replace').addEventListener('click', function () { save(true); });
  $('keep').addEventListener('click', function () {
    hideConfirm();
    setStatus('Kept the existing avatar.');
    updateButtons();
  });
  cancelBtn.addEventListener('click', function () {
    clear();
    fileInput.value = '';
    setStatus('Discarded.');
  });

  function leave() {
    if (!current || !current.previewId) { return; }
    var data = new FormData();
    data.append('csrf', token);
    data.append('preview', current.previewId);
    current.previewId = null;
    current.gone = true;
    if (navigator.sendBeacon && navigator.sendBeacon('/_avatars/api/discard', data)) { return; }
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/_avatars/api/discard', false); // old browsers: a synchronous last request
    xhr.setRequestHeader('X-Avatars-Token', token);
    try { xhr.send(data); } catch (e) { /* the sweeper will get it */ }
  }
  if ('onpagehide' in window) {
    window.addEventListener('pagehide', leave);
  } else {
    window.addEventListener('unload', leave);
  }
  window.addEventListener('pageshow', function (e) {
    // Back from the history cache: the server preview was discarded on the way out.
    if (e.persisted && current && current.gone) {
      clear();
      setStatus('The preview was discarded when you left the page; choose the file again.');
    }
  });

  updateButtons();
})();
