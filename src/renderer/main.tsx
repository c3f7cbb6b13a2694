// Entry of the console bundle (dist/renderer/app.js).
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { defaultTransport } from './transport.ts';

createRoot(document.getElementById('root')!).render(<App api={defaultTransport()} />);
