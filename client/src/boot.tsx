import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n/index';
import { Root } from './Root';
import './styles.css';

const el = document.getElementById('root');
if (el) createRoot(el).render(<StrictMode><Root /></StrictMode>);
