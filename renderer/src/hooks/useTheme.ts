import { useEffect } from 'react';
import type { SettingsDto } from '../../../preload/api';

/**
 * Puts the chosen theme on <html data-theme>: the stylesheet follows prefers-color-scheme for
 * "system" and the attribute for "light" and "dark".
 */
export function useTheme(theme: SettingsDto['theme'] | undefined): void {
  useEffect(() => {
    document.documentElement.dataset.theme = theme ?? 'system';
  }, [theme]);
}
