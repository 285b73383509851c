// Batch jobs: each with a progress bar (rows when the total is known, else shards), its error, and Cancel while it runs.
import { call } from './api.js';
import { el } from './dom.js';

const settled = new Set(['succeeded', 'partially_succeeded', 'failed', 'cancelled']);

/** Draws the recent jobs; true while one has not settled, so the caller polls again. */
export async function renderJobs(list, onChange) {
  const { jobs } = await call('GET', '/jobs?limit=20');
  list.replaceChildren(...(jobs.length ? jobs.map(job => jobView(job, onChange)) : [el('p', { class: 'hint' }, 'No jobs yet.')]));
  return jobs.some(job => !settled.has(job.state));
}

export async function submitJob(form) {
  const fields = new FormData(form);
  await call('POST', '/jobs', {
    model: fields.get('model'),
    input: fields.get('input'),
    output: fields.get('output'),
    format: fields.get('format'),
  });
}

function jobView(job, onChange) {
  const done = job.rows.total ? job.rows.done / job.rows.total : job.shards.total ? job.shards.done / job.shards.total : 0;
  const percent = Math.round(done * 100);
  const cancel = settled.has(job.state) ? null : el('button', {
    type: 'button',
    onclick: async () => {
      await call('DELETE', `/jobs/${encodeURIComponent(job.id)}`).catch(error => alert(error.message));
      onChange();
    },
  }, 'Cancel');
  return el('article', { class: `job state-${job.state}`, 'data-job': job.id, 'data-state': job.state },
    el('h3', {}, `${job.id} `, el('small', {}, `${job.model} · ${job.input} → ${job.output} · `), el('span', { class: 'state' }, job.state)),
    el('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': percent },
      el('span', { style: `width: ${percent}%` })),
    el('p', { class: 'progress-text' },
      `${percent}% · rows ${job.rows.done}${job.rows.total == null ? '' : ` of ${job.rows.total}`} (${job.rows.failed} failed)` +
      ` · shards ${job.shards.done} of ${job.shards.total}`),
    job.error ? el('p', { class: 'error' }, job.error) : null,
    cancel);
}
