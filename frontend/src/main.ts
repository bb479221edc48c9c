import './style.css';
import { wailsApi } from './api';
import { App } from './app';
import { installNavigationGuard } from './guard';

installNavigationGuard(window);
const root = document.getElementById('app');
if (root) void new App(root, wailsApi).start();
