import { useState } from 'react';
import type { User } from '../../shared/api.ts';
import { useI18n } from '../i18n/index.ts';
import { loginErrorText } from '../server-text.ts';
import type { Transport } from '../transport.ts';

export function LoginScreen(props: { api: Transport; onLogin(user: User, token: string): void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = await props.api.request('auth.login', { username: username.trim(), password });
    setBusy(false);
    if (r.ok) props.onLogin(r.data.user, r.data.token);
    else setError(loginErrorText(r, t));
  };
  return (
    <form className="login" onSubmit={(e) => void submit(e)}>
      <h1>{t('login.title')}</h1>
      <label>
        {t('login.user')}
        <input name="username" autoFocus autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
      </label>
      <label>
        {t('login.password')}
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={busy || !username || !password}>
        {t('login.submit')}
      </button>
    </form>
  );
}
