/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

/**
 * The live page's script, run in the browser. It is sent as this function's source text
 * (`liveScript.toString()`), so it must stand alone: no imports, no outer variables.
 *
 * Everything that came from traffic (messages, evidence, paths, routes) reaches the page
 * through `textContent` and `value` only, never through markup: an evidence string holding
 * `<script>` shows as text. The page's Content-Security-Policy forbids any other script.
 */
export function liveScript(): void {
  interface Violation {
    time: number;
    rule: string;
    severity: string;
    method: string;
    path: string;
    route: string;
    status: number;
    requestId: string;
    message: string;
    evidence: unknown;
  }
  type Counts = Map<string, number>;

  const KEEP = 500;
  const SHOW = 200;
  const state = {
    list: [] as Violation[],
    keys: new Set<string>(),
    byRule: new Map() as Counts,
    bySeverity: new Map() as Counts,
    byRoute: new Map() as Counts,
    severityOf: new Map<string, string>(),
    loading: false,
    queued: [] as Violation[],
  };
  const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
  const filters = { rule: $<HTMLSelectElement>('f-rule'), severity: $<HTMLSelectElement>('f-severity'), route: $<HTMLSelectElement>('f-route'), text: $<HTMLInputElement>('f-text') };

  function el(tag: string, className?: string, text?: string): HTMLElement {
    const node = document.createElement(tag);
    if (className !== undefined) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  const keyOf = (v: Violation): string => `${v.time} ${v.requestId} ${v.rule}`;
  const bump = (counts: Counts, key: string, by: number): void => {
    counts.set(key, (counts.get(key) ?? 0) + by);
  };
  const ruleLink = (rule: string): HTMLElement => {
    const a = el('a', undefined, rule) as HTMLAnchorElement;
    a.href = `/rules/${encodeURIComponent(rule)}`;
    return a;
  };
  const badge = (severity: string): HTMLElement => el('span', `sev sev-${['error', 'warning', 'info'].includes(severity) ? severity : 'info'}`, severity);

  /** restaudit_violations_total samples of the Prometheus text: the counts since start. */
  function parseCounts(text: string): void {
    state.byRule = new Map();
    state.bySeverity = new Map();
    state.byRoute = new Map();
    for (const line of text.split('\n')) {
      if (!line.startsWith('restaudit_violations_total{')) continue;
      const labels = new Map<string, string>();
      const body = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
      for (const m of body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels.set(m[1] ?? '', (m[2] ?? '').replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c)));
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (!Number.isFinite(value) || value === 0) continue;
      const rule = labels.get('rule') ?? '';
      const severity = labels.get('severity') ?? '';
      bump(state.byRule, rule, value);
      bump(state.bySeverity, severity, value);
      bump(state.byRoute, labels.get('route') ?? '', value);
      state.severityOf.set(rule, severity);
    }
  }

  function add(v: Violation, count: boolean): void {
    const key = keyOf(v);
    if (state.keys.has(key)) return;
    state.keys.add(key);
    state.list.unshift(v);
    while (state.list.length > KEEP) state.keys.delete(keyOf(state.list.pop() as Violation));
    state.severityOf.set(v.rule, v.severity);
    if (!count) return;
    bump(state.byRule, v.rule, 1);
    bump(state.bySeverity, v.severity, 1);
    bump(state.byRoute, v.route, 1);
  }

  async function load(): Promise<void> {
    state.loading = true;
    try {
      // Counts first, then the list: a violation queued meanwhile and missing from the list
      // happened after both, so it is not in the counts yet.
      const metrics = await fetch('/metrics', { cache: 'no-store' });
      if (metrics.ok) parseCounts(await metrics.text());
      const answer = await fetch(`/violations?limit=${KEEP}`, { cache: 'no-store' });
      if (answer.ok) {
        const { violations } = (await answer.json()) as { violations: Violation[] };
        state.list = [];
        state.keys = new Set();
        for (const v of violations.reverse()) add(v, false);
      }
    } finally {
      state.loading = false;
      for (const v of state.queued) add(v, true);
      // A violation that happened between the two snapshots may be counted once too few or
      // too many: the counts are read again shortly.
      if (state.queued.length > 0) setTimeout(refreshCounts, 2000);
      state.queued = [];
      render();
    }
  }

  function refreshCounts(): void {
    if (state.loading) return;
    void fetch('/metrics', { cache: 'no-store' }).then(async (r) => {
      if (!r.ok || state.loading) return;
      parseCounts(await r.text());
      render();
    });
  }

  function fillSelect(select: HTMLSelectElement, values: string[], all: string): void {
    const current = select.value;
    const wanted = [''].concat(values.sort());
    if (current !== '' && !wanted.includes(current)) wanted.push(current);
    if (select.options.length === wanted.length && [...select.options].every((o, i) => o.value === wanted[i])) return;
    select.replaceChildren(...wanted.map((value) => {
      const option = el('option', undefined, value === '' ? all : value) as HTMLOptionElement;
      option.value = value;
      return option;
    }));
    select.value = current;
  }

  function countTable(id: string, counts: Counts, cell: (key: string) => Node[], filter: HTMLSelectElement, limit: number): void {
    const rows = [...counts].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit);
    const body = $(id);
    body.replaceChildren(...rows.map(([key, n]) => {
      const tr = el('tr', filter.value === key ? 'selected' : 'pick');
      tr.dataset.key = key;
      tr.title = 'filter the list by this';
      const td = el('td');
      td.append(...cell(key));
      tr.append(td, el('td', 'num', String(n)));
      tr.addEventListener('click', (event) => {
        if ((event.target as HTMLElement).tagName === 'A') return;
        filter.value = filter.value === key ? '' : key;
        changed();
      });
      return tr;
    }));
    if (rows.length === 0) body.replaceChildren(el('tr', 'muted', 'none yet'));
  }

  function matches(v: Violation): boolean {
    if (filters.rule.value !== '' && v.rule !== filters.rule.value) return false;
    if (filters.severity.value !== '' && v.severity !== filters.severity.value) return false;
    if (filters.route.value !== '' && v.route !== filters.route.value) return false;
    const text = filters.text.value.trim().toLowerCase();
    if (text === '') return true;
    return `${v.rule} ${v.method} ${v.path} ${v.route} ${v.status} ${v.message} ${v.requestId} ${JSON.stringify(v.evidence)}`.toLowerCase().includes(text);
  }

  function row(v: Violation): HTMLElement {
    const item = el('div', `violation sev-border-${v.severity}`);
    const head = el('div', 'head');
    head.append(el('span', 'muted mono', new Date(v.time).toLocaleTimeString()), badge(v.severity), ruleLink(v.rule), el('span', 'mono', `${v.method} ${v.path} → ${v.status}`), el('span', 'muted', `route ${v.route}`));
    const evidence = el('pre', 'evidence', JSON.stringify(v.evidence, null, 2));
    item.append(head, el('div', 'message', v.message), evidence, el('div', 'muted mono small', `request id ${v.requestId}`));
    return item;
  }

  let pending = false;
  function render(): void {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const total = [...state.bySeverity.values()].reduce((a, b) => a + b, 0);
      $('total').textContent = String(total);
      for (const severity of ['error', 'warning', 'info']) $(`n-${severity}`).textContent = String(state.bySeverity.get(severity) ?? 0);
      fillSelect(filters.rule, [...new Set([...state.byRule.keys(), ...state.list.map((v) => v.rule)])], 'every rule');
      fillSelect(filters.route, [...new Set([...state.byRoute.keys(), ...state.list.map((v) => v.route)])], 'every route');
      countTable('by-rule', state.byRule, (rule) => [ruleLink(rule), document.createTextNode(' '), badge(state.severityOf.get(rule) ?? 'info')], filters.rule, 50);
      countTable('by-severity', state.bySeverity, (severity) => [badge(severity)], filters.severity, 3);
      countTable('by-route', state.byRoute, (route) => [el('span', 'mono', route)], filters.route, 20);
      const shown = state.list.filter(matches);
      $('list').replaceChildren(...shown.slice(0, SHOW).map(row));
      $('shown').textContent = `${Math.min(shown.length, SHOW)} shown of the ${state.list.length} most recent`;
      if (shown.length === 0) $('list').replaceChildren(el('p', 'muted', state.list.length === 0 ? 'No violations yet. They appear here as they happen.' : 'No recent violation matches the filters.'));
    });
  }

  function changed(): void {
    const params = new URLSearchParams();
    for (const [name, input] of Object.entries(filters)) if (input.value !== '') params.set(name, input.value);
    history.replaceState(null, '', params.size === 0 ? location.pathname : `#${params.toString()}`);
    render();
  }

  const initial = new URLSearchParams(location.hash.slice(1));
  for (const [name, input] of Object.entries(filters)) {
    const value = initial.get(name);
    if (value !== null) {
      if (input instanceof HTMLSelectElement && ![...input.options].some((o) => o.value === value)) {
        const option = el('option', undefined, value) as HTMLOptionElement;
        option.value = value;
        input.append(option);
      }
      input.value = value;
    }
    input.addEventListener(input instanceof HTMLInputElement ? 'input' : 'change', changed);
  }

  const status = $('status');
  const events = new EventSource('/events');
  events.addEventListener('open', () => {
    status.textContent = 'loading…';
    // Live once the counts and the list are loaded: from then on, every event adds to them.
    void load().then(() => {
      status.textContent = 'live';
      status.className = 'live';
    });
  });
  events.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.className = 'down';
  });
  events.addEventListener('violation', (event) => {
    const v = JSON.parse((event as MessageEvent<string>).data) as Violation;
    if (state.loading) state.queued.push(v);
    else {
      add(v, true);
      render();
    }
  });
  events.addEventListener('resync', () => void load());
  // The counts since start come from /metrics; refresh them now and then in case a count
  // and its event crossed while loading.
  setInterval(() => {
    if (document.visibilityState === 'visible') refreshCounts();
  }, 15_000);
  render();
}
