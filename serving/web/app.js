// The page: pick a user, search, click view / favorite / download, and watch the grid follow the clicks.
const $ = (id) => document.getElementById(id);
const form = $('search-form');
const userSelect = $('user-select');
const customUser = $('custom-user');
const weight = $('weight');
const status = $('status');
const grid = $('grid');
const sessionId = `web-${Math.random().toString(36).slice(2, 10)}`;

function newUserId() {
  const id = `new-user-${Math.random().toString(36).slice(2, 8)}`;
  localStorage.setItem('newUserId', id);
  return id;
}

function currentUser() {
  if (userSelect.value === '__custom__') return customUser.value.trim() || undefined;
  if (userSelect.value === '__new__') return localStorage.getItem('newUserId') ?? newUserId();
  return userSelect.value;
}

async function search() {
  const params = new URLSearchParams({ q: $('query').value, k: '20', weight: weight.value });
  const userId = currentUser();
  if (userId) params.set('userId', userId);
  status.textContent = 'Searching…';
  status.classList.remove('error');
  const started = performance.now();
  const response = await fetch(`/search?${params}`);
  const body = await response.json();
  if (!response.ok) {
    status.textContent = body.error ?? `search failed (${response.status})`;
    status.classList.add('error');
    return;
  }
  render(body.results);
  const ms = Math.round(performance.now() - started);
  status.textContent = `${body.results.length} results from generation ${body.generation} in ${ms} ms`;
  $('user-line').textContent = userId
    ? `${userId}: ${body.personalized ? `personalised at weight ${body.weight}` : 'no history yet, so results are not personalised'}`
    : 'anonymous: not personalised';
}

function render(results) {
  const template = $('card');
  grid.replaceChildren(...results.map((result) => {
    const card = template.content.firstElementChild.cloneNode(true);
    card.dataset.imageId = result.imageId;
    card.dataset.style = result.metadata.style ?? '';
    const img = card.querySelector('img');
    img.src = result.url;
    img.alt = result.metadata.caption ?? result.imageId;
    card.querySelector('.style').textContent = result.metadata.style ?? '';
    card.querySelector('.subject').textContent = result.metadata.subject ?? '';
    card.querySelector('.why').textContent = result.why;
    for (const button of card.querySelectorAll('button[data-event]')) {
      button.addEventListener('click', () => record(result.imageId, button.dataset.event, card));
    }
    return card;
  }));
}

async function record(imageId, eventType, card) {
  const userId = currentUser();
  if (!userId) {
    status.textContent = 'pick a user before recording events';
    status.classList.add('error');
    return;
  }
  card.classList.add('clicked');
  const response = await fetch('/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId, imageId, eventType, sessionId }),
  });
  if (!response.ok) {
    const body = await response.json();
    status.textContent = body.error ?? `event failed (${response.status})`;
    status.classList.add('error');
    return;
  }
  await search();
}

userSelect.addEventListener('change', () => {
  customUser.hidden = userSelect.value !== '__custom__';
  if (userSelect.value === '__new__') newUserId();
  search();
});
weight.addEventListener('input', () => { $('weight-value').textContent = weight.value; });
weight.addEventListener('change', () => search());
form.addEventListener('submit', (event) => {
  event.preventDefault();
  search();
});
search();
