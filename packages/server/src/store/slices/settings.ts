

/**
 * Small named values the store keeps for Herald itself (the admin token hash, health probes).
 */
export interface SettingsStore {
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
}
