import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { isPortalPath, takePortalTokenFromUrl } from './lib/session';
import './styles.css';

// Before anything renders: a portal link's token leaves the address bar at once.
if (isPortalPath()) takePortalTokenFromUrl();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App portal={isPortalPath()} />
  </StrictMode>,
);
