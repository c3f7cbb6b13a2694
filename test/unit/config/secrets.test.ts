// The scrubber the composition root puts in front of every log line (docs/security.md).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/config/load.ts';
import { configSecrets, secretScrubber } from '../../../src/main/config/secrets.ts';

describe('configured secrets', () => {
  const env = { MQ: 'mq-s3cret"pw', TOK: 'tok-0123456789', CU: 'p@ss/word', KEY: '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA\n-----END PRIVATE KEY-----\n' };
  const config = parseConfig(
    {
      mqtt: { url: 'mqtt://station:${env:MQ}@broker:1883', password: '${env:MQ}' },
      central: { url: 'https://sync:p%40ss%2Fword@central.example/', token: '${env:TOK}', clientCert: '/etc/station/client.pem', clientKey: '${env:KEY}' },
    },
    env,
  );

  it('are collected from the MQTT and central settings, URLs and inline keys included; paths are not secrets', () => {
    const s = configSecrets(config);
    expect(s).toEqual(expect.arrayContaining([env.MQ, env.TOK, env.CU, 'p%40ss%2Fword', env.KEY]));
    expect(s).not.toContain('/etc/station/client.pem');
  });

  it('are blanked out of plain and JSON-escaped lines, and URL credentials of any kind with them', () => {
    const scrub = secretScrubber(configSecrets(config));
    expect(scrub(`connect failed: token ${env.TOK} refused`)).toBe('connect failed: token *** refused');
    expect(scrub(JSON.stringify({ msg: `pw ${env.MQ}`, key: env.KEY }))).not.toMatch(/s3cret|MC4CAQAw/);
    expect(scrub('broker mqtt://other:hunter2@10.0.0.1:1883 down')).toBe('broker mqtt://***:***@10.0.0.1:1883 down');
    expect(scrub('nothing secret here')).toBe('nothing secret here');
  });
});
