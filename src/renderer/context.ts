import { createContext, useContext } from 'react';
import type { User } from '../shared/api.ts';
import type { Transport } from './transport.ts';

export type Screen = 'line' | 'history' | 'stats' | 'devices' | 'labelling' | 'detail';

export interface AppCtx {
  api: Transport;
  user: User;
  go(screen: Screen, scanId?: string): void;
  toast(text: string, kind?: 'ok' | 'error'): void;
}

export const AppContext = createContext<AppCtx | null>(null);

export function useApp(): AppCtx {
  const c = useContext(AppContext);
  if (!c) throw new Error('useApp outside AppContext');
  return c;
}
