// The events page: lists /api/events newest first (filtered by key and time range), opens an event view with its clip,
// its keyframe with the detector's boxes drawn over it and its message, follows /api/events/stream so new events
// appear without a reload, and shows the cluster's live tasks (/api/tasks). Plain DOM code, no framework and no build
// step. Everything that comes from an event is put on the page with textContent or as a URL attribute, never as HTML:
// task keys and messages are anyone's input.
'use strict';

(() => {
  const PAGE_SIZE = 24;
  const TASKS_REFRESH_MS = 2000;
  const SVG = 'http://www.w3.org/2000/svg';
  // One colour per class id, bright enough to read over a camera picture.
  const PALETTE = ['#ff2d95', '#00e5ff', '#ffd60a', '#7cff4f', '#ff8c00', '#b388ff', '#ff5252', '#64ffda'];
  const params = new URLSearchParams(location.search);
  // With registrator.http.token set, open the page as /?token=...: fetches send it as a header, media elements, links
  // and the event stream (which cannot send headers) as a query parameter.
  const token = params.get('token');

  const state = {
    key: params.get('key') || '',
    since: numberParam('since'),
    until: numberParam('until'),
    loaded: 0, hasMore: false, cards: new Map(), keys: new Map(), refreshing: null,
  };
  const tasks = { timer: null, rows: new Map(), loading: false };
  const $ = (id) => document.getElementById(id);

  function numberParam(name) {
    const value = Number.parseFloat(params.get(name) ?? '');
    return Number.isFinite(value) ? value : null;
  }

  function withToken(url) {
    if (!token) return url;
    return url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token);
  }

  async function api(path) {
    const response = await fetch(path, { headers: token ? { Authorization: 'Bearer ' + token } : {}, cache: 'no-store' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
    return body;
  }

  function eventsUrl(offset, limit) {
    const query = new URLSearchParams({ offset: String(offset), limit: String(limit) });
    if (state.key) query.set('key', state.key);
    if (state.since !== null) query.set('since', String(state.since));
    if (state.until !== null) query.set('until', String(state.until));
    return '/api/events?' + query;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function formatTime(seconds, precise) {
    return new Date(seconds * 1000).toLocaleString(undefined, {
      year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      ...(precise ? { fractionalSecondDigits: 3 } : {}),
    });
  }

  function formatBytes(bytes) {
    if (!Number.isFinite(bytes)) return 'n/a';
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

  // ---- Detections: the inference result's boxes ([x1, y1, x2, y2] in the frame's pixels), scores and class ids ----

  function detections(message) {
    const result = message && message.result;
    if (!result || !Array.isArray(result.boxes)) return [];
    const scores = Array.isArray(result.scores) ? result.scores : [];
    const classes = Array.isArray(result.class_ids) ? result.class_ids : [];
    const found = [];
    result.boxes.forEach((box, i) => {
      if (!Array.isArray(box) || box.length < 4) return;
      const [a, b, c, d] = box.slice(0, 4).map(Number);
      if (![a, b, c, d].every(Number.isFinite)) return;
      found.push({
        x1: Math.min(a, c), y1: Math.min(b, d), x2: Math.max(a, c), y2: Math.max(b, d),
        score: isNumber(scores[i]) ? scores[i] : null,
        classId: classes[i] === undefined || classes[i] === null ? null : classes[i],
      });
    });
    return found;
  }

  function bestScore(message) {
    const scores = message && message.result && message.result.scores;
    if (!Array.isArray(scores)) return null;
    const numbers = scores.filter(isNumber);
    return numbers.length ? Math.max(...numbers) : null;
  }

  function classColour(classId) {
    if (classId === null) return PALETTE[0];
    const text = String(classId);
    const number = Number.parseInt(text, 10);
    if (Number.isInteger(number) && String(number) === text) return PALETTE[Math.abs(number) % PALETTE.length];
    let hash = 0;
    for (const ch of text) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
    return PALETTE[hash % PALETTE.length];
  }

  /**
   * An SVG in the frame's own pixel coordinates (viewBox = the keyframe's natural size), laid over the image: the
   * browser scales it exactly as it scales the image, so boxes stay on their objects at any displayed size.
   * preserveAspectRatio mirrors the image's object-fit: "slice" for cover (thumbnails), "meet" for contain.
   */
  function drawBoxes(width, height, boxes, fit) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'boxes');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('preserveAspectRatio', fit === 'cover' ? 'xMidYMid slice' : 'xMidYMid meet');
    svg.setAttribute('aria-hidden', 'true');
    const font = Math.max(8, Math.round(height / 24));
    for (const box of boxes) {
      const colour = classColour(box.classId);
      const group = document.createElementNS(SVG, 'g');
      group.setAttribute('class', 'box');
      const rect = document.createElementNS(SVG, 'rect');
      rect.setAttribute('x', String(box.x1));
      rect.setAttribute('y', String(box.y1));
      rect.setAttribute('width', String(box.x2 - box.x1));
      rect.setAttribute('height', String(box.y2 - box.y1));
      rect.setAttribute('stroke', colour);
      // A tag in the box's colour: above the box, or just inside it when the box touches the top of the frame.
      const text = `${box.classId === null ? '?' : box.classId} ${box.score === null ? '–' : box.score.toFixed(2)}`;
      const tagHeight = font + 4;
      // The label font is monospace: its width follows from the length.
      const tagWidth = Math.ceil(text.length * font * 0.62) + 4;
      const tagX = Math.max(0, Math.min(box.x1, width - tagWidth));
      const tagY = box.y1 >= tagHeight ? box.y1 - tagHeight : box.y1;
      const tag = document.createElementNS(SVG, 'rect');
      tag.setAttribute('class', 'tag');
      tag.setAttribute('x', String(tagX));
      tag.setAttribute('y', String(tagY));
      tag.setAttribute('width', String(tagWidth));
      tag.setAttribute('height', String(tagHeight));
      tag.setAttribute('fill', colour);
      const label = document.createElementNS(SVG, 'text');
      label.setAttribute('x', String(tagX + 2));
      label.setAttribute('y', String(tagY + 2 + font * 0.82));
      label.setAttribute('font-size', String(font));
      label.textContent = text;
      group.append(rect, tag, label);
      svg.append(group);
    }
    return svg;
  }

  /** The keyframe with its boxes; fit is "cover" (fills a thumbnail, cropping) or "contain" (the whole frame). */
  function framed(url, message, fit, alt) {
    const frame = el('div', `frame ${fit}`);
    const img = el('img');
    img.alt = alt;
    if (fit === 'cover') img.loading = 'lazy';
    const boxes = detections(message);
    frame.dataset.boxes = String(boxes.length);
    if (boxes.length) {
      img.addEventListener('load', () => {
        frame.querySelector('svg.boxes')?.remove();
        frame.append(drawBoxes(img.naturalWidth, img.naturalHeight, boxes, fit));
        frame.dataset.drawn = 'true';
      });
    }
    img.src = withToken(url);
    frame.append(img);
    return frame;
  }

  // ---- Events ----

  function buildCard(event) {
    const card = el('button', 'event-card');
    card.type = 'button';
    card.dataset.eventId = event.event_id || '';
    card.dataset.key = event.key;

    const thumb = el('div', 'thumb');
    if (event.keyframe_url) {
      thumb.append(framed(event.keyframe_url, event.message, 'cover', `Keyframe of ${event.key}`));
    } else {
      thumb.append(el('span', 'no-clip', event.error ? `No clip: ${event.error}` : 'No keyframe on this node'));
    }
    if (event.clip_url) thumb.append(el('span', 'play', '▶ clip'));

    const meta = el('div', 'meta');
    meta.append(el('span', 'key', event.key));
    meta.append(el('time', 'time', formatTime(event.timestamp)));
    const message = event.message || {};
    const detection = el('div', 'detection');
    detection.append(el('span', 'model', typeof message.model === 'string' ? message.model : 'model: n/a'));
    const best = bestScore(message);
    detection.append(el('span', 'score' + (best !== null && best < 0.5 ? ' low' : ''), best === null ? 'no score' : `best ${best.toFixed(2)}`));
    meta.append(detection);
    if (isNumber(event.start) && isNumber(event.end)) meta.append(el('span', 'span muted', `incident ${(event.end - event.start).toFixed(1)} s`));

    card.append(thumb, meta);
    card.addEventListener('click', () => openEvent(event));
    return card;
  }

  /** Shows events newest first, reusing the cards already on the page; new ones are marked until the next refresh. */
  function render(events, markNew) {
    const grid = $('events');
    const seen = new Set();
    let previous = null;
    for (const event of events) {
      const id = event.event_id || `${event.key}@${event.timestamp}`;
      seen.add(id);
      let card = state.cards.get(id);
      if (!card) {
        card = buildCard(event);
        state.cards.set(id, card);
        if (markNew) card.classList.add('new');
      }
      if (previous === null ? grid.firstChild !== card : previous.nextSibling !== card) {
        if (previous === null) grid.prepend(card); else previous.after(card);
      }
      previous = card;
      rememberKey(event.key);
    }
    for (const [id, card] of state.cards) {
      if (!seen.has(id)) { card.remove(); state.cards.delete(id); }
    }
    const filtered = state.key || state.since !== null || state.until !== null;
    $('empty').textContent = filtered ? 'No events match the filter.' : 'No events yet. They appear here as the cluster registers them.';
    $('empty').hidden = events.length > 0;
    $('more').hidden = !state.hasMore;
  }

  /** Adds a key to the filter's list (or updates its count); the list stays sorted. */
  function rememberKey(key, events) {
    const select = $('filter-key');
    let option = state.keys.get(key);
    if (!option) {
      option = document.createElement('option');
      option.value = key;
      option.textContent = key;
      state.keys.set(key, option);
      const after = [...select.options].slice(1).find((o) => o.value > key);
      select.insertBefore(option, after ?? null);
    }
    if (events !== undefined) option.textContent = `${key} (${events})`;
    if (key === state.key) select.value = key;
  }

  async function loadKeys() {
    try {
      const body = await api('/api/keys');
      for (const known of body.keys) rememberKey(known.key, known.events);
    } catch (error) {
      showMessage(`Could not load the known keys: ${error.message}`);
    }
  }

  function showMessage(text) {
    const message = $('message');
    message.textContent = text || '';
    message.hidden = !text;
  }

  let current = [];

  /** Reloads the events on the page (at least one page), e.g. after a notice that a new one exists. */
  async function refresh(markNew) {
    // One refresh at a time; a burst of notices costs one more request, not one each.
    if (state.refreshing) { state.refreshAgain = true; return state.refreshing; }
    state.refreshing = (async () => {
      try {
        do {
          state.refreshAgain = false;
          const page = await api(eventsUrl(0, Math.max(PAGE_SIZE, state.loaded)));
          current = page.events;
          state.loaded = current.length;
          state.hasMore = page.has_more;
          render(current, markNew);
          showMessage('');
        } while (state.refreshAgain);
      } catch (error) {
        showMessage(`Could not load events: ${error.message}`);
      } finally {
        state.refreshing = null;
      }
    })();
    return state.refreshing;
  }

  async function loadMore() {
    try {
      const page = await api(eventsUrl(state.loaded, PAGE_SIZE));
      current = current.concat(page.events);
      state.loaded = current.length;
      state.hasMore = page.has_more;
      render(current, false);
    } catch (error) {
      showMessage(`Could not load more events: ${error.message}`);
    }
  }

  // ---- The event view ----

  function download(label, url, name) {
    const link = el('a', 'download', label);
    link.href = withToken(url);
    link.download = name;
    return link;
  }

  /** Indented JSON, with arrays of numbers (a box, the scores) kept on one line each. */
  function formatJson(value) {
    return JSON.stringify(value ?? null, null, 2).replace(/\[\s+(-?[\d.eE+-]+(?:,\s+-?[\d.eE+-]+)*)\s+\]/g,
      (_, numbers) => `[${numbers.split(/,\s+/).join(', ')}]`);
  }

  function openEvent(event) {
    const dialog = $('player');
    const video = $('player-video');
    const id = event.event_id;
    $('player-title').textContent = event.key;
    const error = $('player-error');
    error.hidden = !!event.clip_url;
    error.textContent = event.clip_url ? '' : (event.error ? `No clip: ${event.error}` : 'The clip is not on any node that answers.');

    const message = event.message || {};
    const boxes = detections(message);
    const best = bestScore(message);
    const hasSpan = isNumber(event.start) && isNumber(event.end);
    const facts = $('player-facts');
    facts.replaceChildren();
    const duration = el('dd', 'duration', hasSpan ? `${(event.end - event.start).toFixed(1)} s` : 'n/a');
    for (const [name, value] of [
      ['Key', event.key],
      ['Registered', formatTime(event.timestamp, true)],
      ['Start', hasSpan ? formatTime(event.start, true) : 'n/a'],
      ['End', hasSpan ? formatTime(event.end, true) : 'n/a'],
      ['Duration', duration],
      ['Model', message.model ?? 'n/a'],
      ['Detections', `${boxes.length} box${boxes.length === 1 ? '' : 'es'}, best score ${best === null ? 'n/a' : best.toFixed(3)}`],
      ['Frame', message.frame_id ?? 'n/a'],
      ['Event id', id ?? 'n/a'],
      ['Node', event.node ?? 'n/a'],
      ['Clip file', event.video_proofs ?? 'none'],
    ]) {
      facts.append(el('dt', null, name), value instanceof Node ? value : el('dd', null, value));
    }
    $('player-message').textContent = formatJson(event.message);

    const downloads = $('player-downloads');
    downloads.replaceChildren();
    if (event.clip_url) downloads.append(download('Clip (MP4)', event.clip_url, `${id}.mp4`));
    if (event.keyframe_url) downloads.append(download('Keyframe (JPEG)', event.keyframe_url, `${id}.jpg`));
    if (id) downloads.append(download('Event (JSON)', `/api/events/${encodeURIComponent(id)}`, `${id}.json`));

    const keyframe = $('player-keyframe');
    keyframe.replaceChildren(event.keyframe_url
      ? framed(event.keyframe_url, message, 'contain', `Keyframe of ${event.key} with its detections`)
      : el('p', 'notice', 'No keyframe.'));
    $('box-count').textContent = boxes.length ? `${boxes.length} drawn from the message` : 'none in the message';

    video.hidden = !event.clip_url;
    if (event.clip_url) {
      // Without start/end (the window policy) the clip's own length is the event's duration.
      if (!hasSpan) video.addEventListener('loadedmetadata', () => { duration.textContent = `${video.duration.toFixed(1)} s (the clip)`; }, { once: true });
      video.src = withToken(event.clip_url);
      video.poster = event.keyframe_url ? withToken(event.keyframe_url) : '';
    } else {
      video.removeAttribute('src');
    }
    if (id) setParam('event', id);
    if (!dialog.open) dialog.showModal();
    if (event.clip_url) video.play().catch(() => { /* the user can press play */ });
  }

  function closeEvent() {
    const video = $('player-video');
    video.pause();
    video.removeAttribute('src');
    video.load();
    setParam('event', null);
  }

  async function openEventById(id) {
    try {
      openEvent(await api(`/api/events/${encodeURIComponent(id)}`));
    } catch (error) {
      showMessage(`Could not open event ${id}: ${error.message}`);
    }
  }

  function setParam(name, value) {
    const url = new URL(location.href);
    if (value === null || value === '') url.searchParams.delete(name); else url.searchParams.set(name, value);
    history.replaceState(null, '', url);
  }

  // ---- The live stream and health ----

  function connectStream() {
    const live = $('live');
    const source = new EventSource(withToken('/api/events/stream'));
    source.addEventListener('open', () => {
      live.textContent = 'live';
      live.className = 'chip ok';
      // Events registered while the stream was down are picked up here.
      refresh(true);
    });
    source.addEventListener('registered', (message) => {
      const notice = JSON.parse(message.data);
      if (!state.keys.has(notice.key)) loadKeys();
      const inRange = (state.since === null || notice.timestamp >= state.since) && (state.until === null || notice.timestamp <= state.until);
      if ((!state.key || notice.key === state.key) && inRange) refresh(true);
    });
    source.addEventListener('error', () => {
      live.textContent = 'reconnecting…';
      live.className = 'chip bad';
    });
  }

  async function checkHealth() {
    const chip = $('ready');
    try {
      const response = await fetch('/health/ready', { cache: 'no-store' });
      const body = await response.json();
      chip.textContent = response.ok ? 'ready' : `not ready: ${(body.failing || []).join(', ')}`;
      chip.className = 'chip ' + (response.ok ? 'ok' : 'bad');
      chip.title = Object.entries(body.checks || {}).map(([name, check]) => `${name}: ${check.detail}`).join('\n');
    } catch {
      chip.textContent = 'node unreachable';
      chip.className = 'chip bad';
    }
  }

  // ---- Filters: key and time range, kept in the address so a filtered view can be shared ----

  function pad(n, width = 2) { return String(n).padStart(width, '0'); }

  /** Unix seconds as a datetime-local value (the browser's time zone), to the millisecond when there is one. */
  function toLocalInput(seconds) {
    if (seconds === null) return '';
    const d = new Date(seconds * 1000);
    const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    return d.getMilliseconds() ? `${text}.${pad(d.getMilliseconds(), 3)}` : text;
  }

  function fromLocalInput(value) {
    if (!value) return null;
    const millis = new Date(value).getTime();
    return Number.isFinite(millis) ? millis / 1000 : null;
  }

  function showFilter() {
    $('filter-key').value = state.key;
    if (state.key && !state.keys.has(state.key)) rememberKey(state.key);
    $('filter-from').value = toLocalInput(state.since);
    $('filter-to').value = toLocalInput(state.until);
    const parts = [];
    if (state.key) parts.push(`key ${state.key}`);
    if (state.since !== null) parts.push(`from ${formatTime(state.since, true)}`);
    if (state.until !== null) parts.push(`to ${formatTime(state.until, true)}`);
    $('filter-summary').textContent = parts.length ? `showing ${parts.join(', ')}` : '';
  }

  function applyFilter(key, since, until) {
    state.key = key;
    state.since = since;
    state.until = until;
    setParam('key', key);
    setParam('since', since === null ? null : String(since));
    setParam('until', until === null ? null : String(until));
    showFilter();
    state.loaded = 0;
    for (const card of state.cards.values()) card.remove();
    state.cards.clear();
    refresh(false);
  }

  // ---- Live tasks ----

  function stateChip(name) {
    return el('span', `chip state state-${String(name).toLowerCase()}`, name);
  }

  function statusesCell(statuses) {
    const cell = el('td', 'statuses');
    const detected = statuses.filter(Boolean).length;
    cell.append(el('span', 'count', `${statuses.length}`), el('span', 'muted', ` · ${detected} detected`));
    // The last statuses as a strip: a detection lit, a miss dim.
    const strip = el('span', 'strip');
    for (const status of statuses.slice(-40)) strip.append(el('i', status ? 'on' : 'off'));
    cell.append(strip);
    return cell;
  }

  function nodeCell(task) {
    const cell = el('td', 'node');
    cell.title = task.node_address || '';
    if (task.node) {
      const link = el('a', null, task.node.replace(/^https?:\/\//, ''));
      // The token goes before the fragment, or the other node's page would not see it.
      link.href = withToken(task.node + '/') + '#tasks';
      cell.append(link);
    } else {
      cell.append(el('span', 'muted', task.node_address || 'unknown'));
    }
    return cell;
  }

  function taskRow(task) {
    const row = el('tr');
    row.dataset.key = task.key;
    row.dataset.state = task.state;
    const registrations = Array.isArray(task.registrations) ? task.registrations : [];
    const frames = el('td', 'num frames', task.frame_count);
    if (task.frames_pending || task.frames_dropped) frames.title = `${task.frames_pending} pending, ${task.frames_dropped} dropped`;
    const buffered = el('td', 'num buffered');
    buffered.append(el('span', 'seconds', `${Number(task.buffered_seconds ?? 0).toFixed(1)} s`), el('span', 'muted', ` · ${formatBytes(task.buffered_bytes)}`));
    const flights = el('td', 'registrations');
    flights.append(el('span', 'count', String(registrations.length)));
    for (const r of registrations) flights.append(el('span', 'chip stage', `${r.stage} · ${r.frame_count} frames`));
    const stateCell = el('td', 'state-cell');
    stateCell.append(stateChip(task.state));
    row.append(el('td', 'key', task.key), stateCell, statusesCell(task.statuses || []), frames, buffered, flights, nodeCell(task));
    return row;
  }

  function renderTasks(body) {
    const tbody = $('tasks').tBodies[0];
    // Rows are rebuilt each refresh: a handful of cells per task, and no state of their own to keep.
    tbody.replaceChildren(...body.tasks.map(taskRow));
    const nodes = body.regions.length;
    const silent = body.regions.filter((r) => !r.answered).length;
    const notes = [`${body.tasks.length} task${body.tasks.length === 1 ? '' : 's'} on ${nodes} node${nodes === 1 ? '' : 's'}`];
    if (body.total > body.tasks.length + body.unanswered) notes.push(`first ${body.limit} of ${body.total}`);
    if (body.unanswered) notes.push(`${body.unanswered} did not answer`);
    if (silent) notes.push(`${silent} node${silent === 1 ? '' : 's'} did not answer`);
    notes.push(`updated ${new Date().toLocaleTimeString()}`);
    $('tasks-summary').textContent = notes.join(' · ');
    $('tasks-empty').hidden = body.tasks.length > 0;
    $('tasks-message').hidden = true;
  }

  async function refreshTasks() {
    if (tasks.loading) return;
    tasks.loading = true;
    try {
      renderTasks(await api('/api/tasks'));
    } catch (error) {
      const message = $('tasks-message');
      message.textContent = `Could not load tasks: ${error.message}`;
      message.hidden = false;
    } finally {
      tasks.loading = false;
    }
  }

  function startTasks() {
    if (tasks.timer !== null) return;
    refreshTasks();
    tasks.timer = setInterval(() => { if (document.visibilityState === 'visible') refreshTasks(); }, TASKS_REFRESH_MS);
  }

  function stopTasks() {
    if (tasks.timer === null) return;
    clearInterval(tasks.timer);
    tasks.timer = null;
  }

  // ---- Views ----

  function route() {
    const showTasks = location.hash === '#tasks';
    $('events-view').hidden = showTasks;
    $('tasks-view').hidden = !showTasks;
    $('tab-events').classList.toggle('active', !showTasks);
    $('tab-tasks').classList.toggle('active', showTasks);
    $('tab-events').setAttribute('aria-current', showTasks ? 'false' : 'page');
    $('tab-tasks').setAttribute('aria-current', showTasks ? 'page' : 'false');
    document.title = showTasks ? 'Registrator — tasks' : 'Registrator — events';
    if (showTasks) startTasks(); else stopTasks();
  }

  document.addEventListener('DOMContentLoaded', () => {
    showFilter();
    $('filter').addEventListener('submit', (e) => {
      e.preventDefault();
      applyFilter($('filter-key').value, fromLocalInput($('filter-from').value), fromLocalInput($('filter-to').value));
    });
    $('filter-key').addEventListener('change', () => $('filter').requestSubmit());
    $('filter-clear').addEventListener('click', () => applyFilter('', null, null));
    $('more').addEventListener('click', loadMore);
    $('player').addEventListener('close', closeEvent);
    $('show-boxes').addEventListener('change', (e) => $('player-keyframe').classList.toggle('hide-boxes', !e.target.checked));
    window.addEventListener('hashchange', route);
    route();
    loadKeys();
    refresh(false);
    connectStream();
    checkHealth();
    setInterval(checkHealth, 10000);
    if (params.get('event')) openEventById(params.get('event'));
  });
})();
