// The events page: lists /api/events newest first, plays a clip on click, and follows /api/events/stream so new
// events appear without a reload. Plain DOM code, no framework and no build step. Everything that comes from an event
// is put on the page with textContent or as a URL attribute, never as HTML: task keys and messages are anyone's input.
'use strict';

(() => {
  const PAGE_SIZE = 24;
  const params = new URLSearchParams(location.search);
  // With registrator.http.token set, open the page as /?token=...: fetches send it as a header, media elements and the
  // event stream (which cannot send headers) as a query parameter.
  const token = params.get('token');

  const state = { key: params.get('key') || '', loaded: 0, hasMore: false, cards: new Map(), keys: new Set(), refreshing: null };
  const $ = (id) => document.getElementById(id);

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
    return '/api/events?' + query;
  }

  function bestScore(message) {
    const scores = message && message.result && message.result.scores;
    if (!Array.isArray(scores)) return null;
    const numbers = scores.filter((s) => typeof s === 'number' && Number.isFinite(s));
    return numbers.length ? Math.max(...numbers) : null;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function formatTime(seconds) {
    return new Date(seconds * 1000).toLocaleString(undefined, {
      year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
  }

  function buildCard(event) {
    const card = el('button', 'event-card');
    card.type = 'button';
    card.dataset.eventId = event.event_id || '';
    card.dataset.key = event.key;

    const thumb = el('div', 'thumb');
    if (event.keyframe_url) {
      const img = el('img');
      img.alt = `Keyframe of ${event.key}`;
      img.loading = 'lazy';
      img.src = withToken(event.keyframe_url);
      thumb.append(img);
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
    const score = el('span', 'score' + (best !== null && best < 0.5 ? ' low' : ''), best === null ? 'no score' : `best ${best.toFixed(2)}`);
    detection.append(score);
    meta.append(detection);

    card.append(thumb, meta);
    card.addEventListener('click', () => openPlayer(event));
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
    $('empty').hidden = events.length > 0;
    $('more').hidden = !state.hasMore;
  }

  function rememberKey(key) {
    if (state.keys.has(key)) return;
    state.keys.add(key);
    const option = document.createElement('option');
    option.value = key;
    $('known-keys').append(option);
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

  function openPlayer(event) {
    const dialog = $('player');
    const video = $('player-video');
    $('player-title').textContent = event.key;
    const error = $('player-error');
    error.hidden = !!event.clip_url;
    error.textContent = event.clip_url ? '' : (event.error ? `No clip: ${event.error}` : 'The clip is not on this node.');

    const facts = $('player-facts');
    facts.replaceChildren();
    const message = event.message || {};
    const best = bestScore(message);
    for (const [name, value] of [
      ['Time', formatTime(event.timestamp)],
      ['Model', message.model ?? 'n/a'],
      ['Best score', best === null ? 'n/a' : best.toFixed(3)],
      ['Event id', event.event_id ?? 'n/a'],
      ['Clip', event.video_proofs ?? 'none'],
    ]) {
      facts.append(el('dt', null, name), el('dd', null, value));
    }
    $('player-message').textContent = JSON.stringify(event.message, null, 2);

    video.hidden = !event.clip_url;
    if (event.clip_url) {
      video.src = withToken(event.clip_url);
      video.poster = event.keyframe_url ? withToken(event.keyframe_url) : '';
    } else {
      video.removeAttribute('src');
    }
    dialog.showModal();
    if (event.clip_url) video.play().catch(() => { /* the user can press play */ });
  }

  function closePlayer() {
    const video = $('player-video');
    video.pause();
    video.removeAttribute('src');
    video.load();
  }

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
      if (!state.key || notice.key === state.key) refresh(true);
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

  function applyFilter(key) {
    state.key = key.trim();
    $('filter-key').value = state.key;
    const url = new URL(location.href);
    if (state.key) url.searchParams.set('key', state.key); else url.searchParams.delete('key');
    history.replaceState(null, '', url);
    state.loaded = 0;
    for (const card of state.cards.values()) card.remove();
    state.cards.clear();
    refresh(false);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('filter-key').value = state.key;
    $('filter').addEventListener('submit', (e) => { e.preventDefault(); applyFilter($('filter-key').value); });
    $('filter-clear').addEventListener('click', () => applyFilter(''));
    $('more').addEventListener('click', loadMore);
    $('player').addEventListener('close', closePlayer);
    refresh(false);
    connectStream();
    checkHealth();
    setInterval(checkHealth, 10000);
  });
})();
