// The one way the console calls the API: JSON in and out, the key from this browser session as a Bearer token,
// and an error that carries the server's own message from its JSON error body.

const keyName = 'serverless.console.key';

export function currentKey() {
  return sessionStorage.getItem(keyName) ?? '';
}

export function rememberKey(key) {
  if (key) {
    sessionStorage.setItem(keyName, key);
  } else {
    sessionStorage.removeItem(keyName);
  }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  const key = currentKey();
  if (key) {
    headers.Authorization = `Bearer ${key}`;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: the text itself is the message below.
  }
  if (!response.ok) {
    throw new ApiError(response.status, `${response.status}: ${json?.error ?? (text || response.statusText)}`);
  }
  return json;
}
