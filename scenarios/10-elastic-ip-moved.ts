/**
 * Dynamics, written with the TypeScript builder: an Elastic IP moves from one server to
 * another. Associating an EIP that another instance holds moves it; the former holder gets a
 * new dynamic public IP (domain.md §4). Traffic to the EIP now reaches the new holder, and a
 * rule that admits the EIP/32 now admits the new holder and no longer the former one.
 */
import { scenario } from '../src/index.ts';

const EIP = '203.0.113.20';

export default scenario('Elastic IP moved to a standby', {
  seed: 10,
  description: 'The EIP follows its holder, for traffic to it and for rules that admit it.',
})
  .region('us-east-1', { zones: ['us-east-1a', 'us-east-1b'] })
  .group('APP', {
    region: 'us-east-1',
    ingress: [{ protocol: 'tcp', ports: 443, from: { cidr: '0.0.0.0/0' }, description: 'https' }],
  })
  .group('DB', {
    region: 'us-east-1',
    ingress: [{ protocol: 'tcp', ports: 5432, from: { cidr: `${EIP}/32` }, description: 'the EIP holder' }],
  })
  .instance('primary', { region: 'us-east-1', zone: 'us-east-1a', groups: ['APP'], elasticIp: EIP, services: ['tcp/443'] })
  .instance('standby', { region: 'us-east-1', zone: 'us-east-1b', groups: ['APP'], services: ['tcp/443'] })
  .instance('db', { region: 'us-east-1', groups: ['DB'], services: ['tcp/5432'] })
  .external('user', { ip: '192.0.2.50' })
  .at('0s')
  .connect({ from: 'user', to: EIP, port: 443 }, { id: 'user-to-eip', expect: { outcome: 'connected', source: 'user' } })
  .connect({ from: 'primary', to: 'db.public', port: 5432 }, { id: 'primary-to-db', expect: { outcome: 'connected', source: EIP } })
  .connect({ from: 'standby', to: 'db.public', port: 5432 }, { id: 'standby-before', expect: { outcome: 'timeout', code: 'ENI_SG_RULES_MISMATCH' } })
  .at('200s')
  .associate({ elasticIp: EIP, instance: 'standby' })
  .at('201s')
  .connect({ from: 'user', to: EIP, port: 443 }, { id: 'user-to-eip-after', expect: { outcome: 'connected', path: 'public' } })
  .connect({ from: 'user', to: 'primary.public', port: 443 }, { id: 'user-to-primary-new-ip', expect: 'connected' })
  .connect({ from: 'standby', to: 'db.public', port: 5432 }, { id: 'standby-after', expect: { outcome: 'connected', source: 'standby.eip' } })
  .connect({ from: 'primary', to: 'db.public', port: 5432 }, { id: 'primary-after', expect: { outcome: 'timeout', source: 'primary.public', code: 'ENI_SG_RULES_MISMATCH' } });
