// The Portcullis console: draws each page from the admin API on this same host. Every change is an API
// call carrying the page's CSRF token; the API decides what the caller may do. Data is only ever put in
// the page as text (textContent), never as HTML.
'use strict';

(() => {
  const csrf = document.querySelector('meta[name="portcullis-csrf"]').content;
  const page = document.body.dataset.page;
  const item = document.body.dataset.item || null;
  const canWrite = document.body.dataset.canWrite === 'true';
  const app = document.getElementById('app');
  const status = document.getElementById('status');

  // ---- building blocks ---------------------------------------------------------------------------

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of kids.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  class ApiError extends Error {
    constructor(httpStatus, body) {
      const error = (body && body.error) || {};
      super(error.message || ('HTTP ' + httpStatus));
      this.httpStatus = httpStatus;
      this.status = error.status || '';
      this.fields = {};
      for (const d of error.details || []) {
        for (const v of d.fieldViolations || []) this.fields[v.field] = v.description;
      }
    }
    get conflict() { return this.httpStatus === 409 && this.status === 'ABORTED'; }
  }

  async function api(method, path, body, headers) {
    const h = { 'accept': 'application/json', 'x-portcullis-csrf': csrf };
    if (body !== undefined) h['content-type'] = 'application/json';
    Object.assign(h, headers || {});
    const r = await fetch(path, {
      method, headers: h, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await r.text();
    let json = {};
    try { json = text ? JSON.parse(text) : {}; } catch (e) { json = { error: { message: text } }; }
    if (r.status === 401) {
      say('Your sign-in has ended. Reload the page to sign in again.', true);
    }
    if (!r.ok) throw new ApiError(r.status, json);
    return json;
  }

  const enc = encodeURIComponent;

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? 'error' : 'ok';
  }

  function clear(node) { while (node.firstChild) node.firstChild.remove(); }

  /** A labelled field; its error is shown under it and announced. */
  function field(id, label, input, hint) {
    input.id = id;
    const errorId = id + '-error';
    const hintId = hint ? id + '-hint' : null;
    input.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
    const wrap = el('div', { class: 'field' });
    if (input.type === 'checkbox') {
      wrap.classList.add('check');
      wrap.append(input, el('label', { for: id }, label));
    } else {
      wrap.append(el('label', { for: id }, label), input);
    }
    if (hint) wrap.append(el('p', { class: 'hint', id: hintId }, hint));
    wrap.append(el('p', { class: 'field-error', id: errorId, role: 'alert' }));
    return wrap;
  }

  function input(name, attrs) {
    return el('input', Object.assign({ name, 'data-field': name, type: 'text', disabled: !canWrite }, attrs || {}));
  }

  function select(name, options, value) {
    const s = el('select', { name, 'data-field': name, disabled: !canWrite });
    for (const o of options) {
      const [v, label] = Array.isArray(o) ? o : [o, o];
      s.append(el('option', { value: v, selected: v === value }, label));
    }
    return s;
  }

  function button(text, onclick, attrs) {
    return el('button', Object.assign({ type: 'button', onclick }, attrs || {}), text);
  }

  /** Clears the form's errors, then shows each field's error under that field and the rest on top. */
  function showErrors(form, err) {
    for (const p of form.querySelectorAll('.field-error, .form-error')) p.textContent = '';
    for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
    if (!err) return;
    let placed = false;
    for (const [name, message] of Object.entries(err.fields || {})) {
      const target = fieldFor(form, name);
      if (target) {
        target.setAttribute('aria-invalid', 'true');
        document.getElementById(target.id + '-error').textContent = message;
        if (!placed) target.focus();
        placed = true;
      }
    }
    if (!placed) {
      const top = form.querySelector('.form-error');
      if (top) top.textContent = err.message;
      else say(err.message, true);
    }
  }

  function fieldFor(form, name) {
    let n = name;
    while (n) {
      const f = form.querySelector('[data-field="' + CSS.escape(n) + '"]');
      if (f) return f;
      const cut = Math.max(n.lastIndexOf('.'), n.lastIndexOf('['));
      n = cut > 0 ? n.slice(0, cut) : '';
    }
    return null;
  }

  /** A stale etag: say so plainly and offer to read it again. */
  function conflict(where, reload) {
    clear(where);
    where.append(el('div', { class: 'conflict', role: 'alert' },
      el('strong', {}, 'Someone else changed this while you were editing. '),
      'Nothing was saved. Reload to see the current version, then make your change again. ',
      button('Reload', reload, { id: 'reload' })));
    where.querySelector('#reload').focus();
  }

  function form(onsubmit, ...kids) {
    const f = el('form', { novalidate: true }, el('p', { class: 'form-error', role: 'alert' }), kids);
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const submit = f.querySelector('button[type=submit]');
      if (submit) submit.disabled = true;
      try {
        showErrors(f, null);
        await onsubmit(f);
      } catch (e) {
        if (e instanceof ApiError) showErrors(f, e);
        else throw e;
      } finally {
        if (submit) submit.disabled = false;
      }
    });
    return f;
  }

  function table(headers, rows, caption) {
    // Each cell names its column, so that on a phone a row can be shown as a small card.
    for (const r of rows) [...r.children].forEach((td, i) => td.setAttribute('data-label', headers[i] || ''));
    return el('div', { class: 'table-wrap' }, el('table', {},
      caption ? el('caption', {}, caption) : null,
      el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'None.')))));
  }

  function when(t) { return t ? new Date(t).toLocaleString() : ''; }

  function section(title, ...kids) {
    return el('section', { class: 'card' }, el('h2', {}, title), kids);
  }

  function link(href, text) { return el('a', { href }, text); }

  async function load(fn) {
    try {
      await fn();
    } catch (e) {
      clear(app);
      app.append(el('p', { class: 'error', role: 'alert' }, e.message));
    }
  }

  // ---- services ----------------------------------------------------------------------------------

  async function servicesPage() {
    const { services } = await api('GET', '/v1/services');
    clear(app);
    const rows = services.map(s => el('tr', {},
      el('td', {}, link('/services/' + enc(s.name), s.name)),
      el('td', { class: 'v' }, link(s.url, s.url)),
      el('td', { class: 'v' }, s.upstream),
      el('td', {}, s.project),
      el('td', {}, iapSwitch(s)),
      el('td', {}, s.ingress),
      el('td', {}, link('/iam?resource=' + enc('projects/' + s.project + '/services/' + s.name), 'Permissions'))));
    app.append(section('All services', table(['Name', 'URL', 'Upstream', 'Project', 'IAP', 'Ingress', 'Access'], rows)));
    if (canWrite) app.append(createServiceForm());
  }

  /** The IAP switch: on means every request needs sign-in and a role that grants access. */
  function iapSwitch(s) {
    const b = el('button', {
      type: 'button', role: 'switch', class: 'switch', 'aria-checked': String(s.iap),
      'aria-label': 'IAP for ' + s.name, id: 'iap-' + s.name, disabled: !canWrite
    }, s.iap ? 'On' : 'Off');
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        const updated = await api('PATCH', '/v1/services/' + enc(s.name), { iap: !s.iap, etag: s.etag });
        say('IAP is now ' + (updated.iap ? 'on' : 'off') + ' for ' + s.name + '.');
        await servicesPage();
        document.getElementById('iap-' + s.name).focus();
      } catch (e) {
        if (e instanceof ApiError && e.conflict) conflict(status, () => location.reload());
        else say(e.message, true);
        b.disabled = false;
      }
    });
    return b;
  }

  function createServiceForm() {
    const f = form(async (f) => {
      const body = {
        name: f.name.value.trim(), project: f.project.value.trim() || 'default',
        upstream: f.upstream.value.trim(), iap: f.iap.checked, ingress: f.ingress.value
      };
      const created = await api('POST', '/v1/services', body);
      say('Created service ' + created.name + ' at ' + created.url + '.');
      await servicesPage();
    },
    field('new-name', 'Name', input('name', { required: true, autocomplete: 'off' }),
      'A DNS label: the service answers on NAME.' + location.hostname.replace(/^console\./, '')),
    field('new-project', 'Project', input('project', { value: 'default' })),
    field('new-upstream', 'Upstream', input('upstream', { required: true, placeholder: 'http://127.0.0.1:8501' })),
    field('new-iap', 'Require sign-in (IAP on)', input('iap', { type: 'checkbox', checked: true })),
    field('new-ingress', 'Ingress', select('ingress', [['all', 'All traffic'], ['internal', 'Internal networks only']], 'all')),
    el('button', { type: 'submit', id: 'create-service' }, 'Create service'));
    return section('Create a service', f);
  }

  async function servicePage(name) {
    const s = await api('GET', '/v1/services/' + enc(name));
    clear(app);
    document.getElementById('title').textContent = 'Service ' + s.name;
    const where = el('div');
    const f = form(async (f) => {
      const body = {
        etag: s.etag, upstream: f.upstream.value.trim(), project: f.project.value.trim(),
        hosts: f.hosts.value.split(/[\s,]+/).filter(Boolean), iap: f.iap.checked, ingress: f.ingress.value,
        accessDeniedMessage: f.accessDeniedMessage.value.trim() || null,
        accessDeniedPageUri: f.accessDeniedPageUri.value.trim() || null,
        reauthMaxAge: f.reauthMaxAge.value.trim() || null,
        allowHttpOptions: f.allowHttpOptions.checked, iapCompatible: f.iapCompatible.checked,
        assertionGroups: f.assertionGroups.checked
      };
      try {
        await api('PATCH', '/v1/services/' + enc(s.name), body);
      } catch (e) {
        if (e instanceof ApiError && e.conflict) { conflict(where, () => load(() => servicePage(name))); return; }
        throw e;
      }
      say('Saved ' + s.name + '.');
      await servicePage(name);
    },
    el('fieldset', {}, el('legend', {}, 'Routing'),
      field('svc-upstream', 'Upstream', input('upstream', { value: s.upstream })),
      field('svc-project', 'Project', input('project', { value: s.project }),
        'Grants on the project reach every service in it.'),
      field('svc-hosts', 'Extra host names', input('hosts', { value: (s.hosts || []).join(', ') }),
        'Custom domains, separated by commas.'),
      field('svc-iap', 'Require sign-in (IAP on)', input('iap', { type: 'checkbox', checked: s.iap })),
      field('svc-ingress', 'Ingress', select('ingress', [['all', 'All traffic'], ['internal', 'Internal networks only']],
        s.ingress))),
    el('fieldset', {}, el('legend', {}, 'Settings'),
      field('svc-denied-message', 'Access-denied message',
        el('textarea', { name: 'accessDeniedMessage', 'data-field': 'accessDeniedMessage', rows: 2, disabled: !canWrite },
          s.accessDeniedMessage || ''), 'Shown on the 403 page to a signed-in caller who is refused.'),
      field('svc-denied-page', 'Access-denied page', input('accessDeniedPageUri',
        { value: s.accessDeniedPageUri || '', placeholder: 'https://help.example.com/access' }),
        'A browser that is refused is sent here instead (an absolute URL).'),
      field('svc-reauth', 'Re-authentication age', input('reauthMaxAge', { value: s.reauthMaxAge || '', placeholder: '8h' }),
        'Sign in again after this long, e.g. 30m or 8h; empty for the session lifetime.'),
      field('svc-preflight', 'Let CORS preflights (OPTIONS) through without sign-in',
        input('allowHttpOptions', { type: 'checkbox', checked: s.allowHttpOptions })),
      field('svc-iapcompat', 'Send IAP-compatible headers (x-goog-iap-jwt-assertion)',
        input('iapCompatible', { type: 'checkbox', checked: s.iapCompatible })),
      field('svc-groups', 'List the caller\'s groups in the assertion',
        input('assertionGroups', { type: 'checkbox', checked: s.assertionGroups }))),
    canWrite ? el('div', { class: 'actions' },
      el('button', { type: 'submit', id: 'save-service' }, 'Save'),
      button('Delete service', async () => {
        if (!confirm('Delete service ' + s.name + '? Its policy goes with it.')) return;
        try {
          await api('DELETE', '/v1/services/' + enc(s.name), undefined, { 'if-match': s.etag });
          location.assign('/services');
        } catch (e) {
          if (e instanceof ApiError && e.conflict) conflict(where, () => load(() => servicePage(name)));
          else say(e.message, true);
        }
      }, { class: 'danger', id: 'delete-service' })) : null);
    app.append(where, section('Service', el('dl', {},
      el('dt', {}, 'URL'), el('dd', {}, link(s.url, s.url)),
      el('dt', {}, 'Audience'), el('dd', {}, s.expectedAudience || ''),
      el('dt', {}, 'Etag'), el('dd', {}, s.etag)),
      el('p', {}, link('/iam?resource=' + enc('projects/' + s.project + '/services/' + s.name), 'Permissions on this service'))),
      section('Edit', f));
  }

  // ---- permissions -------------------------------------------------------------------------------

  function ancestors(resource) {
    const parts = resource.split('/');
    const out = [];
    if (parts[0] === 'projects' && parts.length >= 4) out.push('projects/' + parts[1]);
    if (resource !== 'organization') out.push('organization');
    return out;
  }

  /** A typed principal as IAM spells it: user:, group:, serviceAccount:, domain:, or allUsers. */
  function memberOf(text, groups) {
    const t = text.trim();
    if (!t) return null;
    if (/^(user|group|serviceAccount|domain):/.test(t) || t === 'allUsers' || t === 'allAuthenticatedUsers') return t;
    const lower = t.toLowerCase();
    if (!lower.includes('@')) return 'domain:' + lower;
    if (lower.endsWith('.iam.portcullis.internal')) return 'serviceAccount:' + lower;
    if (groups.has(lower)) return 'group:' + lower;
    return 'user:' + lower;
  }

  async function iamPage() {
    const params = new URLSearchParams(location.search);
    const resource = params.get('resource') || 'organization';
    const [{ services }, { roles }] = await Promise.all([api('GET', '/v1/services'), api('GET', '/v1/roles')]);
    let groups = new Set();
    try { groups = new Set((await api('GET', '/v1/groups')).groups.map(g => g.email)); } catch (e) { /* not needed to show */ }
    const policy = await api('POST', '/v1/' + resource + ':getIamPolicy', {});
    const inherited = [];
    for (const a of ancestors(resource)) {
      const p = await api('POST', '/v1/' + a + ':getIamPolicy', {});
      for (const b of p.bindings || []) inherited.push({ source: a, binding: b });
    }
    clear(app);
    document.getElementById('title').textContent = 'Permissions on ' + resource;

    const choices = [['organization', 'Organization']];
    for (const p of [...new Set(services.map(s => s.project))].sort()) choices.push(['projects/' + p, 'Project ' + p]);
    for (const s of services) choices.push(['projects/' + s.project + '/services/' + s.name, 'Service ' + s.name]);
    const picker = select('resource', choices, resource);
    picker.disabled = false;
    picker.addEventListener('change', () => location.assign('/iam?resource=' + enc(picker.value)));
    app.append(el('div', { class: 'card' }, field('resource-picker', 'Resource', picker)));

    const where = el('div');
    app.append(where);
    const titles = Object.fromEntries(roles.map(r => [r.name, r.title]));
    const byRole = new Map();
    const add = (role, entry) => { if (!byRole.has(role)) byRole.set(role, []); byRole.get(role).push(entry); };
    (policy.bindings || []).forEach((b, i) => b.members.forEach(m => add(b.role, { member: m, binding: b, index: i })));
    inherited.forEach(({ source, binding }) => binding.members.forEach(m => add(binding.role, { member: m, binding, source })));

    const list = el('section', { class: 'card', id: 'principals' }, el('h2', {}, 'Principals by role'));
    if (byRole.size === 0) list.append(el('p', { class: 'muted' }, 'Nobody has a role here yet.'));
    for (const role of [...byRole.keys()].sort()) {
      const rows = byRole.get(role).map(e => el('tr', { 'data-member': e.member, 'data-role': role },
        el('td', { class: 'v' }, e.member),
        el('td', {}, e.binding.condition ? el('span', { title: e.binding.condition.expression },
          e.binding.condition.title) : ''),
        el('td', {}, e.source ? 'Inherited from ' + e.source : 'This resource'),
        el('td', {}, !e.source && canWrite ? button('Remove', () => removeMember(resource, policy, e.index, e.member, where),
          { 'aria-label': 'Remove ' + e.member + ' from ' + role, class: 'small' }) :
          e.source ? link('/iam?resource=' + enc(e.source), 'Edit there') : '')));
      list.append(el('h3', {}, (titles[role] || role) + ' ', el('span', { class: 'muted v' }, role)),
        table(['Principal', 'Condition', 'Where from', ''], rows));
    }
    app.append(list);
    if (canWrite) app.append(grantForm(resource, policy, roles, groups, where));
  }

  async function setPolicy(resource, policy, where) {
    try {
      await api('POST', '/v1/' + resource + ':setIamPolicy', { policy });
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.conflict) { conflict(where, () => load(iamPage)); return false; }
      throw e;
    }
  }

  async function removeMember(resource, policy, index, member, where) {
    const bindings = structuredClone(policy.bindings);
    bindings[index].members = bindings[index].members.filter(m => m !== member);
    const next = { etag: policy.etag, bindings: bindings.filter(b => b.members.length) };
    try {
      if (await setPolicy(resource, next, where)) {
        await iamPage();
        say('Removed ' + member + '.');
      }
    } catch (e) {
      say(e.message, true);
    }
  }

  function grantForm(resource, policy, roles, groups, where) {
    const f = form(async (f) => {
      const texts = f.members.value.split(/[\s,;]+/).filter(Boolean);
      const members = texts.map(t => memberOf(t, groups));
      if (!members.length) {
        const e = new ApiError(400, { error: { message: 'Add at least one principal.' } });
        e.fields = { members: 'Type one or more emails, group emails, domains or service accounts.' };
        throw e;
      }
      const expression = f.expression.value.trim();
      let condition = null;
      if (expression) {
        await checkCondition(f);
        condition = { title: f.conditionTitle.value.trim(), expression };
        const d = f.conditionDescription.value.trim();
        if (d) condition.description = d;
      }
      const role = f.role.value;
      const bindings = structuredClone(policy.bindings || []);
      const same = bindings.find(b => b.role === role && JSON.stringify(b.condition || null) === JSON.stringify(condition));
      if (same) {
        for (const m of members) if (!same.members.includes(m)) same.members.push(m);
      } else {
        const b = { role, members };
        if (condition) b.condition = condition;
        bindings.push(b);
      }
      const index = bindings.indexOf(same || bindings[bindings.length - 1]);
      try {
        await api('POST', '/v1/' + resource + ':setIamPolicy', { policy: { etag: policy.etag, bindings } });
      } catch (e) {
        if (e instanceof ApiError && e.conflict) { conflict(where, () => load(iamPage)); return; }
        // Name the field the console drew for the part of the policy that was refused.
        const mapped = {};
        for (const [k, v] of Object.entries(e.fields || {})) {
          const prefix = 'policy.bindings[' + index + ']';
          if (k.startsWith(prefix + '.condition')) mapped.expression = v;
          else if (k.startsWith(prefix + '.members')) mapped.members = v;
          else if (k.startsWith(prefix + '.role')) mapped.role = v;
          else mapped[k] = v;
        }
        e.fields = mapped;
        throw e;
      }
      await iamPage();
      say('Granted ' + role + ' to ' + members.join(', ') + '.');
    },
    field('grant-members', 'New principals', input('members', { autocomplete: 'off', placeholder: 'ana@example.com, group:qa@example.com' }),
      'Emails of people, groups or service accounts, or a domain (example.com), separated by commas.'),
    field('grant-role', 'Role', select('role', roles.map(r => [r.name, r.title + ' (' + r.name + ')']),
      'roles/iap.httpsResourceAccessor')),
    el('fieldset', {}, el('legend', {}, 'Condition (optional)'),
      field('grant-condition-title', 'Condition title', input('conditionTitle', { 'data-field': 'conditionTitle' })),
      field('grant-condition-description', 'Condition description', input('conditionDescription')),
      field('grant-condition', 'Condition expression (CEL)', el('textarea', {
        name: 'expression', 'data-field': 'expression', rows: 3, spellcheck: 'false',
        placeholder: 'request.time < timestamp("2027-01-01T00:00:00Z")'
      }), 'Checked before saving; the error names its line and column.'),
      button('Check condition', async (ev) => {
        const f = ev.target.form;
        showErrors(f, null);
        try { await checkCondition(f); say('The condition is valid.'); } catch (e) { showErrors(f, e); }
      }, { id: 'check-condition' })),
    el('button', { type: 'submit', id: 'grant' }, 'Save'));
    return section('Grant access', f);
  }

  async function checkCondition(f) {
    const expression = f.expression.value.trim();
    if (!expression) return;
    try {
      await api('POST', '/v1/conditions:validate', { expression });
    } catch (e) {
      if (e instanceof ApiError && e.httpStatus === 400) e.fields = { expression: e.message };
      throw e;
    }
    if (!f.conditionTitle.value.trim()) {
      const e = new ApiError(400, { error: { message: 'A condition needs a title.' } });
      e.fields = { conditionTitle: 'Give the condition a short title, e.g. "Until the end of the year".' };
      throw e;
    }
  }

  // ---- groups ------------------------------------------------------------------------------------

  async function groupsPage() {
    const { groups } = await api('GET', '/v1/groups');
    clear(app);
    app.append(section('All groups', table(['Group', 'Name', 'Direct members'], groups.map(g => el('tr', {},
      el('td', {}, link('/groups/' + enc(g.email), g.email)), el('td', {}, g.displayName || ''),
      el('td', {}, String(g.directMembersCount)))))));
    if (canWrite) {
      app.append(section('Create a group', form(async (f) => {
        const g = await api('POST', '/v1/groups', { email: f.email.value.trim(), displayName: f.displayName.value.trim() || null });
        say('Created group ' + g.email + '.');
        await groupsPage();
      },
      field('group-email', 'Group email', input('email', { type: 'email', required: true })),
      field('group-name', 'Display name', input('displayName')),
      el('button', { type: 'submit', id: 'create-group' }, 'Create group'))));
    }
  }

  async function groupPage(email) {
    const g = await api('GET', '/v1/groups/' + enc(email));
    const [{ members }, transitive] = await Promise.all([
      api('GET', '/v1/groups/' + enc(email) + '/members'),
      api('GET', '/v1/groups/' + enc(email) + '/members?transitive=true')]);
    clear(app);
    document.getElementById('title').textContent = 'Group ' + g.email;
    const where = el('div');
    const reload = () => load(() => groupPage(email));
    const rows = members.map(m => el('tr', { 'data-member': m.member },
      el('td', { class: 'v' }, m.member), el('td', {}, m.type),
      el('td', {}, canWrite ? button('Remove', async () => {
        try {
          await api('DELETE', '/v1/groups/' + enc(email) + '/members/' + enc(m.member), undefined, { 'if-match': g.etag });
          await groupPage(email);
          say('Removed ' + m.member + ' from ' + email + '.');
        } catch (e) {
          if (e instanceof ApiError && e.conflict) conflict(where, reload);
          else say(e.message, true);
        }
      }, { 'aria-label': 'Remove ' + m.member, class: 'small' }) : '')));
    app.append(where, section('Direct members', table(['Member', 'Kind', ''], rows)));
    if (canWrite) {
      app.append(section('Add a member', form(async (f) => {
        const text = f.member.value.trim();
        const member = /^(user|group|serviceAccount):/.test(text) ? text
          : text.toLowerCase().endsWith('.iam.portcullis.internal') ? 'serviceAccount:' + text : 'user:' + text;
        try {
          await api('POST', '/v1/groups/' + enc(email) + '/members', { member, etag: g.etag });
        } catch (e) {
          if (e instanceof ApiError && e.conflict) { conflict(where, reload); return; }
          throw e;
        }
        await groupPage(email);
        say('Added ' + member + ' to ' + email + '.');
      },
      field('member', 'Member', input('member', { required: true, placeholder: 'ana@example.com or group:qa@example.com' }),
        'A person\'s email, serviceAccount:EMAIL, or group:EMAIL for a nested group.'),
      el('button', { type: 'submit', id: 'add-member' }, 'Add member'))));
    }
    if (canWrite) {
      app.append(section('Delete this group', el('p', {}, 'It also leaves every group it is in. A group that a '
        + 'policy still grants a role to cannot be deleted.'), button('Delete group', async () => {
        if (!confirm('Delete group ' + email + '?')) return;
        try {
          await api('DELETE', '/v1/groups/' + enc(email), undefined, { 'if-match': g.etag });
          location.assign('/groups');
        } catch (e) {
          if (e instanceof ApiError && e.conflict) conflict(where, reload);
          else say(e.message, true);
        }
      }, { class: 'danger', id: 'delete-group' })));
    }
    app.append(section('Everyone in it (through nested groups too)', table(['Member', 'Kind', 'Through'],
      transitive.members.map(m => el('tr', {}, el('td', { class: 'v' }, m.member), el('td', {}, m.type),
        el('td', {}, (m.via || []).join(' → ')))))));
  }

  // ---- users, service accounts, sessions --------------------------------------------------------

  function once(title, secret) {
    return el('div', { class: 'secret', role: 'alert' }, el('p', {}, title),
      el('textarea', { readonly: true, rows: secret.length > 100 ? 8 : 1, 'aria-label': title, id: 'secret' }, secret));
  }

  async function usersPage() {
    const { users } = await api('GET', '/v1/users');
    clear(app);
    const shown = el('div');
    const act = async (u, verb, label) => {
      try {
        const r = await api('POST', '/v1/users/' + enc(u.email) + ':' + verb, {});
        await usersPage();
        say(label + ' ' + u.email + '.');
        if (r.password) app.prepend(once('New password for ' + u.email + ', shown once:', r.password));
      } catch (e) { say(e.message, true); }
    };
    const rows = users.map(u => el('tr', {},
      el('td', {}, u.email), el('td', {}, u.kind === 'local' ? 'built-in' : 'external (' + u.provider + ')'),
      el('td', {}, u.disabled ? 'disabled' : u.locked ? 'locked' : 'active'), el('td', {}, when(u.lastSignIn)),
      el('td', {}, canWrite ? [
        button(u.disabled ? 'Enable' : 'Disable', () => act(u, u.disabled ? 'enable' : 'disable',
          u.disabled ? 'Enabled' : 'Disabled'), { class: 'small', 'aria-label': (u.disabled ? 'Enable ' : 'Disable ') + u.email }),
        u.kind === 'local' ? button('Reset password', () => act(u, 'resetPassword', 'Reset the password of'),
          { class: 'small', 'aria-label': 'Reset the password of ' + u.email }) : null] : '')));
    app.append(shown, section('Users', table(['Email', 'Kind', 'State', 'Last sign-in', ''], rows)));
    if (canWrite) {
      app.append(section('Create a built-in account', form(async (f) => {
        const body = { email: f.email.value.trim(), displayName: f.displayName.value.trim() || null };
        if (f.password.value) body.password = f.password.value;
        const u = await api('POST', '/v1/users', body);
        await usersPage();
        say('Created ' + u.email + '.');
        if (u.password) app.prepend(once('Password for ' + u.email + ', shown once:', u.password));
      },
      field('user-email', 'Email', input('email', { type: 'email', required: true, autocomplete: 'off' })),
      field('user-name', 'Display name', input('displayName')),
      field('user-password', 'Password', input('password', { type: 'password', autocomplete: 'new-password' }),
        'At least 10 characters; leave empty to have one generated.'),
      el('button', { type: 'submit', id: 'create-user' }, 'Create account'))));
    }
  }

  async function serviceAccountsPage() {
    const { serviceAccounts } = await api('GET', '/v1/serviceAccounts');
    clear(app);
    const keysArea = el('div');
    const rows = serviceAccounts.map(a => el('tr', {},
      el('td', { class: 'v' }, a.email), el('td', {}, a.project), el('td', {}, a.displayName || ''),
      el('td', {}, a.disabled ? 'disabled' : 'active'),
      el('td', {}, button('Keys', () => load(() => showKeys(a, keysArea)), { class: 'small', 'aria-label': 'Keys of ' + a.email }),
        canWrite ? button(a.disabled ? 'Enable' : 'Disable', async () => {
          try {
            await api('POST', '/v1/serviceAccounts/' + enc(a.email) + (a.disabled ? ':enable' : ':disable'), {});
            await serviceAccountsPage();
          } catch (e) { say(e.message, true); }
        }, { class: 'small', 'aria-label': (a.disabled ? 'Enable ' : 'Disable ') + a.email }) : null,
        canWrite ? button('Delete', async () => {
          if (!confirm('Delete service account ' + a.email + ' and its keys?')) return;
          try {
            await api('DELETE', '/v1/serviceAccounts/' + enc(a.email), undefined, { 'if-match': a.etag });
            await serviceAccountsPage();
            say('Deleted ' + a.email + '.');
          } catch (e) { say(e.message, true); }
        }, { class: 'small danger', 'aria-label': 'Delete ' + a.email }) : null)));
    app.append(section('Service accounts', table(['Email', 'Project', 'Name', 'State', ''], rows)), keysArea);
    if (canWrite) {
      app.append(section('Create a service account', form(async (f) => {
        const a = await api('POST', '/v1/serviceAccounts', {
          accountId: f.accountId.value.trim(), project: f.project.value.trim() || 'default',
          displayName: f.displayName.value.trim() || null
        });
        await serviceAccountsPage();
        say('Created ' + a.email + '.');
      },
      field('sa-id', 'Account id', input('accountId', { required: true }), '6 to 30 of a-z, 0-9 and -, starting with a letter.'),
      field('sa-project', 'Project', input('project', { value: 'default' })),
      field('sa-name', 'Display name', input('displayName')),
      el('button', { type: 'submit', id: 'create-sa' }, 'Create service account'))));
    }
  }

  async function showKeys(a, area) {
    const { keys } = await api('GET', '/v1/serviceAccounts/' + enc(a.email) + '/keys');
    clear(area);
    const rows = keys.map(k => el('tr', {}, el('td', { class: 'v' }, k.keyId), el('td', {}, k.keyAlgorithm),
      el('td', {}, when(k.createTime)),
      el('td', {}, canWrite ? button('Delete', async () => {
        if (!confirm('Delete key ' + k.keyId + '? JWTs it signed are refused from the next request.')) return;
        try { await api('DELETE', '/v1/serviceAccounts/' + enc(a.email) + '/keys/' + enc(k.keyId)); await showKeys(a, area); }
        catch (e) { say(e.message, true); }
      }, { class: 'small', 'aria-label': 'Delete key ' + k.keyId }) : '')));
    area.append(section('Keys of ' + a.email, table(['Key id', 'Algorithm', 'Created', ''], rows),
      canWrite ? button('Create key', async () => {
        try {
          const made = await api('POST', '/v1/serviceAccounts/' + enc(a.email) + '/keys', {});
          await showKeys(a, area);
          area.prepend(once('Key file for ' + a.email + ', shown once; only its public half is kept:',
            JSON.stringify(made.keyFile, null, 2)));
        } catch (e) { say(e.message, true); }
      }, { id: 'create-key' }) : null));
    area.querySelector('h2').scrollIntoView();
  }

  async function sessionsPage() {
    const user = new URLSearchParams(location.search).get('user') || '';
    const { sessions } = await api('GET', '/v1/sessions' + (user ? '?user=' + enc(user) : ''));
    clear(app);
    const filter = el('form', { method: 'get', action: '/sessions', class: 'inline' },
      field('sessions-user', 'User', el('input', { name: 'user', type: 'email', value: user })),
      el('button', { type: 'submit' }, 'Filter'));
    const rows = sessions.map(s => el('tr', {},
      el('td', {}, s.user), el('td', {}, s.central ? 'sign-in (' + s.host + ')' : s.host),
      el('td', {}, when(s.createTime)), el('td', {}, when(s.lastSeen)), el('td', {}, s.clientIp || ''),
      el('td', {}, canWrite ? button('Revoke', async () => {
        try { await api('DELETE', '/v1/sessions/' + enc(s.id)); await sessionsPage(); say('Revoked that sign-in.'); }
        catch (e) { say(e.message, true); }
      }, { class: 'small', 'aria-label': 'Revoke the sign-in of ' + s.user + ' on ' + s.host }) : '')));
    app.append(el('div', { class: 'card' }, filter),
      section('Live sessions', table(['User', 'Host', 'Created', 'Last seen', 'Address', ''], rows)));
  }

  // ---- audit and troubleshooter -----------------------------------------------------------------

  let tailTimer = null;

  async function auditPage() {
    const params = new URLSearchParams(location.search);
    const filters = ['member', 'service', 'decision', 'kind', 'since', 'until', 'limit'];
    const query = new URLSearchParams();
    for (const f of filters) if (params.get(f)) query.set(f, params.get(f));
    const answer = await api('GET', '/v1/audit/events?' + query);
    clear(app);
    const v = (n) => params.get(n) || '';
    const filterForm = el('form', { method: 'get', action: '/audit', class: 'filters' },
      field('audit-member', 'Member', el('input', { name: 'member', value: v('member'), placeholder: 'user:ana@example.com' })),
      field('audit-service', 'Service', el('input', { name: 'service', value: v('service') })),
      field('audit-decision', 'Decision', selectPlain('decision', [['', 'any'], 'allow', 'deny', 'error'], v('decision'))),
      field('audit-kind', 'Kind', selectPlain('kind', [['', 'any'], ['decision', 'access decisions'], ['admin', 'admin changes']], v('kind'))),
      field('audit-since', 'Since', el('input', { name: 'since', value: v('since'), placeholder: '1h or 2026-11-23T09:00:00Z' })),
      field('audit-limit', 'Limit', el('input', { name: 'limit', type: 'number', min: 1, max: 1000, value: v('limit') || '100' })),
      el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'filter' }, 'Filter')));
    const tbody = el('tbody', { id: 'events' });
    for (const e of answer.events) tbody.append(eventRow(e));
    const tail = el('input', { type: 'checkbox', id: 'tail' });
    app.append(el('div', { class: 'card' }, filterForm), section('Events',
      el('div', { class: 'field check' }, tail, el('label', { for: 'tail' }, 'Live tail (new events appear on top)')),
      el('div', { class: 'table-wrap' }, el('table', {},
        el('thead', {}, el('tr', {}, ['Time', 'Kind', 'Principal', 'Service', 'What', 'Decision', 'Reason']
          .map(h => el('th', { scope: 'col' }, h)))), tbody))));
    let cursor = answer.cursor;
    tail.addEventListener('change', () => {
      clearInterval(tailTimer);
      if (!tail.checked) return;
      tailTimer = setInterval(async () => {
        const q = new URLSearchParams(query);
        q.delete('since'); q.delete('until'); q.delete('limit');
        if (cursor) q.set('after', cursor);
        try {
          const more = await api('GET', '/v1/audit/events?' + q);
          for (const e of more.events) tbody.prepend(eventRow(e));
          if (more.cursor) cursor = more.cursor;
        } catch (e) { say(e.message, true); }
      }, 2000);
    });
  }

  function selectPlain(name, options, value) {
    const s = select(name, options, value);
    s.disabled = false;
    return s;
  }

  function eventRow(e) {
    const who = e.principal ? (e.principal.email || e.principal.subject || '') : '';
    const what = e.kind === 'admin' ? [e.action, e.target].filter(Boolean).join(' ')
      : [e.method, (e.host || '') + (e.path || '')].filter(Boolean).join(' ');
    return el('tr', { class: 'event ' + (e.decision || e.kind), 'data-kind': e.kind, 'data-action': e.action || '' },
      el('td', {}, when(e.time)), el('td', {}, e.kind), el('td', {}, who), el('td', {}, e.service || ''),
      el('td', { class: 'v' }, what), el('td', {}, e.decision || ''),
      el('td', {}, e.reason || (e.change ? 'changed: ' + Object.keys(e.change).join(', ') : '')));
  }

  async function troubleshootPage() {
    clear(app);
    const result = el('div', { id: 'explanation' });
    app.append(section('Why can (or can\'t) someone open a URL?', form(async (f) => {
      const body = { member: memberOf(f.member.value, new Set()) || '', url: f.url.value.trim(), method: f.method.value };
      const r = await api('POST', '/v1/iam:troubleshoot', body);
      clear(result);
      result.append(section(r.allowed ? 'Allowed' : 'Denied',
        el('p', { class: r.allowed ? 'allowed' : 'denied', id: 'verdict', tabindex: -1 }, (r.allowed ? 'Allowed: ' : 'Denied: ') + r.reason),
        r.grantedBy ? el('p', {}, 'Granted by ' + r.grantedBy.role + ' to ' + r.grantedBy.member + ' on ' + r.grantedBy.resource
          + (r.grantedBy.condition ? ' (condition: ' + r.grantedBy.condition + ')' : '')) : null,
        r.note ? el('p', { class: 'muted' }, r.note) : null,
        table(['Where', 'Role', 'Grants access', 'Member matched', 'Why not', 'Condition'], r.bindings.map(b => el('tr', {},
          el('td', {}, b.resource), el('td', {}, b.role), el('td', {}, b.grants ? 'yes' : 'no'),
          el('td', {}, b.matchedMember ? b.matchedMember + (b.via ? ' via ' + b.via.join(' → ') : '') : ''),
          el('td', {}, b.notMatched || ''),
          el('td', {}, b.condition ? b.condition.title + ' = ' + b.condition.value + (b.condition.error ? ' (' + b.condition.error + ')' : '') : ''))))));
      document.getElementById('verdict').focus();
    },
    field('ts-member', 'Member', el('input', { name: 'member', 'data-field': 'member', required: true, placeholder: 'ana@example.com' }),
      'A person (email), serviceAccount:EMAIL, or allUsers for someone not signed in.'),
    field('ts-url', 'URL', el('input', { name: 'url', 'data-field': 'url', type: 'url', required: true,
      placeholder: location.protocol + '//dash.' + location.host.replace(/^console\./, '') + '/' })),
    field('ts-method', 'Method', selectPlain('method', ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], 'GET')),
    el('button', { type: 'submit', id: 'explain' }, 'Explain'))), result);
  }

  // ---- start -------------------------------------------------------------------------------------

  const pages = {
    'services': () => item ? servicePage(item) : servicesPage(),
    'iam': iamPage,
    'groups': () => item ? groupPage(item) : groupsPage(),
    'users': usersPage,
    'service-accounts': serviceAccountsPage,
    'sessions': sessionsPage,
    'audit': auditPage,
    'troubleshoot': troubleshootPage
  };
  load(pages[page]);
})();
