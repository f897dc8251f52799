import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createCortexApi } from './api'
import { App } from './App'
import './styles.css'

const api = createCortexApi()
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={api} />
  </StrictMode>
)
