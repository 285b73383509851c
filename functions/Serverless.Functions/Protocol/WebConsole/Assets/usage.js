// The caller's usage this month (the admin key: everyone's), per day and per model, as calls and cost (and tokens of text models).
import { call } from './api.js';
import { barChart } from './charts.js';

const cost = value => value.toFixed(4);

export async function renderUsage(totals, charts) {
  const [byDay, byModel] = await Promise.all([call('GET', '/usage?group_by=day'), call('GET', '/usage?group_by=model')]);
  // Tokens only once a text model was billed: a server of tensor models has none to show.
  const tokens = byDay.input_tokens || byDay.output_tokens ? `, ${byDay.input_tokens} input tokens, ${byDay.output_tokens} output tokens` : '';
  totals.textContent = `${byDay.calls} calls, ${byDay.rows} rows${tokens}, ${byDay.failed} failed, cost ${cost(byDay.cost)}` +
    ` (from ${byDay.from.slice(0, 10)} to ${byDay.to.slice(0, 10)}, UTC)`;
  charts.replaceChildren(
    barChart('Calls per day', byDay.groups, { label: g => g.day, value: g => g.calls }),
    barChart('Cost per day', byDay.groups, { label: g => g.day, value: g => g.cost, format: cost }),
    barChart('Calls per model', byModel.groups, { label: g => g.model, value: g => g.calls }),
    barChart('Cost per model', byModel.groups, { label: g => g.model, value: g => g.cost, format: cost }));
}
