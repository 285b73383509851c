// The console's wiring: the key kept for this browser session, one refresh per section (its error shown in the
// section), polling while a model loads or a job runs, and the usage redrawn after the calls that change it.
import { currentKey, rememberKey } from './api.js';
import { createCaller, renderCallers } from './callers.js';
import { renderJobs, submitJob } from './jobs.js';
import { renderModels } from './models.js';
import { renderUsage } from './usage.js';

const $ = id => document.getElementById(id);
const pollMilliseconds = { models: 3000, jobs: 1000 };
const timers = {};
// Per section: the latest refresh started, and the latest that finished. A refresh started under an earlier key can
// finish after a later one (a model's first metadata call loads it, which takes seconds): its data must not stay.
const started = {};
const finished = {};
let jobsWereBusy = false;

// Each section: how it is drawn, and what it shows (emptied when a refresh fails, so no earlier key's data stays).
const sections = {
  models: { render: () => renderModels($('model-list'), $('model-names'), () => refresh('usage')), shows: ['model-list'] },
  usage: { render: () => renderUsage($('usage-totals'), $('usage-charts')), shows: ['usage-totals', 'usage-charts'] },
  jobs: { render: () => renderJobs($('job-list'), () => refresh('jobs')), shows: ['job-list'] },
  callers: {
    render: async () => {
      const admin = await renderCallers($('caller-list'), $('caller-message'));
      $('callers').hidden = !admin;
      if (!admin) {
        $('caller-list').replaceChildren();
        $('caller-message').replaceChildren();
      }
    },
    shows: ['caller-list', 'caller-message'],
  },
};

async function refresh(name) {
  clearTimeout(timers[name]);
  const run = started[name] = (started[name] ?? 0) + 1;
  const error = $(`${name}-error`);
  // A stale run drew over what a later, already finished one showed: draw the section again with the current key.
  const superseded = () => {
    if (run === started[name]) {
      return false;
    }
    if ((finished[name] ?? 0) > run) {
      refresh(name);
    }
    return true;
  };
  try {
    const busy = await sections[name].render();
    if (superseded()) {
      return;
    }
    finished[name] = run;
    error.textContent = '';
    if (busy === true) {
      timers[name] = setTimeout(() => refresh(name), pollMilliseconds[name]);
    } else if (name === 'jobs' && jobsWereBusy) {
      // A job just settled: its rows are now in the usage.
      refresh('usage');
    }
    if (name === 'jobs') {
      jobsWereBusy = busy;
    }
  } catch (failure) {
    if (superseded()) {
      return;
    }
    finished[name] = run;
    error.textContent = failure.message;
    for (const id of sections[name].shows) {
      $(id).replaceChildren();
    }
  }
}

function refreshAll() {
  const key = currentKey();
  $('key-state').textContent = key ? 'Key in use for this browser session.' : 'No key: calls go without one.';
  $('key').value = key;
  for (const name of Object.keys(sections)) {
    refresh(name);
  }
}

$('key-form').addEventListener('submit', event => {
  event.preventDefault();
  rememberKey($('key').value.trim());
  refreshAll();
});
$('forget-key').addEventListener('click', () => {
  rememberKey('');
  refreshAll();
});
$('job-form').addEventListener('submit', async event => {
  event.preventDefault();
  try {
    await submitJob(event.target);
    $('jobs-error').textContent = '';
    refresh('jobs');
  } catch (failure) {
    $('jobs-error').textContent = failure.message;
  }
});
$('caller-form').addEventListener('submit', async event => {
  event.preventDefault();
  try {
    const id = await createCaller(event.target);
    $('caller-message').textContent = `Caller ${id} created.`;
    refresh('callers');
  } catch (failure) {
    $('callers-error').textContent = failure.message;
  }
});
for (const button of document.querySelectorAll('[data-refresh]')) {
  button.addEventListener('click', () => refresh(button.dataset.refresh));
}

refreshAll();
