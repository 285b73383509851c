// The models: each version's state (a LOADING model's progress is in its reason), its metadata, and a try-it form
// built from that metadata that sends one inference and shows the outputs or the server's error.
import { call } from './api.js';
import { el, table } from './dom.js';

/** Draws every model; true while one is still loading, so the caller polls again. */
export async function renderModels(list, names, onInference) {
  const index = await call('POST', '/v2/repository/index');
  const byName = new Map();
  for (const entry of index) {
    byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry]);
  }
  names.replaceChildren(...[...byName.keys()].map(name => el('option', { value: name })));
  const cards = await Promise.all([...byName].map(([name, versions]) => modelCard(name, versions, onInference)));
  list.replaceChildren(...(cards.length ? cards : [el('p', { class: 'hint' }, 'The repository has no models.')]));
  return index.some(entry => entry.state === 'LOADING');
}

async function modelCard(name, versions, onInference) {
  const card = el('article', { class: 'model', 'data-model': name },
    el('h3', {}, name),
    el('ul', { class: 'versions' }, versions.map(v => el('li', {},
      `version ${v.version} `,
      el('span', { class: `state state-${v.state.toLowerCase()}` }, v.state),
      v.reason ? ` ${v.reason}` : ''))));
  try {
    const metadata = await call('GET', `/v2/models/${encodeURIComponent(name)}`);
    card.append(metadataView(metadata), tryIt(metadata, onInference));
  } catch (error) {
    card.append(el('p', { class: 'error' }, error.message));
  }
  return card;
}

function metadataView(metadata) {
  const tensors = (kind, list) => list.map(t => [kind, t.name, t.datatype, `[${t.shape.join(', ')}]`]);
  return el('div', { class: 'metadata' },
    el('p', {}, `${metadata.platform} · versions ${metadata.versions.join(', ')}`),
    table(['', 'tensor', 'type', 'shape'], [...tensors('input', metadata.inputs), ...tensors('output', metadata.outputs)]));
}

function tryIt(metadata, onInference) {
  const fields = metadata.inputs.map(input => ({
    input,
    field: el('input', { name: input.name, placeholder: 'comma-separated values', 'data-input': input.name }),
  }));
  const result = el('div', { class: 'result', 'aria-live': 'polite' });
  const form = el('form', { class: 'try-it' },
    el('h4', {}, 'Try it'),
    fields.map(({ input, field }) => el('label', {}, `${input.name} (${input.datatype}, [${input.shape.join(', ')}])`, field)),
    el('button', { type: 'submit' }, 'Run'),
    result);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    result.replaceChildren('Running…');
    try {
      const inputs = fields.filter(({ field }) => field.value.trim()).map(({ input, field }) => tensorOf(input, field.value));
      const response = await call('POST', `/v2/models/${encodeURIComponent(metadata.name)}/infer`, { inputs });
      result.replaceChildren(table(['output', 'type', 'shape', 'data'],
        response.outputs.map(o => [o.name, o.datatype, `[${o.shape.join(', ')}]`, el('code', { 'data-output': o.name }, o.data.join(', '))])));
    } catch (error) {
      result.replaceChildren(el('p', { class: 'error', role: 'alert' }, error.message));
    }
    onInference();
  });
  return form;
}

/** One request tensor from the text of its field: the values, and the metadata's shape with its -1 taken from their count. */
function tensorOf(input, text) {
  const parts = text.split(',').map(p => p.trim()).filter(p => p.length);
  let data;
  if (input.datatype === 'BYTES') {
    data = parts;
  } else if (input.datatype === 'BOOL') {
    data = parts.map(p => p === 'true' || p === '1');
  } else {
    data = parts.map(Number);
    const bad = parts.find((_, i) => Number.isNaN(data[i]));
    if (bad !== undefined) {
      throw new Error(`${input.name}: '${bad}' is not a number`);
    }
  }
  return { name: input.name, datatype: input.datatype, shape: shapeFor(input, data.length), data };
}

function shapeFor(input, count) {
  const known = input.shape.filter(d => d !== -1).reduce((a, b) => a * b, 1);
  const free = input.shape.indexOf(-1);
  if (free < 0) {
    return input.shape;
  }
  if (known === 0 || count % known !== 0) {
    throw new Error(`${input.name}: ${count} values do not fill rows of ${known}`);
  }
  return input.shape.map((d, i) => (i === free ? count / known : d === -1 ? 1 : d));
}
