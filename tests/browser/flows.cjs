// The console and portal flows of issue 14 in Debian's Chromium, driven by playwright-core
// (run by crates/signet/tests/it/browser.rs, which starts `signet serve` over TLS and prepares
// the accounts). Every enrolment runs the `openssl cmp` command the page itself shows.
//
// Environment: SIGNET_URL (https://localhost:PORT), SIGNET_WORK (a directory holding
// tls-ca.pem; commands run there), SIGNET_ARTEFACTS (screenshots), SIGNET_BROWSER_PEERS
// (where scripts/browser-peers.sh put node_modules), and the accounts: OFFICER, AUDITOR,
// PASSWORD (both operators'), SUBSCRIBER / SUBSCRIBER_PASSWORD (a directory account),
// VICTIM (a directory account the test locks), SUBJECT, MANUAL_SUBJECT.
'use strict';
const { createRequire } = require('node:module');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const peers = createRequire(path.join(env('SIGNET_BROWSER_PEERS'), 'node_modules', 'x.js'));
const { chromium } = peers('playwright-core');

const url = env('SIGNET_URL');
const work = env('SIGNET_WORK');
const artefacts = env('SIGNET_ARTEFACTS');
fs.mkdirSync(artefacts, { recursive: true });

function run(command, extra = '') {
  return execFileSync('bash', ['-c', command + extra], {
    cwd: work, timeout: 120_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok: ${what}`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(artefacts, `${name}.png`), fullPage: true });
}

async function signIn(page, name) {
  await page.goto(`${url}/console/login`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', env('PASSWORD'));
  await Promise.all([page.waitForURL(`${url}/console/queue`), page.click('button:text("Sign in")')]);
}

/// Registers `subject` under `profile` in the console; the page's reference, code, command.
async function register(page, subject, profile) {
  await page.goto(`${url}/console/registrations`);
  await page.fill('input[name=subject]', subject);
  if (profile) await page.selectOption('select[name=profile]', profile);
  await Promise.all([page.waitForLoadState(), page.click('button:text("Register")')]);
  const command = await page.textContent('#command');
  check(command.includes('openssl cmp -cmd ir'), `the page shows the openssl cmp command for ${subject}`);
  return {
    reference: (await page.textContent('#reference')).trim(),
    code: (await page.textContent('#code')).trim(),
    command,
  };
}

/// Each command line of a page, run in the work directory, writing `out` instead of cert.pem.
function enrolWith(command, out, extra = '') {
  const [genkey, cmp] = command.trim().split('\n');
  run(genkey.replace('key.pem', `${out}.key`));
  return cmp.replace('key.pem', `${out}.key`).replace('cert.pem', `${out}.pem`) +
    ' -msg_timeout 20 -total_timeout 90' + extra;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const officer = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await officer.newPage();

    // Without a session every page sends the officer to the sign-in form.
    await page.goto(`${url}/console/certificates`);
    check(page.url() === `${url}/console/login`, 'no session: redirected to sign in');
    await page.fill('input[name=name]', env('OFFICER'));
    await page.fill('input[name=password]', 'not the password');
    await page.click('button:text("Sign in")');
    check((await page.textContent('[role=alert]')).includes('Wrong operator name or password'),
      'a wrong password is refused');
    await signIn(page, env('OFFICER'));
    await shot(page, '01-console-queue-empty');

    // 1. Administrative registration: the officer registers, openssl cmp enrols with the code.
    const admin = await register(page, env('SUBJECT'));
    await shot(page, '02-console-registered');
    run(enrolWith(admin.command, 'admin'));
    check(fs.existsSync(path.join(work, 'admin.pem')), 'openssl cmp enrolled with the officer-made code');

    // 2. Manual approval: a request under the manual profile waits in the queue; the officer
    //    approves it and the polling client gets its certificate.
    const manual = await register(page, env('MANUAL_SUBJECT'), 'c2pa-claim-signing-manual');
    const client = spawn('bash', ['-c', enrolWith(manual.command, 'manual')], { cwd: work });
    let clientOut = '';
    client.stdout.on('data', (d) => { clientOut += d; });
    client.stderr.on('data', (d) => { clientOut += d; });
    const exited = new Promise((resolve) => client.on('exit', resolve));
    let row = null;
    for (let i = 0; i < 60 && !row; i++) {
      await page.goto(`${url}/console/queue`);
      row = await page.$('#pending tr[data-transaction]');
      if (!row) await page.waitForTimeout(500);
    }
    check(row !== null, 'the manual-approval request appears in the queue');
    await shot(page, '03-console-queue-pending');
    await Promise.all([page.waitForLoadState(), row.$('button:text("Approve")').then((b) => b.click())]);
    check((await page.textContent('.ok')).includes('approved'), 'the officer approved it');
    const code = await exited;
    check(code === 0, `the polling client got its certificate (exit ${code}): ${clientOut.slice(-400)}`);
    check(fs.existsSync(path.join(work, 'manual.pem')), 'manual.pem written');

    // 3. The officer finds the first certificate and revokes it.
    const serial = run('openssl x509 -noout -serial -in admin.pem').trim().replace('serial=', '');
    await page.goto(`${url}/console/certificates?q=${encodeURIComponent(serial)}`);
    const found = await page.textContent('#certificates');
    check(found.includes(serial), `the search finds ${serial}: ${found}`);
    await Promise.all([page.waitForLoadState(), page.click(`#certificates a >> text=${serial}`)]);
    check((await page.textContent('#status')).trim() === 'valid', 'the certificate shows valid');
    await page.selectOption('select[name=reason]', 'keyCompromise');
    await Promise.all([page.waitForLoadState(), page.click('button:text("Revoke")')]);
    check((await page.textContent('#status')).trim() === 'revoked', 'the officer revoked it');
    await shot(page, '04-console-revoked');
    fs.writeFileSync(path.join(work, 'revoked-serial.txt'), serial);

    // 3b. The officer recovers the manually approved subscriber: revoked, registered again,
    //     and the new code enrols a new key.
    const manualSerial = run('openssl x509 -noout -serial -in manual.pem').trim().replace('serial=', '');
    await page.goto(`${url}/console/certificates/${manualSerial}`);
    await Promise.all([page.waitForLoadState(), page.click('button:text("Revoke and register again")')]);
    check((await page.textContent('.ok')).includes(`${manualSerial} revoked`), 'the officer revoked it for recovery');
    const again = await page.textContent('#command');
    check(again.includes("-subject '" + env('MANUAL_SUBJECT') + "'"), 'the new code is for the same subject');
    // The profile still needs an approval: the officer approves the recovered request too.
    const client2 = spawn('bash', ['-c', enrolWith(again, 'manual2')], { cwd: work });
    const exited2 = new Promise((resolve) => client2.on('exit', resolve));
    let row2 = null;
    for (let i = 0; i < 60 && !row2; i++) {
      await page.goto(`${url}/console/queue`);
      row2 = await page.$('#pending tr[data-transaction]');
      if (!row2) await page.waitForTimeout(500);
    }
    check(row2 !== null, 'the recovered request waits in the queue');
    await Promise.all([page.waitForLoadState(), row2.$('button:text("Approve")').then((b) => b.click())]);
    check((await exited2) === 0 && fs.existsSync(path.join(work, 'manual2.pem')), 'the recovered subscriber enrolled a new key');

    // 4. Self-service: a subscriber registers through the portal and enrols.
    const portal = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
    await portal.goto(`${url}/portal/`);
    await shot(portal, '05-portal-form');
    await portal.selectOption('select[name=base]', 'directory');
    await portal.fill('input[name=id]', env('SUBSCRIBER'));
    await portal.fill('input[name=secret]', env('SUBSCRIBER_PASSWORD'));
    await Promise.all([portal.waitForLoadState(), portal.click('button:text("Get my code")')]);
    const selfCommand = await portal.textContent('#command');
    await shot(portal, '06-portal-code');
    run(enrolWith(selfCommand, 'self'));
    check(fs.existsSync(path.join(work, 'self.pem')), 'the subscriber enrolled with the portal code');

    // 5. Recovery from the same form: the certificate is revoked and a fresh code made.
    const selfSerial = run('openssl x509 -noout -serial -in self.pem').trim().replace('serial=', '');
    await portal.goto(`${url}/portal/recover`);
    await portal.selectOption('select[name=base]', 'directory');
    await portal.fill('input[name=id]', env('SUBSCRIBER'));
    await portal.fill('input[name=secret]', env('SUBSCRIBER_PASSWORD'));
    await portal.check('input[name=confirm]');
    await Promise.all([portal.waitForLoadState(), portal.click('button:text("Revoke and get a new code")')]);
    check((await portal.textContent('#revoked')).includes(selfSerial), 'recovery revoked the old certificate');
    run(enrolWith(await portal.textContent('#command'), 'recovered'));
    check(fs.existsSync(path.join(work, 'recovered.pem')), 'the subscriber enrolled a new key after recovery');
    await shot(portal, '07-portal-recovered');

    // 6. A wrong password five times locks the account; then even the right one is refused.
    for (let i = 1; i <= 5; i++) {
      await portal.goto(`${url}/portal/`);
      await portal.selectOption('select[name=base]', 'directory');
      await portal.fill('input[name=id]', env('VICTIM'));
      await portal.fill('input[name=secret]', `wrong password ${i}`);
      await Promise.all([portal.waitForLoadState(), portal.click('button:text("Get my code")')]);
      const alert = await portal.textContent('[role=alert]');
      check(alert.includes(i < 5 ? 'is not right' : 'locked'), `attempt ${i}: ${alert.trim()}`);
    }
    await portal.goto(`${url}/portal/`);
    await portal.selectOption('select[name=base]', 'directory');
    await portal.fill('input[name=id]', env('VICTIM'));
    await portal.fill('input[name=secret]', env('SUBSCRIBER_PASSWORD'));
    await Promise.all([portal.waitForLoadState(), portal.click('button:text("Get my code")')]);
    check((await portal.textContent('[role=alert]')).includes('locked'), 'the locked account refuses the right password');
    await shot(portal, '08-portal-locked');

    // A POST without the form's token is refused (CSRF).
    const forged = await portal.request.post(`${url}/portal/register`, {
      form: { base: 'directory', id: env('SUBSCRIBER'), secret: env('SUBSCRIBER_PASSWORD'), csrf: 'forged' },
    });
    check(forged.status() === 403, `a forged portal POST is 403 (${forged.status()})`);

    // 7. An auditor reads the log (the chain intact) but is offered no action.
    const auditor = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
    await signIn(auditor, env('AUDITOR'));
    await auditor.goto(`${url}/console/certificates/${serial}`);
    check((await auditor.$('button:text("Revoke")')) === null, 'an auditor is offered no revocation');
    await auditor.goto(`${url}/console/audit`);
    const chain = await auditor.textContent('#chain');
    check(chain.includes('the hash chain is intact'), chain.trim());
    const log = await auditor.textContent('#audit');
    for (const action of ['registration.created', 'enrollment.approved', 'certificate.revoked',
      'operator.signed-in', 'subscriber.locked', 'authentication.succeeded']) {
      check(log.includes(action), `the audit log shows ${action}`);
    }
    check(!log.includes(admin.code) && !log.includes(env('SUBSCRIBER_PASSWORD')),
      'the audit log holds no code or password');
    await shot(auditor, '09-console-audit');

    // Signing out ends the session.
    await page.goto(`${url}/console/queue`);
    await Promise.all([page.waitForURL(`${url}/console/login`), page.click('button:text("Sign out")')]);
    await page.goto(`${url}/console/queue`);
    check(page.url() === `${url}/console/login`, 'signed out: the session is gone');
    console.log('all browser flows passed');
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
