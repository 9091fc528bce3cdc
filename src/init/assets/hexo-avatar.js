/*
 * blog-avatars (written by `blog-avatars init`): the `avatar` helper, one avatar from
 * __DATA_FILE__. Call it unescaped from a theme's layout, with the identity exactly as the
 * comment stores it, or with a whole comment (its first of email, mail, qq, github, avatar):
 *   <%- avatar(comment.email, { name: comment.name, size: 40 }) %>
 *   <%- avatar(comment, { size: 40 }) %>
 * `size` must be one of [avatars] sizes in blog-avatars.toml. An identity without an avatar of
 * its own gets the default one the build wrote; one the build never saw gets the neutral
 * placeholder __PLACEHOLDER__ (never a third-party URL).
 */
'use strict';

const FIELDS = ['email', 'mail', 'qq', 'github', 'avatar'];
const PLACEHOLDER = '__PLACEHOLDER__';

function escapeHtml(text) {
  const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  return String(text).replace(/[&<>"']/g, (ch) => entities[ch]);
}

hexo.extend.helper.register('avatar', function (who, options) {
  const opts = options || {};
  const size = Number.isInteger(Number(opts.size)) && Number(opts.size) > 0 ? Number(opts.size) : 40;
  let key = '';
  let name = opts.name;
  if (who !== null && typeof who === 'object') {
    const field = FIELDS.find((f) => who[f] != null && who[f] !== '');
    key = field ? String(who[field]) : '';
    if (name == null) name = who.name;
  } else if (who != null) {
    key = String(who);
  }
  const data = (this.site && this.site.data) || hexo.locals.get('data') || {};
  const entries = (data.avatars || {}).avatars || {};
  // Own keys only: identities contain dots and @, and must not reach Object.prototype.
  const entry = key && Object.hasOwn(entries, key) ? entries[key] : null;
  const sizes = (entry && entry.sizes) || {};
  const urls = Object.hasOwn(sizes, String(size)) ? sizes[String(size)] : null;
  // Already under the site's `root`, as the data file's URLs are.
  const placeholder = PLACEHOLDER;
  const src = urls ? urls['1x'] : placeholder;
  const srcset = urls ? `${urls['1x']} 1x, ${urls['2x']} 2x` : `${placeholder} 1x, ${placeholder} 2x`;
  const cls = urls ? 'avatar' : 'avatar avatar-placeholder';
  return `<img class="${cls}" src="${escapeHtml(src)}" srcset="${escapeHtml(srcset)}" width="${size}" height="${size}" alt="${escapeHtml(name == null ? '' : name)}" loading="lazy" decoding="async">`;
});
