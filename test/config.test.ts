import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../runtime/config';

describe('configuration from the environment', () => {
  it('runs on embedded defaults with no variables at all', () => {
    const config = loadConfig({});
    expect(config.provider).toBe('anyint');
    expect(config.providers.anyint).toEqual({ mode: 'simulated' });
    expect(config.temporal.address).toBeUndefined();
    expect(config.callbacks).toMatchObject({ enabled: true, port: 8787 });
  });

  it('calls a provider for real when both its base URL and key are set', () => {
    const config = loadConfig({ ANYINT_BASE_URL: 'https://gw.example', ANYINT_API_KEY: 'k' });
    expect(config.providers.anyint).toEqual({ mode: 'real', baseUrl: 'https://gw.example', apiKey: 'k' });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ MUSIC_PROVIDER: 'spotify' })).toThrow(/MUSIC_PROVIDER/);
    expect(() => loadConfig({ CALLBACK_PORT: 'eighty' })).toThrow(/CALLBACK_PORT/);
    expect(() => loadConfig({ ANYINT_BASE_URL: 'not a url', ANYINT_API_KEY: 'k' })).toThrow(/ANYINT_BASE_URL/);
    expect(() => loadConfig({ TEMPORAL_ADDRESS: 'localhost' })).toThrow(/TEMPORAL_ADDRESS/);
    expect(() => loadConfig({ ACEDATA_API_KEY: 'k' })).toThrow(/ACEDATA_BASE_URL: required/);
  });

  it('refuses a public callback URL without a secret, and never echoes secrets', () => {
    expect(() => loadConfig({ CALLBACK_PUBLIC_URL: 'https://hooks.example.com' })).toThrow(/CALLBACK_SECRET: required/);
    expect(loadConfig({ CALLBACK_PUBLIC_URL: 'http://127.0.0.1:8787' }).callbacks.secret).toBeUndefined();
    let error: unknown;
    try {
      loadConfig({ ANYINT_API_KEY: 'sk-very-secret', ANYINT_BASE_URL: 'nope' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('ANYINT_BASE_URL');
    expect((error as Error).message).not.toContain('sk-very-secret');
  });
});
