/**
 * Rooms in the full-screen client against the real server (docs/protocol.md §6.3): ann in tmux,
 * bob in line mode. A buffer per room and conversation, unread counts in the buffer list and the
 * status line, switching with Alt-N, and bob's /nick seen by ann in the buffer list and the log.
 * Needs tmux (CI installs it); `npm test` builds dist/ first.
 */
import { startClient, startServer } from '../support/processes.js';
import { joinInTmux, useTmux } from '../support/tmux-client.js';

describe('rooms in the full-screen client in tmux (e2e)', function () {
  this.timeout(30_000);

  useTmux();

  it('opens a buffer per room and conversation, counts unread lines, switches with Alt-N, and follows a /nick', async () => {
    const { port } = await startServer();
    const ann = await joinInTmux(port);
    await ann.waitForScreen((s) => s.includes('Joined as ann.'), 8_000, 'ann online');
    const bob = await startClient('bob', port);

    await ann.sendKeys('/join #ops');
    await ann.sendKey('Enter');
    await ann.waitForScreen((s) => s.includes('You joined #ops') && / 2 #ops/.test(s), 5_000, 'the #ops buffer, shown');

    bob.write('/join #ops');
    await bob.waitForLine(/ \* you joined #ops$/, 5_000);
    bob.writeLines(['/msg #ops hi ops', '/msg ann psst']);
    // ann looks at #ops: bob's line is there; the conversation with bob has 1 unread line.
    await ann.waitForScreen((s) => s.includes('<bob> hi ops') && / 3 \*bob\* 1 /.test(s) && s.includes('[Act: 3:*bob*(1)]'), 5_000, '#ops shown, *bob* with 1 unread (buffer list and status line)');

    await ann.sendKey('M-3');
    await ann.waitForScreen((s) => s.includes('<bob> psst') && s.includes('-------- unread --------') && !s.includes('[Act:'), 5_000, 'the conversation shown with its unread marker');

    bob.write('/nick bobby');
    await ann.waitForScreen((s) => s.includes('bob is now known as bobby') && / 3 \*bobby\*/.test(s), 5_000, 'the rename in the log and the buffer list');

    await ann.sendKeys('hello back');
    await ann.sendKey('Enter');
    await bob.waitForLine(/ann: hello back$/, 5_000);

    await ann.sendKey('M-1');
    await ann.waitForScreen((s) => / 1 #lobby/.test(s) && s.includes('Joined as ann.') && s.includes('bob is now known as bobby'), 5_000, '#lobby shown again, with the rename');
  });
});
