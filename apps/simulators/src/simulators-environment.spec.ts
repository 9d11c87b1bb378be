import { parseSimulatorsEnvironment } from './simulators-environment';

describe('parseSimulatorsEnvironment', () => {
  it('defaults to the ports config/providers.yaml expects, loopback, and the broker on 3000', () => {
    expect(parseSimulatorsEnvironment({})).toEqual({ basePort: 4101, host: '127.0.0.1', demoPort: 3000 });
    expect(parseSimulatorsEnvironment({ SIMULATOR_BASE_PORT: '', DEMO_PORT: '' })).toEqual({
      basePort: 4101,
      host: '127.0.0.1',
      demoPort: 3000,
    });
  });

  it('takes each variable', () => {
    expect(parseSimulatorsEnvironment({ SIMULATOR_BASE_PORT: '0', SIMULATOR_HOST: '0.0.0.0', DEMO_PORT: '8080' })).toEqual({
      basePort: 0,
      host: '0.0.0.0',
      demoPort: 8080,
    });
  });

  it('names the variable and the value it refuses', () => {
    expect(() => parseSimulatorsEnvironment({ SIMULATOR_BASE_PORT: '70000' })).toThrow(
      'SIMULATOR_BASE_PORT must be a port number 0-65535 (got "70000")',
    );
    expect(() => parseSimulatorsEnvironment({ SIMULATOR_BASE_PORT: '-1' })).toThrow(
      'SIMULATOR_BASE_PORT must be a port number 0-65535 (got "-1")',
    );
    // the demo prints a curl line with its port, so "any free port" cannot work there
    expect(() => parseSimulatorsEnvironment({ DEMO_PORT: '0' })).toThrow('DEMO_PORT must be a port number 1-65535 (got "0")');
  });
});
