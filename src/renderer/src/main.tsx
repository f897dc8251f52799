import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createCortexApi } from './api'
import { App } from './App'
import './styles.css'

// The browser mode's token arrived in the URL and now lives in an HttpOnly cookie: keep it out of
// the address bar, history and screenshots.
if (new URLSearchParams(window.location.search).has('token')) window.history.replaceState(null, '', window.location.pathname)

const api = createCortexApi()
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} />
  </StrictMode>
)
