import { onSwitchAnnounced } from './sentinel-switch-follower';

describe('onSwitchAnnounced', () => {
  function client(status: string): { status: string; disconnect: jest.Mock } {
    return { status, disconnect: jest.fn() };
  }

  it('reconnects a connected client when its primary switched', () => {
    const connected = client('ready');
    onSwitchAnnounced(connected, 'broker', 'broker 10.0.0.1 6379 10.0.0.2 6379');
    expect(connected.disconnect).toHaveBeenCalledWith(true);
  });

  it.each(['connecting', 'connect', 'reconnecting', 'close', 'end', 'wait'])(
    'leaves a client that is %s alone: disconnecting it mid-connect would end it for good',
    (status) => {
      const away = client(status);
      onSwitchAnnounced(away, 'broker', 'broker 10.0.0.1 6379 10.0.0.2 6379');
      expect(away.disconnect).not.toHaveBeenCalled();
    },
  );

  it("ignores another primary's switch", () => {
    const connected = client('ready');
    onSwitchAnnounced(connected, 'broker', 'broker-other 10.0.0.1 6379 10.0.0.2 6379');
    expect(connected.disconnect).not.toHaveBeenCalled();
  });
});
