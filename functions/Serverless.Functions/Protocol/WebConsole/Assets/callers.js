// For the admin key: the callers, their plans and keys; create a caller, issue a key (its secret is shown once).
// Any other key is refused these calls, and the section stays hidden.
import { call } from './api.js';
import { el, table } from './dom.js';

/** Draws the callers; false when this key may not list them. */
export async function renderCallers(list, message) {
  let body;
  try {
    body = await call('GET', '/manage/callers');
  } catch {
    return false;
  }
  const issue = id => async () => {
    try {
      const issued = await call('POST', `/manage/callers/${encodeURIComponent(id)}/keys`);
      message.replaceChildren(`Key for ${id} (shown once): `, el('code', { 'data-secret': id }, issued.key));
      await renderCallers(list, message);
    } catch (error) {
      message.textContent = error.message;
    }
  };
  list.replaceChildren(table(['caller', 'plan', 'keys', ''], body.callers.map(c => [
    c.id,
    planText(c.plan),
    c.keys.map(k => `${k.key_id}${k.revoked_at ? ' (revoked)' : ''}`).join(', ') || 'none',
    el('button', { type: 'button', onclick: issue(c.id) }, 'Issue key'),
  ])));
  return true;
}

// 0 is unlimited for both the rate and the quota (CallerPlan).
function planText(plan) {
  const rate = plan.requests_per_second ? `${plan.requests_per_second} calls/s` : 'no rate limit';
  const quota = plan.monthly_quota ? `${plan.monthly_quota} ${plan.quota_unit} a month` : 'no monthly quota';
  return `${rate}, ${quota}`;
}

export async function createCaller(form) {
  const id = new FormData(form).get('id');
  await call('POST', '/manage/callers', { id });
  return id;
}
